"""Saving and loading lesson 04's network in one module, under one named default."""

import inspect

import keras
import numpy as np
import pytest

from course_utils import mnist_cnn, saved_cnn


def tiny_mnist_classifier():
    return keras.Sequential([keras.Input(mnist_cnn.INPUT_SHAPE), keras.layers.Conv2D(2, 3),
                             keras.layers.Flatten(), keras.layers.Dense(mnist_cnn.NUM_CLASSES)])


def test_what_lesson04_saves_by_default_lesson06_loads_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv(saved_cnn.MODEL_DIR_VARIABLE, str(tmp_path))
    model = tiny_mnist_classifier()
    path = saved_cnn.save_model(model)
    assert path == tmp_path / f"{saved_cnn.LESSON04_MODEL_NAME}.keras"
    loaded, how = saved_cnn.load_matching_mnist_cnn()
    assert loaded is not None, how
    images = np.random.default_rng(0).uniform(size=(2, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(loaded.predict_on_batch(images), model.predict_on_batch(images), rtol=1e-5)


def test_nothing_saved_is_reported_with_the_default_name(monkeypatch, tmp_path):
    monkeypatch.setenv(saved_cnn.MODEL_DIR_VARIABLE, str(tmp_path))
    loaded, how = saved_cnn.load_matching_mnist_cnn()
    assert loaded is None and f"no saved model {saved_cnn.LESSON04_MODEL_NAME}.keras" in how


def test_the_old_import_path_gives_the_same_functions():
    from course_utils.mnist_cnn import MODEL_DIR_VARIABLE, model_dir, save_model, saved_model_path

    assert (save_model, saved_model_path, model_dir) == (saved_cnn.save_model, saved_cnn.saved_model_path,
                                                         saved_cnn.model_dir)
    assert MODEL_DIR_VARIABLE == "CNN_COURSE_MODEL_DIR"
    with pytest.raises(AttributeError):
        mnist_cnn.load_model_that_does_not_exist  # noqa: B018


def test_saving_is_written_once_in_saved_cnn():
    source = inspect.getsource(mnist_cnn)
    assert "def save_model" not in source and ".save(" not in source


def test_prepare_images_scales_through_the_one_pixel_helper():
    with pytest.raises(ValueError, match="scaled already"):  # it divided floats by 255 again before
        mnist_cnn.prepare_images(np.ones((2, 28, 28), dtype=np.float32))
