"""Seeding, so that a fast-mode run of a lesson repeats exactly on the same machine."""

from __future__ import annotations

import random

import numpy as np


def set_seed(seed: int = 42) -> np.random.Generator:
    """Seed Python, NumPy and the Keras backend; return a NumPy Generator for the lesson.

    Keras is imported lazily so that lessons without Keras (and the unit tests) do not
    pay for importing TensorFlow or JAX.
    """
    random.seed(seed)
    np.random.seed(seed)
    try:
        import keras
    except ImportError:
        pass
    else:
        # Seeds Python, NumPy and the backend (TensorFlow, JAX or PyTorch) together.
        keras.utils.set_random_seed(seed)
    return np.random.default_rng(seed)
