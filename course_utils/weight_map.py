"""The U-Net paper's pixel-wise loss weights (Ronneberger et al. 2015, eq. 2), for lesson 07.

    w(x) = w_c(x) + w0 * exp(-(d1(x) + d2(x))**2 / (2 * sigma**2))

* ``w_c`` balances the classes: a pixel of class c gets ``1 / (2 * frequency of c)``, so
  background and foreground contribute equally to the loss and the mean weight is 1.
* ``d1`` and ``d2`` are a pixel's distances to the nearest and the second-nearest cell.
  The second term is large only where two cells are close on both sides: the thin
  background gaps between touching cells, which the network must learn to predict so
  that touching cells come out as separate objects. The paper uses w0 = 10 and
  sigma of about 5 pixels.

As in most reimplementations, the border term is added to **background** pixels only
(``background_only=True``): inside a cell d1 = 0, and the term would also weigh up every
cell's own edge next to a neighbour, which is not the gap we want learnt.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

PAPER_W0 = 10.0
PAPER_SIGMA = 5.0


def class_balance_weights(foreground: np.ndarray, frequencies=None) -> np.ndarray:
    """``w_c``: ``1 / (2 f_background)`` on background pixels, ``1 / (2 f_foreground)`` on
    foreground pixels; ``frequencies = (f_background, f_foreground)`` defaults to the
    frequencies in ``foreground`` itself (all images together)."""
    foreground = np.asarray(foreground).astype(bool)
    if frequencies is None:
        f_foreground = foreground.mean() if foreground.size else 0.5
        frequencies = (1.0 - f_foreground, f_foreground)
    f_background, f_foreground = (float(f) for f in frequencies)
    if not (0 < f_background < 1 and 0 < f_foreground < 1):
        # One class absent: there is nothing to balance, every pixel weighs 1.
        return np.ones(foreground.shape, dtype=np.float32)
    return np.where(foreground, 0.5 / f_foreground, 0.5 / f_background).astype(np.float32)


def nearest_two_distances(instances: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(d1, d2)`` for one image (H, W) of instance labels (0 = background): Euclidean
    distances from every pixel to the nearest and second-nearest labelled object.
    ``inf`` where the image has fewer than one (d1) or two (d2) objects."""
    instances = np.asarray(instances)
    if instances.ndim != 2:
        raise ValueError(f"instances must be one image of labels (H, W), got shape {instances.shape}")
    labels = np.unique(instances[instances > 0])
    d1 = np.full(instances.shape, np.inf)
    d2 = np.full(instances.shape, np.inf)
    for label in labels:
        # distance_transform_edt measures the distance to the nearest zero: zero = this object.
        distance = ndimage.distance_transform_edt(instances != label)
        # Keep the two smallest distances seen so far, without storing all K maps.
        d2 = np.where(distance < d1, d1, np.minimum(d2, distance))
        d1 = np.minimum(d1, distance)
    return d1, d2


def unet_weight_map(instances: np.ndarray, w0: float = PAPER_W0, sigma: float = PAPER_SIGMA,
                    background_only: bool = True, class_frequencies=None) -> np.ndarray:
    """The paper's weight map for images of instance labels, (H, W) or (N, H, W) -> float32.

    ``class_frequencies``: (background, foreground) frequencies for ``w_c``; by default
    those of ``instances`` itself. Pass the training set's to weigh test images alike.
    """
    instances = np.asarray(instances)
    if instances.ndim not in (2, 3):
        raise ValueError(f"instances must be (H, W) or (N, H, W) labels, got shape {instances.shape}")
    if not np.issubdtype(instances.dtype, np.integer):
        raise ValueError(f"instances must hold integer labels (0 = background), got {instances.dtype}")
    if w0 < 0 or sigma <= 0:
        raise ValueError(f"need w0 >= 0 and sigma > 0, got w0={w0}, sigma={sigma}")
    stack = instances[np.newaxis] if instances.ndim == 2 else instances
    weights = class_balance_weights(stack > 0, class_frequencies)
    for index, image in enumerate(stack):
        d1, d2 = nearest_two_distances(image)
        # exp(-inf) = 0: with fewer than two objects there is no border term.
        border = w0 * np.exp(-((d1 + d2) ** 2) / (2 * sigma**2))
        if background_only:
            border = np.where(image == 0, border, 0.0)
        weights[index] += border.astype(np.float32)
    return weights[0] if instances.ndim == 2 else weights
