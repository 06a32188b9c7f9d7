"""Reuse lesson 04's trained MNIST network when it is there and is the network we expect.

Lesson 06 attacks a trained CNN. If lesson 04 ran on this machine it saved one
(``course_utils.mnist_cnn.save_model(model, "lesson04_mnist_cnn")``); loading it saves
the training time. :func:`load_matching_mnist_cnn` loads a saved model only if it takes
28x28 grey images, has 10 outputs and outputs logits (no softmax at the end), and
otherwise says why not, so the lesson can train its own instead.
"""

from __future__ import annotations

from pathlib import Path

import keras

from course_utils.mnist_cnn import INPUT_SHAPE, NUM_CLASSES


def load_matching_mnist_cnn(path) -> tuple[keras.Model | None, str]:
    """(model, "loaded ...") if ``path`` holds a matching model, else (None, the reason)."""
    path = Path(path)
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
