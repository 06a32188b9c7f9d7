"""input_gradient against central finite differences, on the Keras backend this run uses.

CI runs this file on TensorFlow and again with KERAS_BACKEND=jax. Finite differences in
float32 (JAX's default) are accurate to about 1e-3 with a step of 1e-2 on a smooth (tanh)
model; a wrong gradient (another label's, the mean instead of the sum, a flipped sign) is
off by order 1.
"""

import keras
import numpy as np
import pytest

from course_utils import input_gradients
from course_utils.input_gradients import SUPPORTED_BACKENDS, input_gradient

IMAGE_SHAPE = (5, 5, 1)
CLASSES = 4


def tiny_model(final_activation=None):
    model = keras.Sequential([
        keras.Input(IMAGE_SHAPE),
        keras.layers.Conv2D(3, 3, activation="tanh"),
        keras.layers.Flatten(),
        keras.layers.Dense(CLASSES, activation=final_activation),
    ])
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(0, 0.7, size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def summed_cross_entropy(model, images, labels, from_logits):
    outputs = np.asarray(model.predict_on_batch(images.astype("float32")), dtype=np.float64)
    if from_logits:
        shifted = outputs - outputs.max(axis=1, keepdims=True)
        log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    else:
        log_probabilities = np.log(outputs)
    return -log_probabilities[np.arange(len(labels)), labels].sum()


def finite_difference_gradient(model, images, labels, from_logits, step=1e-2):
    gradient = np.zeros(images.shape)
    for index in np.ndindex(images.shape):
        plus, minus = images.copy(), images.copy()
        plus[index] += step
        minus[index] -= step
        gradient[index] = (summed_cross_entropy(model, plus, labels, from_logits)
                           - summed_cross_entropy(model, minus, labels, from_logits)) / (2 * step)
    return gradient


def relative_error(got, expected):
    return np.linalg.norm(got - expected) / np.linalg.norm(expected)


@pytest.mark.parametrize("from_logits", [True, False], ids=["logits", "softmax"])
def test_matches_finite_differences(from_logits):
    model = tiny_model(None if from_logits else "softmax")
    rng = np.random.default_rng(1)
    images = rng.uniform(0.2, 0.8, size=(3, *IMAGE_SHAPE))
    labels = np.array([0, 3, 1])
    got = input_gradient(model, images, labels, from_logits=from_logits)
    expected = finite_difference_gradient(model, images, labels, from_logits)
    assert got.shape == images.shape and got.dtype == np.float32
    assert relative_error(got, expected) < 1e-2, keras.backend.backend()
    # The test can fail: another label's gradient is far off.
    assert relative_error(input_gradient(model, images, (labels + 1) % CLASSES,
                                         from_logits=from_logits), expected) > 0.3


def test_each_image_gets_its_own_loss_gradient_whatever_the_batch():
    model = tiny_model()
    rng = np.random.default_rng(2)
    images = rng.uniform(0, 1, size=(5, *IMAGE_SHAPE)).astype("float32")
    labels = np.array([1, 0, 2, 3, 1])
    together = input_gradient(model, images, labels)
    alone = np.concatenate([input_gradient(model, images[i:i + 1], labels[i:i + 1]) for i in range(5)])
    np.testing.assert_allclose(together, alone, rtol=1e-4, atol=1e-7)


def test_large_batches_are_split_without_changing_the_result(monkeypatch):
    model = tiny_model()
    rng = np.random.default_rng(3)
    images = rng.uniform(0, 1, size=(7, *IMAGE_SHAPE)).astype("float32")
    labels = rng.integers(0, CLASSES, size=7)
    whole = input_gradient(model, images, labels)
    monkeypatch.setattr(input_gradients, "MAX_BATCH_SIZE", 3)
    np.testing.assert_allclose(input_gradient(model, images, labels), whole, rtol=1e-4, atol=1e-7)


def test_bad_labels_get_a_clear_error():
    model = tiny_model()
    images = np.zeros((2, *IMAGE_SHAPE), "float32")
    with pytest.raises(ValueError, match="one integer class per image"):
        input_gradient(model, images, [0, 1, 2])
    with pytest.raises(ValueError, match="integer class numbers"):
        input_gradient(model, images, np.eye(CLASSES)[[0, 1]].argmax(axis=1).astype(float))


def test_other_backends_are_refused_with_the_supported_ones_named(monkeypatch):
    assert keras.backend.backend() in SUPPORTED_BACKENDS
    monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    with pytest.raises(NotImplementedError, match="tensorflow and jax.*'torch'.*KERAS_BACKEND"):
        input_gradient(None, np.zeros((1, *IMAGE_SHAPE)), [0])


def test_a_model_that_keeps_training_gets_the_gradient_of_its_current_weights():
    # The compiled gradient function is cached per model: it must read the weights when it
    # runs, not when it was built (adversarial training changes them between calls).
    model = tiny_model()
    rng = np.random.default_rng(4)
    images = rng.uniform(0.2, 0.8, size=(3, *IMAGE_SHAPE))
    labels = np.array([2, 0, 1])
    input_gradient(model, images, labels)
    model.set_weights([weights * 1.5 for weights in model.get_weights()])
    expected = finite_difference_gradient(model, images, labels, True)
    assert relative_error(input_gradient(model, images, labels), expected) < 1e-2


def test_the_gradient_function_is_compiled_once_per_model_and_cached():
    # Regression: on TensorFlow every call ran the model eagerly, several times slower for
    # the many small batches of an attack.
    model = tiny_model()
    images = np.full((3, *IMAGE_SHAPE), 0.5, "float32")
    input_gradient(model, images, [0, 1, 2])
    cache = {"tensorflow": "_TENSORFLOW_GRADIENT_FUNCTIONS", "jax": "_JAX_GRADIENT_FUNCTIONS"}
    functions = getattr(input_gradients, cache[keras.backend.backend()])
    assert model in functions and set(functions[model]) == {True}
    compiled = functions[model][True]
    input_gradient(model, images[:2], [0, 1])
    assert functions[model][True] is compiled
