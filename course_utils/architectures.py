"""The classic convolutional networks of lesson 05, as readable Keras builders.

One function per family, each with the paper's defaults (ImageNet-sized input, 1000
classes) and a ``small=True`` variant sized for 28x28 or 32x32 images that trains on a
CPU in seconds. Every builder returns a ``keras.Model`` that outputs logits (no softmax
layer: the loss applies it, ``from_logits=True``, as in lessons 03 and 04).

* ``lenet5``: LeCun et al. 1998.
* ``alexnet``: Krizhevsky, Sutskever and Hinton 2012 (two "GPU halves" as grouped convs).
* ``vgg16``: Simonyan and Zisserman 2015, configuration D.
* ``inception_module`` and ``googlenet``: Szegedy et al. 2015.
* ``separable_conv``, ``xception_block`` and ``xception``: Chollet 2017.
* ``basic_block``, ``bottleneck_block``, ``resnet50`` and ``cifar_resnet`` (plain or
  residual, for the degradation experiment): He et al. 2016a; ``preactivation=True`` is
  the ordering of He et al. 2016b.
* ``dense_block``, ``transition_layer`` and ``densenet121``: Huang et al. 2017.

What the papers had and these builders leave out, because it has no parameters or is
used only in training: local response normalisation (AlexNet, GoogLeNet) and GoogLeNet's
two auxiliary classifiers. Parameter counts are pinned in tests/test_architectures.py
against the published figures and ``keras.applications``.
"""

from __future__ import annotations

import keras
from keras import layers

from course_utils.validation import is_whole_number

IMAGENET_SHAPE = (224, 224, 3)
IMAGENET_CLASSES = 1000
SMALL_SHAPE = (28, 28, 1)  # Fashion-MNIST; CIFAR-10's (32, 32, 3) works as well
SMALL_CLASSES = 10
#: Batch normalisation forgets at 0.9 per step (Keras: 0.99) so that short runs evaluate
#: with statistics that are already right (see course_utils.mnist_cnn).
BATCH_NORM_MOMENTUM = 0.9


def _input_shape(input_shape, small, default=IMAGENET_SHAPE):
    shape = tuple(input_shape) if input_shape is not None else (SMALL_SHAPE if small else default)
    if len(shape) != 3 or any(not is_whole_number(size) or size < 1 for size in shape):
        raise ValueError(f"input_shape must be (height, width, channels) of positive whole numbers, "
                         f"got {input_shape!r}")
    return tuple(int(size) for size in shape)  # NumPy integers too: Keras's layers take ints only


def _classes(num_classes, small):
    classes = num_classes if num_classes is not None else (SMALL_CLASSES if small else IMAGENET_CLASSES)
    if not is_whole_number(classes) or classes < 2:
        raise ValueError(f"num_classes must be a whole number of at least 2, got {num_classes!r}")
    return int(classes)


def _batch_norm():
    return layers.BatchNormalization(momentum=BATCH_NORM_MOMENTUM)


# LeNet-5 ------------------------------------------------------------------------------------


def lenet5(input_shape=None, num_classes=None, small=False) -> keras.Model:
    """LeNet-5: conv 6@5x5, pool, conv 16@5x5, pool, conv 120@5x5, dense 84, output.

    Paper (``small=False``): a 32x32 grey input, tanh and average pooling. Differences from
    1998: every C3 map sees all six S2 maps (the paper connected each to a subset), pooling
    has no trainable coefficients, and the output is a dense layer, not fixed RBF units.
    ``small=True``: 28x28 input with 'same' padding in the first convolution, ReLU and max
    pooling, the modern reading. Both have 61,706 parameters for 10 classes.
    """
    shape = _input_shape(input_shape, small, default=(32, 32, 1))
    activation = "relu" if small else "tanh"
    pooling = layers.MaxPooling2D if small else layers.AveragePooling2D
    return keras.Sequential([
        keras.Input(shape),
        layers.Conv2D(6, 5, padding="same" if small else "valid", activation=activation, name="C1"),
        pooling(2, name="S2"),
        layers.Conv2D(16, 5, activation=activation, name="C3"),
        pooling(2, name="S4"),
        layers.Conv2D(120, 5, activation=activation, name="C5"),
        layers.Flatten(),
        layers.Dense(84, activation=activation, name="F6"),
        layers.Dense(_classes(num_classes, small=True), name="output"),  # 10 digits by default
    ], name="lenet5_small" if small else "lenet5")


# AlexNet ------------------------------------------------------------------------------------


def alexnet(input_shape=None, num_classes=None, small=False, grouped=True) -> keras.Model:
    """AlexNet: five convolutions (11x11/4, 5x5, three 3x3), overlapping 3x3/2 max pooling,
    two dense layers of 4096 with dropout 0.5, then the classifier.

    ``grouped=True`` keeps the paper's split over two GPUs: conv2, conv4 and conv5 see only
    the half of the channels on their own GPU (``groups=2``), which gives the paper's
    "60 million parameters" (60,965,224). ``grouped=False`` is the one-GPU version (62.4M).
    ``small=True``: the same shape of network, 3x3 and 5x5 kernels, far fewer channels and
    no groups (one device).
    """
    shape = _input_shape(input_shape, small, default=(227, 227, 3))
    classes = _classes(num_classes, small)
    # The small variant runs on one device: grouped convolutions are slow on a CPU.
    groups = 2 if grouped and not small else 1
    if small:
        widths, dense, first_kernel, first_stride, pad = (24, 48, 64, 64, 48), 128, 5, 1, "same"
    else:
        widths, dense, first_kernel, first_stride, pad = (96, 256, 384, 384, 256), 4096, 11, 4, "valid"
    return keras.Sequential([
        keras.Input(shape),
        layers.Conv2D(widths[0], first_kernel, strides=first_stride, padding=pad, activation="relu",
                      name="conv1"),
        layers.MaxPooling2D(3, strides=2, padding=pad, name="pool1"),
        layers.Conv2D(widths[1], 5, padding="same", groups=groups, activation="relu", name="conv2"),
        layers.MaxPooling2D(3, strides=2, padding=pad, name="pool2"),
        layers.Conv2D(widths[2], 3, padding="same", activation="relu", name="conv3"),  # sees both GPUs
        layers.Conv2D(widths[3], 3, padding="same", groups=groups, activation="relu", name="conv4"),
        layers.Conv2D(widths[4], 3, padding="same", groups=groups, activation="relu", name="conv5"),
        layers.MaxPooling2D(3, strides=2, padding=pad, name="pool5"),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(dense, activation="relu", name="fc6"),
        layers.Dropout(0.5),
        layers.Dense(dense, activation="relu", name="fc7"),
        layers.Dense(classes, name="fc8"),
    ], name="alexnet_small" if small else "alexnet")


# VGG-16 -------------------------------------------------------------------------------------

VGG16_BLOCKS = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512), (512, 512, 512))
VGG_SMALL_BLOCKS = ((16, 16), (32, 32), (64, 64, 64))


def vgg16(input_shape=None, num_classes=None, small=False) -> keras.Model:
    """VGG-16 (configuration D): blocks of 3x3 'same' convolutions, each block followed by
    2x2 max pooling, then dense 4096, 4096 and the classifier (dropout 0.5 between).

    ``small=True``: three blocks of 16, 32 and 64 channels and dense layers of 128.
    """
    shape = _input_shape(input_shape, small)
    classes = _classes(num_classes, small)  # checked before any layer is built
    blocks, dense = (VGG_SMALL_BLOCKS, 128) if small else (VGG16_BLOCKS, 4096)
    model = keras.Sequential([keras.Input(shape)], name="vgg16_small" if small else "vgg16")
    for block, widths in enumerate(blocks, start=1):
        for number, width in enumerate(widths, start=1):
            model.add(layers.Conv2D(width, 3, padding="same", activation="relu",
                                    name=f"block{block}_conv{number}"))
        model.add(layers.MaxPooling2D(2, name=f"block{block}_pool"))
    model.add(layers.Flatten())
    model.add(layers.Dense(dense, activation="relu", name="fc1"))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(dense, activation="relu", name="fc2"))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(classes, name="predictions"))
    return model


# Inception / GoogLeNet ----------------------------------------------------------------------


def inception_module(x, filters_1x1, reduce_3x3, filters_3x3, reduce_5x5, filters_5x5, pool_projection,
                     bottleneck=True, name=None):
    """Four branches side by side, concatenated along the channels: a 1x1 convolution, a
    3x3 and a 5x5 convolution, and 3x3 max pooling.

    With ``bottleneck=True`` (the module GoogLeNet uses) 1x1 convolutions first reduce the
    channels to ``reduce_3x3`` / ``reduce_5x5`` before the expensive 3x3 and 5x5, and a 1x1
    projection (``pool_projection``) follows the pooling. With ``bottleneck=False`` (the
    paper's "naive" module) the 3x3 and 5x5 see all input channels and the pooled input
    passes through whole, so the output has ``filters_1x1 + filters_3x3 + filters_5x5 +
    input channels`` channels.
    """
    def conv(tensor, filters, size, part):
        return layers.Conv2D(filters, size, padding="same", activation="relu",
                             name=f"{name}_{part}" if name else None)(tensor)

    branch_1x1 = conv(x, filters_1x1, 1, "1x1")
    if bottleneck:
        branch_3x3 = conv(conv(x, reduce_3x3, 1, "3x3_reduce"), filters_3x3, 3, "3x3")
        branch_5x5 = conv(conv(x, reduce_5x5, 1, "5x5_reduce"), filters_5x5, 5, "5x5")
    else:
        branch_3x3 = conv(x, filters_3x3, 3, "3x3")
        branch_5x5 = conv(x, filters_5x5, 5, "5x5")
    branch_pool = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    if bottleneck:
        branch_pool = conv(branch_pool, pool_projection, 1, "pool_proj")
    return layers.Concatenate(name=f"{name}_output" if name else None)(
        [branch_1x1, branch_3x3, branch_5x5, branch_pool])


#: Table 1 of Szegedy et al. 2015: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
GOOGLENET_MODULES = {
    "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64),
    "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64),
    "4c": (128, 128, 256, 24, 64, 64), "4d": (112, 144, 288, 32, 64, 64),
    "4e": (256, 160, 320, 32, 128, 128),
    "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
}
#: The small variant: four modules at a sixteenth of GoogLeNet's 3a/3b/4a/4b widths or so.
GOOGLENET_SMALL_MODULES = {
    "3a": (16, 16, 24, 4, 8, 8), "3b": (24, 24, 32, 4, 12, 12),
    "4a": (32, 24, 40, 8, 12, 12), "4b": (32, 32, 48, 8, 16, 16),
}


def googlenet(input_shape=None, num_classes=None, small=False) -> keras.Model:
    """GoogLeNet (Inception v1) without its auxiliary classifiers and LRN.

    Stem (7x7/2 conv, 3x3/2 pool, 1x1 and 3x3 convs, pool), inception 3a-3b, pool, 4a-4e,
    pool, 5a-5b, global average pooling instead of dense layers, dropout 0.4, classifier.
    ``small=True``: a 3x3 stem conv, pool, modules 3a, 3b, pool, 4a, 4b, global pooling.
    """
    shape = _input_shape(input_shape, small)
    classes = _classes(num_classes, small)  # checked before any layer is built
    inputs = keras.Input(shape)
    if small:
        x = layers.Conv2D(32, 3, padding="same", activation="relu", name="stem_conv")(inputs)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)  # the modules work at half size
        modules, pool_after = GOOGLENET_SMALL_MODULES, {"3b"}
    else:
        x = layers.Conv2D(64, 7, strides=2, padding="same", activation="relu", name="conv1_7x7")(inputs)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        x = layers.Conv2D(64, 1, activation="relu", name="conv2_3x3_reduce")(x)
        x = layers.Conv2D(192, 3, padding="same", activation="relu", name="conv2_3x3")(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        modules, pool_after = GOOGLENET_MODULES, {"3b", "4e"}
    for label, widths in modules.items():
        x = inception_module(x, *widths, name=f"inception_{label}")
        if label in pool_after:
            x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.4)(x)
    outputs = layers.Dense(classes, name="classifier")(x)
    return keras.Model(inputs, outputs, name="googlenet_small" if small else "googlenet")


# Depthwise-separable convolution and Xception ----------------------------------------------


def separable_conv(x, filters, kernel_size=3, strides=1, use_bias=True, name=None):
    """A depthwise-separable convolution written as its two steps: a ``kernel_size``
    convolution of each channel on its own (depthwise), then a 1x1 convolution that mixes
    the channels (pointwise). ``keras.layers.SeparableConv2D`` is the same in one layer
    (tested), with the same parameters: k*k*C_in + C_in*C_out (+ C_out biases)."""
    x = layers.DepthwiseConv2D(kernel_size, strides=strides, padding="same", use_bias=False,
                               name=f"{name}_depthwise" if name else None)(x)
    return layers.Conv2D(filters, 1, use_bias=use_bias, name=f"{name}_pointwise" if name else None)(x)


def xception_block(x, filters, strides=2, activate_first=True, name=None):
    """Xception's entry-flow block: [ReLU] SepConv-BN, ReLU SepConv-BN, 3x3 max pooling
    with ``strides``, added to a 1x1 convolution (with the same stride) of the input."""
    first, second = filters if isinstance(filters, tuple) else (filters, filters)
    shortcut = layers.Conv2D(second, 1, strides=strides, padding="same", use_bias=False,
                             name=f"{name}_shortcut" if name else None)(x)
    shortcut = _batch_norm()(shortcut)
    if activate_first:
        x = layers.ReLU()(x)
    x = layers.SeparableConv2D(first, 3, padding="same", use_bias=False)(x)
    x = _batch_norm()(x)
    x = layers.ReLU()(x)
    x = layers.SeparableConv2D(second, 3, padding="same", use_bias=False)(x)
    x = _batch_norm()(x)
    x = layers.MaxPooling2D(3, strides=strides, padding="same")(x)
    return layers.Add(name=f"{name}_add" if name else None)([x, shortcut])


def _xception_middle_block(x, filters):
    """Three ReLU-SepConv-BN, added to the block's input (no change of shape)."""
    residual = x
    for _ in range(3):
        x = layers.ReLU()(x)
        x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False)(x)
        x = _batch_norm()(x)
    return layers.Add()([x, residual])


def xception(input_shape=None, num_classes=None, small=False) -> keras.Model:
    """Xception: entry flow (two convs, three ``xception_block`` of 128, 256, 728), a middle
    flow of eight residual blocks of three separable convs, an exit flow (a block of
    728/1024, then separable 1536 and 2048), global average pooling and the classifier.
    The same layers as ``keras.applications.Xception`` (tested: equal parameter counts).
    ``small=True``: a 16-channel stem, blocks of 32 and 64, one middle block.
    """
    shape = _input_shape(input_shape, small, default=(299, 299, 3))
    classes = _classes(num_classes, small)  # checked before any layer is built
    inputs = keras.Input(shape)
    if small:
        x = layers.Conv2D(16, 3, padding="same", use_bias=False)(inputs)
        x = layers.ReLU()(_batch_norm()(x))
        x = xception_block(x, 32, activate_first=False, name="entry1")
        x = xception_block(x, 64, name="entry2")
        x = _xception_middle_block(x, 64)
        x = layers.ReLU()(x)
    else:
        x = layers.Conv2D(32, 3, strides=2, use_bias=False)(inputs)
        x = layers.ReLU()(_batch_norm()(x))
        x = layers.Conv2D(64, 3, use_bias=False)(x)
        x = layers.ReLU()(_batch_norm()(x))
        x = xception_block(x, 128, activate_first=False, name="entry1")
        x = xception_block(x, 256, name="entry2")
        x = xception_block(x, 728, name="entry3")
        for _ in range(8):
            x = _xception_middle_block(x, 728)
        x = xception_block(x, (728, 1024), name="exit")
        for width in (1536, 2048):
            x = layers.SeparableConv2D(width, 3, padding="same", use_bias=False)(x)
            x = layers.ReLU()(_batch_norm()(x))
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(classes, name="predictions")(x)
    return keras.Model(inputs, outputs, name="xception_small" if small else "xception")


# ResNet -------------------------------------------------------------------------------------


class ZeroPadShortcut(layers.Layer):
    """He et al.'s shortcut "option A": keep every ``stride``-th pixel and pad the new
    channels with zeros, so that the identity can be added where a stage halves the map
    and widens it. No parameters."""

    def __init__(self, stride, extra_channels, **kwargs):
        super().__init__(**kwargs)
        self.stride = stride
        self.extra_channels = extra_channels

    def call(self, x):
        x = x[:, ::self.stride, ::self.stride, :]
        return keras.ops.pad(x, [[0, 0], [0, 0], [0, 0], [0, self.extra_channels]])

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        shrink = lambda size: None if size is None else -(-size // self.stride)  # noqa: E731
        return batch, shrink(height), shrink(width), channels + self.extra_channels

    def get_config(self):
        return {**super().get_config(), "stride": self.stride, "extra_channels": self.extra_channels}


def _shortcut(x, filters, strides, kind, use_bias, preactivated=None):
    """Identity when the shape stays; else a 1x1 projection ("B") or zero padding ("A")."""
    channels = x.shape[-1]
    if strides == 1 and channels == filters:
        return x
    if kind == "zero_pad":
        return ZeroPadShortcut(strides, filters - channels)(x)
    source = preactivated if preactivated is not None else x
    projection = layers.Conv2D(filters, 1, strides=strides, use_bias=use_bias)(source)
    return projection if preactivated is not None else _batch_norm()(projection)


def basic_block(x, filters, strides=1, residual=True, preactivation=False, shortcut="projection",
                use_bias=False):
    """Two 3x3 convolutions (ResNet-18/34 and the CIFAR ResNets).

    Original ordering (He et al. 2016a): conv-BN-ReLU, conv-BN, add the shortcut, ReLU.
    ``preactivation=True`` (He et al. 2016b): BN-ReLU-conv, BN-ReLU-conv, add; nothing after
    the addition, so the identity path is clean from block to block.
    ``residual=False`` drops the shortcut: the "plain" network of the degradation experiment.
    ``shortcut``: "projection" (1x1 conv, option B) or "zero_pad" (option A) where the shape
    changes.
    """
    if preactivation:
        activated = layers.ReLU()(_batch_norm()(x))
        y = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=use_bias)(activated)
        y = layers.ReLU()(_batch_norm()(y))
        y = layers.Conv2D(filters, 3, padding="same", use_bias=use_bias)(y)
        if not residual:
            return y
        return layers.Add()([y, _shortcut(x, filters, strides, shortcut, use_bias, activated)])
    y = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=use_bias)(x)
    y = layers.ReLU()(_batch_norm()(y))
    y = layers.Conv2D(filters, 3, padding="same", use_bias=use_bias)(y)
    y = _batch_norm()(y)
    if residual:
        y = layers.Add()([y, _shortcut(x, filters, strides, shortcut, use_bias)])
    return layers.ReLU()(y)


def bottleneck_block(x, filters, strides=1, preactivation=False, use_bias=False, expansion=4):
    """1x1 reduce to ``filters``, 3x3, 1x1 expand to ``expansion * filters`` (ResNet-50+).

    The stride sits on the first 1x1 convolution, as in ``keras.applications.ResNet50``
    (torchvision puts it on the 3x3; the parameters are the same). A projection shortcut
    where the shape changes. ``preactivation=True``: BN-ReLU before each convolution.
    """
    out = expansion * filters
    if preactivation:
        activated = layers.ReLU()(_batch_norm()(x))
        y = layers.Conv2D(filters, 1, strides=strides, use_bias=use_bias)(activated)
        y = layers.ReLU()(_batch_norm()(y))
        y = layers.Conv2D(filters, 3, padding="same", use_bias=use_bias)(y)
        y = layers.ReLU()(_batch_norm()(y))
        y = layers.Conv2D(out, 1, use_bias=use_bias)(y)
        return layers.Add()([y, _shortcut(x, out, strides, "projection", use_bias, activated)])
    y = layers.Conv2D(filters, 1, strides=strides, use_bias=use_bias)(x)
    y = layers.ReLU()(_batch_norm()(y))
    y = layers.Conv2D(filters, 3, padding="same", use_bias=use_bias)(y)
    y = layers.ReLU()(_batch_norm()(y))
    y = _batch_norm()(layers.Conv2D(out, 1, use_bias=use_bias)(y))
    return layers.ReLU()(layers.Add()([y, _shortcut(x, out, strides, "projection", use_bias)]))


def resnet50(input_shape=None, num_classes=None, small=False, use_bias=False) -> keras.Model:
    """ResNet-50: 7x7/2 conv, 3x3/2 pool, stages of 3, 4, 6, 3 bottleneck blocks (64, 128,
    256, 512 filters; x4 out), global average pooling, classifier. 25.6M parameters.

    ``use_bias=True`` gives every convolution a bias, as ``keras.applications.ResNet50``
    does (redundant before batch normalisation; tested: equal counts).
    ``small=True``: a 3x3 stem and three stages of one bottleneck block (8, 16, 32 filters).
    """
    shape = _input_shape(input_shape, small)
    classes = _classes(num_classes, small)  # checked before any layer is built
    inputs = keras.Input(shape)
    if small:
        x = layers.Conv2D(16, 3, padding="same", use_bias=use_bias)(inputs)
        stages = ((8, 1, 1), (16, 1, 2), (32, 1, 2))
    else:
        x = layers.Conv2D(64, 7, strides=2, padding="same", use_bias=use_bias)(inputs)
        stages = ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2))
    x = layers.ReLU()(_batch_norm()(x))
    if not small:
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
    for filters, blocks, stride in stages:
        for block in range(blocks):
            x = bottleneck_block(x, filters, strides=stride if block == 0 else 1, use_bias=use_bias)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(classes, name="predictions")(x)
    return keras.Model(inputs, outputs, name="resnet50_small" if small else "resnet50")


def cifar_resnet(depth=20, residual=True, input_shape=(32, 32, 3), num_classes=10, width=16,
                 preactivation=False) -> keras.Model:
    """He et al.'s CIFAR networks: depth = 6n + 2 layers with weights.

    A 3x3 conv of ``width`` channels, three stages of n basic blocks at ``width``, 2x and
    4x channels (the second and third start with stride 2), global average pooling and a
    dense classifier. Shortcuts are option A (zero padding, no parameters), as in the
    paper, so ``residual=True`` and ``residual=False`` (the "plain" net) have exactly the
    same parameters: ResNet-20 0.27M, ResNet-56 0.85M in the paper.
    """
    if not is_whole_number(depth) or depth < 8 or (depth - 2) % 6:
        raise ValueError(f"depth must be 6n + 2 with n >= 1 (8, 14, 20, 32, 44, 56, 110), got {depth!r}")
    blocks_per_stage = (depth - 2) // 6
    classes = _classes(num_classes, small=True)  # checked before any layer is built
    inputs = keras.Input(_input_shape(input_shape, small=True))
    x = layers.Conv2D(width, 3, padding="same", use_bias=False)(inputs)
    if not preactivation:
        x = layers.ReLU()(_batch_norm()(x))
    for stage, filters in enumerate((width, 2 * width, 4 * width)):
        for block in range(blocks_per_stage):
            strides = 2 if stage > 0 and block == 0 else 1
            x = basic_block(x, filters, strides=strides, residual=residual, preactivation=preactivation,
                            shortcut="zero_pad")
    if preactivation:
        x = layers.ReLU()(_batch_norm()(x))
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(classes, name="classifier")(x)
    kind = "resnet" if residual else "plain"
    return keras.Model(inputs, outputs, name=f"{kind}{depth}")


# DenseNet -----------------------------------------------------------------------------------


def dense_block(x, num_layers, growth_rate, bottleneck=True):
    """``num_layers`` layers, each BN-ReLU-[1x1 conv to 4k]-BN-ReLU-3x3 conv to k = growth
    rate, whose output is *concatenated* to everything before it: layer l sees
    C_in + (l - 1) k channels, and the block outputs C_in + num_layers * k."""
    for _ in range(num_layers):
        y = layers.ReLU()(_batch_norm()(x))
        if bottleneck:
            y = layers.Conv2D(4 * growth_rate, 1, use_bias=False)(y)
            y = layers.ReLU()(_batch_norm()(y))
        y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False)(y)
        x = layers.Concatenate()([x, y])
    return x


def transition_layer(x, compression=0.5):
    """BN-ReLU, a 1x1 convolution to ``compression`` times the channels, 2x2 average pooling."""
    channels = int(x.shape[-1] * compression)
    x = layers.ReLU()(_batch_norm()(x))
    x = layers.Conv2D(channels, 1, use_bias=False)(x)
    return layers.AveragePooling2D(2, strides=2)(x)


def densenet121(input_shape=None, num_classes=None, small=False) -> keras.Model:
    """DenseNet-121 (DenseNet-BC, growth rate 32): 7x7/2 conv of 64, 3x3/2 pool, dense
    blocks of 6, 12, 24 and 16 layers with transitions (compression 0.5) between, BN-ReLU,
    global average pooling, classifier. The same layers as ``keras.applications.DenseNet121``
    (tested: equal parameter counts). ``small=True``: a 3x3 stem and 2x2 pooling, growth
    rate 8, blocks of 4, 4, 4.
    """
    shape = _input_shape(input_shape, small)
    classes = _classes(num_classes, small)  # checked before any layer is built
    inputs = keras.Input(shape)
    if small:
        growth_rate, blocks = 8, (4, 4, 4)
        x = layers.Conv2D(2 * growth_rate, 3, padding="same", use_bias=False)(inputs)
        x = layers.MaxPooling2D(2)(x)  # the blocks work at half size and below
    else:
        growth_rate, blocks = 32, (6, 12, 24, 16)
        x = layers.Conv2D(2 * growth_rate, 7, strides=2, padding="same", use_bias=False)(inputs)
        x = layers.ReLU()(_batch_norm()(x))
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
    for number, num_layers in enumerate(blocks):
        x = dense_block(x, num_layers, growth_rate)
        if number < len(blocks) - 1:
            x = transition_layer(x)
    x = layers.ReLU()(_batch_norm()(x))
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(classes, name="predictions")(x)
    return keras.Model(inputs, outputs, name="densenet121_small" if small else "densenet121")


#: The small variant of every family, for the lesson's accuracy / parameters / time table.
def small_models(input_shape=SMALL_SHAPE, num_classes=SMALL_CLASSES) -> dict:
    """Builders (no arguments) of each family's small variant for ``input_shape``."""
    return {
        "LeNet-5": lambda: lenet5(input_shape, num_classes, small=True),
        "AlexNet": lambda: alexnet(input_shape, num_classes, small=True),
        "VGG": lambda: vgg16(input_shape, num_classes, small=True),
        "GoogLeNet": lambda: googlenet(input_shape, num_classes, small=True),
        "Xception": lambda: xception(input_shape, num_classes, small=True),
        "ResNet-20": lambda: cifar_resnet(20, input_shape=input_shape, num_classes=num_classes),
        "DenseNet": lambda: densenet121(input_shape, num_classes, small=True),
    }
