"""A U-Net builder (Ronneberger, Fischer and Brox 2015, arXiv:1505.04597), used in lesson 07.

The network is an encoder ("contracting path") of convolution blocks separated by 2x2
max-pooling, a bottleneck, and a decoder ("expanding path") that upsamples, concatenates
the encoder's feature map of the same scale (the skip connection) and convolves again.
A final 1x1 convolution gives one logit per class for every pixel.

``build_unet(input_shape, num_classes, depth, base_width, upsampling, padding, batch_norm)``

* ``depth``: how many times the image is halved (the paper: 4).
* ``base_width``: filters of the first block; each level doubles it (the paper: 64, so
  64, 128, 256, 512 and 1024 in the bottleneck).
* ``upsampling``: ``"transpose"`` (a learned 2x2 transposed convolution with stride 2,
  the paper's "up-convolution"), or ``"nearest"`` / ``"bilinear"`` (fixed upsampling
  followed by a 2x2 convolution, as the paper describes the up-convolution in words).
  Every kind halves the number of channels before the concatenation.
* ``padding``: ``"same"`` keeps the image size; ``"valid"`` is the paper's unpadded
  convolutions: each 3x3 convolution loses 1 pixel at every edge (2 off the side length),
  so the skip connection is centre-cropped to the decoder's size (the paper's "copy and
  crop") and a 572x572 input gives a 388x388 map.
* ``kernel_initializer``: by default the paper's (section 3.1): Gaussian weights with
  standard deviation sqrt(2 / N), N the inputs of one unit. Keras's ``"he_normal"`` is
  *not* that: it draws from a normal truncated at two standard deviations (rescaled to
  the same variance). The initial values are drawn with NumPy
  (``course_utils.numpy_initialization``), seeded from NumPy's global state.
* ``batch_norm``: batch normalisation after each 3x3 convolution (not in the paper;
  it makes a small network train in few epochs). ``batch_norm_momentum`` is 0.9 rather
  than Keras's 0.99, so that the moving averages used at inference are right after a
  few hundred steps (as in ``course_utils.mnist_cnn``).

``paper_unet()`` is the paper's configuration (31,030,658 parameters with two classes).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from course_utils.numpy_initialization import build_with_numpy_weights
from course_utils.validation import require_whole_number

UPSAMPLING_KINDS = ("transpose", "nearest", "bilinear")
PADDINGS = ("same", "valid")

#: The configuration of Ronneberger et al. (2015), Fig. 1.
PAPER_INPUT_SHAPE = (572, 572, 1)
PAPER_OUTPUT_SIZE = 388
PAPER_SETTINGS = dict(num_classes=2, depth=4, base_width=64, upsampling="transpose",
                      padding="valid", batch_norm=False)


def paper_initializer() -> keras.initializers.Initializer:
    """The paper's initial weights: a Gaussian (not truncated) with variance 2 / fan_in."""
    return keras.initializers.VarianceScaling(scale=2.0, mode="fan_in",
                                              distribution="untruncated_normal")


def _check_settings(input_shape, num_classes, depth, base_width, upsampling, padding):
    if len(tuple(input_shape)) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    for name, value in (("num_classes", num_classes), ("depth", depth), ("base_width", base_width)):
        require_whole_number(name, value)
    if num_classes < 2:
        raise ValueError("num_classes must be at least 2 (background and one class): the "
                         "network outputs one logit per class and pixel, for a softmax.")
    if upsampling not in UPSAMPLING_KINDS:
        raise ValueError(f"upsampling must be one of {UPSAMPLING_KINDS}, got {upsampling!r}")
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    height, width = input_shape[0], input_shape[1]
    if padding == "same":
        for size in (height, width):
            if size is not None and size % 2**depth:
                raise ValueError(f"with padding='same' the image sides must be divisible by "
                                 f"2**depth = {2**depth}, got {height}x{width}: resize or crop "
                                 f"the images, or use a smaller depth.")
    else:
        for size in (height, width):
            if size is not None and valid_output_size(size, depth) is None:
                raise ValueError(f"with padding='valid' a side of {size} pixels does not fit a "
                                 f"depth-{depth} U-Net (every pooled map must have an even side "
                                 f"and every map a positive one); the paper uses 572.")


def valid_output_size(input_size: int, depth: int) -> int | None:
    """Output side of an unpadded U-Net, or None where the input size does not fit.

    A 3x3 convolution without padding has no output for the 1-pixel rim at every edge,
    so the side loses 2 pixels; a block of two convolutions loses 4. Each pooling halves
    (the side must be even) and each upsampling doubles.
    """
    size = input_size
    for _ in range(depth):
        size -= 4
        if size <= 0 or size % 2:
            return None
        size //= 2
    size -= 4  # the bottleneck block
    for _ in range(depth):
        if size <= 0:
            return None
        size = size * 2 - 4
    return size if size > 0 else None


def _conv_block(x, width, padding, batch_norm, name, momentum, initializer):
    for index in (1, 2):
        # With batch normalisation the convolution's bias is redundant (beta adds one).
        x = layers.Conv2D(width, 3, padding=padding, use_bias=not batch_norm,
                          kernel_initializer=initializer, name=f"{name}_conv{index}")(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=momentum, name=f"{name}_bn{index}")(x)
        x = layers.ReLU(name=f"{name}_relu{index}")(x)
    return x


def _upsample(x, width, kind, name, initializer):
    if kind == "transpose":
        return layers.Conv2DTranspose(width, 2, strides=2, kernel_initializer=initializer,
                                      name=f"{name}_upconv")(x)
    x = layers.UpSampling2D(2, interpolation=kind, name=f"{name}_upsample")(x)
    return layers.Conv2D(width, 2, padding="same", kernel_initializer=initializer,
                         name=f"{name}_upconv")(x)


def _crop_to(skip, target_size, name):
    """Centre-crop the skip connection to the decoder's size (only for padding='valid')."""
    skip_size = skip.shape[1]
    if skip_size is None or target_size is None or skip_size == target_size:
        return skip
    margin = skip_size - target_size
    return layers.Cropping2D(((margin // 2, margin - margin // 2),) * 2, name=f"{name}_crop")(skip)


def build_unet(input_shape=(96, 96, 1), num_classes: int = 2, depth: int = 4,
               base_width: int = 64, upsampling: str = "transpose", padding: str = "same",
               batch_norm: bool = False, batch_norm_momentum: float = 0.9,
               kernel_initializer=None, name: str = "unet") -> keras.Model:
    """A U-Net that maps (H, W, C) images to (H', W', num_classes) logits (H' = H with 'same').

    The initial weights are drawn by NumPy from a seed taken from NumPy's global state, so
    ``course_utils.seed.set_seed`` makes them repeat and two networks built one after the
    other differ. (Keras's own random initialisers, on the JAX backend, compile a kernel
    for every weight shape: about 16 CPU-seconds for a small U-Net, more than an epoch.)
    """
    _check_settings(input_shape, num_classes, depth, base_width, upsampling, padding)
    num_classes, depth, base_width = int(num_classes), int(depth), int(base_width)  # Keras takes ints only
    seed = int(np.random.randint(2**31 - 1))
    return build_with_numpy_weights(_unet_layers, input_shape, num_classes, depth, base_width,
                                    upsampling, padding, batch_norm, batch_norm_momentum,
                                    kernel_initializer, name, seed=seed)


def _unet_layers(input_shape, num_classes, depth, base_width, upsampling, padding, batch_norm,
                 batch_norm_momentum, kernel_initializer, name) -> keras.Model:
    if kernel_initializer is None:
        kernel_initializer = paper_initializer()
    inputs = keras.Input(shape=tuple(input_shape), name="image")
    x = inputs
    skips = []
    for level in range(depth):  # contracting path
        x = _conv_block(x, base_width * 2**level, padding, batch_norm, f"down{level}",
                        batch_norm_momentum, kernel_initializer)
        skips.append(x)
        x = layers.MaxPooling2D(2, name=f"down{level}_pool")(x)
    x = _conv_block(x, base_width * 2**depth, padding, batch_norm, "bottleneck",
                    batch_norm_momentum, kernel_initializer)
    for level in reversed(range(depth)):  # expanding path
        width = base_width * 2**level
        x = _upsample(x, width, upsampling, f"up{level}", kernel_initializer)
        skip = _crop_to(skips[level], x.shape[1], f"up{level}")
        x = layers.Concatenate(name=f"up{level}_concat")([skip, x])
        x = _conv_block(x, width, padding, batch_norm, f"up{level}", batch_norm_momentum,
                        kernel_initializer)
    logits = layers.Conv2D(num_classes, 1, kernel_initializer=kernel_initializer, name="logits")(x)
    return keras.Model(inputs, logits, name=name)


def paper_unet(kernel_initializer=None) -> keras.Model:
    """The paper's network: 572x572x1 in, 388x388x2 logits out, about 31 million weights.

    To only count its weights, pass ``kernel_initializer="zeros"``: drawing 31 million
    random numbers takes seconds.
    """
    return build_unet(PAPER_INPUT_SHAPE, name="paper_unet", kernel_initializer=kernel_initializer,
                      **PAPER_SETTINGS)
