"""Loaders on tiny archives built in each official format."""

from __future__ import annotations

import bz2
import gzip

import numpy as np
import pytest

from data_download import DatasetError, class_names, load


def test_cifar10_binary(cache, tiny):
    _, expected, _ = tiny.cifar("cifar10", per_batch=4)
    (x_train, y_train), (x_test, y_test) = load("cifar10", progress=False)
    assert x_train.shape == (20, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (20,) and y_train.dtype == np.uint8
    assert x_test.shape == (4, 32, 32, 3)
    labels, pixels = expected["cifar-10-batches-bin/data_batch_1.bin"]
    np.testing.assert_array_equal(y_train[:4], labels[:, 0])
    # First pixel of the first image: R, G, B planes are 1024 bytes apart.
    np.testing.assert_array_equal(x_train[0, 0, 0], pixels[0, [0, 1024, 2048]])
    np.testing.assert_array_equal(x_train[0, 0, 1], pixels[0, [1, 1025, 2049]])


def test_cifar100_fine_labels_and_subset(cache, tiny):
    _, expected, _ = tiny.cifar("cifar100", per_batch=5)
    (x_train, y_train), (x_test, y_test) = load("cifar100", subset=3, progress=False)
    assert x_train.shape == (3, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    labels, _ = expected["cifar-100-binary/train.bin"]
    np.testing.assert_array_equal(y_train, labels[:3, 1])  # fine label is the 2nd byte


@pytest.mark.parametrize("name", ["pathmnist", "pneumoniamnist"])
def test_medmnist_npz(cache, tiny, name):
    _, arrays = tiny.medmnist(name)
    (x_train, y_train), (x_test, y_test) = load(name, progress=False)
    channels = 3 if name == "pathmnist" else 1
    assert x_train.shape == ((6, 28, 28, 3) if channels == 3 else (6, 28, 28))
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8 and y_train.shape == (6,)
    assert x_test.shape[0] == 3
    np.testing.assert_array_equal(y_train, arrays["train_labels"][:, 0])
    splits = load(name, validation=True, progress=False)
    assert len(splits) == 3 and splits[1][0].shape[0] == 2


def test_chestmnist_keeps_multilabel(cache, tiny):
    tiny.medmnist("chestmnist")
    (_, y_train), _ = load("chestmnist", progress=False)
    assert y_train.shape == (6, 14)


def test_npz_needing_pickle_is_refused(cache, tiny, assert_clean):
    arrays = {f"{s}_{k}": np.zeros((2, 28, 28, 3) if k == "images" else (2, 1), np.uint8)
              for s in ("train", "val", "test") for k in ("images", "labels")}
    arrays["train_labels"] = np.array([{"evil": 1}, None], dtype=object)
    tiny.medmnist("pathmnist", arrays=arrays)
    with pytest.raises(DatasetError) as caught:
        load("pathmnist", progress=False)
    assert "pickle" in str(caught.value)
    assert_clean(cache)


def test_image_folder_returns_paths_round_robin_subset(cache, tiny):
    tiny.imagenette()
    (train_paths, train_labels), (val_paths, val_labels) = load("imagenette", progress=False)
    assert train_paths.shape == (9,) and train_labels.dtype == np.uint8
    assert all(p.endswith(".JPEG") and (cache / "imagenette") .as_posix() in p for p in train_paths)
    assert list(val_labels) == [0, 1, 2]
    (sub_paths, sub_labels), _ = load("imagenette", subset=4, progress=False)
    assert list(sub_labels) == [0, 1, 2, 0]  # every class, round-robin
    assert class_names("imagenette") == ["n01", "n02", "n03"]


def test_imagewoof_without_published_hash_checks_structure(cache, tiny, assert_clean):
    members = {"imagewoof2-160/README.txt": b"wrong layout"}
    tiny.archive_dataset("imagewoof", members, with_hash=False)
    with pytest.raises(DatasetError) as caught:
        load("imagewoof", progress=False)
    assert "lacks" in str(caught.value)
    assert_clean(cache)


def test_tiny_imagenet_zip(cache, tiny):
    members = {"tiny-imagenet-200/wnids.txt": b"n02\nn01\n"}
    for wnid in ("n01", "n02"):
        for i in range(2):
            members[f"tiny-imagenet-200/train/{wnid}/images/{wnid}_{i}.JPEG"] = b"jpeg"
    members["tiny-imagenet-200/val/images/val_0.JPEG"] = b"jpeg"
    members["tiny-imagenet-200/val/images/val_1.JPEG"] = b"jpeg"
    members["tiny-imagenet-200/val/val_annotations.txt"] = b"val_0.JPEG\tn02\t0\t0\t1\t1\nval_1.JPEG\tn01\t0\t0\t1\t1\n"
    tiny.archive_dataset("tiny-imagenet-200", members, as_zip=True)
    (train_paths, train_labels), (val_paths, val_labels) = load("tiny-imagenet-200", progress=False)
    assert len(train_paths) == 4 and list(train_labels) == [0, 0, 1, 1]
    assert [p.rsplit("/", 1)[1] for p in val_paths] == ["val_0.JPEG", "val_1.JPEG"]
    assert list(val_labels) == [1, 0]


def test_oxford_pet_segmentation_and_category(cache, tiny):
    images = {f"images/{n}.jpg": b"jpeg" for n in ("Abyssinian_1", "beagle_1", "Abyssinian_2")}
    annotations = {
        "annotations/trainval.txt": b"#Image CLASS-ID SPECIES BREED ID\nAbyssinian_1 1 1 1\nbeagle_1 2 2 1\n",
        "annotations/test.txt": b"Abyssinian_2 1 1 1\n",
        **{f"annotations/trimaps/{n}.png": b"png" for n in ("Abyssinian_1", "beagle_1", "Abyssinian_2")},
    }
    spec = tiny.archive_dataset("oxford-iiit-pet", images, file_index=0)
    tiny.archive_dataset("oxford-iiit-pet", annotations, file_index=1, spec=spec)
    (train_images, train_masks), (test_images, test_masks) = load("oxford-iiit-pet", progress=False)
    assert train_images[0].endswith("images/Abyssinian_1.jpg")
    assert train_masks[1].endswith("annotations/trimaps/beagle_1.png")
    assert len(test_images) == 1
    (_, labels), _ = load("oxford-iiit-pet", target="category", progress=False)
    assert labels.dtype == np.uint8 and list(labels) == [0, 1]
    assert class_names("oxford-iiit-pet") == ["Abyssinian", "beagle"]


def test_mirror_folder_with_recompressed_payload(cache, tiny, server, tmp_path, monkeypatch, refused_url):
    """A mirror that re-compressed the IDX files (bz2 here) passes: the payload is verified."""
    spec, arrays = tiny.mnist(urls_for=lambda path, url: (refused_url + path,))
    mirror = tmp_path / "mirror" / "mnist"
    mirror.mkdir(parents=True)
    for file in spec.files:
        payload = gzip.decompress(server.state.files[f"/mnist/{file.name}"])
        (mirror / file.name).write_bytes(bz2.compress(payload))
    monkeypatch.setenv("CNN_COURSE_DATA_MIRROR", str(tmp_path / "mirror"))
    (x_train, _), _ = load("mnist", progress=False)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte"])


def test_mirror_url_is_tried_before_public_urls(cache, tiny, server, monkeypatch, refused_url):
    spec, _ = tiny.mnist(urls_for=lambda path, url: (refused_url + path,))
    for file in spec.files:  # the server lays files out as <base>/mnist/<file>
        assert f"/mnist/{file.name}" in server.state.files
    monkeypatch.setenv("CNN_COURSE_DATA_MIRROR", server.url + "/")
    (x_train, _), _ = load("mnist", progress=False)
    assert x_train.shape[0] == 30


def test_bad_mirror_falls_back_to_public_url(cache, tiny, tmp_path, monkeypatch):
    tiny.mnist()
    monkeypatch.setenv("CNN_COURSE_DATA_MIRROR", str(tmp_path / "no-such-mirror"))
    (x_train, _), _ = load("mnist", progress=False)
    assert x_train.shape[0] == 30
