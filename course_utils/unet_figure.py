"""A drawing of the U-Net (after figure 1 of Ronneberger et al. 2015), for lesson 07.

Each feature map is a bar whose height grows with its side and whose width grows with
its channels; the sides are computed with the same arithmetic as
``course_utils.unet.valid_output_size`` (unpadded 3x3 convolutions lose 2 pixels of
side each, pooling halves, the up-convolution doubles), so the drawing of the paper's
network shows 572 -> 388 and the crop of every skip connection.
"""

from __future__ import annotations

import math


def unet_feature_maps(input_size: int = 572, depth: int = 4, base_width: int = 64,
                      padding: str = "valid") -> dict[str, list[tuple[int, int]]]:
    """(side, channels) after every convolution, per level: keys ``down0`` ... ``bottleneck``
    ... ``up0``. With ``padding='valid'`` every 3x3 convolution takes 2 off the side."""
    shrink = 2 if padding == "valid" else 0
    maps, size = {}, input_size
    for level in range(depth):
        width = base_width * 2**level
        maps[f"down{level}"] = [(size - shrink, width), (size - 2 * shrink, width)]
        size = (size - 2 * shrink) // 2
    width = base_width * 2**depth
    maps["bottleneck"] = [(size - shrink, width), (size - 2 * shrink, width)]
    size -= 2 * shrink
    for level in reversed(range(depth)):
        width = base_width * 2**level
        size *= 2  # the up-convolution
        maps[f"up{level}"] = [(size - shrink, width), (size - 2 * shrink, width)]
        size -= 2 * shrink
    return maps


def draw_unet(axis, input_size: int = 572, depth: int = 4, base_width: int = 64,
              padding: str = "valid", num_classes: int = 2) -> None:
    """Draw the U-shape on a matplotlib ``axis``: blue bars the maps after each 3x3
    convolution (side and channels written beside them), red arrows 2x2 max-pooling,
    green arrows the 2x2 up-convolution, grey arrows "copy and crop"."""
    maps = unet_feature_maps(input_size, depth, base_width, padding)
    max_side, max_channels = input_size, base_width * 2**depth
    bar_width = lambda channels: 0.15 + 0.35 * math.log2(channels / base_width + 1) / math.log2(  # noqa: E731
        max_channels / base_width + 1)
    bar_height = lambda side: 0.9 * side / max_side + 0.15  # noqa: E731
    row_of = {f"down{level}": level for level in range(depth)}
    row_of.update({f"up{level}": level for level in range(depth)}, bottleneck=depth)
    positions = {}
    column = 0.0
    order = [f"down{level}" for level in range(depth)] + ["bottleneck"] + \
        [f"up{level}" for level in reversed(range(depth))]
    for name in order:
        top = -1.25 * row_of[name]
        for index, (side, channels) in enumerate(maps[name]):
            width, height = bar_width(channels), bar_height(side)
            axis.add_patch(_rectangle((column, top - height), width, height, "#4a7ab5"))
            if index == 1:
                axis.text(column + width / 2, top + 0.04, f"{channels}", ha="center", va="bottom",
                          fontsize=7)
                axis.text(column - 0.05, top - height / 2, f"{side}", ha="right", va="center",
                          fontsize=7, rotation=90)
            positions.setdefault(name, []).append((column, top, width, height))
            column += width + 0.25
        column += 0.2
    for level in range(depth):  # pooling down, up-convolution up, copy and crop across
        x, top, width, height = positions[f"down{level}"][-1]
        below = positions["bottleneck" if level == depth - 1 else f"down{level + 1}"][0]
        _arrow(axis, (x + width / 2, top - height), (below[0], below[1] - 0.05), "#c0392b")
        target = positions[f"up{level}"][0]
        _arrow(axis, (x + width + 0.05, top - 0.1), (target[0] - 0.1, top - 0.1), "#999999")
        above = positions["bottleneck" if level == depth - 1 else f"up{level + 1}"][-1]
        _arrow(axis, (above[0] + above[2], above[1] - above[3] / 2),
               (target[0] + target[2] / 2, target[1] - target[3] - 0.05), "#27ae60")
    last_x, last_top, last_width, last_height = positions["up0"][-1]
    axis.text(last_x + last_width + 0.1, last_top - last_height / 2, f"1x1 conv\n-> {num_classes}",
              fontsize=7, va="center")
    axis.set_xlim(-0.5, column + 1.0)
    axis.set_ylim(-1.25 * depth - 1.2, 0.4)
    axis.set_axis_off()
    for colour, label in (("#4a7ab5", "3x3 conv + ReLU (side | channels)"),
                          ("#c0392b", "2x2 max-pool"), ("#27ae60", "2x2 up-conv"),
                          ("#999999", "copy and crop (skip)")):
        axis.plot([], [], color=colour, linewidth=4, label=label)
    axis.legend(loc="lower left", fontsize=7, frameon=False)


def _rectangle(corner, width, height, colour):
    from matplotlib.patches import Rectangle

    return Rectangle(corner, width, height, facecolor=colour, edgecolor="none")


def _arrow(axis, start, end, colour):
    axis.annotate("", xy=end, xytext=start,
                  arrowprops=dict(arrowstyle="->", color=colour, linewidth=1.2))
