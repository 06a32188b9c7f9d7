"""course_utils.mlp (lesson 01) against Keras, central differences and scikit-learn.

Random shapes throughout; the Keras comparisons run on whichever backend is configured
(gradients are compared with TensorFlow's GradientTape or jax.grad).
"""

import numpy as np
import pytest

from course_utils import mlp
from course_utils.gradient_check import numerical_gradient, relative_error

keras = pytest.importorskip("keras")

SEEDS = range(4)


def random_network(seed, hidden_activation="tanh", output_activation="sigmoid"):
    """Random layer sizes (1-3 hidden layers), data, targets and nonzero biases."""
    rng = np.random.default_rng(seed)
    n_hidden_layers = int(rng.integers(1, 4))
    sizes = [int(rng.integers(1, 6))] + [int(rng.integers(1, 7)) for _ in range(n_hidden_layers)] \
        + [int(rng.integers(1, 4))]
    params = mlp.init_params(sizes, rng)
    for layer in params:  # nonzero biases: no ReLU unit sits exactly on its kink
        layer["b"] = rng.normal(scale=0.5, size=layer["b"].shape)
    n_examples = int(rng.integers(1, 13))
    X = rng.normal(size=(n_examples, sizes[0]))
    y = rng.uniform(size=(n_examples, sizes[-1]))
    return sizes, params, X, y


def keras_twin(sizes, params, hidden_activation, output_activation):
    layers = [keras.Input(shape=(sizes[0],))]
    for index, units in enumerate(sizes[1:]):
        last = index == len(sizes) - 2
        layers.append(keras.layers.Dense(units, activation=output_activation if last else hidden_activation))
    model = keras.Sequential(layers)
    model.set_weights([array for layer in params for array in (layer["W"], layer["b"])])
    return model


def keras_gradients(model, X, y):
    """Gradient of the *sum over outputs* of Keras' MSE (= our loss) w.r.t. every weight."""
    backend = keras.backend.backend()
    n_outputs = y.shape[1]
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = n_outputs * keras.losses.MeanSquaredError()(y, model(X))
        return [np.asarray(g) for g in tape.gradient(loss, model.trainable_variables)]
    if backend == "jax":
        import jax

        def loss_of(trainable):
            output, _ = model.stateless_call(trainable, [v.value for v in model.non_trainable_variables], X)
            return n_outputs * keras.losses.MeanSquaredError()(y, output)

        grads = jax.grad(loss_of)([v.value for v in model.trainable_variables])
        return [np.asarray(g) for g in grads]
    pytest.skip(f"no gradient comparison written for the {backend} backend")


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
@pytest.mark.parametrize("seed", SEEDS)
def test_forward_matches_keras(seed, activation):
    sizes, params, X, _ = random_network(seed)
    ours, _ = mlp.forward(params, X, hidden_activation=activation, output_activation="sigmoid")
    theirs = keras_twin(sizes, params, activation, "sigmoid").predict(X.astype(np.float32), verbose=0)
    assert ours.shape == (len(X), sizes[-1])
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("activation,output", [("tanh", "sigmoid"), ("relu", "linear"),
                                               ("sigmoid", "tanh")])
@pytest.mark.parametrize("seed", SEEDS)
def test_gradients_match_keras(seed, activation, output):
    sizes, params, X, y = random_network(seed)
    loss, grads = mlp.loss_and_gradients(params, X, y, activation, output)
    model = keras_twin(sizes, params, activation, output)
    theirs = keras_gradients(model, X.astype(np.float32), y.astype(np.float32))
    ours = [g for layer in grads for g in (layer["W"], layer["b"])]
    assert [g.shape for g in ours] == [g.shape for g in theirs]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-5, rtol=1e-4)
    expected_loss = y.shape[1] * float(keras.losses.MeanSquaredError()(y, model(X.astype(np.float32))))
    assert loss == pytest.approx(expected_loss, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "linear"])
@pytest.mark.parametrize("seed", SEEDS)
def test_gradients_match_central_differences(seed, activation):
    _, params, X, y = random_network(seed)
    _, grads = mlp.loss_and_gradients(params, X, y, activation, "sigmoid")
    for layer, grad in zip(params, grads):
        for key in ("W", "b"):
            numeric = numerical_gradient(
                lambda _: mlp.loss_and_gradients(params, X, y, activation, "sigmoid")[0], layer[key])
            assert relative_error(grad[key], numeric) < 1e-6


def test_sgd_learns_a_nonlinear_problem_like_sklearn():
    from sklearn.datasets import make_moons
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    X, y = make_moons(300, noise=0.15, random_state=0)
    model = mlp.MLP([2, 8, 8, 1], rng=np.random.default_rng(0))
    history = model.fit(X, y, epochs=60, batch_size=16, learning_rate=0.5)
    assert len(history) == 60 and history[-1] < history[0] / 2
    ours = model.accuracy(X, y)
    sklearn_mlp = MLPClassifier((8, 8), activation="tanh", max_iter=2000, random_state=0).fit(X, y)
    linear = LogisticRegression().fit(X, y)
    assert ours >= 0.95
    assert ours >= sklearn_mlp.score(X, y) - 0.03
    assert ours > linear.score(X, y) + 0.05


def test_minibatches_cover_every_example_once_in_random_order():
    rng = np.random.default_rng(0)
    batches = list(mlp.minibatches(10, 4, rng))
    assert [len(batch) for batch in batches] == [4, 4, 2]
    everything = np.concatenate(batches)
    assert sorted(everything) == list(range(10))
    assert list(everything) != list(range(10))


def test_one_sgd_step_is_w_minus_alpha_gradient():
    _, params, X, y = random_network(1)
    before = [{key: value.copy() for key, value in layer.items()} for layer in params]
    _, grads = mlp.loss_and_gradients(params, X, y)
    mlp.train_sgd(params, X, y, epochs=1, batch_size=len(X), learning_rate=0.1,
                  rng=np.random.default_rng(0))
    for old, new, grad in zip(before, params, grads):
        for key in ("W", "b"):
            np.testing.assert_allclose(new[key], old[key] - 0.1 * grad[key], atol=1e-12)


def test_weights_round_trip_through_keras():
    model = mlp.MLP([3, 5, 2], output_activation="linear", rng=np.random.default_rng(0))
    twin = keras_twin([3, 5, 2], model.params, "tanh", "linear")
    assert model.count_params() == twin.count_params() == 3 * 5 + 5 + 5 * 2 + 2
    for ours, theirs in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(ours, theirs, atol=1e-7)


@pytest.mark.parametrize("call,message", [
    (lambda: mlp.MLP([2]), "at least the input size"),
    (lambda: mlp.MLP([2, 0, 1]), "positive integers"),
    (lambda: mlp.MLP([2, 3, 1], hidden_activation="softplus"), "use one of"),
    (lambda: mlp.MLP([2, 3, 1]).predict(np.zeros((4, 3))), "layer_sizes\\[0\\] == 3"),
    (lambda: mlp.MLP([2, 3, 1]).predict(np.zeros(2)), "reshape it"),
    (lambda: mlp.MLP([2, 3, 1]).fit(np.zeros((4, 2)), np.zeros(5), epochs=1), "pass y of shape"),
    (lambda: mlp.MLP([2, 3, 1]).fit(np.zeros((4, 2)), np.zeros(4), epochs=0), "positive integer"),
    (lambda: mlp.MLP([2, 3, 1]).fit(np.zeros((4, 2)), np.zeros(4), epochs=1, batch_size=2.5),
     "positive integer"),
    (lambda: mlp.MLP([2, 3, 1]).fit(np.zeros((4, 2)), np.zeros(4), epochs=1, learning_rate=-1),
     "positive number"),
    (lambda: mlp.MLP([2, 3, 1]).set_weights([np.zeros((2, 3))]), "W1, b1, W2, b2"),
    (lambda: mlp.MLP([2, 3, 1]).set_weights([np.zeros((3, 2)), np.zeros(3), np.zeros((3, 1)),
                                             np.zeros(1)]), "has shape"),
    (lambda: mlp.init_params([2, 1], rng=42), "numpy Generator"),
])
def test_bad_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()

