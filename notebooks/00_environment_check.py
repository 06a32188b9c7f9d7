# ---
# jupyter:
#   accelerator: GPU
#   colab:
#     gpuType: T4
#     provenance: []
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 00: Environment and GPU check
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/open-cnn-course/cnn-course/blob/main/notebooks/00_environment_check.ipynb)
#
# Before we train anything, we find out what we are running on. The first lecture asks
# a handful of questions one shell command at a time — *which Python? which TensorFlow?
# is the GPU working, and which one is it? how much RAM? which CPU?* — on a Colab VM that
# then had Python 3.6, TensorFlow 1.6, two Xeon cores at 2.30 GHz, 13 GB of RAM and an
# optional Tesla K80. This lesson answers the same questions for today's machine, in one
# report, and ends with a tiny training run that proves the whole stack works.
#
# **About the outputs you see.** The committed outputs of every lesson come from *fast
# mode* (`CNN_COURSE_FAST=1`, smaller data and fewer epochs) on a CPU without a GPU, so
# that they can be checked automatically. In Colab on a GPU runtime you will see the GPU
# named in the report, a much faster matrix product in section 5, the CPU and the GPU
# timed against each other in section 6, and (without fast mode)
# larger data, more epochs and slightly higher accuracies in the later lessons.

# %% [markdown]
# ## What you will learn
# - How to read the Python, TensorFlow and Keras versions, and which backend Keras runs on.
# - How to tell whether a GPU is visible to Keras, and its name and memory.
# - How much RAM and how many CPU cores you have, and what `nvidia-smi` reports.
# - Which GPUs Colab offers, its runtime limits, how to switch a notebook to a GPU runtime,
#   and what *fast mode* is.
# - How to time work on a GPU fairly: wait for the device, not for a copy back to the host.
# - How much faster a GPU trains lesson 04's convnet than a CPU, measured on your runtime.
# - That one call, `course_utils.env.collect_report()`, does all of this for later lessons.

# %% [markdown]
# ## Setup

# %%
# In Colab, install the course helpers (course_utils, data_download) from GitHub.
# --no-deps: Colab's own TensorFlow, Keras, NumPy and Jupyter are never reinstalled.
import sys

if "google.colab" in sys.modules:
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "git+https://github.com/open-cnn-course/cnn-course.git@main"], check=True)

# %%
import os
import platform
import time

import numpy as np

from course_utils import device_timing, env, mnist_cnn
from course_utils.mode import by_mode, describe_mode
from course_utils.seed import set_seed

# Take GPU memory as it is needed instead of all of it at once (TensorFlow) or 75 % of it
# (JAX), so that two notebooks can share a Colab GPU. Every lesson that trains starts with
# this one line; it must run before the first model touches the GPU, does nothing
# without a GPU, and works on every Keras backend.
env.enable_gpu_memory_growth()

import keras  # noqa: E402

print(describe_mode())
rng = set_seed(42)

# %% [markdown]
# ## 1. Python, Keras and its backend
#
# Keras 3 runs on several *backends*: TensorFlow (Colab's default), JAX or PyTorch. You
# choose one with the environment variable `KERAS_BACKEND` **before** importing Keras.
# The course is written so that every lesson runs on TensorFlow and on JAX.
# (The lecture's `!pip show tensorflow` still works in a notebook; reading the
# versions from Python works everywhere, including a plain terminal.)

# %%
print("Python        ", platform.python_version())
print("Keras         ", keras.__version__)
print("Keras backend ", keras.backend.backend())
if keras.backend.backend() == "tensorflow":
    import tensorflow as tf

    print("TensorFlow    ", tf.__version__)
elif keras.backend.backend() == "jax":
    import jax

    print("JAX           ", jax.__version__)

# %% [markdown]
# ## 2. Is the GPU working, and which one is it?
#
# **Getting a GPU in Colab.** A new Colab notebook runs on a CPU. Choose *Runtime >
# Change runtime type*, pick a GPU under *Hardware accelerator* and save; the course's
# badges ask for a T4 GPU already, so a lesson opened from its badge normally starts on
# one. The lecture's list (Tesla K80, P4, T4, P100; Colab Pro from 2020) has moved on,
# and it keeps moving, so read the menu rather than a list: at the time of writing the
# free tier offers an NVIDIA **T4** (16 GB, of which about 15 GB are usable) when one is
# free, and the paid plans, which spend *compute units*, add faster GPUs (such as the L4,
# A100 and H100) and TPUs. None of it is guaranteed: a free runtime lives at most about
# 12 hours, is recycled sooner when the notebook sits idle, and GPU access can be
# refused for a while after heavy use. Files written to the runtime vanish with it, so
# keep results in Google Drive or download them. Every lesson runs on a CPU too (use
# fast mode there), only slower.
#
# The lecture used `tf.test.gpu_device_name()` and `device_lib.list_local_devices()`.
# Today's equivalent is `tf.config.list_physical_devices("GPU")` on TensorFlow, or
# `jax.devices()` on JAX; `nvidia-smi` (a command, not Python) names the card and its
# memory. An empty list means Keras will run on the CPU.

# %%
if keras.backend.backend() == "tensorflow":
    print("GPUs TensorFlow sees:", tf.config.list_physical_devices("GPU"))
elif keras.backend.backend() == "jax":
    print("Devices JAX sees:", jax.devices())

# nvidia-smi's own printout, or a sentence saying there is no NVIDIA driver here.
print(env.nvidia_smi_printout())

# %% [markdown]
# ## 3. CPU and RAM
#
# The lecture read `/proc/cpuinfo` and `/proc/meminfo`. These files exist on Linux
# (and so in Colab); `os.cpu_count()` and `psutil` work everywhere.

# %%
print("CPU cores:", os.cpu_count())
if os.path.exists("/proc/meminfo"):
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith(("MemTotal", "MemAvailable")):
                print(line.strip())

# %% [markdown]
# ## 4. All of it in one report
#
# The checks above are collected in `course_utils.env`. `collect_report()` returns a
# structured report (a dataclass you can inspect), `format_report()` prints it, and the
# report compares each package with the version range the course is tested with and
# gives specific advice: in Colab without a GPU, *Runtime > Change runtime type*; on a
# TPU runtime, which ships without TensorFlow, how to get back to a GPU; a version
# outside the tested range. The same report is a command:
# `python -m course_utils.env` (add `--json` for a machine-readable copy).

# %%
report = env.collect_report()
print(env.format_report(report))

# %%
# NBVAL_CHECK_OUTPUT
# The report's structure is the same on every machine; only the values differ.
print(sorted(vars(report)))

# %% [markdown]
# ## 5. Why a GPU? A first timing
#
# The second lecture trains a small Keras CNN on MNIST: 14 minutes on a CPU, 42 seconds
# on a GPU. Most of that work is matrix multiplication. Here we time one large matrix
# product through `keras.ops`, on whatever device Keras uses by default.
#
# Timing a GPU takes care. A GPU works *asynchronously*: `matmul` returns as soon as the
# work is queued, so a timer that stops right after it measures almost nothing. And
# converting the whole product to NumPy would time the copy of its 2048 x 2048 floats
# (16 MB) back to the host, which can take longer than the product itself. So after each
# product we reduce it to one number and fetch only that: the scalar cannot exist before
# the product is finished, and copying it costs nothing. (On the CPU this changes
# nothing.) On a Colab T4 the full-mode product takes a few milliseconds; on a two-core
# CPU, tens to hundreds.

# %%
size = by_mode(fast=512, full=2048)
left = keras.ops.convert_to_tensor(rng.standard_normal((size, size)).astype("float32"))
right = keras.ops.convert_to_tensor(rng.standard_normal((size, size)).astype("float32"))


def finished(tensor):
    """Wait until the device has computed `tensor`, copying back a single number."""
    return float(keras.ops.convert_to_numpy(keras.ops.sum(tensor)))


finished(keras.ops.matmul(left, right))  # warm-up: compile, allocate

repeats = 5
started = time.perf_counter()
for _ in range(repeats):
    finished(keras.ops.matmul(left, right))
seconds = (time.perf_counter() - started) / repeats
print(f"{size}x{size} matrix product: {seconds * 1000:.1f} ms, "
      f"{2 * size**3 / seconds / 1e9:.1f} GFLOP/s")

# %% [markdown]
# ## 6. The lecture's 14 minutes against 42 seconds, measured
#
# The lecture's figures are these: a Keras convnet "reaches 99.0% accuracy (MNIST
# subset)", with "CPU computation time: 14min" and "GPU computation time: 42s", about 20
# times faster. The slides do not say which CPU or GPU, nor how many epochs, so here the
# course measures the ratio itself on your runtime instead of quoting it.
# `device_timing.time_one_epoch_per_device` builds the same network on each device (the
# Keras MNIST example that lesson 04 trains, `mnist_cnn.build_plain_convnet`), trains it
# for one epoch on MNIST, and reports the time of that epoch. `keras.device("gpu:0")`
# places the work: it is `tf.device` on TensorFlow and `jax.default_device` on JAX. Two
# things keep the comparison fair: a warm-up batch first, so that compiling the training
# step (slow on a GPU) is not counted, and the clock stops only when the device has
# finished, as in section 5.
#
# **With a GPU** (Colab's T4 runtime, full mode) the cell times the CPU and then the GPU
# on all 60,000 training images (59,904: whole batches of 128) and prints how many times
# faster the GPU was. **Without one** it times the CPU alone, on 1,024 images in fast
# mode (the committed output, computed by CI on a 2-core CPU) or 6,400 in full mode, and
# shows the lecture's figures, quoted.
#
# **How long:** the cell names each device as it starts. With a GPU in full mode, the CPU's
# epoch of 59,904 images takes minutes on a 2-core CPU such as Colab's, the GPU's a few
# seconds; fast mode takes seconds.

# %%
has_gpu = bool(report.backend_gpus)
devices = device_timing.devices_to_compare(has_gpu=has_gpu)
print("devices timed:", devices)

from data_download import load  # noqa: E402

(train_images, train_labels), _ = load("mnist")
# Without a GPU there is no ratio to measure, so full mode times 6,400 images, not all
# 60,000, which would take minutes on a 2-core CPU.
timed_count = by_mode(fast=1_024, full=60_000 if has_gpu else 6_400)
timings = device_timing.time_one_epoch_per_device(
    devices, mnist_cnn.prepare_images(train_images[:timed_count]), train_labels[:timed_count])
print(device_timing.describe_timings(timings))

# %% [markdown]
# ## 7. Smoke test: train a tiny model
#
# Last, we prove the whole stack works: a logistic-regression "network" (one Dense
# layer) learns to separate two Gaussian blobs. If this cell passes, Keras, its backend
# and NumPy agree with each other. In full mode it trains on 4,000 points for 20 epochs
# and reaches about 98 % accuracy; fast mode uses fewer points and epochs.

# %%
samples = by_mode(fast=1000, full=4000)
epochs = by_mode(fast=5, full=20)
centres = np.array([[-1.5, -1.5], [1.5, 1.5]])
labels = rng.integers(0, 2, size=samples)
points = (centres[labels] + rng.standard_normal((samples, 2))).astype("float32")

model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(points, labels, epochs=epochs, batch_size=32, verbose=0)
accuracy = history.history["accuracy"][-1]
print(f"training accuracy after {epochs} epochs: {accuracy:.3f}")
# Two blobs 3*sqrt(2) apart: the best possible accuracy is about 98 %.
assert accuracy >= by_mode(fast=0.93, full=0.96), "the smoke-test model did not learn: check the report above"

# %%
# NBVAL_CHECK_OUTPUT
print("parameters:", model.count_params())  # two weights and a bias

# %% [markdown]
# ## Key points
# - `keras.backend.backend()` tells you whether Keras runs on TensorFlow, JAX or PyTorch;
#   choose with `KERAS_BACKEND` before importing Keras.
# - An empty GPU list means the CPU does all the work. In Colab: *Runtime > Change runtime
#   type > T4 GPU*, then run the notebook again. Free Colab runtimes are limited (about
#   12 hours at most, less when idle) and GPUs are not guaranteed.
# - `env.enable_gpu_memory_growth()`, one line before the first model, lets notebooks
#   share a GPU; every lesson that trains calls it.
# - Time GPU work by waiting for a result (a scalar reduction), never by copying a large
#   result back to the host.
# - Compare devices on the same network, data and initial weights, after a warm-up:
#   `keras.device("cpu:0")` or `keras.device("gpu:0")` around building and training.
#   Section 6 prints the ratio on a GPU runtime; the lecture's 14 min against 42 s
#   (about 20 times) is a quoted figure, not one this lesson measured.
# - `python -m course_utils.env` prints the whole report with advice; paste it into any
#   question you ask about a failing lesson.
# - `CNN_COURSE_FAST=1` runs every lesson on smaller data with fewer epochs, through the
#   same code.

# %% [markdown]
# ## Exercises
#
# Each exercise has a solution cell (collapsed in Colab: click "Show code" to see it) and
# a check cell. In your own copy, write your answer in place of the solution and run the
# check: it prints "Correct", or which case went wrong and what was expected.
# `exercise_1.hint()` gives a nudge and `exercise_1.solution()` a worked solution.

# %%
from course_utils.exercises import NotDoneYet
from course_utils.exercises.lesson00 import exercise_1, exercise_2

# %% [markdown]
# ### Exercise 1: a robust timer
#
# Section 5 averaged its repeats, so one slow run (another program on the machine, a
# garbage collection, a GPU raising its clock) pulls the result up. The median does not
# care about one outlier. Write `median_seconds(operation, repeats=5, clock=time.perf_counter)`
# that calls `operation()` once to warm up (not timed), then `repeats` more times, reading
# `clock()` just before and just after each call, and returns the median of those
# durations in seconds. The clock is an argument so that the check can hand your function
# a fake one whose durations it knows. Then time the matrix product of section 5 with it.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
def median_seconds(operation, repeats=5, clock=time.perf_counter):
    ### BEGIN SOLUTION
    operation()  # warm-up: compilation and memory allocation happen on the first call
    durations = []
    for _ in range(repeats):
        started = clock()
        operation()
        durations.append(clock() - started)
    return float(np.median(durations))
    ### END SOLUTION


### BEGIN SOLUTION
product_seconds = median_seconds(lambda: finished(keras.ops.matmul(left, right)))
print(f"median {product_seconds * 1000:.1f} ms against a mean of {seconds * 1000:.1f} ms in section 5")
### END SOLUTION

# %%
exercise_1.check(median_seconds)
# exercise_1.hint()
# exercise_1.solution()

# %% [markdown]
# ### Exercise 2: will it fit?
#
# Before you train, it helps to know what fits in the GPU's memory (a T4 has 15 GB; the
# report above shows what your machine has). A product of two $n \times n$ matrices
# needs three of them at once: both inputs and the result. Write
# `largest_square_matrix(free_bytes, dtype="float32", matrices=3)` that returns the
# largest whole $n$ such that `matrices` matrices of $n \times n$ numbers of that dtype fit
# in `free_bytes` bytes. (`np.dtype("float16").itemsize` is the size of one number.)
# Then: how large a float32 product fits in 15 GiB ($15 \cdot 2^{30}$ bytes), and a
# float16 one?

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
def largest_square_matrix(free_bytes, dtype="float32", matrices=3):
    ### BEGIN SOLUTION
    import math

    bytes_per_entry = np.dtype(dtype).itemsize * matrices  # one entry of every matrix
    return math.isqrt(free_bytes // bytes_per_entry)       # exact integer square root
    ### END SOLUTION


### BEGIN SOLUTION
for dtype in ["float32", "float16"]:
    n = largest_square_matrix(15 * 2**30, dtype)
    print(f"{dtype}: three {n:,} x {n:,} matrices fit in 15 GiB")
### END SOLUTION

# %%
exercise_2.check(largest_square_matrix)
# exercise_2.hint()
# exercise_2.solution()
