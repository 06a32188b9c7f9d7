"""Exercises of lesson 01 (MLP review): a neuron's gradient, counting parameters, ReLU on circles."""

from __future__ import annotations

import numpy as np

from course_utils import gradient_check, mlp
from course_utils.activations import sigmoid
from course_utils.exercises.answers import whole_number_text
from course_utils.exercises.cases import (Case, Mistake, call_student, compare_with_reference,
                                         require_callable)
from course_utils.exercises.core import Exercise, Incorrect
from course_utils.exercises.off_limits import for_exercise


# --------------------------------------------------------------------------- exercise 1
def _reference_neuron_gradient(w, b, X, y):
    s = sigmoid(X @ w + b)
    d_z = -2 * (y - s) * s * (1 - s)  # dE/dz_i by the chain rule
    return X.T @ d_z, d_z.sum()


def _mean_instead_of_sum(w, b, X, y):
    grad_w, grad_b = _reference_neuron_gradient(w, b, X, y)
    return grad_w / len(X), grad_b / len(X)


def _without_sigmoid_derivative(w, b, X, y):
    d_z = -2 * (y - sigmoid(X @ w + b))
    return X.T @ d_z, d_z.sum()


def _without_factor_two(w, b, X, y):
    grad_w, grad_b = _reference_neuron_gradient(w, b, X, y)
    return grad_w / 2, grad_b / 2


def _wrong_sign(w, b, X, y):
    grad_w, grad_b = _reference_neuron_gradient(w, b, X, y)
    return -grad_w, -grad_b


def _neuron_cases() -> list[Case]:
    rng = np.random.default_rng(101)
    cases = []
    for n_examples, n_features in [(5, 3), (20, 2), (1, 4), (8, 1)]:
        X = rng.normal(size=(n_examples, n_features))
        y = rng.integers(0, 2, size=n_examples).astype(np.float64)
        w = rng.normal(size=n_features)
        b = float(rng.normal())
        cases.append(Case(f"{n_examples} examples with {n_features} features", (w, b, X, y)))
    return cases


def _check_neuron_gradient(neuron_gradient) -> str:
    cases = _neuron_cases()
    compare_with_reference(
        neuron_gradient, _reference_neuron_gradient, cases, name="neuron_gradient",
        output_names=["dE/dw", "dE/db"],
        mistakes=[
            Mistake(_mean_instead_of_sum, "your gradient is the reference divided by the number of "
                    "examples: E is a sum over examples, not a mean."),
            Mistake(_without_sigmoid_derivative, "the sigmoid's derivative s (1 - s) is missing from "
                    "dE/dz (chain rule: dE/dz = dE/ds * ds/dz)."),
            Mistake(_without_factor_two, "off by a factor 2: the derivative of (y - s)^2 is -2 (y - s)."),
            Mistake(_wrong_sign, "the sign is flipped: d/ds (y - s)^2 = -2 (y - s)."),
        ],
        off_limits=for_exercise(__name__, mlp.backward, mlp.loss_and_gradients,
                                gradient_check.numerical_gradient,
                                advice="Apply the chain rule with NumPy, as the lesson did on paper."))
    return f"(dE/dw, dE/db) match the chain rule on {len(cases)} hidden data sets."


exercise_1 = Exercise(
    "Lesson 01, exercise 1 (the gradient of one neuron)", _check_neuron_gradient,
    hint=["Name the pieces: z = X @ w + b, s = sigmoid(z), E = sum over examples of (y - s)^2. "
          "The chain rule goes from E to s to z, and from z to w and b.",
          "For one example, dE/ds = -2 (y - s) and ds/dz = s (1 - s): their product is dE/dz, "
          "one number per example.",
          "z_i depends on w through the row X[i] and on b with slope 1: dE/dw adds up dE/dz_i "
          "times X[i] over the examples (a product with X.T), dE/db adds up the dE/dz_i."],
    solution=_reference_neuron_gradient)


# --------------------------------------------------------------------------- exercise 2
def _reference_count_parameters(layer_sizes):
    pairs = list(zip(layer_sizes[:-1], layer_sizes[1:]))
    return sum(n_in * n_out for n_in, n_out in pairs), sum(n_out for _, n_out in pairs)


def _check_count_parameters(count_parameters) -> str:
    require_callable(count_parameters, "count_parameters")
    off_limits = for_exercise(__name__, mlp.init_params, mlp.MLP.count_params,
                              advice="Count from the layer sizes, with a loop or a sum.")
    rng = np.random.default_rng(102)
    hidden = [[784, 128, 64, 10], [2, 1], [3, 5, 1]]
    hidden += [[int(n) for n in rng.integers(1, 300, size=int(rng.integers(2, 7)))] for _ in range(6)]
    for sizes in hidden:
        result = call_student(count_parameters, "count_parameters", f"layer sizes {sizes}", (list(sizes),),
                              off_limits=off_limits)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Incorrect(f"count_parameters({sizes}) should return a pair (n_weights, n_biases), "
                            f"got {result!r}.")
        weights = int(whole_number_text(result[0], f"n_weights for {sizes}"))
        biases = int(whole_number_text(result[1], f"n_biases for {sizes}"))
        expected_weights, expected_biases = _reference_count_parameters(sizes)
        if biases == sum(sizes) and biases != expected_biases:
            raise Incorrect(f"for layer sizes {sizes} you count {biases} biases: the input layer has "
                            f"no units and so no biases; only the layers after it do.")
        if weights != expected_weights:
            raise Incorrect(f"for layer sizes {sizes} you count {weights} weights, but there are "
                            f"{expected_weights}: a Dense layer from n_in to n_out units has an "
                            f"n_in x n_out weight matrix; add them up over consecutive pairs.")
        if biases != expected_biases:
            raise Incorrect(f"for layer sizes {sizes} you count {biases} biases, but there are "
                            f"{expected_biases}: one per unit of every layer after the input.")
    return f"weights and biases right for {len(hidden)} networks (784-128-64-10 among them)."


exercise_2 = Exercise(
    "Lesson 01, exercise 2 (counting parameters)", _check_count_parameters,
    hint=["A Dense layer connects every unit of one layer to every unit of the next: walk over "
          "consecutive pairs of layer sizes.",
          "A layer from n_in to n_out units has an n_in x n_out weight matrix and one bias per "
          "output unit.",
          "zip(layer_sizes[:-1], layer_sizes[1:]) gives the pairs; the input layer has no units "
          "of its own, so no biases."],
    solution=_reference_count_parameters)


# --------------------------------------------------------------------------- exercise 3
MIN_ACCURACY = 0.90
HIDDEN_LAYERS = 2


def _hidden_circles(n_samples: int = 600):
    """A fresh test set the student never saw: the lesson's circles, another seed."""
    from sklearn.datasets import make_circles  # imported here: only exercise 3 needs scikit-learn
    return make_circles(n_samples, noise=0.1, factor=0.5, random_state=2024)


def _check_relu_circles(model) -> str:
    if not isinstance(model, mlp.MLP):
        raise Incorrect(f"pass the trained course_utils.mlp.MLP itself, got {type(model).__name__}: "
                        f"build it with mlp.MLP([2, ..., ..., 1], hidden_activation='relu').")
    if model.hidden_activation != "relu":
        raise Incorrect(f"the exercise asks for ReLU hidden units, but the model uses "
                        f"{model.hidden_activation!r}: build it with hidden_activation='relu'.")
    sizes = list(model.layer_sizes)
    if sizes[0] != 2 or sizes[-1] != 1:
        raise Incorrect(f"layer sizes {sizes}: the circles have 2 inputs and one output "
                        f"(the probability of the inner circle), so start with 2 and end with 1.")
    hidden_layers = len(sizes) - 2
    if hidden_layers != HIDDEN_LAYERS:
        raise Incorrect(f"layer sizes {sizes} give {hidden_layers} hidden layer(s); the exercise "
                        f"asks for exactly {HIDDEN_LAYERS}, e.g. [2, 8, 8, 1].")
    X, y = _hidden_circles()
    accuracy = model.accuracy(X, y)
    if accuracy < MIN_ACCURACY:
        raise Incorrect(f"accuracy {accuracy:.3f} on hidden test circles is below {MIN_ACCURACY}: "
                        f"train longer, use more hidden units, or try another learning rate "
                        f"(too large makes ReLU units die).")
    return (f"{hidden_layers} ReLU hidden layers {sizes[1:-1]}, accuracy {accuracy:.3f} >= "
            f"{MIN_ACCURACY} on hidden test circles.")


exercise_3 = Exercise(
    "Lesson 01, exercise 3 (ReLU on the circles)", _check_relu_circles,
    hint=["Build a course_utils.mlp.MLP with two hidden layers and hidden_activation='relu': "
          "layer sizes [2, hidden, hidden, 1].",
          "A handful of units per hidden layer is enough for two circles; give the MLP an rng "
          "(np.random.default_rng(seed)) so that a rerun gives the same network.",
          "Train it with .fit on the training circles as the lesson trained the tanh network. If "
          "the accuracy stalls, try learning rates between 0.05 and 0.5: too large a step "
          "makes ReLU units die."],
    solution="""
    relu_model = mlp.MLP([2, 8, 8, 1], hidden_activation="relu", rng=np.random.default_rng(42))
    relu_model.fit(Xc_train, yc_train, epochs=circle_epochs, batch_size=16, learning_rate=0.3)
    """)
