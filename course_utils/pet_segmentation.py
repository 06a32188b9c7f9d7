"""Oxford-IIIT Pet as pixels: images and pet/background masks for lesson 07's full mode.

``data_download.load("oxford-iiit-pet")`` returns *paths* of the photos (.jpg) and of
their trimaps (.png). A trimap labels every pixel 1 (pet), 2 (background) or 3 (the
outline of the pet, "not classified" by the annotators). This module decodes them with
Pillow (which matplotlib already needs), resizes them to a square and turns each trimap
into a binary foreground mask (pet = 1 or 3: the outline belongs to the animal), so the
pets go through the same U-Net code as lesson 07's synthetic cells.

Where the real archives cannot be had (CI, fast mode, no internet),
``write_stand_in_archives`` writes a small **stand-in**: synthetic photos of one animal
on a cluttered background, with trimaps, in the official layout (``images.tar.gz`` with
``images/NAME.jpg``; ``annotations.tar.gz`` with ``annotations/trainval.txt``,
``annotations/test.txt`` and ``annotations/trimaps/NAME.png``), and
``load_stand_in_pets`` reads it with ``data_download``'s own Oxford-IIIT Pet loader. The
code path from archive to U-Net is the real one; the pictures are not, and a score on
them says nothing about real photographs.
"""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np
from scipy import ndimage
from tqdm.auto import tqdm

from course_utils.pixels import to_unit_float

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


def decode_pairs(image_paths, trimap_paths, size: int,
                 progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Photos as float32 (N, size, size, 3) in [0, 1] and foreground uint8 (N, size, size).

    Photos are resized bilinearly; trimaps with nearest-neighbour, so labels stay labels.
    (Squashing to a square changes the aspect ratio; for a segmentation lesson that is fine.)
    ``progress``: a tqdm bar (decoding the 4,680 photos of the lesson's full mode takes
    a while on a CPU).
    """
    from PIL import Image

    if len(image_paths) != len(trimap_paths):
        raise ValueError(f"{len(image_paths)} photos but {len(trimap_paths)} trimaps")
    images = np.empty((len(image_paths), size, size, 3), dtype=np.float32)
    foreground = np.empty((len(image_paths), size, size), dtype=np.uint8)
    pairs = tqdm(zip(image_paths, trimap_paths), total=len(image_paths), desc="decoding photos",
                 disable=not progress)
    for index, (image_path, trimap_path) in enumerate(pairs):
        try:
            with Image.open(image_path) as photo:
                # A few of the photos are greyscale or CMYK: convert everything to RGB.
                photo = photo.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
                images[index] = to_unit_float(np.asarray(photo))
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
    return (decode_pairs(train_images[:n_train], train_trimaps[:n_train], size, progress),
            decode_pairs(test_images[:n_test], test_trimaps[:n_test], size, progress))


# --------------------------- the offline stand-in --------------------------- #

STAND_IN_BREEDS = ("stand_in_cat", "stand_in_dog")  # official lines: NAME CLASS SPECIES BREED


def stand_in_photo(rng: np.random.Generator, height: int = 96, width: int = 128):
    """One synthetic photo (uint8 RGB) and its trimap (uint8: 1 pet, 2 background, 3 outline).

    The "pet" is a body and a head (ellipses) with two ears, in one fur colour with
    stripes, shading and noise; the background is a colour gradient with a few coloured
    rectangles (furniture), some of them close to the fur's colour.
    """
    rows, columns = np.mgrid[0:height, 0:width].astype(float)
    # Background: a gradient between two random colours, then rectangles.
    start, end = rng.uniform(0.2, 0.9, 3), rng.uniform(0.2, 0.9, 3)
    mix = (columns / width * np.cos(rng.uniform(0, np.pi)) + rows / height)[..., None] / 2
    photo = start + (end - start) * mix
    fur = rng.uniform(0.1, 0.8, 3)
    for _ in range(rng.integers(2, 6)):
        top, left = rng.integers(0, height - 10), rng.integers(0, width - 10)
        colour = fur + rng.normal(0, 0.15, 3) if rng.random() < 0.3 else rng.uniform(0, 1, 3)
        photo[top:top + rng.integers(8, height // 2), left:left + rng.integers(8, width // 2)] = colour
    # The pet: body, head and ears, somewhere in the middle of the photo.
    scale = rng.uniform(0.22, 0.34) * height
    centre_row, centre_column = rng.uniform(0.45, 0.6) * height, rng.uniform(0.35, 0.65) * width
    body = (((rows - centre_row) / (0.75 * scale)) ** 2
            + ((columns - centre_column) / (1.3 * scale)) ** 2) <= 1
    side = rng.choice((-1, 1))
    head_row, head_column = centre_row - 0.8 * scale, centre_column + side * 1.1 * scale
    head = (rows - head_row) ** 2 + (columns - head_column) ** 2 <= (0.55 * scale) ** 2
    ears = np.zeros_like(body)
    for offset in (-0.3, 0.3):  # triangles above the head
        tip_row, tip_column = head_row - 0.95 * scale, head_column + offset * scale
        depth = (rows - tip_row) / (0.5 * scale)
        ears |= (depth >= 0) & (depth <= 1) & (np.abs(columns - tip_column) <= 0.22 * scale * depth)
    pet = body | head | ears
    stripes = 0.12 * np.sin(columns * rng.uniform(0.3, 0.8) + rows * rng.uniform(-0.3, 0.3))
    shading = 0.15 * (rows - centre_row) / scale
    photo[pet] = np.clip(fur - shading[pet, None] + stripes[pet, None], 0, 1)
    photo += rng.normal(0, 0.04, photo.shape)
    # Trimap: the pet's outline (2 pixels wide, half inside, half outside) is 3, as in the
    # real trimaps, where the annotators left the uncertain border unclassified.
    outline = ndimage.binary_dilation(pet) & ~ndimage.binary_erosion(pet)
    trimap = np.where(pet, TRIMAP_PET, TRIMAP_BACKGROUND).astype(np.uint8)
    trimap[outline] = TRIMAP_OUTLINE
    return (np.clip(photo, 0, 1) * 255).astype(np.uint8), trimap


def _encoded(array: np.ndarray, kind: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=kind, **({"quality": 90} if kind == "JPEG" else {}))
    return buffer.getvalue()


def _write_tar_gz(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def write_stand_in_archives(folder, n_trainval: int, n_test: int, seed: int = 0) -> Path:
    """Write ``images.tar.gz`` and ``annotations.tar.gz`` of synthetic pets into ``folder``,
    laid out like the official Oxford-IIIT Pet archives; returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    images, annotations = {}, {}
    for split, count in (("trainval", n_trainval), ("test", n_test)):
        lines = []
        for index in range(count):
            breed = index % len(STAND_IN_BREEDS)
            name = f"{STAND_IN_BREEDS[breed]}_{split}_{index + 1}"
            lines.append(f"{name} {breed + 1} {breed + 1} 1")
            photo, trimap = stand_in_photo(rng)
            images[f"images/{name}.jpg"] = _encoded(photo, "JPEG")
            annotations[f"annotations/trimaps/{name}.png"] = _encoded(trimap, "PNG")
        annotations[f"annotations/{split}.txt"] = ("\n".join(lines) + "\n").encode()
    _write_tar_gz(folder / "images.tar.gz", images)
    _write_tar_gz(folder / "annotations.tar.gz", annotations)
    return folder


def load_stand_in_pets(folder, size: int = 128):
    """The archives of ``write_stand_in_archives`` read by ``data_download``'s Oxford-IIIT
    Pet loader (extraction and the official split files), decoded like the real photos:
    ``(train_images, train_foreground), (test_images, test_foreground)``."""
    from data_download.loaders import LOADERS
    from data_download.registry import get_dataset

    dataset = get_dataset("oxford-iiit-pet")
    (train_images, train_trimaps, _), (test_images, test_trimaps, _) = LOADERS[dataset.loader](
        dataset, Path(folder))
    return decode_pairs(train_images, train_trimaps, size), decode_pairs(test_images, test_trimaps, size)
