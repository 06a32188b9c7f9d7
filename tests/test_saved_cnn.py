"""Lesson 06 loads lesson 04's saved network only when it is an MNIST classifier with logits."""

import keras
import numpy as np

from course_utils.mnist_cnn import build_fast_cnn
from course_utils.saved_cnn import load_matching_mnist_cnn, mismatch


def small_classifier(input_shape=(28, 28, 1), outputs=10, activation=None):
    return keras.Sequential([keras.Input(input_shape), keras.layers.Conv2D(2, 3),
                             keras.layers.Flatten(), keras.layers.Dense(outputs, activation=activation)])


def test_a_saved_matching_model_is_loaded_with_its_weights(tmp_path):
    model = small_classifier()
    path = tmp_path / "lesson04_mnist_cnn.keras"
    model.save(path)
    loaded, how = load_matching_mnist_cnn(path)
    assert loaded is not None, how
    assert how.startswith("loaded lesson04_mnist_cnn.keras")
    images = np.random.default_rng(0).uniform(0, 1, size=(3, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(loaded.predict_on_batch(images), model.predict_on_batch(images), rtol=1e-5)


def test_the_course_cnn_matches():
    assert mismatch(build_fast_cnn()) is None


def test_models_that_do_not_match_are_refused_with_the_reason(tmp_path):
    cases = {"softmax": (small_classifier(activation="softmax"), "'softmax'"),
             "colour": (small_classifier(input_shape=(28, 28, 3)), "inputs of shape"),
             "classes": (small_classifier(outputs=5), "outputs shape")}
    for name, (model, reason) in cases.items():
        path = tmp_path / f"{name}.keras"
        model.save(path)
        loaded, how = load_matching_mnist_cnn(path)
        assert loaded is None and "does not match" in how and reason in how, how


def test_a_missing_or_broken_file_is_reported_not_raised(tmp_path):
    loaded, how = load_matching_mnist_cnn(tmp_path / "lesson04_mnist_cnn.keras")
    assert loaded is None and "no saved model lesson04_mnist_cnn.keras" in how
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip file")
    loaded, how = load_matching_mnist_cnn(broken)
    assert loaded is None and "could not be loaded" in how
