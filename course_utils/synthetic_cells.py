"""Synthetic microscopy-like images of cells, with instance and foreground masks (lesson 07).

Lesson 07 has to train a segmentation network offline, in CI, so it makes its own data:
grey images of elliptical cells, many of them touching, with the difficulties of real
light-microscopy images that the U-Net paper was written for:

* touching cells, whose shared border is only a faint dark line in the image;
* texture inside the cells and cells of different brightness;
* uneven illumination (a smooth brightness gradient and a bright spot), so that no single
  brightness threshold separates cells from background everywhere;
* blur and noise.

Masks, for every image:

* ``instances`` (int32): 0 for background, 1..K for the K cells. As in the paper's
  ground truth, the pixels where two cells touch are **background**: a gap of about two
  pixels separates touching cells, and the network must learn to predict it.
* ``foreground`` (uint8): 1 where ``instances > 0``.

The data are deterministic: image ``i`` of ``make_cells(n, seed=s)`` depends only on ``s``,
``i`` and the size settings, so the first 10 images are the same whether you ask for 10
or 10,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage


@dataclass(frozen=True)
class CellImages:
    """``images`` float32 (N, H, W, 1) in [0, 1]; ``instances`` int32 (N, H, W);
    ``foreground`` uint8 (N, H, W)."""

    images: np.ndarray
    instances: np.ndarray
    foreground: np.ndarray

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index) -> "CellImages":
        """A subset, e.g. ``cells[:100]`` or ``cells[[3, 7]]``."""
        if isinstance(index, (int, np.integer)):
            index = [index]
        return CellImages(self.images[index], self.instances[index], self.foreground[index])


def make_cells(n_images: int, size: int = 64, seed: int = 0, cells_per_image=(6, 12),
               touching_probability: float = 0.6) -> CellImages:
    """``n_images`` square images of side ``size`` with their masks (see the module docstring).

    ``cells_per_image``: (fewest, most) cells tried per image; a cell that would overlap
    another too much or leave the image is not placed. ``touching_probability``: the
    chance that a new cell is put against one already placed instead of anywhere.
    Cell radii scale with ``size`` (7 % to 12 % of the side).
    """
    if not isinstance(n_images, (int, np.integer)) or n_images < 0:
        raise ValueError(f"n_images must be a whole number >= 0, got {n_images!r}")
    if not isinstance(size, (int, np.integer)) or size < 16:
        raise ValueError(f"size must be a whole number of pixels >= 16, got {size!r}")
    fewest, most = cells_per_image
    if not 1 <= fewest <= most:
        raise ValueError(f"cells_per_image must be (fewest, most) with 1 <= fewest <= most, "
                         f"got {cells_per_image!r}")
    if not 0 <= touching_probability <= 1:
        raise ValueError(f"touching_probability must be in [0, 1], got {touching_probability!r}")
    images = np.empty((n_images, size, size, 1), dtype=np.float32)
    instances = np.empty((n_images, size, size), dtype=np.int32)
    for index in range(n_images):
        # One generator per image, seeded by (seed, index): image i never depends on n_images.
        rng = np.random.default_rng([seed, index])
        cells = _place_cells(rng, size, rng.integers(fewest, most + 1), touching_probability)
        instances[index], nearness = _rasterise(cells, size)
        images[index, ..., 0] = _render(rng, instances[index], nearness, cells, size)
    return CellImages(images, instances, (instances > 0).astype(np.uint8))


def _place_cells(rng, size, n_cells, touching_probability):
    """Ellipses as rows (centre_y, centre_x, semi_axis_a, semi_axis_b, angle)."""
    cells = []
    for _ in range(30 * n_cells):  # bounded number of attempts
        if len(cells) == n_cells:
            break
        a = rng.uniform(0.07, 0.12) * size
        b = a * rng.uniform(0.7, 1.0)
        angle = rng.uniform(0, np.pi)
        if cells and rng.random() < touching_probability:
            # Against a placed cell: slightly closer than the sum of the radii, so they press.
            other = cells[rng.integers(len(cells))]
            direction = rng.uniform(0, 2 * np.pi)
            distance = 0.85 * (np.sqrt(other[2] * other[3]) + np.sqrt(a * b))
            centre = other[:2] + distance * np.array([np.sin(direction), np.cos(direction)])
        else:
            centre = rng.uniform(0, size, 2)
        margin = 0.6 * a
        if np.any(centre < margin) or np.any(centre > size - margin):
            continue
        # A new cell may press against others but not cover them.
        if any(np.hypot(*(centre - c[:2])) < 0.75 * (np.sqrt(c[2] * c[3]) + np.sqrt(a * b))
               for c in cells):
            continue
        cells.append(np.array([centre[0], centre[1], a, b, angle]))
    return cells


def _rasterise(cells, size):
    """Instance labels with ~2-pixel background gaps where cells touch, and each pixel's
    ``nearness`` (the ellipse radius function, < 1 inside a cell) used for shading."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    if not cells:
        return np.zeros((size, size), np.int32), np.full((size, size), np.inf)
    radius = np.empty((len(cells), size, size))
    for k, (cy, cx, a, b, angle) in enumerate(cells):
        u = (x - cx) * np.cos(angle) + (y - cy) * np.sin(angle)
        v = -(x - cx) * np.sin(angle) + (y - cy) * np.cos(angle)
        radius[k] = np.sqrt((u / a) ** 2 + (v / b) ** 2)
    nearest = np.argmin(radius, axis=0)
    nearness = np.min(radius, axis=0)
    labels = np.where(nearness < 1, nearest + 1, 0).astype(np.int32)
    # Where a cell pixel has a 4-neighbour of another cell, both sides become background.
    padded = np.pad(labels, 1)
    contact = np.zeros_like(labels, dtype=bool)
    for dy, dx in ((0, 1), (1, 0), (0, -1), (-1, 0)):
        neighbour = padded[1 + dy:1 + dy + size, 1 + dx:1 + dx + size]
        contact |= (labels > 0) & (neighbour > 0) & (neighbour != labels)
    labels[contact] = 0
    return _renumber(labels), nearness


def _renumber(labels):
    """Labels 1..K in order of first appearance (a cell fully cut away leaves no hole)."""
    present = np.unique(labels[labels > 0])
    lookup = np.zeros(labels.max() + 1, dtype=np.int32)
    lookup[present] = np.arange(1, len(present) + 1)
    return lookup[labels]


def _smooth_noise(rng, size, sigma):
    field = ndimage.gaussian_filter(rng.normal(size=(size, size)), sigma, mode="wrap")
    return field / (field.std() + 1e-12)


def _render(rng, labels, nearness, cells, size):
    y, x = np.mgrid[0:size, 0:size] / size
    image = np.full((size, size), 0.18)  # background
    for k in range(1, labels.max() + 1):
        # Each cell its own brightness, a little darker towards its rim.
        inside = labels == k
        image[inside] = rng.uniform(0.38, 0.75) * (1.0 - 0.25 * nearness[inside] ** 2)
    # The gaps between touching cells: a faint dark line, brighter than the background.
    cell_or_gap = nearness < 1
    gap = cell_or_gap & (labels == 0)
    image[gap] = 0.5 * (image[gap] + 0.35)
    image = np.where(cell_or_gap, image + 0.06 * _smooth_noise(rng, size, 1.2), image)
    # Out-of-focus debris: blurry bright spots that are not cells (same brightness, no edge).
    for _ in range(rng.integers(0, 4)):
        spot_y, spot_x = rng.uniform(0, 1, 2)
        width = rng.uniform(0.03, 0.06)
        image += rng.uniform(0.15, 0.3) * np.exp(-((x - spot_x) ** 2 + (y - spot_y) ** 2)
                                                 / (2 * width**2))
    # Uneven illumination: a tilted plane times a broad bright spot.
    tilt = 1.0 + rng.uniform(-0.5, 0.5) * (x - 0.5) * 2 + rng.uniform(-0.5, 0.5) * (y - 0.5) * 2
    spot_y, spot_x = rng.uniform(0, 1, 2)
    spot = 1.0 + 0.9 * np.exp(-((x - spot_x) ** 2 + (y - spot_y) ** 2) / (2 * 0.22**2))
    image = image * tilt * spot
    image = ndimage.gaussian_filter(image, 0.7)  # the microscope's blur
    image = image + rng.normal(0, 0.05, (size, size))
    return np.clip(image, 0, 1)
