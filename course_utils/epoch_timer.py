"""A Keras callback that records the wall time of every epoch.

Lesson 04 writes it in the open to compare the cost of training recipes; lesson 05
imports it to time the classic architectures. The first epoch also compiles the
training step, so comparisons use the epochs after it (:attr:`EpochTimer.after_first`).
"""

from __future__ import annotations

import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Wall time of every epoch, to measure the cost of training apart from compilation."""

    def on_train_begin(self, logs=None):
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)

    @property
    def after_first(self) -> list[float]:
        """The epochs after the first (which also compiles); all of them if there is one."""
        return self.seconds[1:] or self.seconds
