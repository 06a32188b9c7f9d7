"""Lesson 04's exercise checks pass the reference and fail the lesson's own code and plausible mistakes."""

import keras
import numpy as np
import pytest

from course_utils import mnist_cnn
from course_utils.exercises import ExerciseFailed
from course_utils.exercises import lesson04


def test_layer_exercise_accepts_the_right_answer(capsys):
    lesson04.exercise_1.check((8, 8, 64), 51_264)
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("shape, parameters, hint", [
    ((15, 15, 64), 51_264, "stride 1"),
    ((7, 7, 64), 51_264, "rounded down"),          # floor(15 / 2): the input is odd so that it differs
    ((6, 6, 64), 51_264, "without padding"),
    ((11, 11, 64), 51_264, "'valid' padding with stride 1"),
    ((8, 8, 64), 51_200, "weights only"),
    ((8, 8, 64), 1_664, "all 32 input channels"),
    ((8, 8, 64), 51_264.0, "whole number"),
    ((8, 8, 64), "51264", "not the string"),
    ((None, 8, 8, 64), 51_264, "batch dimension"),
])
def test_layer_exercise_rejects_mistakes(shape, parameters, hint):
    with pytest.raises(ExerciseFailed, match=hint):
        lesson04.exercise_1.check(shape, parameters)


def test_layer_exercise_not_done_yet(capsys):
    lesson04.exercise_1.check(..., ...)
    assert "not done yet" in capsys.readouterr().out


@pytest.fixture
def synthetic_digits(monkeypatch):
    """Stand-in for the held-out MNIST digits: class k is a bright 6x6 square at place k,
    which a small CNN learns in a few epochs (the check's logic, not MNIST, is under test)."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=600)
    images = rng.uniform(0, 0.2, size=(600, 28, 28, 1)).astype("float32")
    for index, label in enumerate(labels):
        row, column = divmod(int(label), 5)
        images[index, 2 + 12 * row:8 + 12 * row, 1 + 5 * column:6 + 5 * column, 0] += 0.8
    monkeypatch.setattr(lesson04, "_hidden_digits", lambda: (images, labels))
    return images, labels


def trained(model, images, labels, epochs=5):
    mnist_cnn.compile_fast_cnn(model, mnist_cnn.steps_for(len(images), 64, epochs), 3e-3)
    model.fit(images, labels, batch_size=64, epochs=epochs, verbose=0)
    return model


def test_budget_model_passes_when_small_and_trained(synthetic_digits, capsys):
    keras.utils.set_random_seed(0)
    model = trained(mnist_cnn.build_fast_cnn((8, 16, 32)), *synthetic_digits)
    lesson04.exercise_2.check(model)
    assert "Correct" in capsys.readouterr().out


def test_the_lessons_own_network_is_over_budget(synthetic_digits):
    with pytest.raises(ExerciseFailed, match="over the budget"):
        lesson04.exercise_2.check(mnist_cnn.build_fast_cnn())
    with pytest.raises(ExerciseFailed, match="over the budget"):
        lesson04.exercise_2.check(mnist_cnn.build_plain_convnet())


def test_an_untrained_model_is_not_accurate_enough(synthetic_digits):
    with pytest.raises(ExerciseFailed, match="held-out"):
        lesson04.exercise_2.check(mnist_cnn.build_fast_cnn((8, 16, 32)))


def test_a_dense_network_is_not_convolutional(synthetic_digits):
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ExerciseFailed, match="no Conv2D"):
        lesson04.exercise_2.check(model)


def test_wrong_input_and_output_shapes(synthetic_digits):
    flat_input = keras.Sequential([keras.Input((28, 28)), keras.layers.Reshape((28, 28, 1)),
                                   keras.layers.Conv2D(2, 3), keras.layers.Flatten(), keras.layers.Dense(10)])
    with pytest.raises(ExerciseFailed, match="input shape"):
        lesson04.exercise_2.check(flat_input)
    one_output = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(2, 3),
                                   keras.layers.Flatten(), keras.layers.Dense(1)])
    with pytest.raises(ExerciseFailed, match="10 outputs"):
        lesson04.exercise_2.check(one_output)


def test_not_a_model():
    with pytest.raises(ExerciseFailed, match="Keras model"):
        lesson04.exercise_2.check("my model")


def test_the_budget_hint_does_not_give_the_answers_code():
    hints = " ".join(lesson04.exercise_2.hints)
    for answer_part in ["build_fast_cnn", "widths", "(8, 16, 32)", "29,402", "halve them"]:
        assert answer_part not in hints


def test_hidden_digits_are_prepared_by_the_lessons_own_function(monkeypatch):
    import data_download

    images = np.resize(np.arange(256, dtype=np.uint8), (lesson04.HIDDEN_TEST_IMAGES + 5, 28, 28))
    labels = np.arange(lesson04.HIDDEN_TEST_IMAGES + 5) % 10
    monkeypatch.setattr(data_download, "load", lambda name, progress=False: ((None, None), (images, labels)))
    prepared = []
    monkeypatch.setattr(mnist_cnn, "prepare_images", lambda x: prepared.append(x) or x[..., None] / 255.0)
    got_images, got_labels = lesson04._hidden_digits()
    assert len(prepared) == 1 and np.array_equal(prepared[0], images[-lesson04.HIDDEN_TEST_IMAGES:])
    assert np.array_equal(got_labels, labels[-lesson04.HIDDEN_TEST_IMAGES:]) and got_images.shape[-1] == 1
