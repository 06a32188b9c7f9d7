"""A Keras callback that times training to a target test accuracy.

Lesson 04 asks "how many seconds of training until the network first reaches 99 % on
the test set?". Keras's own ``validation_data`` answers only once an epoch, and counts
the evaluation in the epoch's time. ``TimeToAccuracy`` instead

* evaluates every ``evaluate_every`` training batches (and at the end of every epoch),
* stops its clock while it evaluates, so the time is training time alone
  (compilation of the training step included, since it happens inside training),
* records the first moment the accuracy reaches ``target``, and
* optionally stops training right there.

Labels may be class indices or one-hot rows (``keras.utils.to_categorical``), as Keras's
own losses accept either; one-hot rows are turned into indices once, at construction.

Used by lesson 04 and ``benchmarks/benchmark_mnist.py``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np


def class_indices(labels) -> np.ndarray:
    """Labels as one class index per example, whether given as indices or one-hot rows.

    Indices (shape (N,) or (N, 1)) pass unchanged; one-hot rows (N, classes), as
    ``keras.utils.to_categorical`` makes them, become their argmax. Anything else (rows
    that are not one-hot, more axes) is refused here, with the reason, rather than
    failing later inside ``fit`` when predictions are compared with the labels.
    """
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim == 1:
        if not np.all(labels == np.round(labels)) or labels.min() < 0:
            raise ValueError("class labels must be whole numbers 0, 1, 2, ... (or one-hot rows)")
        return labels.astype("int64")
    if labels.ndim == 2:
        one_hot = np.all((labels == 0) | (labels == 1), axis=1) & (labels.sum(axis=1) == 1)
        if not np.all(one_hot):
            raise ValueError(f"labels of shape {labels.shape} are not one-hot rows (one 1 and zeros "
                             f"each, row {int(np.argmin(one_hot))} is not): give class indices or "
                             f"keras.utils.to_categorical(indices)")
        return labels.argmax(axis=1)
    raise ValueError(f"labels must be class indices of shape (N,) or one-hot rows of shape "
                     f"(N, classes), not an array of shape {labels.shape}")


@dataclass(frozen=True)
class Checkpoint:
    """One evaluation: training seconds so far, epochs so far (fractional), accuracy."""

    seconds: float
    epochs: float
    accuracy: float


class TimeToAccuracy(keras.callbacks.Callback):
    """Record the training wall time at which test accuracy first reaches ``target``.

    After ``fit``: ``seconds_to_target`` and ``epochs_to_target`` (None if never
    reached), ``checkpoints`` (every evaluation), ``best_accuracy`` and
    ``training_seconds`` (the whole run, evaluations excluded).
    """

    def __init__(self, x_test, y_test, *, target: float = 0.99, evaluate_every: int | None = None,
                 stop_at_target: bool = False, batch_size: int = 1000):
        super().__init__()
        if not 0.0 < target <= 1.0:
            raise ValueError(f"target is an accuracy between 0 and 1, not {target!r}")
        if evaluate_every is not None and (not isinstance(evaluate_every, int) or evaluate_every < 1):
            raise ValueError(f"evaluate_every is a number of batches (1 or more) or None, "
                             f"not {evaluate_every!r}")
        if len(x_test) != len(y_test) or len(x_test) == 0:
            raise ValueError(f"x_test and y_test must be non-empty and of equal length, "
                             f"got {len(x_test)} and {len(y_test)}")
        self.x_test = x_test
        self.y_test = class_indices(y_test)
        self.target = target
        self.evaluate_every = evaluate_every
        self.stop_at_target = stop_at_target
        self.batch_size = batch_size

    # Keras calls these -------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        self.checkpoints: list[Checkpoint] = []
        self.seconds_to_target: float | None = None
        self.epochs_to_target: float | None = None
        self._batches_seen = 0
        self._batches_per_epoch = self.params.get("steps") if self.params else None
        self._epoch = 0
        self._evaluating_seconds = 0.0
        self._started = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._batch_in_epoch = 0

    def on_train_batch_end(self, batch, logs=None):
        self._batches_seen += 1
        self._batch_in_epoch += 1
        if self.evaluate_every and self._batches_seen % self.evaluate_every == 0:
            self._evaluate()

    def on_epoch_end(self, epoch, logs=None):
        already_evaluated = self.checkpoints and self.checkpoints[-1].epochs == self._epochs_done()
        if not already_evaluated and not self.model.stop_training:
            self._evaluate()

    def on_train_end(self, logs=None):
        self.training_seconds = self._clock()

    # Results ------------------------------------------------------------------------------

    @property
    def best_accuracy(self) -> float | None:
        return max((c.accuracy for c in self.checkpoints), default=None)

    @property
    def reached(self) -> bool:
        return self.seconds_to_target is not None

    def summary(self) -> str:
        if self.reached:
            return (f"reached {self.target:.1%} accuracy after {self.seconds_to_target:.1f} s "
                    f"of training ({self.epochs_to_target:.2f} epochs)")
        return (f"did not reach {self.target:.1%} (best {self.best_accuracy:.2%}) in "
                f"{self.training_seconds:.1f} s of training")

    # Internals ----------------------------------------------------------------------------

    def _clock(self) -> float:
        """Seconds of training so far: wall time minus time spent evaluating."""
        return time.perf_counter() - self._started - self._evaluating_seconds

    def _epochs_done(self) -> float:
        if not self._batches_per_epoch:
            return float(self._epoch + 1)
        return self._epoch + self._batch_in_epoch / self._batches_per_epoch

    def _evaluate(self):
        seconds = self._clock()
        paused_at = time.perf_counter()
        accuracy = self.accuracy()
        self._evaluating_seconds += time.perf_counter() - paused_at
        epochs = self._epochs_done()
        self.checkpoints.append(Checkpoint(seconds, epochs, accuracy))
        if accuracy >= self.target and not self.reached:
            self.seconds_to_target, self.epochs_to_target = seconds, epochs
            if self.stop_at_target:
                self.model.stop_training = True

    def accuracy(self) -> float:
        """Test accuracy of the model as it is now (the model may output logits or
        probabilities: the largest output is the prediction either way)."""
        # On the JAX backend the weights live outside the model during an epoch; Keras's
        # `Callback.model` copies them back whenever a callback asks for the model.
        outputs = self.model.predict(self.x_test, batch_size=self.batch_size, verbose=0)
        return float(np.mean(np.argmax(outputs, axis=-1) == self.y_test))
