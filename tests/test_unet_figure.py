"""course_utils.unet_figure: the drawn sizes follow the same arithmetic as the network."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from course_utils.unet import valid_output_size  # noqa: E402
from course_utils.unet_figure import draw_unet, unet_feature_maps  # noqa: E402


@pytest.mark.parametrize("input_size, depth", [(572, 4), (188, 2)])
def test_feature_map_sides_match_the_unpadded_network(input_size, depth):
    maps = unet_feature_maps(input_size, depth, base_width=64)
    assert maps["down0"] == [(input_size - 2, 64), (input_size - 4, 64)]  # 2 off the side per conv
    assert maps["up0"][-1][0] == valid_output_size(input_size, depth)
    assert maps["bottleneck"][0][1] == 64 * 2**depth


def test_same_padding_keeps_sides_and_the_drawing_runs():
    maps = unet_feature_maps(64, 3, base_width=8, padding="same")
    assert maps["down0"][0] == (64, 8) and maps["bottleneck"][0] == (8, 64) and maps["up0"][-1] == (64, 8)
    fig, axis = plt.subplots()
    draw_unet(axis)
    assert len(axis.patches) == 2 * (2 * 4 + 1)  # two convolutions per block, nine blocks
    plt.close(fig)
