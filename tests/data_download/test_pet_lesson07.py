"""Lesson 07's full mode: Oxford-IIIT Pet through data_download and course_utils.pet_segmentation,
offline, on a small archive in the official layout with real JPEG photos and PNG trimaps."""

import io

import numpy as np
import pytest
from PIL import Image

from course_utils.pet_segmentation import decode_pairs, load_pet_segmentation, trimap_to_foreground
from data_download import DatasetError

NAMES = {"trainval": ["Abyssinian_1", "beagle_1", "Abyssinian_3"], "test": ["Abyssinian_2", "beagle_2"]}


def encoded(array, kind):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=kind)
    return buffer.getvalue()


def pet_pictures(rng, height=30, width=40):
    """A photo (RGB, or greyscale as some of the real ones) and its trimap: a pet rectangle
    with a one-pixel outline, on background."""
    trimap = np.full((height, width), 2, np.uint8)
    trimap[5:25, 8:30] = 3
    trimap[6:24, 9:29] = 1
    photo = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    return photo, trimap


@pytest.fixture
def pet_archive(cache, tiny):
    rng = np.random.default_rng(7)
    images, annotations = {}, {}
    for split, names in NAMES.items():
        lines = [f"{name} {1 if name.startswith('Abyssinian') else 2} 1 1" for name in names]
        annotations[f"annotations/{split}.txt"] = ("\n".join(lines) + "\n").encode()
        for name in names:
            photo, trimap = pet_pictures(rng)
            if name == "beagle_2":  # a greyscale photo, as a few of the real ones are
                photo = photo[..., 0]
            images[f"images/{name}.jpg"] = encoded(photo, "JPEG")
            annotations[f"annotations/trimaps/{name}.png"] = encoded(trimap, "PNG")
    spec = tiny.archive_dataset("oxford-iiit-pet", images, file_index=0)
    tiny.archive_dataset("oxford-iiit-pet", annotations, file_index=1, spec=spec)


def test_pets_come_back_as_square_images_and_pet_masks(pet_archive):
    (train_images, train_masks), (test_images, test_masks) = load_pet_segmentation(
        n_train=3, n_test=2, size=20, progress=False)
    assert train_images.shape == (3, 20, 20, 3) and train_images.dtype == np.float32
    assert test_images.shape == (2, 20, 20, 3)  # the greyscale photo became RGB
    assert 0 <= train_images.min() and train_images.max() <= 1
    assert train_masks.shape == (3, 20, 20) and train_masks.dtype == np.uint8
    assert set(np.unique(train_masks)) == {0, 1}
    # The pet rectangle (with its outline) covers rows 5-24 of 30 and columns 8-29 of 40.
    expected_fraction = (20 / 30) * (22 / 40)
    assert abs(train_masks.mean() - expected_fraction) < 0.05
    assert train_masks[0, 10, 10] == 1 and train_masks[0, 0, 0] == 0


def test_counts_are_respected(pet_archive):
    (train_images, _), (test_images, _) = load_pet_segmentation(n_train=2, n_test=1, size=16,
                                                                progress=False)
    assert len(train_images) == 2 and len(test_images) == 1


def test_no_data_raises_the_dataset_error(cache, tiny, refused_url, monkeypatch):
    from dataclasses import replace

    from data_download import registry

    original = registry.DATASETS["oxford-iiit-pet"]
    files = tuple(replace(file, urls=(f"{refused_url}/{file.name}",)) for file in original.files)
    tiny.install(replace(original, files=files))
    with pytest.raises(DatasetError):
        load_pet_segmentation(n_train=2, n_test=1, size=16, progress=False)


def test_trimap_to_foreground_and_its_errors():
    trimap = np.array([[1, 2, 3], [2, 2, 1]])
    assert np.array_equal(trimap_to_foreground(trimap), [[1, 0, 1], [0, 0, 1]])
    with pytest.raises(ValueError, match="nearest-neighbour"):
        trimap_to_foreground(np.array([[1, 2, 4]]))


def test_unreadable_files_say_what_to_do(tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    with pytest.raises(ValueError, match="data_download verify"):
        decode_pairs([str(broken)], [str(broken)], size=8)
    with pytest.raises(ValueError, match="2 photos but 1 trimaps"):
        decode_pairs(["a", "b"], ["c"], size=8)


def test_the_offline_stand_in_is_in_the_official_layout_and_loads(tmp_path):
    import tarfile

    from course_utils.pet_segmentation import load_stand_in_pets, write_stand_in_archives

    folder = write_stand_in_archives(tmp_path, n_trainval=6, n_test=3, seed=1)
    with tarfile.open(folder / "annotations.tar.gz") as archive:
        names = archive.getnames()
        first_line = archive.extractfile("annotations/trainval.txt").read().decode().splitlines()[0]
    assert {"annotations/trainval.txt", "annotations/test.txt"} <= set(names)
    assert any(name.startswith("annotations/trimaps/") and name.endswith(".png") for name in names)
    assert first_line.split()[0] == "stand_in_cat_trainval_1" and len(first_line.split()) == 4
    (train_images, train_masks), (test_images, test_masks) = load_stand_in_pets(folder, size=32)
    assert train_images.shape == (6, 32, 32, 3) and test_masks.shape == (3, 32, 32)
    assert set(np.unique(train_masks)) == {0, 1}
    assert 0.1 < train_masks.mean() < 0.6  # one animal, not the whole photo
    # The same seed writes the same photos.
    again = write_stand_in_archives(tmp_path / "again", n_trainval=6, n_test=3, seed=1)
    assert np.array_equal(load_stand_in_pets(again, size=32)[0][0], train_images)
