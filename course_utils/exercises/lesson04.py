"""Exercises of lesson 04 (a Keras CNN on MNIST): a layer's shape and parameters, a CNN on a budget."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.answers import HashedAnswer
from course_utils.exercises.core import Exercise, Incorrect
from course_utils.mode import by_mode

# --------------------------------------------------------------------------- exercise 1
# Conv2D(64, kernel_size=5, strides=2, padding="same") on a 15x15x32 input: odd, so that
# ceil(15 / 2) = 8 and floor(15 / 2) = 7 differ.
_OUTPUT_SHAPE = HashedAnswer(
    "lesson04.exercise1.shape", "fccf4ea5969828a0b58d0b069e0072e65d431c3f0ddd22292efb626048820b9e",
    kind="shape", what="the output shape",
    wrong="with padding='same' the output is ceil(input / stride) per axis, and its depth is the "
          "number of filters.",
    mistakes={
        "a4cecdfbffc554031139f4bc9072005854b41ae3d242554c3e1cdf9a0a462434":
            "that is the size for stride 1: 'same' padding keeps ceil(15 / stride).",
        "28c715a9e502ee2b117b5dbc0d4b38a1b36b78c0367c8cfc26df224180cba8af":
            "you rounded down: 'same' padding gives ceil(15 / 2) = 8 per axis (the last, partial "
            "window is padded, not dropped).",
        "efa177d7bbf130c756a6c8ee690368555609ac12f0bcb9a6359557ed640ae99b":
            "that is the size without padding ('valid'): here padding='same'.",
        "1957619c73413d2a02dfe41b3ba64dac72965ab2b4553aacedf023380b70859d":
            "that is 'valid' padding with stride 1; this layer has padding='same' and stride 2.",
    })
_PARAMETERS = HashedAnswer(
    "lesson04.exercise1.parameters", "b7127ceb27c500015fbf40b924b9fe17d9ea2c30f1c4ba3596f957bd013bef50",
    what="the parameter count",
    wrong="each filter has kernel_h * kernel_w * in_channels weights and one bias; stride and "
          "padding change the output size, not the parameters.",
    mistakes={
        "c43329767dfe3f21e382639ce9932b76feda18c0836c30bc6368adab3d5a29f2":
            "you counted the weights only: each of the 64 filters also has a bias.",
        "3aa1d1ade930678c2a4bc2674c2a8ffa6b5a402fff89eaf659706e112395a231":
            "a filter spans all 32 input channels: 5 * 5 * 32 weights each, not 5 * 5.",
        "c4ee8ae75fcfc087091d65c14a3813ef1b7f1273d4f5308ed1157ac0d7529099":
            "a filter spans all 32 input channels, and each filter has a bias.",
    })


def _check_layer(output_shape, parameters) -> str:
    _OUTPUT_SHAPE.verify(output_shape)
    _PARAMETERS.verify(parameters)
    return "output shape and parameter count are both right."


exercise_1 = Exercise(
    "Lesson 04, exercise 1 (a layer's shape and parameters)", _check_layer,
    hint=["Stride and padding set the output's height and width, the number of filters its "
          "depth; only the kernel size and the input's depth set the parameters.",
          "With padding='same' each axis has ceil(input size / stride) outputs.",
          "Each filter has kernel_h * kernel_w * in_channels weights, plus one bias."],
    solution="""
    output_shape = (-(-15 // 2), -(-15 // 2), 64)      # 'same' padding: ceil(15 / 2) = 8 per axis
    parameters = (5 * 5 * 32 + 1) * 64
    # check: layer = keras.layers.Conv2D(64, 5, strides=2, padding="same")
    #        layer.build((None, 15, 15, 32)); layer.compute_output_shape(...), layer.count_params()
""")


# --------------------------------------------------------------------------- exercise 2
PARAMETER_BUDGET = 10_000
#: Held-out digits for the check: the last 2,000 MNIST test images, which the lesson's
#: fast mode never evaluates on and no lesson trains on.
HIDDEN_TEST_IMAGES = 2_000


def min_accuracy() -> float:
    """The accuracy a budget model must reach: lower in fast mode (a tenth of the data)."""
    return by_mode(fast=0.95, full=0.985)


def _layers_of(model):
    """Every layer, nested models included."""
    for layer in getattr(model, "layers", []):
        yield layer
        yield from _layers_of(layer)


def _hidden_digits():
    """The held-out digits, prepared as the lesson prepares its images (one place for that)."""
    from course_utils.mnist_cnn import prepare_images
    from data_download import load

    _, (x_test, y_test) = load("mnist", progress=False)
    return prepare_images(x_test[-HIDDEN_TEST_IMAGES:]), y_test[-HIDDEN_TEST_IMAGES:]


def _check_budget_model(model) -> str:
    import keras

    if not isinstance(model, keras.Model):
        raise Incorrect(f"pass a trained Keras model, got {type(model).__name__}.")
    input_shape = tuple(model.input_shape) if not isinstance(model.input_shape, list) else None
    if input_shape != (None, 28, 28, 1):
        raise Incorrect(f"the model's input shape is {model.input_shape}; it must take MNIST images "
                        f"as the lesson prepares them: keras.Input(shape=(28, 28, 1)).")
    if tuple(model.output_shape) != (None, 10):
        raise Incorrect(f"the model's output shape is {model.output_shape}; it needs 10 outputs, "
                        f"one per digit.")
    if not any(isinstance(layer, keras.layers.Conv2D) for layer in _layers_of(model)):
        raise Incorrect("the model has no Conv2D layer: the exercise asks for a convolutional network.")
    parameters = model.count_params()
    if parameters > PARAMETER_BUDGET:
        raise Incorrect(f"the model has {parameters:,} parameters, over the budget of "
                        f"{PARAMETER_BUDGET:,}: use fewer filters, or pool earlier so that the dense "
                        f"layer after Flatten (usually the largest) sees fewer features.")
    images, labels = _hidden_digits()
    # Called directly, batch by batch, rather than through predict: predict traces a new
    # tf.function for every model a student tries, and after a few TensorFlow prints a
    # retracing warning that says nothing about the answer.
    outputs = np.concatenate([keras.ops.convert_to_numpy(model(images[start:start + 500], training=False))
                              for start in range(0, len(images), 500)])
    accuracy = float(np.mean(np.argmax(outputs, axis=-1) == labels))
    needed = min_accuracy()
    if accuracy < needed:
        raise Incorrect(f"accuracy {accuracy:.4f} on {HIDDEN_TEST_IMAGES:,} held-out test digits is below "
                        f"{needed}: train it (fit), for more epochs, or with batch normalisation and "
                        f"a warm-up + cosine schedule, as the lesson trains its fast network.")
    return (f"{parameters:,} parameters (budget {PARAMETER_BUDGET:,}), accuracy {accuracy:.4f} >= {needed} "
            f"on {HIDDEN_TEST_IMAGES:,} held-out test digits.")


exercise_2 = Exercise(
    "Lesson 04, exercise 2 (a CNN on a budget)", _check_budget_model,
    hint=["Count before you train: model.count_params(), and model.summary() shows which layers "
          "hold the parameters. Shrink the biggest first.",
          "A convolution's parameters grow with its input channels times its filters, so fewer "
          "filters shrink that layer and the next; pooling before the Dense layer shrinks the "
          "input it sees.",
          "A small network needs good training more than a big one: batch normalisation, a "
          "warm-up and cosine learning-rate schedule and a few epochs, as the lesson's fast "
          "recipe uses. Check its accuracy on the validation digits (x_validation, y_validation, "
          "never trained on) before you call check, not on the test set."],
    solution="""
    set_seed(42)
    budget_model = mnist_cnn.build_fast_cnn(widths=(8, 16, 32))      # 8,946 parameters
    mnist_cnn.compile_fast_cnn(budget_model, mnist_cnn.steps_for(len(x_train), 256, 3))
    budget_model.fit(x_train, y_train, batch_size=256, epochs=3, verbose=0)
""")
