"""Check functions for lesson 01 (MLP review).

Each ``check_exercise_N`` prints what is right, or raises AssertionError saying what is
wrong (ValueError when the answer is not even of the right kind).
"""

from __future__ import annotations

import numpy as np

from course_utils.gradient_check import numerical_gradient, relative_error

EXERCISE_2_LAYER_SIZES = (784, 128, 64, 10)
EXERCISE_3_MIN_ACCURACY = 0.90


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def check_exercise_1(neuron_gradient) -> None:
    """Exercise 1: the gradient of E(w, b) = sum_i (y_i - sigmoid(x_i . w + b))**2.

    ``neuron_gradient(w, b, X, y)`` must return ``(dE/dw, dE/db)``: an array shaped like
    ``w`` and a float. It is compared with central differences on random data.
    """
    if not callable(neuron_gradient):
        raise ValueError("pass your function itself: check_exercise_1(neuron_gradient), "
                         "without calling it.")
    rng = np.random.default_rng(1)
    for n_examples, n_features in [(5, 3), (20, 2), (1, 4)]:
        X = rng.normal(size=(n_examples, n_features))
        y = rng.integers(0, 2, size=n_examples).astype(np.float64)
        w = rng.normal(size=n_features)
        b = np.array(float(rng.normal()))

        def error(_):
            return np.sum((y - _sigmoid(X @ w + b)) ** 2)

        result = neuron_gradient(w.copy(), float(b), X.copy(), y.copy())
        if not isinstance(result, tuple) or len(result) != 2:
            raise ValueError("neuron_gradient must return a pair (dE_dw, dE_db).")
        grad_w, grad_b = np.asarray(result[0], dtype=np.float64), np.asarray(result[1], dtype=np.float64)
        assert grad_w.shape == w.shape, (
            f"dE/dw has shape {grad_w.shape} but w has shape {w.shape}: there is one partial "
            f"derivative per weight (sum the per-example terms over the examples).")
        assert grad_b.size == 1, (f"dE/db has shape {grad_b.shape}: it should be a single number "
                                  f"(the bias is one number).")
        error_w = relative_error(grad_w, numerical_gradient(error, w))
        error_b = relative_error(grad_b.reshape(()), numerical_gradient(error, b))
        assert error_w < 1e-6 and error_b < 1e-6, (
            f"your gradient disagrees with the numerical one (relative errors {error_w:.1e} for "
            f"w, {error_b:.1e} for b). Check the chain rule: dE/dz_i = -2 (y_i - s_i) s_i (1 - s_i) "
            f"with s_i = sigmoid(z_i), then dE/dw = X.T @ dE/dz and dE/db = sum(dE/dz).")
    print("Correct: your gradient matches central differences (relative error < 1e-6).")


def check_exercise_2(n_params) -> None:
    """Exercise 2: the number of parameters of an MLP with layer sizes 784-128-64-10."""
    if isinstance(n_params, bool) or not isinstance(n_params, (int, np.integer)):
        raise ValueError(f"pass the number of parameters as an integer, got {n_params!r}.")
    sizes = EXERCISE_2_LAYER_SIZES
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    biases = sum(sizes[1:])
    if n_params == weights:
        raise AssertionError("you counted the weights only: every unit also has a bias.")
    assert n_params == weights + biases, (
        f"{n_params} is not right. A Dense layer with n_in inputs and n_out units has "
        f"n_in * n_out weights plus n_out biases; add that up over the three layers.")
    print(f"Correct: {n_params:,} parameters, {weights:,} of them weights "
          f"({weights / n_params:.1%}) -- mostly in the first layer.")


def check_exercise_3(model, X_test, y_test) -> None:
    """Exercise 3: a ReLU network that separates the circles with test accuracy >= 0.90."""
    if not hasattr(model, "predict"):
        raise ValueError("pass the trained model (an object with a predict method), "
                         "then X_test and y_test.")
    X_test = np.asarray(X_test)
    y_test = np.asarray(y_test).reshape(-1)
    if X_test.ndim != 2 or X_test.shape[0] != y_test.shape[0]:
        raise ValueError(f"X_test has shape {X_test.shape} and y_test {y_test.shape}: pass a 2-D "
                         f"X_test with one label in y_test per row.")
    if getattr(model, "hidden_activation", "relu") != "relu":
        raise AssertionError(f"the exercise asks for ReLU hidden units, but the model uses "
                             f"{model.hidden_activation!r}: build it with hidden_activation='relu'.")
    predictions = np.asarray(model.predict(X_test)).reshape(len(X_test), -1)
    labels = predictions[:, 0] >= 0.5 if predictions.shape[1] == 1 else predictions.argmax(1)
    accuracy = float(np.mean(labels.astype(int) == y_test))
    assert accuracy >= EXERCISE_3_MIN_ACCURACY, (
        f"test accuracy {accuracy:.3f} is below {EXERCISE_3_MIN_ACCURACY}: try more hidden units, "
        f"more epochs or another learning rate (too large makes ReLU units die).")
    print(f"Correct: test accuracy {accuracy:.3f} >= {EXERCISE_3_MIN_ACCURACY}.")
