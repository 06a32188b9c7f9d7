"""One whole-number check for the helpers' arguments: NumPy integers pass, bools and floats do not.

Before, the U-Net, the architectures and the parameter counts refused NumPy integers
(``x.shape[-1]`` of a loaded array, ``np.arange``) that convolution and the MLP accepted.
"""

import numpy as np
import pytest

from course_utils import architectures, convolution, mlp, parameter_counts, unet
from course_utils.validation import is_whole_number, require_whole_number


@pytest.mark.parametrize("value", [3, np.int64(3), np.uint8(3), np.int32(0)])
def test_python_and_numpy_integers_are_whole_numbers(value):
    assert is_whole_number(value)


@pytest.mark.parametrize("value", [True, np.bool_(True), 3.0, np.float32(3), "3", None, [3]])
def test_bools_floats_and_others_are_not(value):
    assert not is_whole_number(value)


def test_require_whole_number_returns_an_int_or_says_what_it_needs():
    assert require_whole_number("depth", np.int64(4)) == 4 and type(require_whole_number("d", np.int64(4))) is int
    with pytest.raises(ValueError, match="depth must be a positive whole number, got 0"):
        require_whole_number("depth", 0)
    with pytest.raises(ValueError, match="at least 2"):
        require_whole_number("num_classes", 1, minimum=2)


def test_all_five_modules_take_numpy_integers():
    two, three, eight = np.int64(2), np.int64(3), np.int64(8)
    assert parameter_counts.conv_parameters(three, eight, eight) == parameter_counts.conv_parameters(3, 8, 8)
    assert unet.valid_output_size(64, 2) is not None
    model = unet.build_unet(input_shape=(16, 16, 1), num_classes=two, depth=two, base_width=np.int64(4))
    assert model.output_shape == (None, 16, 16, 2)
    classifier = architectures.lenet5((np.int64(28), np.int64(28), np.int64(1)), np.int64(10), small=True)
    assert classifier.output_shape == (None, 10)
    assert architectures.cifar_resnet(np.int64(8), input_shape=(8, 8, 3), num_classes=three).output_shape == (None, 3)
    assert convolution.conv_output_size(np.int64(5), three) == 3
    assert mlp.MLP([two, three, np.int64(1)]).layer_sizes == [2, 3, 1]


def test_all_five_modules_refuse_bools():
    with pytest.raises(ValueError, match="whole number"):
        parameter_counts.conv_parameters(3, True, 8)
    with pytest.raises(ValueError, match="whole number"):
        unet.build_unet(input_shape=(16, 16, 1), depth=True, base_width=4)
    with pytest.raises(ValueError, match="whole number"):
        architectures.lenet5((28, 28, True), small=True)
    with pytest.raises(ValueError, match="positive integer"):
        convolution.conv_output_size(True, 3)
    with pytest.raises(ValueError, match="positive integers"):
        mlp.MLP([2, True, 1])


def test_the_mlp_counts_epochs_in_whole_numbers_like_the_others():
    with pytest.raises(ValueError, match="positive integer"):
        list(mlp.minibatches(4.0, 2, np.random.default_rng(0)))
