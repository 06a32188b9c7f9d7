"""course_utils.time_to_accuracy.TimeToAccuracy: when it evaluates, what its clock counts,
that it stops at the target, and that mid-epoch evaluations see the current weights."""

import time

import keras
import numpy as np
import pytest

from course_utils.time_to_accuracy import TimeToAccuracy


def separable_data(n=512, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int32")
    return x, y


def tiny_model(learning_rate=0.05):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2)])
    model.compile(keras.optimizers.SGD(learning_rate),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def test_evaluates_every_n_batches_and_at_each_epoch_end():
    x, y = separable_data()
    clock = TimeToAccuracy(x, y, target=1.0, evaluate_every=3)
    tiny_model().fit(x, y, batch_size=64, epochs=2, callbacks=[clock], verbose=0)  # 8 batches per epoch
    epochs = [round(c.epochs, 4) for c in clock.checkpoints]
    # batches 3 and 6, the end of epoch 1, then batches 9, 12 and 15 (0.125, 0.5, 0.875) and the end.
    assert epochs == [0.375, 0.75, 1.0, 1.125, 1.5, 1.875, 2.0]
    assert all(0 <= c.accuracy <= 1 for c in clock.checkpoints)
    seconds = [c.seconds for c in clock.checkpoints]
    assert seconds == sorted(seconds)


def test_reaches_the_target_and_stops_there():
    x, y = separable_data()
    clock = TimeToAccuracy(x, y, target=0.9, evaluate_every=1, stop_at_target=True)
    history = tiny_model(0.5).fit(x, y, batch_size=32, epochs=20, callbacks=[clock], verbose=0)
    assert clock.reached and clock.checkpoints[-1].accuracy >= 0.9
    assert all(c.accuracy < 0.9 for c in clock.checkpoints[:-1])  # first time, and no evaluation after
    assert clock.epochs_to_target == clock.checkpoints[-1].epochs
    assert len(history.history["loss"]) < 20  # training stopped early
    assert "reached 90.0%" in clock.summary()


def test_not_reaching_the_target_is_reported():
    x, y = separable_data()
    clock = TimeToAccuracy(x, y, target=1.0, evaluate_every=None)
    tiny_model(1e-6).fit(x, y, batch_size=64, epochs=1, callbacks=[clock], verbose=0)
    assert not clock.reached and clock.seconds_to_target is None
    assert "did not reach 100.0%" in clock.summary()


def test_the_clock_stops_while_evaluating(monkeypatch):
    x, y = separable_data()
    clock = TimeToAccuracy(x, y, target=1.0, evaluate_every=1)
    real_accuracy = TimeToAccuracy.accuracy

    def slow_accuracy(self):
        time.sleep(0.1)
        return real_accuracy(self)

    monkeypatch.setattr(TimeToAccuracy, "accuracy", slow_accuracy)
    started = time.perf_counter()
    tiny_model().fit(x, y, batch_size=64, epochs=1, callbacks=[clock], verbose=0)
    wall = time.perf_counter() - started
    assert len(clock.checkpoints) == 8
    # 0.8 s of sleeping is not training time.
    assert clock.training_seconds < wall - 0.75
    assert clock.checkpoints[-1].seconds <= clock.training_seconds


def test_mid_epoch_evaluations_see_the_current_weights():
    # The JAX backend holds the weights outside the model during an epoch (Keras's
    # Callback.model syncs them); otherwise every evaluation inside the first epoch would
    # score the initial weights.
    x, y = separable_data(2048)
    clock = TimeToAccuracy(x, y, target=1.0, evaluate_every=4)
    tiny_model(0.5).fit(x, y, batch_size=32, epochs=1, callbacks=[clock], verbose=0)
    first_epoch = [c.accuracy for c in clock.checkpoints if c.epochs < 1]
    assert len(first_epoch) == 15
    assert max(first_epoch) > first_epoch[0] + 0.1


@pytest.mark.parametrize("kwargs, message", [
    (dict(target=0.0), "target"), (dict(target=1.5), "target"),
    (dict(evaluate_every=0), "evaluate_every"), (dict(evaluate_every=2.5), "evaluate_every"),
])
def test_bad_settings_are_refused(kwargs, message):
    x, y = separable_data(10)
    with pytest.raises(ValueError, match=message):
        TimeToAccuracy(x, y, **kwargs)


def test_test_set_must_match_its_labels():
    x, y = separable_data(10)
    with pytest.raises(ValueError, match="equal length"):
        TimeToAccuracy(x, y[:5])


def test_one_hot_labels_are_accepted_and_give_the_same_accuracy():
    # Regression: TimeToAccuracy(x, one_hot) was accepted, then crashed inside fit when the
    # flattened (N * classes) labels were compared with N predictions.
    x, y = separable_data()
    one_hot = keras.utils.to_categorical(y, 2)
    by_index = TimeToAccuracy(x, y, target=1.0, evaluate_every=4)
    by_one_hot = TimeToAccuracy(x, one_hot, target=1.0, evaluate_every=4)
    tiny_model().fit(x, y, batch_size=64, epochs=1, callbacks=[by_index], verbose=0)
    tiny_model().fit(x, y, batch_size=64, epochs=1, callbacks=[by_one_hot], verbose=0)
    assert [c.accuracy for c in by_one_hot.checkpoints] == [c.accuracy for c in by_index.checkpoints]
    assert by_one_hot.y_test.shape == (len(x),) and np.array_equal(by_one_hot.y_test, y)


def test_column_of_labels_is_accepted():
    x, y = separable_data(10)
    assert np.array_equal(TimeToAccuracy(x, y[:, np.newaxis]).y_test, y)


@pytest.mark.parametrize("labels, message", [
    (np.full((10, 2), 0.5), "not one-hot"),          # probabilities, not labels
    (np.zeros((10, 2, 1)), "shape"),
    (np.linspace(0, 1, 10), "whole numbers"),
])
def test_labels_that_are_neither_indices_nor_one_hot_are_refused(labels, message):
    x, _ = separable_data(10)
    with pytest.raises(ValueError, match=message):
        TimeToAccuracy(x, labels)
