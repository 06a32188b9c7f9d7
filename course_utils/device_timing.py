"""The lecture's "CPU 14 min, GPU 42 s", measured: one epoch of lesson 04's convnet per device.

Lesson 00 trains the same small network (``mnist_cnn.build_plain_convnet``, the Keras
MNIST example the lecture timed) for one epoch on each device it is given and prints
the ratio. The device list is an argument, so that CI runs every line of this module on
its CPU with tiny data (``devices=["cpu:0"]``, or ``["cpu:0", "cpu:0"]`` for the two-device
printout), while a Colab GPU runtime passes ``["cpu:0", "gpu:0"]``.

``precision_policy(use_mixed_precision)`` is the same idea for mixed precision: the
decision is an argument, so a GPU-only comparison of float32 against mixed_float16 is code
the tests run on a CPU.

``keras.device(name)`` places the work: it is ``tf.device`` on TensorFlow and
``jax.default_device`` on JAX. The model is built inside the scope, so its weights live
on that device, and trained inside it, so its training step runs there.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from course_utils import mnist_cnn

#: The Keras example's batch size.
BATCH_SIZE = 128

#: The lecture's figures (slides of lecture 2, "Example from the first journal club using
#: keras: reaches 99.0% accuracy (MNIST subset)"). They are quoted, not measured here:
#: the lecture does not say which CPU or GPU, nor how many epochs.
LECTURE_CPU_SECONDS = 14 * 60
LECTURE_GPU_SECONDS = 42


@dataclass
class EpochTiming:
    device: str        # as passed to keras.device, e.g. "cpu:0"
    images: int        # images in the timed epoch (whole batches only)
    seconds: float     # wall time of the timed epoch, compilation excluded
    warmup_seconds: float  # the warm-up batch, not counted: tracing, compilation, allocation


def devices_to_compare(has_gpu: bool) -> list[str]:
    """The devices lesson 00 times: the CPU, and the first GPU when there is one."""
    return ["cpu:0", "gpu:0"] if has_gpu else ["cpu:0"]


def whole_batches(images: np.ndarray, labels: np.ndarray, batch_size: int = BATCH_SIZE):
    """Drop the last, partial batch: every timed step then has the warm-up's shape, so
    nothing is traced or compiled again inside the timed epoch."""
    count = len(images) // batch_size * batch_size
    if count == 0:
        raise ValueError(f"need at least one batch of {batch_size} images, got {len(images)}")
    return images[:count], labels[:count]


def time_one_epoch(device: str, images: np.ndarray, labels: np.ndarray,
                   batch_size: int = BATCH_SIZE, seed: int = 42) -> EpochTiming:
    """Build the lecture's convnet on ``device``, warm it up on one batch, time one epoch.

    The warm-up (``fit`` on one batch: ``train_on_batch`` would compile a step that ``fit``
    does not reuse on JAX) pays for tracing and compiling the training step, which a
    GPU pays once per session; the timed ``fit`` is the steady cost. A GPU
    works asynchronously, so the clock stops only after one number computed from the
    last update has been copied back (lesson 00, section 5).
    """
    images, labels = whole_batches(images, labels, batch_size)
    keras.utils.set_random_seed(seed)  # the same initial weights on every device
    with keras.device(device):
        model = mnist_cnn.compile_plain_convnet(mnist_cnn.build_plain_convnet())
        started = time.perf_counter()
        model.fit(images[:batch_size], labels[:batch_size], batch_size=batch_size, epochs=1,
                  verbose=0)
        warmup_seconds = time.perf_counter() - started
        started = time.perf_counter()
        model.fit(images, labels, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        _finished(model)
        seconds = time.perf_counter() - started
    return EpochTiming(device, len(images), seconds, warmup_seconds)


def _finished(model: keras.Model) -> float:
    """Wait for the device: fetch one number that exists only after the last update."""
    return float(keras.ops.convert_to_numpy(keras.ops.sum(model.trainable_weights[-1])))


def time_one_epoch_per_device(devices: Sequence[str], images: np.ndarray, labels: np.ndarray,
                              batch_size: int = BATCH_SIZE) -> list[EpochTiming]:
    """``time_one_epoch`` on each device in turn, with the same data and initial weights.

    Says which device it starts on, so that a full-mode epoch on a CPU (a minute or more)
    does not look like a hung cell.
    """
    if not devices:
        raise ValueError("name at least one device, e.g. ['cpu:0']")
    timings = []
    for device in devices:
        print(f"training one epoch on {device} ...", flush=True)
        timings.append(time_one_epoch(device, images, labels, batch_size))
    return timings


def describe_timings(timings: Sequence[EpochTiming]) -> str:
    """One line per device, then how many times faster the last device was than the first
    (with a GPU: the GPU against the CPU), or, with one device, the lecture's figures."""
    lines = [f"{timing.device:>6}: one epoch of {timing.images:,} images in {timing.seconds:.2f} s "
             f"({timing.images / timing.seconds:,.0f} images/s; warm-up {timing.warmup_seconds:.1f} s, "
             f"not counted)" for timing in timings]
    if len(timings) >= 2:
        first, last = timings[0], timings[-1]
        lines.append(f"{last.device} is {first.seconds / last.seconds:.1f} times as fast as "
                     f"{first.device} on this network.")
    else:
        lines.append(f"Only {timings[0].device} was timed here. The lecture's figures (quoted, not "
                     f"measured here): {LECTURE_CPU_SECONDS // 60} min on a CPU, "
                     f"{LECTURE_GPU_SECONDS} s on a GPU, "
                     f"{LECTURE_CPU_SECONDS / LECTURE_GPU_SECONDS:.0f} times as fast.")
    return "\n".join(lines)


@contextlib.contextmanager
def precision_policy(use_mixed_precision: bool):
    """Build the models of a ``with`` block in mixed precision (``mixed_float16``) or float32.

    Mixed precision computes in 16 bits on a GPU's tensor cores and keeps the weights in
    float32. The decision is an argument and the previous policy comes back afterwards,
    even after an error, so a lesson's GPU-only comparison (lesson 04) is the same code
    that the tests run on a CPU, where Keras runs mixed precision too, only not faster.
    """
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16" if use_mixed_precision else "float32")
    try:
        yield keras.config.dtype_policy().name
    finally:
        keras.config.set_dtype_policy(previous)
