"""Lesson 04's MNIST convolutional networks, for the benchmark and the later lessons.

Lesson 04 builds both networks in the open, layer by layer, and checks that they are
the same as the ones here; lessons 05 and 06 and ``benchmarks/benchmark_mnist.py``
import them.

* ``build_plain_convnet``: the keras.io example "Simple MNIST convnet" (2020), a network
  like the lecture's (two 3x3 convolutions with max-pooling, dropout 0.5, a softmax
  layer; Adam, batch 128; 34,826 parameters).
* ``build_keras2017_convnet``: the Keras 2 example ``examples/mnist_cnn.py`` of the
  lecture's time (1,199,882 parameters, Adadelta), for the lecture's 14 min / 42 s.
* ``build_fast_cnn``: our recipe, cheap per image: three conv blocks of
  3x3 convolution, 2x2 max-pooling, batch normalisation and ReLU (pooling first, so the
  normalisation and the activation work on a quarter of the values), then one dense
  layer that outputs logits.
* ``compile_fast_cnn``: Adam with a warm-up then cosine-decay learning rate over a
  fixed number of steps, a loss on logits.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from course_utils.pixels import to_unit_float

#: Image shape of MNIST after ``prepare_images``: height, width, one grey channel.
INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10

#: The fast recipe's settings, measured in lesson 04 and benchmarks/benchmark_mnist.py.
FAST_WIDTHS = (16, 32, 64)
FAST_BATCH_SIZE = 256
FAST_PEAK_LEARNING_RATE = 6e-3
FAST_WARMUP_FRACTION = 0.2
#: Batch normalisation's moving averages forget at 0.9 per step instead of Keras's 0.99,
#: so that they are right after a few hundred steps: with 0.99 a network evaluated early
#: in its first epoch answers with stale statistics and scores near chance.
FAST_BATCH_NORM_MOMENTUM = 0.9


def prepare_images(images: np.ndarray) -> np.ndarray:
    """uint8 (N, 28, 28) in 0..255 -> float32 (N, 28, 28, 1) in [0, 1]."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != INPUT_SHAPE[:2]:
        raise ValueError(f"expected MNIST-like images of shape (N, 28, 28), got {images.shape}")
    return to_unit_float(images)[..., np.newaxis]


def build_plain_convnet() -> keras.Model:
    """The keras.io example "Simple MNIST convnet" (keras.io/examples/vision/mnist_convnet, 2020)."""
    return keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        layers.Conv2D(32, kernel_size=3, activation="relu"),
        layers.MaxPooling2D(pool_size=2),
        layers.Conv2D(64, kernel_size=3, activation="relu"),
        layers.MaxPooling2D(pool_size=2),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(NUM_CLASSES, activation="softmax"),
    ], name="plain_convnet")


def compile_plain_convnet(model: keras.Model) -> keras.Model:
    """As in the Keras example: Adam at its default rate, cross-entropy on probabilities."""
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_keras2017_convnet() -> keras.Model:
    """The Keras 2 example ``examples/mnist_cnn.py`` (2017), the Keras MNIST example of the
    lecture's time: two 3x3 convolutions (32, 64), one 2x2 max-pooling, dropout 0.25, a
    128-unit dense layer, dropout 0.5, softmax; 1,199,882 parameters. Its docstring: "Gets
    to 99.25% test accuracy after 12 epochs ... 16 seconds per epoch on a GRID K520 GPU."
    """
    return keras.Sequential([
        keras.Input(shape=INPUT_SHAPE),
        layers.Conv2D(32, kernel_size=3, activation="relu"),
        layers.Conv2D(64, kernel_size=3, activation="relu"),
        layers.MaxPooling2D(pool_size=2),
        layers.Dropout(0.25),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(NUM_CLASSES, activation="softmax"),
    ], name="keras2017_convnet")


def compile_keras2017_convnet(model: keras.Model) -> keras.Model:
    """As in the 2017 example: Adadelta with Keras 2's defaults (learning rate 1.0, rho 0.95;
    Keras 3's default rate is 0.001, which would barely move), batch 128, 12 epochs."""
    model.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0, rho=0.95, epsilon=1e-7),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_fast_cnn(widths=FAST_WIDTHS, batch_norm_momentum=FAST_BATCH_NORM_MOMENTUM,
                   convs_per_block: int = 1) -> keras.Model:
    """Blocks of the given widths, then a dense layer to 10 logits.

    A block is ``convs_per_block - 1`` times conv-BN-ReLU at full resolution, then
    conv-pool-BN-ReLU; its last ReLU is named ``block<i>_output`` (for feature maps).
    Two convolutions per block see 5x5 before each pooling, at several times the cost.
    """
    if convs_per_block < 1:
        raise ValueError(f"convs_per_block must be at least 1, got {convs_per_block}")
    inputs = keras.Input(shape=INPUT_SHAPE)
    x = inputs
    for block, width in enumerate(widths, start=1):
        for _ in range(convs_per_block - 1):
            x = layers.Conv2D(width, kernel_size=3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=batch_norm_momentum)(x)
            x = layers.ReLU()(x)
        # No bias: batch normalisation's beta already adds one per channel.
        x = layers.Conv2D(width, kernel_size=3, padding="same", use_bias=False)(x)
        # Pool before normalising: the BN and ReLU then run on a quarter of the pixels.
        x = layers.MaxPooling2D(pool_size=2)(x)
        x = layers.BatchNormalization(momentum=batch_norm_momentum)(x)
        x = layers.ReLU(name=f"block{block}_output")(x)
    x = layers.Flatten()(x)
    logits = layers.Dense(NUM_CLASSES)(x)
    return keras.Model(inputs, logits, name="fast_cnn")


def warmup_cosine_schedule(total_steps: int, peak_learning_rate: float = FAST_PEAK_LEARNING_RATE,
                           warmup_fraction: float = FAST_WARMUP_FRACTION):
    """Rise linearly from a tenth of the peak to the peak, then follow a cosine down to 1 %."""
    if total_steps < 2:
        raise ValueError(f"total_steps must be at least 2, got {total_steps}")
    warmup_steps = max(1, int(total_steps * warmup_fraction))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak_learning_rate / 10, decay_steps=total_steps - warmup_steps,
        alpha=0.01, warmup_target=peak_learning_rate, warmup_steps=warmup_steps)


def compile_fast_cnn(model: keras.Model, total_steps: int,
                     peak_learning_rate: float = FAST_PEAK_LEARNING_RATE) -> keras.Model:
    model.compile(
        optimizer=keras.optimizers.Adam(warmup_cosine_schedule(total_steps, peak_learning_rate)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"])
    return model


def steps_for(num_examples: int, batch_size: int, epochs: int) -> int:
    """Optimizer steps that ``fit`` takes: the last, partial batch of an epoch counts."""
    return -(-num_examples // batch_size) * epochs


# Saving and loading trained networks live together in course_utils.saved_cnn; these names
# stay importable from here for code written before the move (lesson 06 imports
# saved_model_path from here). Resolved on first use: saved_cnn imports this module.
_MOVED_TO_SAVED_CNN = ("MODEL_DIR_VARIABLE", "model_dir", "saved_model_path", "save_model")


def __getattr__(name: str):
    if name in _MOVED_TO_SAVED_CNN:
        from course_utils import saved_cnn

        return getattr(saved_cnn, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
