"""A Keras callback that records the wall time of every epoch, and what to make of it.

Lesson 04 writes the callback in the open to compare the cost of training recipes;
lesson 05 imports it to time the classic architectures. The first epoch also compiles
the training step (seconds on a CPU, often more than the epoch itself on a GPU), so a
fair time per epoch leaves it out. With a single epoch there is nothing else to report:
:func:`time_per_epoch` then returns that epoch's time and says that compilation is in it,
instead of the median of an empty list (``nan``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np


@dataclass(frozen=True)
class EpochTiming:
    """The time of one epoch, and whether that figure includes compiling the training step."""

    seconds: float
    includes_compilation: bool
    epochs_measured: int  # how many epochs the figure is taken from

    def describe(self) -> str:
        """For a printout: "2.41 s per epoch (median of 2 epochs after the first)"."""
        if self.includes_compilation:
            return f"{self.seconds:.2f} s for its only epoch (compilation of the training step included)"
        return (f"{self.seconds:.2f} s per epoch (median of {self.epochs_measured} "
                f"epoch{'s' if self.epochs_measured > 1 else ''} after the first, which also compiles)")


def time_per_epoch(seconds: Sequence[float]) -> EpochTiming:
    """The median epoch time after the first epoch; the first epoch's own time if it is the only one.

    >>> time_per_epoch([9.0, 2.0, 4.0, 3.0])
    EpochTiming(seconds=3.0, includes_compilation=False, epochs_measured=3)
    >>> time_per_epoch([9.0]).includes_compilation
    True
    """
    seconds = [float(value) for value in seconds]
    if not seconds:
        raise ValueError("no epoch was timed: train for at least one epoch with the timer in callbacks")
    if len(seconds) == 1:
        return EpochTiming(seconds[0], includes_compilation=True, epochs_measured=1)
    return EpochTiming(float(np.median(seconds[1:])), includes_compilation=False,
                       epochs_measured=len(seconds) - 1)


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

    def timing(self) -> EpochTiming:
        """:func:`time_per_epoch` of the last ``fit``."""
        return time_per_epoch(self.seconds)
