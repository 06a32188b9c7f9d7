"""Saving lesson 04's trained MNIST network, and loading it back only if it is the network we expect.

Lesson 04 saves its trained CNN (``save_model(model)``, under :data:`LESSON04_MODEL_NAME`
in :func:`model_dir`); lesson 06 attacks a trained CNN and, if lesson 04 ran on this
machine, loads that one (``load_matching_mnist_cnn()``) instead of training its own.
Both sides read the name and the folder from here, so they cannot disagree.
:func:`load_matching_mnist_cnn` loads a saved model only if it takes 28x28 grey images,
has 10 outputs and outputs logits (no softmax at the end), and otherwise says why not,
so the lesson can train its own instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras

from course_utils.mnist_cnn import INPUT_SHAPE, NUM_CLASSES

#: The file stem lesson 04 saves its network under and lesson 06 looks for.
LESSON04_MODEL_NAME = "lesson04_mnist_cnn"
MODEL_DIR_VARIABLE = "CNN_COURSE_MODEL_DIR"


def model_dir() -> Path:
    """Where lessons keep trained models: ``CNN_COURSE_MODEL_DIR``, else the folder ``models``
    in the dataset cache (outside the repository; created on demand)."""
    configured = os.environ.get(MODEL_DIR_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    from data_download.settings import cache_dir

    return cache_dir() / "models"


def saved_model_path(name: str = LESSON04_MODEL_NAME) -> Path:
    """``model_dir() / f"{name}.keras"``; ``name`` is a plain file stem like ``lesson04_mnist_cnn``."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"model name must be a plain file stem like {LESSON04_MODEL_NAME!r}, got {name!r}")
    return model_dir() / f"{name}.keras"


def save_model(model: keras.Model, name: str = LESSON04_MODEL_NAME) -> Path:
    """Save in Keras's native format, atomically: a half-written file never takes the name."""
    path = saved_model_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.{os.getpid()}.partial.keras")
    try:
        model.save(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def load_matching_mnist_cnn(path=None) -> tuple[keras.Model | None, str]:
    """(model, "loaded ...") if ``path`` (default: lesson 04's saved network) holds a
    matching model, else (None, the reason)."""
    path = Path(path) if path is not None else saved_model_path(LESSON04_MODEL_NAME)
    if not path.is_file():
        return None, f"no saved model {path.name} (run lesson 04 to save one)"
    try:
        model = keras.saving.load_model(path)
    except Exception as error:  # a file from another Keras version, a half-copied file, ...
        return None, f"{path.name} could not be loaded ({type(error).__name__}: {error})"
    problem = mismatch(model)
    if problem:
        return None, f"{path.name} does not match: {problem}"
    return model, f"loaded {path.name}: input {INPUT_SHAPE}, {NUM_CLASSES} logits"


def mismatch(model: keras.Model) -> str | None:
    """Why ``model`` is not an MNIST classifier that outputs logits, or None if it is."""
    input_shape = tuple(model.input_shape[1:]) if not isinstance(model.input_shape, list) else None
    if input_shape != INPUT_SHAPE:
        return f"it takes inputs of shape {model.input_shape}, not (None, *{INPUT_SHAPE})"
    output_shape = model.output_shape
    if isinstance(output_shape, list) or tuple(output_shape[1:]) != (NUM_CLASSES,):
        return f"it outputs shape {output_shape}, not (None, {NUM_CLASSES})"
    # Logits: the last layer applies no activation (a softmax there would make the
    # attacks' cross-entropy from_logits=True wrong).
    last_activation = getattr(model.layers[-1], "activation", None)
    if last_activation is not keras.activations.linear:
        name = getattr(last_activation, "__name__", type(model.layers[-1]).__name__)
        return f"its last layer applies {name!r}: the attacks need logits (no activation)"
    return None
