"""course_utils.unet: the paper's configuration, our small one, and the settings' checks.

Parameter counts are computed by hand here (one line per layer kind), independently of Keras.
"""

import numpy as np
import pytest

from course_utils.unet import (PAPER_OUTPUT_SIZE, build_unet, paper_unet, valid_output_size)


def conv(c_in, c_out, kernel, bias=True):
    return kernel * kernel * c_in * c_out + (c_out if bias else 0)


def expected_parameters(channels, num_classes, depth, base_width, batch_norm):
    """Weights of build_unet by the architecture's description (any upsampling kind:
    a 2x2 transposed convolution and a 2x2 convolution have the same count)."""
    def block(c_in, width):
        if batch_norm:  # no conv bias; gamma, beta, moving mean and variance per channel
            return conv(c_in, width, 3, False) + conv(width, width, 3, False) + 2 * 4 * width
        return conv(c_in, width, 3) + conv(width, width, 3)

    widths = [base_width * 2**level for level in range(depth + 1)]
    total, c_in = 0, channels
    for width in widths[:-1]:
        total += block(c_in, width)
        c_in = width
    total += block(widths[-2], widths[-1])  # bottleneck
    for level in reversed(range(depth)):
        width = widths[level]
        total += conv(2 * width, width, 2)       # up-convolution halves the channels
        total += block(2 * width, width)         # after concatenating the skip connection
    return total + conv(base_width, num_classes, 1)


def test_paper_configuration_has_31_million_weights_and_a_388_output():
    model = paper_unet(kernel_initializer="zeros")  # counting only: no 31 million random draws
    assert model.count_params() == expected_parameters(1, 2, 4, 64, False) == 31_030_658
    assert model.input_shape == (None, 572, 572, 1)
    assert model.output_shape == (None, 388, 388, 2) and PAPER_OUTPUT_SIZE == 388


@pytest.mark.parametrize("upsampling", ["transpose", "nearest", "bilinear"])
def test_the_lesson_network_keeps_the_image_size(upsampling):
    model = build_unet((64, 64, 1), num_classes=2, depth=3, base_width=8, upsampling=upsampling,
                       batch_norm=True)
    assert model.count_params() == expected_parameters(1, 2, 3, 8, True) == 121_746
    assert model.output_shape == (None, 64, 64, 2)
    if upsampling == "bilinear":  # one forward pass (each kind compiles its own: seconds)
        logits = model.predict(np.zeros((2, 64, 64, 1), "float32"), verbose=0)
        assert logits.shape == (2, 64, 64, 2) and np.all(np.isfinite(logits))


def test_rgb_input_and_more_classes():
    model = build_unet((32, 32, 3), num_classes=3, depth=2, base_width=4)
    assert model.count_params() == expected_parameters(3, 3, 2, 4, False)
    assert model.output_shape == (None, 32, 32, 3)


def test_skip_connections_concatenate_the_contracting_path():
    model = build_unet((32, 32, 1), depth=2, base_width=4)
    concat = model.get_layer("up0_concat")
    sources = {node.operation.name for node in concat._inbound_nodes[0].parent_nodes}
    assert sources == {"down0_relu2", "up0_upconv"}


def test_valid_padding_crops_the_skip_connections():
    model = build_unet((188, 188, 1), depth=2, base_width=4, padding="valid")
    assert model.output_shape == (None, 148, 148, 2)
    assert valid_output_size(188, 2) == 148
    assert model.get_layer("up0_crop") is not None


def test_valid_output_size():
    assert valid_output_size(572, 4) == 388
    assert valid_output_size(570, 4) is None  # 566 / 2 = 283: a pooled map with an odd side
    assert valid_output_size(20, 2) is None   # shrinks to nothing


def test_default_initialisation_is_he_normal_and_follows_the_seed():
    np.random.seed(0)
    first = build_unet((32, 32, 1), depth=2, base_width=16)
    second = build_unet((32, 32, 1), depth=2, base_width=16)
    np.random.seed(0)
    again = build_unet((32, 32, 1), depth=2, base_width=16)
    kernel = first.get_layer("down1_conv2").get_weights()[0]  # 3x3, 16 -> 32 channels
    assert kernel.std() == pytest.approx(np.sqrt(2 / (3 * 3 * 32)), rel=0.05)
    assert np.array_equal(kernel, again.get_layer("down1_conv2").get_weights()[0])
    assert not np.array_equal(kernel, second.get_layer("down1_conv2").get_weights()[0])


def test_default_initialisation_is_the_papers_gaussian_not_kerass_truncated_he_normal():
    # Keras's "he_normal" cuts the normal at 2 standard deviations and rescales (the
    # largest weight is below 2.28 sigma); the paper's Gaussian has tails: of 36,864 draws
    # about 460 lie beyond 2.5 sigma.
    np.random.seed(1)
    kernel = build_unet((32, 32, 1), depth=2, base_width=32).get_layer("down1_conv2").get_weights()[0]
    sigma = np.sqrt(2 / (3 * 3 * 64))
    assert kernel.size == 3 * 3 * 64 * 64
    assert np.sum(np.abs(kernel) > 2.5 * sigma) > 200


def test_weights_are_drawn_by_numpy_without_pending_keras_variables():
    from keras.src.backend.common import global_state

    before = list(global_state.get_global_attribute("uninitialized_variables") or [])
    build_unet((32, 32, 1), depth=2, base_width=4, batch_norm=True)
    assert list(global_state.get_global_attribute("uninitialized_variables") or []) == before


@pytest.mark.parametrize("settings, words", [
    (dict(input_shape=(60, 60, 1), depth=3), "divisible by"),
    (dict(input_shape=(570, 570, 1), padding="valid"), "does not fit"),
    (dict(upsampling="deconv"), "upsampling must be one of"),
    (dict(padding="full"), "padding must be one of"),
    (dict(num_classes=1), "at least 2"),
    (dict(depth=0), "positive whole number"),
    (dict(input_shape=(64, 64)), "height, width, channels"),
])
def test_bad_settings_say_what_to_do(settings, words):
    arguments = dict(input_shape=(64, 64, 1), depth=2, base_width=4) | settings
    with pytest.raises(ValueError, match=words):
        build_unet(**arguments)
