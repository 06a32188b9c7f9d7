"""course_utils.epoch_timer: one wall time per epoch, reset by every fit."""

import time

import keras
import numpy as np

from course_utils.epoch_timer import EpochTimer


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
