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
# # Lesson 04: A Keras CNN on MNIST
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/open-cnn-course/cnn-course/blob/main/notebooks/04_keras_cnn_mnist.ipynb)
#
# The lecture's headline example is a Keras CNN that "reaches 99.0 % accuracy (MNIST
# subset)", in 14 minutes on a CPU and 42 seconds on a GPU. In this lesson we build that
# network layer by layer, count its parameters by hand, train it, and then make training
# several times faster with a handful of ingredients, measuring what each one buys. We
# finish by looking inside the trained network: its filters, its feature maps and its
# mistakes.
#
# *The outputs stored in this notebook come from fast mode on a 2-core CPU (a subset of
# MNIST, few epochs). In Colab on a GPU, in full mode, every network trains on all 60,000
# images and the times are seconds rather than minutes.*

# %% [markdown]
# ## What you will learn
# - MNIST as arrays: a look at the digits, the class balance, and the preprocessing a CNN needs.
# - Parameters (what training learns) against hyperparameters (what the designer fixes),
#   with every layer's parameter count worked out by hand and checked against Keras.
# - The plain Keras MNIST convnet, layer by layer, trained and timed.
# - A fast recipe: a network that is cheap per image, batch normalisation, a larger
#   batch with a warm-up and decay schedule, a loss on logits; what each ingredient buys.
# - A Keras callback that times training to a target test accuracy.
# - Data augmentation as one Keras layer (random shifts, rotations and zooms in a single
#   affine map), checked against SciPy, and when it matters.
# - What the network learned: filters, feature maps, a confusion matrix and its mistakes.

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
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import layers
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

from course_utils import mnist_cnn
from course_utils.env import collect_report, enable_gpu_memory_growth
from course_utils.figures import use_course_style
from course_utils.mode import by_mode, describe_mode
from course_utils.seed import set_seed
from data_download import load

enable_gpu_memory_growth()  # before the first model: take GPU memory as needed, not all of it
use_course_style()          # figures at 72 dpi: light notebooks, legible text
print(describe_mode())
report = collect_report()
on_gpu = bool(report.backend_gpus)
print(f"Keras {keras.__version__} on {keras.backend.backend()}; "
      f"{'GPU: ' + report.backend_gpus[0] if on_gpu else 'no GPU, training on the CPU'}")
rng = set_seed(42)

# %% [markdown]
# ## 1. The data
#
# MNIST, "the *Hello World* of machine learning": 60,000 training and 10,000 test images
# of handwritten digits, 28x28 pixels, grey levels 0-255. (The lecture's datasets slide
# goes on to CIFAR-10/100, 60,000 32x32 colour images in 10 or 100 classes, and ImageNet,
# 1.2 million images in 1,000 classes; `python -m data_download list` names them all.)

# %%
(x_train_all, y_train_all), (x_test_all, y_test_all) = load("mnist", progress=False)
print("training:", x_train_all.shape, x_train_all.dtype, " test:", x_test_all.shape)
print("pixel values from", x_train_all.min(), "to", x_train_all.max())

# %%
fig, axes = plt.subplots(3, 10, figsize=(10, 3.2))
for digit in range(10):
    examples = np.flatnonzero(y_train_all == digit)[:3]
    for row, index in enumerate(examples):
        axes[row, digit].imshow(x_train_all[index], cmap="gray_r")
        axes[row, digit].axis("off")
    axes[0, digit].set_title(str(digit))
fig.suptitle("three training examples of each digit")
plt.show()

counts = np.bincount(y_train_all, minlength=10)
plt.figure(figsize=(6, 2.5))
plt.bar(range(10), counts)
plt.xticks(range(10))
plt.xlabel("digit")
plt.ylabel("training images")
plt.title("class balance")
plt.show()
print(f"fewest: digit {counts.argmin()} ({counts.min():,} images); most: digit {counts.argmax()} "
      f"({counts.max():,}). Balanced enough that accuracy is a fair score.")

# %% [markdown]
# **Preprocessing.** A `Conv2D` layer wants a channel axis, (height, width, channels), and
# trains best on small numbers: divide by 255 for values in [0, 1] and add one grey
# channel. The labels stay integers 0-9; the loss `SparseCategoricalCrossentropy` takes
# them as they are (no one-hot vectors needed).
#
# Fast mode trains on a subset; full mode on everything. The test images are never
# trained on: every accuracy in this lesson is measured on them.

# %%
def prepare_images(images):
    return (images.astype("float32") / 255.0)[..., np.newaxis]


n_train = by_mode(fast=10_000, full=60_000)
n_test = by_mode(fast=2_000, full=10_000)
x_train, y_train = prepare_images(x_train_all[:n_train]), y_train_all[:n_train]
x_test, y_test = prepare_images(x_test_all[:n_test]), y_test_all[:n_test]
assert np.array_equal(x_test, mnist_cnn.prepare_images(x_test_all[:n_test]))  # same as course_utils
print(f"training on {len(x_train):,} images, testing on {len(x_test):,}; "
      f"input shape {x_train.shape[1:]}, values in [{x_train.min()}, {x_train.max()}]")

# %% [markdown]
# ## 2. The plain Keras convnet, layer by layer
#
# The network of the lecture's example is the Keras example "Simple MNIST convnet":
#
# | layer | output shape | what it does |
# | --- | --- | --- |
# | input | 28x28x1 | one grey channel |
# | `Conv2D(32, 3, activation="relu")` | 26x26x32 | 32 filters of 3x3, no padding: 28 - 3 + 1 = 26 |
# | `MaxPooling2D(2)` | 13x13x32 | keeps the largest of each 2x2 block |
# | `Conv2D(64, 3, activation="relu")` | 11x11x64 | 64 filters, each 3x3x32 |
# | `MaxPooling2D(2)` | 5x5x64 | 11 // 2 = 5: the last row and column are dropped |
# | `Flatten()` | 1600 | the feature maps as one vector |
# | `Dropout(0.5)` | 1600 | in training, zeroes half of them at random |
# | `Dense(10, activation="softmax")` | 10 | class probabilities |
#
# It trains with Adam at its default learning rate and batches of 128.

# %%
def build_plain_convnet():
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=3, activation="relu"),
        layers.MaxPooling2D(pool_size=2),
        layers.Conv2D(64, kernel_size=3, activation="relu"),
        layers.MaxPooling2D(pool_size=2),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name="plain_convnet")


plain = build_plain_convnet()
plain.summary()

# %% [markdown]
# ## 3. Parameters and hyperparameters
#
# The second lecture draws the line: **parameters** are what training learns (the
# weights and biases), **hyperparameters** are what the designer fixes before training
# starts. For this network:
#
# | hyperparameter | value |
# | --- | --- |
# | number and type of layers | 2 x (conv, ReLU, max-pool), flatten, dropout, dense softmax |
# | filter size, per conv layer | 3x3, 3x3 |
# | number of filters, per conv layer | 32, 64 |
# | stride and padding, per conv layer | 1 and none ("valid"), both |
# | pooling | 2x2 max, stride 2 |
# | dropout rate | 0.5 |
# | batch normalisation | none |
# | training: optimizer, learning rate, batch size, epochs | Adam, 0.001, 128, until 99 % |
#
# The parameter counts follow from the hyperparameters. A conv layer has one weight per
# kernel entry and input channel, for each filter, plus one bias per filter:
# $(F \cdot F \cdot C_{in} + 1) \cdot K$. A dense layer has one weight per input and
# output plus one bias per output. Pooling, flatten and dropout learn nothing.

# %%
# NBVAL_CHECK_OUTPUT
by_hand = {
    "conv 1": (3 * 3 * 1 + 1) * 32,
    "conv 2": (3 * 3 * 32 + 1) * 64,
    "dense": 5 * 5 * 64 * 10 + 10,
}
from_keras = {"conv 1": plain.layers[0].count_params(), "conv 2": plain.layers[2].count_params(),
              "dense": plain.layers[-1].count_params()}
for name in by_hand:
    print(f"{name:>7}: by hand {by_hand[name]:6,}   Keras {from_keras[name]:6,}")
    assert by_hand[name] == from_keras[name]
print(f"  total: by hand {sum(by_hand.values()):6,}   Keras {plain.count_params():6,}")
assert sum(by_hand.values()) == plain.count_params()

# %% [markdown]
# Three quarters of the parameters sit in the last dense layer, which looks at all 1,600
# features. The convolutions, thanks to weight sharing, are small.
#
# Now train it, timing it, with the test accuracy measured after every epoch.

# %%
class EpochTimer(keras.callbacks.Callback):  # later lessons import it from course_utils.epoch_timer
    """Wall time of every epoch, to measure the cost of training apart from compilation."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.started)


def train_and_time(model, *, batch_size, learning_rate, on_logits, epochs):
    """Compile and train; return (seconds per epoch after the first, test accuracy)."""
    steps = mnist_cnn.steps_for(len(x_train), batch_size, epochs)
    if learning_rate == "warm-up + cosine":
        learning_rate = mnist_cnn.warmup_cosine_schedule(steps)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=on_logits),
                  metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, callbacks=[timer], verbose=0)
    # The first epoch also compiles the training step; the later ones show the cost of training.
    return float(np.median(timer.seconds[1:])), model.evaluate(x_test, y_test, verbose=0)[1]


comparison_epochs = by_mode(fast=2, full=3)
set_seed(42)
plain = build_plain_convnet()
plain_result = train_and_time(plain, batch_size=128, learning_rate=1e-3, on_logits=False,
                              epochs=comparison_epochs)
print(f"plain convnet: {plain_result[0]:.1f} s per epoch (after the first), test accuracy "
      f"{plain_result[1]:.4f} after {comparison_epochs} epochs")
assert plain_result[1] >= by_mode(fast=0.90, full=0.985), "the plain convnet did not learn"

# %% [markdown]
# The Keras example trains 15 epochs; on the full data it first passes 99.0 % on the
# full test set after about 6 of them (6.24 in `benchmarks/benchmark_mnist.py`, which
# times that in the same process as our recipe).

# %% [markdown]
# ## 4. A faster recipe, ingredient by ingredient
#
# Where does the time go? Every training image passes forward and backward through
# every layer. The convolutions cost multiply-adds: output height x width x filters x
# (kernel size x input channels). Everything else (activation, pooling, normalisation)
# costs a pass over every value of every feature map, which on a CPU is as slow as the
# arithmetic: memory, not multiplication, is the limit. The plain network's first
# feature maps are 26x26x32, and it trains for many epochs.
#
# Our network instead uses **three** small blocks, each a 3x3 convolution ("same"
# padding), 2x2 max-pooling, **batch normalisation** and ReLU, with 16, 32 and 64
# filters, then one dense layer that outputs 10 **logits** (scores; the loss applies the
# softmax). Pooling comes straight after the convolution, so batch normalisation and
# ReLU work on a quarter of the values. (Max-pooling and ReLU commute, since both keep
# the order of numbers; moving batch normalisation after the pooling changes the
# network slightly, and it trains as well.)

# %%
def conv_multiply_adds(height, width, filters, kernel, in_channels):
    return height * width * filters * kernel * kernel * in_channels


def build_fast_cnn(widths=(16, 32, 64), convs_per_block=1):
    inputs = keras.Input(shape=(28, 28, 1))
    x = inputs
    for block, width in enumerate(widths, start=1):
        for _ in range(convs_per_block - 1):  # extra convolutions at full resolution (section 7)
            x = layers.Conv2D(width, kernel_size=3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=0.9)(x)
            x = layers.ReLU()(x)
        x = layers.Conv2D(width, kernel_size=3, padding="same", use_bias=False)(x)  # BN adds the bias
        x = layers.MaxPooling2D(pool_size=2)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        x = layers.ReLU(name=f"block{block}_output")(x)
    x = layers.Flatten()(x)
    return keras.Model(inputs, layers.Dense(10)(x), name="fast_cnn")


plain_cost = conv_multiply_adds(26, 26, 32, 3, 1) + conv_multiply_adds(11, 11, 64, 3, 32)
fast_cost = (conv_multiply_adds(28, 28, 16, 3, 1) + conv_multiply_adds(14, 14, 32, 3, 16)
             + conv_multiply_adds(7, 7, 64, 3, 32))
plain_values = 26 * 26 * 32 + 11 * 11 * 64       # values that ReLU and pooling pass over
fast_values = 14 * 14 * 16 + 7 * 7 * 32 + 3 * 3 * 64  # after pooling: what BN and ReLU see
fast = build_fast_cnn()
print(f"multiply-adds per image in the convolutions: plain {plain_cost:,}, ours {fast_cost:,}")
print(f"feature-map values activated per image: plain {plain_values:,}, ours {fast_values:,}")
print(f"parameters: plain {plain.count_params():,}, ours {fast.count_params():,}")
# The same networks as course_utils.mnist_cnn, which the benchmark and lessons 05 and 06 import.
for ours, theirs in ((fast, mnist_cnn.build_fast_cnn()), (plain, mnist_cnn.build_plain_convnet()),
                     (build_fast_cnn(convs_per_block=2), mnist_cnn.build_fast_cnn(convs_per_block=2))):
    assert [type(layer).__name__ for layer in ours.layers] == [type(layer).__name__ for layer in theirs.layers]
    assert ours.count_params() == theirs.count_params()

# %% [markdown]
# Its parameters, by hand. A conv without bias has $F \cdot F \cdot C_{in} \cdot K$
# weights. Batch normalisation has four numbers per channel: $\gamma$ and $\beta$ are
# learned; the moving mean and variance are *non-trainable* parameters, updated by
# averaging rather than by gradients.

# %%
# NBVAL_CHECK_OUTPUT
expected = {"conv2d": 3 * 3 * 1 * 16, "batch_normalization": 4 * 16,
            "conv2d_1": 3 * 3 * 16 * 32, "batch_normalization_1": 4 * 32,
            "conv2d_2": 3 * 3 * 32 * 64, "batch_normalization_2": 4 * 64,
            "dense": 3 * 3 * 64 * 10 + 10}
counted = [layer for layer in fast.layers if layer.count_params()]
for layer, (name, count) in zip(counted, expected.items()):
    print(f"{type(layer).__name__:>18}: by hand {count:5,}   Keras {layer.count_params():5,}")
    assert layer.count_params() == count
trainable = sum(int(np.prod(w.shape)) for w in fast.trainable_weights)
print(f"total {fast.count_params():,}, of which {trainable:,} trainable and "
      f"{fast.count_params() - trainable} non-trainable (the moving averages)")

# %% [markdown]
# The other ingredients are about the optimisation:
#
# - **Batch normalisation** keeps each layer's inputs centred and scaled, so a much
#   higher learning rate stays stable. We set its `momentum` to 0.9 (Keras's default is
#   0.99) so that its moving averages, which it uses at test time, settle within a few
#   hundred steps instead of a few thousand.
# - **A larger batch** (256 instead of 128) halves the number of steps per epoch; each
#   step costs less than twice as much, because the work is done in bigger matrix products.
# - **Warm-up, then decay**: the learning rate rises for the first 20 % of the steps to
#   a peak 6 times Adam's default, then follows a cosine down to almost zero. The warm-up
#   avoids wild first steps with untrained statistics; the decay lets the weights settle
#   into a minimum at the end.
# - **A loss on logits**: the last layer outputs scores and the loss applies the
#   softmax itself (`from_logits=True`), one stable formula instead of a softmax followed
#   by a logarithm. Why that matters, in two numbers: when the right class's score is 100
#   below the top one, the true loss is 100; computed from probabilities, the probability
#   underflows and the loss is clipped.

# %%
# NBVAL_CHECK_OUTPUT
logits = np.zeros((1, 10), dtype="float32")
logits[0, 0] = 100.0                       # very sure of class 0; the true class is 1
probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
print("probability of the true class, in float32:", probabilities[0, 1])
true_class = np.array([1])
on_logits = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(true_class, logits)
on_probabilities = keras.losses.SparseCategoricalCrossentropy()(true_class, probabilities)
print(f"loss from logits: {float(on_logits):.3f}; from probabilities: {float(on_probabilities):.3f} "
      f"(log of Keras's floor of 1e-7)")

# %% [markdown]
# A clipped loss is flat, so that example gives no gradient at all: the network stops
# learning from the mistakes it is most sure of.
#
# Now the measurement. Starting from the plain network of section 3, we add the
# ingredients one at a time and train each version for the same number of epochs, with
# the same seed and data, recording the training time per epoch and the test accuracy.

# %%
def build_cheap_without_batch_norm(widths=(16, 32, 64)):
    inputs = keras.Input(shape=(28, 28, 1))
    x = inputs
    for width in widths:
        x = layers.Conv2D(width, kernel_size=3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(pool_size=2)(x)
    return keras.Model(inputs, layers.Dense(10)(layers.Flatten()(x)))


variants = [
    ("+ cheap network, logits", build_cheap_without_batch_norm,
     dict(batch_size=128, learning_rate=1e-3, on_logits=True)),
    ("+ batch normalisation", build_fast_cnn,
     dict(batch_size=128, learning_rate=1e-3, on_logits=True)),
    ("+ batch 256, warm-up + cosine to 6e-3", build_fast_cnn,
     dict(batch_size=256, learning_rate="warm-up + cosine", on_logits=True)),
]
name_of_plain = "plain convnet (batch 128, Adam 1e-3)"
ablation = {name_of_plain: plain_result}
for name, build, settings in variants:
    set_seed(42)
    ablation[name] = train_and_time(build(), epochs=comparison_epochs, **settings)
for name, (seconds, accuracy) in ablation.items():
    print(f"{name:<40} {seconds:5.1f} s per epoch   test accuracy after "
          f"{comparison_epochs} epochs {accuracy:.4f}")

# %%
(plain_seconds, plain_accuracy), (recipe_seconds, recipe_accuracy) = ablation[name_of_plain], ablation[name]
print(f"the recipe: an epoch takes {recipe_seconds / plain_seconds:.0%} of the plain convnet's time, "
      f"and the test accuracy is {recipe_accuracy:.4f} against {plain_accuracy:.4f} after the same "
      f"{comparison_epochs} epochs")
assert recipe_accuracy > plain_accuracy, "the recipe should learn more in the same epochs"
assert recipe_accuracy >= by_mode(fast=0.95, full=0.99), f"the full recipe reached only {recipe_accuracy:.4f}"

# %% [markdown]
# The last row is the whole recipe. Read the two columns separately.
#
# - **Accuracy after the same epochs** is where the recipe wins. Batch normalisation buys
#   the most; the larger batch with the warm-up and decay schedule buys a little more by
#   the end of the short run; the cheaper network on its own learns no more in so few
#   epochs. On the fast-mode subset the differences are of a percent or two; on the full
#   data (full mode) they are tenths of a percent, which near 99 % is a large share of the
#   remaining errors.
# - **Time per epoch** is the smaller and the noisier lever. The cheaper network does a
#   fifth fewer multiply-adds, but batch normalisation and the extra layers make passes
#   over memory of their own, so on a CPU an epoch of the recipe costs anywhere from about
#   half to about the same as the plain network's, from run to run (two full-mode runs on
#   a 2-core CPU: 9.7 s against 9.8 s, then 8.4 s against 16.0 s with another job
#   running). Times are measured after the first epoch, which also compiles the training
#   step.
#
# So the recipe is faster mostly because it needs *fewer* epochs: measure, don't guess.
# Section 5 times it to 99 %.

# %% [markdown]
# **On a GPU** three more ingredients matter, which a 2-core CPU cannot show:
# *compilation* (Keras compiles the training step with XLA by default on a GPU, fusing
# the small operations of batch normalisation and ReLU into the convolutions),
# *mixed precision* (`keras.mixed_precision.set_global_policy("mixed_float16")` runs the
# convolutions in 16-bit on the GPU's tensor cores), and *keeping the data on the GPU*
# (MNIST is 188 MB as float32 and fits, so nothing waits for a copy from the host). With a
# GPU, the next cell times one epoch in float32 and in mixed precision.

# %%
if on_gpu:
    for policy in ("float32", "mixed_float16"):
        keras.mixed_precision.set_global_policy(policy)
        set_seed(42)
        seconds, accuracy = train_and_time(build_fast_cnn(), epochs=1, batch_size=256,
                                          learning_rate="warm-up + cosine", on_logits=True)
        print(f"{policy:>13}: {seconds:.2f} s for one epoch (compilation included), "
              f"test accuracy {accuracy:.4f}")
    keras.mixed_precision.set_global_policy("float32")
else:
    print("No GPU here: skipped. In Colab, choose Runtime > Change runtime type > T4 GPU.")

# %% [markdown]
# ## 5. Timing to 99 %: a callback
#
# "How long until 99 %?" needs the test accuracy *during* training, not only at the end
# of an epoch, and the time spent evaluating must not count as training. A Keras
# **callback** is an object whose methods `fit` calls at fixed moments: at the start of
# training, after each batch, after each epoch. Ours evaluates every few batches, stops
# its clock while it does, and remembers the first time the target was reached. It can
# also stop training there, by setting `model.stop_training`.

# %%
class TimeToAccuracy(keras.callbacks.Callback):
    def __init__(self, x_test, y_test, target=0.99, evaluate_every=50, stop_at_target=False):
        super().__init__()
        self.x_test, self.y_test, self.target = x_test, y_test, target
        self.evaluate_every, self.stop_at_target = evaluate_every, stop_at_target

    def on_train_begin(self, logs=None):
        self.started, self.evaluating, self.batches = time.perf_counter(), 0.0, 0
        self.seconds_to_target, self.checkpoints = None, []  # (seconds, accuracy)

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        if self.batches % self.evaluate_every == 0:
            self.evaluate()

    def evaluate(self):
        seconds = time.perf_counter() - self.started - self.evaluating  # training time so far
        paused = time.perf_counter()
        predictions = self.model.predict(self.x_test, batch_size=1000, verbose=0).argmax(axis=-1)
        accuracy = float(np.mean(predictions == self.y_test))
        self.evaluating += time.perf_counter() - paused
        self.checkpoints.append((seconds, accuracy))
        if accuracy >= self.target and self.seconds_to_target is None:
            self.seconds_to_target = seconds
            if self.stop_at_target:
                self.model.stop_training = True

# %% [markdown]
# (`course_utils.time_to_accuracy.TimeToAccuracy` is this callback with its inputs
# checked and the epoch of each evaluation recorded; `benchmarks/benchmark_mnist.py` uses
# it to race the plain network against our recipe on the full data. Run it yourself:
# `python benchmarks/benchmark_mnist.py`.)
#
# Now our recipe with everything together, timed to the target: 99.0 % in full mode, on
# all 10,000 test images; in fast mode, with a sixth of the data and a fifth of the test
# set, a target of 96 %.

# %%
target = by_mode(fast=0.96, full=0.99)
recipe_epochs = by_mode(fast=2, full=2)
batch_size = 256
set_seed(42)
model = build_fast_cnn()
model.compile(optimizer=keras.optimizers.Adam(mnist_cnn.warmup_cosine_schedule(
                  mnist_cnn.steps_for(len(x_train), batch_size, recipe_epochs))),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
clock = TimeToAccuracy(x_test, y_test, target=target, evaluate_every=by_mode(fast=10, full=59))
history = model.fit(x_train, y_train, batch_size=batch_size, epochs=recipe_epochs,
                    callbacks=[clock], verbose=0)
final_accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
if clock.seconds_to_target is not None:
    print(f"reached {target:.0%} after {clock.seconds_to_target:.1f} s of training")
print(f"after {recipe_epochs} epochs: test accuracy {final_accuracy:.4f}")
assert clock.seconds_to_target is not None, f"never reached {target:.0%}"

plt.figure(figsize=(6, 3))
seconds, accuracies = zip(*clock.checkpoints)
plt.plot(seconds, accuracies, marker=".")
plt.axhline(target, color="gray", linestyle="--", label=f"target {target:.0%}")
plt.ylim(max(0.9, min(accuracies) - 0.01), 1.0)
plt.xlabel("training time (s)")
plt.ylabel("test accuracy")
plt.legend()
plt.title("our recipe, test accuracy during training")
plt.show()

# %% [markdown]
# ## 6. Data augmentation
#
# "In order to train deep neural networks one has to have lots of data", says the
# lecture, to avoid overfitting and to tell the network which features do not matter.
# **Data augmentation** makes more training examples from the ones we have. For digits:
# small shifts, small rotations and a little zoom (no flips: a mirrored 2 is not a 2).
# It runs inside the model as a layer, on every batch, and only in training; at test
# time the layer passes images through unchanged.
#
# Keras has a layer for each (`RandomTranslation`, `RandomRotation`, `RandomZoom`), and
# each resamples the image once. But a shift, a rotation and a zoom are all *affine* maps,
# $p \mapsto A p + b$, and so is their product: one resampling does all three. The output
# pixel at $p$ takes its value from the input at
#
# $$c + \tfrac{1}{s} R(\theta)\,(p - c) - t,$$
#
# where $c$ is the image centre, $R(\theta)$ a rotation, $s$ the zoom and $t$ the shift
# (between pixels, bilinear interpolation; outside the image, zero).
# `keras.ops.image.affine_transform` takes one such map per image, as eight numbers, and
# runs on every backend. Our layer draws $\theta$, $s$ and $t$ at random for each image.
# One resampling is also the cheaper choice on the JAX backend, where Keras's augmentation
# layers are known to be slow inside a compiled training step (keras-team/keras#23229).

# %%
def affine_transforms(angle, zoom, shift_x, shift_y, height, width):
    """One map per image in Keras's form [a0, a1, a2, b0, b1, b2, 0, 0]: the output pixel
    at column x, row y takes the input's value at (a0 x + a1 y + a2, b0 x + b1 y + b2)."""
    cos, sin = keras.ops.cos(angle) / zoom, keras.ops.sin(angle) / zoom
    centre_x, centre_y = (width - 1) / 2, (height - 1) / 2
    a2 = centre_x - cos * centre_x + sin * centre_y - shift_x
    b2 = centre_y - sin * centre_x - cos * centre_y - shift_y
    zeros = keras.ops.zeros_like(angle)
    return keras.ops.stack([cos, -sin, a2, sin, cos, b2, zeros, zeros], axis=1)


class RandomShiftRotateZoom(layers.Layer):
    """Shift (a fraction of the size), rotate (degrees) and zoom each training image at random."""

    def __init__(self, shift=0.1, degrees=14.0, zoom=0.1, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.shift, self.degrees, self.zoom = shift, degrees, zoom
        self.seed_generator = keras.random.SeedGenerator(seed)  # its state lives in the model

    def call(self, images, training=False):
        if not training:
            return images
        height, width = images.shape[1], images.shape[2]

        def uniform(limit):  # one draw per image, between -limit and limit
            return keras.random.uniform((keras.ops.shape(images)[0],), -limit, limit,
                                        seed=self.seed_generator)

        transforms = affine_transforms(angle=uniform(np.pi * self.degrees / 180), zoom=1 + uniform(self.zoom),
                                       shift_x=uniform(self.shift * width), shift_y=uniform(self.shift * height),
                                       height=height, width=width)
        return keras.ops.image.affine_transform(images, transforms, interpolation="bilinear",
                                                fill_mode="constant")

    def get_config(self):
        return {**super().get_config(), "shift": self.shift, "degrees": self.degrees, "zoom": self.zoom}

# %% [markdown]
# Check the maps against a reference before trusting them: SciPy's `affine_transform`
# indexes (row, column) and takes the matrix and offset of the same map.

# %%
# NBVAL_CHECK_OUTPUT
from scipy import ndimage

angle, zoom, shift_x, shift_y = 0.3, 1.1, 2.0, -1.5
transform = keras.ops.convert_to_numpy(affine_transforms(
    np.float32([angle]), np.float32([zoom]), np.float32([shift_x]), np.float32([shift_y]), 28, 28))[0]
ours = keras.ops.convert_to_numpy(keras.ops.image.affine_transform(
    x_train[:1], transform[np.newaxis], interpolation="bilinear", fill_mode="constant"))[0, ..., 0]
a0, a1, a2, b0, b1, b2 = transform[:6]
scipys = ndimage.affine_transform(x_train[0, ..., 0], matrix=[[b1, b0], [a1, a0]], offset=[b2, a2], order=1)
print("largest difference from SciPy below 1e-5:", bool(np.abs(ours - scipys).max() < 1e-5))
assert np.allclose(keras.ops.convert_to_numpy(RandomShiftRotateZoom()(x_train[:4])), x_train[:4])  # not training

# %%
augment = RandomShiftRotateZoom(shift=0.1, degrees=14, zoom=0.1, seed=0, name="augment")

set_seed(0)
one_digit = np.repeat(x_train[:1], 8, axis=0)
augmented = keras.ops.convert_to_numpy(augment(one_digit, training=True))
fig, axes = plt.subplots(1, 9, figsize=(10, 1.4))
for ax, image, title in zip(axes, [x_train[0], *augmented], ["original"] + [""] * 8):
    ax.imshow(image[..., 0], cmap="gray_r")
    ax.set_title(title)
    ax.axis("off")
plt.show()

# %% [markdown]
# Augmentation matters where data is scarce. The experiment: a small training set of
# 1,000 digits, the same network and the same seed, trained for the same number of
# epochs with and without augmentation, tested on the same held-out digits.

# %%
def with_augmentation(network):
    inputs = keras.Input(shape=(28, 28, 1))
    return keras.Model(inputs, network(augment(inputs)))


small_n = 1_000
small_epochs = by_mode(fast=10, full=40)
small_results = {}
for name, wrap in (("without augmentation", lambda network: network),
                   ("with augmentation", with_augmentation)):
    set_seed(42)
    network = wrap(build_fast_cnn())
    steps = mnist_cnn.steps_for(small_n, 64, small_epochs)
    network.compile(optimizer=keras.optimizers.Adam(mnist_cnn.warmup_cosine_schedule(steps, 3e-3)),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"])
    fitted = network.fit(x_train[:small_n], y_train[:small_n], batch_size=64,
                         epochs=small_epochs, verbose=0)
    small_results[name] = (fitted.history["accuracy"][-1], network.evaluate(x_test, y_test, verbose=0)[1])
    print(f"{name:>21}: training accuracy {small_results[name][0]:.4f}, "
          f"test accuracy {small_results[name][1]:.4f}")

gain = small_results["with augmentation"][1] - small_results["without augmentation"][1]
print(f"augmentation changes the test accuracy by {100 * gain:+.1f} points")

# %% [markdown]
# Without augmentation the network learns its 1,000 training digits almost perfectly
# and scores lower on new ones: it overfits. With augmentation its training accuracy is
# lower (every epoch shows it new variants) and the printed gain on held-out digits tells
# what that bought on this run. On the full 60,000 digits there is far less to gain: the
# data already show most of the variations.

# %% [markdown]
# ## 7. A longer run, and a model to keep
#
# For the best accuracy we can afford, two changes to the recipe and more epochs:
# - **two 3x3 convolutions in every block** before its pooling (conv-BN-ReLU, then
#   conv-pool-BN-ReLU): as lesson 02 showed, two stacked 3x3 layers see a 5x5 window, so
#   each block sees more of a stroke before the resolution halves. Our `build_fast_cnn`
#   of section 4 does it with `convs_per_block=2`; the printout below counts its cost;
# - **the augmentation above**, so that many epochs on the same digits don't overfit.
#
# In full mode it trains on all 60,000 digits for 15 epochs and must reach 99.4 %; fast
# mode runs the same code on the subset, with half the filters and 3 epochs. The trained
# model is saved in Keras's native `.keras` format, outside the repository, for lesson 06
# to reuse.

# %%
long_epochs = by_mode(fast=3, full=15)
long_widths = by_mode(fast=(8, 16, 32), full=(16, 32, 64))
set_seed(42)
network = build_fast_cnn(widths=long_widths, convs_per_block=2)
channels = (1,) + long_widths
long_cost = sum(conv_multiply_adds(size, size, width, 3, c_in) + conv_multiply_adds(size, size, width, 3, width)
                for size, c_in, width in zip((28, 14, 7), channels, long_widths))
print(f"{network.count_params():,} parameters; {long_cost:,} multiply-adds per image in the "
      f"convolutions ({long_cost / fast_cost:.1f}x our recipe's {fast_cost:,})")

best = with_augmentation(network)
best.compile(optimizer=keras.optimizers.Adam(mnist_cnn.warmup_cosine_schedule(
                 mnist_cnn.steps_for(len(x_train), 128, long_epochs), 3e-3)),
             loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
             metrics=["accuracy"])
started = time.perf_counter()
best_history = best.fit(x_train, y_train, batch_size=128, epochs=long_epochs,
                        validation_data=(x_test, y_test), verbose=0)
best_seconds = time.perf_counter() - started
best_accuracy = best_history.history["val_accuracy"][-1]
print(f"{long_epochs} epochs in {best_seconds:.0f} s: test accuracy {best_accuracy:.4f}, "
      f"training accuracy (on augmented digits) {best_history.history['accuracy'][-1]:.4f}")
assert best_accuracy >= by_mode(fast=0.95, full=0.994), f"the long run reached only {best_accuracy:.4f}"

classifier = best.layers[-1]  # the network without the augmentation layers, for lesson 06
saved = mnist_cnn.save_model(classifier, "lesson04_mnist_cnn")
print("saved as", saved.name, "in the course's model folder (course_utils.mnist_cnn.model_dir())")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3))
epochs_axis = np.arange(1, long_epochs + 1)
axes[0].plot(epochs_axis, best_history.history["loss"], marker="o", label="training")
axes[0].plot(epochs_axis, best_history.history["val_loss"], marker="o", label="test")
axes[0].set_title("loss")
axes[1].plot(epochs_axis, best_history.history["accuracy"], marker="o", label="training")
axes[1].plot(epochs_axis, best_history.history["val_accuracy"], marker="o", label="test")
axes[1].set_title("accuracy")
for ax in axes:
    ax.set_xlabel("epoch")
    ax.set_xticks(epochs_axis)
    ax.legend()
plt.show()

# %% [markdown]
# The training accuracy is measured on augmented digits, which are harder than the clean
# test digits, so in the first epochs it sits *below* the test accuracy. In full mode
# (all 60,000 digits, 15 epochs; 769 s on a busy 2-core CPU) it ends just above it,
# 0.9973 against a test accuracy of 0.9962 (38 of 10,000 digits wrong): late in the
# schedule, with a small learning rate, the network fits even its shifted and rotated
# training digits.

# %% [markdown]
# ## 8. What did it learn?
#
# The lecture's picture of the visual system: the first stages respond to edges and
# blobs, later ones to combinations of them. Each first-layer filter is 3x3 weights on
# the pixels; most look like small edge and spot detectors.

# %%
first_conv = classifier.layers[1]
kernels = keras.ops.convert_to_numpy(first_conv.kernel)[:, :, 0, :]  # 3 x 3 x filters
fig, axes = plt.subplots(2, kernels.shape[-1] // 2, figsize=(10, 1.6))
for ax, index in zip(axes.flat, range(kernels.shape[-1])):
    ax.imshow(kernels[:, :, index], cmap="RdBu_r", vmin=-np.abs(kernels).max(), vmax=np.abs(kernels).max())
    ax.axis("off")
fig.suptitle("first-layer filters (red positive, blue negative)")
plt.show()

# %% [markdown]
# Feature maps show more: one test digit after each conv block, the first eight
# channels of each. Resolution halves at every block while the maps respond to larger
# and more abstract parts of the digit.

# %%
block_outputs = [classifier.get_layer(f"block{block}_output").output for block in (1, 2, 3)]
feature_model = keras.Model(classifier.inputs, block_outputs)
maps = feature_model.predict(x_test[:1], verbose=0)
fig, axes = plt.subplots(len(maps), 9, figsize=(10, 3.6))
for row, block_map in enumerate(maps):
    axes[row, 0].imshow(x_test[0, ..., 0], cmap="gray_r")
    axes[row, 0].set_ylabel(f"block {row + 1}\n{block_map.shape[1]}x{block_map.shape[2]}")
    for channel in range(8):
        axes[row, channel + 1].imshow(block_map[0, :, :, channel], cmap="viridis")
    for ax in axes[row]:
        ax.set_xticks([])
        ax.set_yticks([])
plt.show()

# %% [markdown]
# Which digits does it confuse, and what do its mistakes look like?

# %%
predictions = classifier.predict(x_test, batch_size=1000, verbose=0).argmax(axis=-1)
ConfusionMatrixDisplay(confusion_matrix(y_test, predictions)).plot(colorbar=False)
plt.title("confusion matrix (rows: true digit)")
plt.gcf().set_size_inches(5, 5)
plt.show()

wrong = np.flatnonzero(predictions != y_test)
print(f"{len(wrong)} of {len(y_test):,} test digits misclassified")
fig, axes = plt.subplots(2, 8, figsize=(10, 3))
for ax, index in zip(axes.flat, wrong[:16]):
    ax.imshow(x_test[index, ..., 0], cmap="gray_r")
    ax.set_title(f"true {y_test[index]}, said {predictions[index]}", fontsize=8)
for ax in axes.flat:
    ax.axis("off")
plt.show()

# %% [markdown]
# Many of the mistakes are digits a person would hesitate over too.

# %% [markdown]
# ## Key points
# - MNIST: 60,000 + 10,000 handwritten digits, 28x28; scale to [0, 1] and add a channel axis.
# - Parameters are learned; hyperparameters (layers, filter sizes and counts, strides,
#   dropout, batch normalisation, batch size, learning rate) are chosen. A conv layer has
#   $(F \cdot F \cdot C_{in} + 1) \cdot K$ parameters; batch normalisation 4 per channel,
#   2 of them trainable.
# - The lecture's plain convnet reaches 99 % on MNIST; training time is the time per
#   epoch (multiply-adds, and on a CPU as much the passes over memory) times the number of
#   epochs the optimiser needs.
# - Batch normalisation (which permits a high learning rate), a larger batch, a warm-up
#   and cosine-decay schedule and a loss on logits together reach the same accuracy in a
#   fraction of the epochs, so several times sooner: measure, don't guess.
# - Two 3x3 convolutions per block, augmentation and more epochs buy the last tenths of
#   a percent.
# - A Keras callback hooks into `fit`; ours times training to a target accuracy and can
#   stop it there.
# - Data augmentation (shifts, rotations, zoom) helps most when the training set is small.
# - First-layer filters look like edge and spot detectors; deeper feature maps are
#   coarser and more abstract.

# %% [markdown]
# ## Exercises
#
# Each exercise has a check: `exercise_N.check(...)` says whether your answer is right
# and, if not, what to look at; `exercise_N.hint()` and `exercise_N.solution()` help.

# %%
from course_utils.exercises import NotDoneYet
from course_utils.exercises.lesson04 import PARAMETER_BUDGET, exercise_1, exercise_2

# %% [markdown]
# ### Exercise 1: a layer's shape and parameters
#
# A block of a bigger network applies `Conv2D(64, kernel_size=5, strides=2,
# padding="same")` to a 14x14x32 feature map. What is its output shape (height, width,
# channels), and how many parameters does it have? Work it out by hand, then confirm
# with Keras.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
conv_output_shape = ...  # your answer: a tuple (height, width, channels)
conv_parameters = ...    # your answer: a whole number
### BEGIN SOLUTION
conv_output_shape = (-(-14 // 2), -(-14 // 2), 64)   # 'same' padding: ceil(14 / 2) = 7
conv_parameters = (5 * 5 * 32 + 1) * 64
layer = layers.Conv2D(64, kernel_size=5, strides=2, padding="same")
layer.build((None, 14, 14, 32))
print("Keras:", layer.compute_output_shape((None, 14, 14, 32)), layer.count_params())
### END SOLUTION

# %%
exercise_1.check(conv_output_shape, conv_parameters)
# exercise_1.hint()
# exercise_1.solution()

# %% [markdown]
# ### Exercise 2: a CNN on a budget
#
# Build and train a convolutional network with at most 10,000 parameters (our recipe
# has 29,402) that classifies MNIST. Train it on `x_train, y_train`. The check counts
# its parameters and measures its accuracy on 2,000 held-out test digits: it must reach
# 95 % in fast mode and 98.5 % in full mode.

# %% [markdown]
# #### Solution

# %%
# @title Solution { display-mode: "form" }
budget_model = ...  # your trained Keras model
### BEGIN SOLUTION
set_seed(42)
budget_model = mnist_cnn.build_fast_cnn(widths=(8, 16, 32))
mnist_cnn.compile_fast_cnn(budget_model, mnist_cnn.steps_for(len(x_train), 256, 3))
budget_model.fit(x_train, y_train, batch_size=256, epochs=3, verbose=0)
print(f"{budget_model.count_params():,} parameters, budget {PARAMETER_BUDGET:,}")
### END SOLUTION

# %%
exercise_2.check(budget_model)
# exercise_2.hint()
# exercise_2.solution()
