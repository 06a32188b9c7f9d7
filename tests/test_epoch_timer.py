"""course_utils.epoch_timer: one wall time per epoch, reset by every fit; a time per epoch
that leaves out the first (compiling) epoch when there are several, and says it is in when
there is only one."""

import time

import keras
import numpy as np
import pytest

from course_utils.epoch_timer import EpochTimer, time_per_epoch


class SlowEpochs(keras.callbacks.Callback):
    """Sleeps 0.05 s x (epoch + 1) at the end of each epoch; listed before the timer, so
    the sleep falls inside the timed epoch."""

    def on_epoch_end(self, epoch, logs=None):
        time.sleep(0.05 * (epoch + 1))


def test_one_time_per_epoch_and_reset_by_each_fit():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((8, 3), "float32"), np.zeros((8, 1), "float32")
    timer = EpochTimer()
    started = time.perf_counter()
    model.fit(x, y, epochs=3, verbose=0, callbacks=[SlowEpochs(), timer])
    wall = time.perf_counter() - started
    assert len(timer.seconds) == 3
    assert all(seconds >= 0.05 * (epoch + 1) for epoch, seconds in enumerate(timer.seconds))
    assert sum(timer.seconds) <= wall  # epoch by epoch, not running totals
    assert timer.after_first == timer.seconds[1:]

    model.fit(x, y, epochs=1, verbose=0, callbacks=[timer])
    assert len(timer.seconds) == 1 and timer.after_first == timer.seconds


# Lesson 04's GPU cell trains for one epoch; its time per epoch was the median of the
# epochs after the first, i.e. of an empty list: nan, on every GPU. time_per_epoch is the
# arithmetic the lesson now uses, run here on the CPU with one and with several epochs.


def fit_with_timer(epochs):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    timer = EpochTimer()
    model.fit(np.zeros((8, 3), "float32"), np.zeros((8, 1), "float32"), epochs=epochs, verbose=0,
              callbacks=[SlowEpochs(), timer])
    return timer


def test_one_epoch_is_reported_with_its_compilation():
    timing = fit_with_timer(epochs=1).timing()
    assert np.isfinite(timing.seconds) and timing.seconds >= 0.05
    assert timing.includes_compilation and timing.epochs_measured == 1
    assert "compilation of the training step included" in timing.describe()


def test_several_epochs_leave_the_first_out():
    timer = fit_with_timer(epochs=4)  # SlowEpochs sleeps 0.05, 0.10, 0.15, 0.20 s
    timing = timer.timing()
    assert not timing.includes_compilation and timing.epochs_measured == 3
    assert timing.seconds == float(np.median(timer.seconds[1:]))
    assert 0.15 <= timing.seconds < 0.15 + 0.5  # the median of epochs 2-4 (their sleeps: 0.10-0.20 s)
    assert "median of 3 epochs after the first" in timing.describe()


def test_time_per_epoch_arithmetic():
    assert time_per_epoch([9.0, 2.0, 4.0, 3.0]).seconds == 3.0
    assert time_per_epoch([9.0, 2.0]).seconds == 2.0 and time_per_epoch([9.0, 2.0]).epochs_measured == 1
    assert "median of 1 epoch after" in time_per_epoch([9.0, 2.0]).describe()
    single = time_per_epoch([9.0])
    assert single.seconds == 9.0 and single.includes_compilation


def test_no_epoch_is_an_error_not_nan():
    with pytest.raises(ValueError, match="no epoch was timed"):
        time_per_epoch([])
