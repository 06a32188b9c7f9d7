"""Pad a batch to a power of two, so that compiled functions see only a few batch sizes.

A compiled Keras prediction (``predict_on_batch``: a ``tf.function`` or ``jax.jit``) and
the compiled input gradient of :mod:`course_utils.input_gradients` are traced again for
every new batch size. Lesson 06's attacks ask for many sizes (500, 54, 400, 360, ...);
padding with zeros to the next power of two (at least :data:`MINIMUM_PADDED_SIZE`) keeps
them to a handful. Callers drop the padded rows from the result.
"""

from __future__ import annotations

import numpy as np

#: The smallest padded batch: sizes 1 to 8 all share one compiled function.
MINIMUM_PADDED_SIZE = 8


def padded_size(count: int) -> int:
    """The next power of two at or above ``count``, and at least MINIMUM_PADDED_SIZE."""
    if count < 0:
        raise ValueError(f"a batch has at least 0 rows, got {count}")
    return max(MINIMUM_PADDED_SIZE, 1 << (count - 1).bit_length())


def pad_batch(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each array (all with the same number of rows) padded with rows of zeros to
    ``padded_size`` rows, keeping its dtype. Slice the result back with ``[:count]``."""
    counts = {len(array) for array in arrays}
    if len(counts) != 1:
        raise ValueError(f"the arrays of one batch must have the same number of rows, got {sorted(counts)}")
    count = counts.pop()
    missing = padded_size(count) - count
    return tuple(array if missing == 0 else
                 np.concatenate([array, np.zeros((missing, *array.shape[1:]), array.dtype)])
                 for array in arrays)
