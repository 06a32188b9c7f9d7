"""Oxford-IIIT Pet as pixels: images and pet/background masks for lesson 07's full mode.

``data_download.load("oxford-iiit-pet")`` returns *paths* of the photos (.jpg) and of
their trimaps (.png). A trimap labels every pixel 1 (pet), 2 (background) or 3 (the
outline of the pet, "not classified" by the annotators). This module decodes them with
Pillow (which matplotlib already needs), resizes them to a square and turns each trimap
into a binary foreground mask (pet = 1 or 3: the outline belongs to the animal), so the
pets go through the same U-Net code as lesson 07's synthetic cells.
"""

from __future__ import annotations

import numpy as np

TRIMAP_PET, TRIMAP_BACKGROUND, TRIMAP_OUTLINE = 1, 2, 3


def trimap_to_foreground(trimap: np.ndarray) -> np.ndarray:
    """uint8 mask: 1 for pet and outline pixels, 0 for background."""
    trimap = np.asarray(trimap)
    unexpected = np.setdiff1d(np.unique(trimap), (TRIMAP_PET, TRIMAP_BACKGROUND, TRIMAP_OUTLINE))
    if unexpected.size:
        raise ValueError(f"a trimap holds only 1 (pet), 2 (background) and 3 (outline); found "
                         f"{unexpected[:5].tolist()}. Was it resized with interpolation other "
                         f"than nearest-neighbour?")
    return (trimap != TRIMAP_BACKGROUND).astype(np.uint8)


def decode_pairs(image_paths, trimap_paths, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Photos as float32 (N, size, size, 3) in [0, 1] and foreground uint8 (N, size, size).

    Photos are resized bilinearly; trimaps with nearest-neighbour, so labels stay labels.
    (Squashing to a square changes the aspect ratio; for a segmentation lesson that is fine.)
    """
    from PIL import Image

    if len(image_paths) != len(trimap_paths):
        raise ValueError(f"{len(image_paths)} photos but {len(trimap_paths)} trimaps")
    images = np.empty((len(image_paths), size, size, 3), dtype=np.float32)
    foreground = np.empty((len(image_paths), size, size), dtype=np.uint8)
    for index, (image_path, trimap_path) in enumerate(zip(image_paths, trimap_paths)):
        try:
            with Image.open(image_path) as photo:
                # A few of the photos are greyscale or CMYK: convert everything to RGB.
                photo = photo.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
                images[index] = np.asarray(photo, dtype=np.float32) / 255.0
            with Image.open(trimap_path) as trimap:
                trimap = trimap.resize((size, size), Image.Resampling.NEAREST)
                foreground[index] = trimap_to_foreground(np.asarray(trimap))
        except (OSError, ValueError) as error:
            raise ValueError(f"could not read the pair {image_path} / {trimap_path}: {error}. "
                             f"Run `python -m data_download verify oxford-iiit-pet`.") from error
    return images, foreground


def load_pet_segmentation(n_train: int, n_test: int, size: int = 128, progress: bool = True):
    """``(train_images, train_foreground), (test_images, test_foreground)``.

    The first ``n_train`` / ``n_test`` pairs of the official trainval / test split, taken
    round-robin over the 37 breeds (``data_download``'s ``subset``). Raises
    ``data_download.DatasetError`` when the data cannot be fetched (no internet, no mirror).
    """
    from data_download import load

    (train_images, train_trimaps), (test_images, test_trimaps) = load(
        "oxford-iiit-pet", subset=max(n_train, n_test), progress=progress)
    return (decode_pairs(train_images[:n_train], train_trimaps[:n_train], size),
            decode_pairs(test_images[:n_test], test_trimaps[:n_test], size))
