"""Pixels as the networks take them: 8-bit values 0..255 scaled to floats in [0, 1].

Every loader of the course (MNIST for lessons 04 and 06, lesson 05's CIFAR-10 or
Fashion-MNIST, lesson 07's pet photographs) scales its images here, so they all agree on
the dtype and the scale, and none scales twice.
"""

from __future__ import annotations

import numpy as np

#: The largest 8-bit pixel value: white.
MAX_PIXEL_VALUE = 255


def to_unit_float(pixels) -> np.ndarray:
    """Whole-number pixel values 0..255 (uint8, as datasets and Pillow give them) -> float32 in [0, 1].

    Floats are refused rather than divided: images that are floats already are most likely
    scaled already, and a second division by 255 leaves a picture that looks black and
    trains nothing, without any error.
    """
    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8:
        if not np.issubdtype(pixels.dtype, np.integer):
            raise ValueError(f"expected whole-number pixel values 0..{MAX_PIXEL_VALUE} (uint8), got "
                             f"dtype {pixels.dtype}: floats are probably scaled already, so use them "
                             f"as they are.")
        if pixels.size and (pixels.min() < 0 or pixels.max() > MAX_PIXEL_VALUE):
            raise ValueError(f"pixel values must lie in 0..{MAX_PIXEL_VALUE}, got "
                             f"{pixels.min()}..{pixels.max()}")
    return pixels.astype(np.float32) / np.float32(MAX_PIXEL_VALUE)
