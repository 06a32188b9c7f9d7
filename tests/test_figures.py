"""Figure helpers: colour limits clipped at percentiles, and the course's figure style."""

import matplotlib
import numpy as np
import pytest

from course_utils.figures import (compact_png, figure_to_jpeg, percentile_limits, symmetric_limits,
                                  use_course_style)


def test_percentile_limits_ignore_a_few_extreme_pixels():
    values = np.zeros((100, 100))
    values[:50] = 1.0
    values[0, 0] = 1000.0  # one hot pixel would make everything else look flat
    limits = percentile_limits(values)
    assert limits == {"vmin": 0.0, "vmax": 1.0}


def test_percentile_limits_of_a_flat_image_are_still_a_range():
    limits = percentile_limits(np.full((4, 4), 3.0))
    assert limits["vmin"] < 3.0 < limits["vmax"]


def test_symmetric_limits_are_centred_on_zero():
    values = np.linspace(-2, 1, 1001)
    limits = symmetric_limits(values, percentile=100)
    assert limits == {"vmin": -2.0, "vmax": 2.0}
    assert symmetric_limits(np.zeros(3)) == {"vmin": -1.0, "vmax": 1.0}


@pytest.mark.parametrize("low, high", [(50, 10), (-1, 99), (1, 101)])
def test_bad_percentiles_are_refused(low, high):
    with pytest.raises(ValueError, match="percentiles"):
        percentile_limits(np.arange(10), low, high)


def test_course_style_lowers_the_resolution():
    before = dict(matplotlib.rcParams)
    try:
        use_course_style(dpi=60)
        assert matplotlib.rcParams["figure.dpi"] == 60
    finally:
        matplotlib.rcParams.update(before)


def test_photo_figures_become_small_jpegs():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 3), dpi=72)
    ax.imshow(np.random.default_rng(0).random((120, 160)), cmap="gray")
    data = figure_to_jpeg(fig)
    plt.close(fig)
    assert data[:3] == b"\xff\xd8\xff"  # the JPEG signature
    assert len(data) < 60_000
    with pytest.raises(ValueError, match="quality"):
        figure_to_jpeg(fig, quality=0)


def test_line_plots_become_small_palette_pngs():
    import io

    import matplotlib.pyplot as plt
    from PIL import Image

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=72)
    for shift in range(5):
        ax.plot(np.linspace(0, 6, 200), np.sin(np.linspace(0, 6, 200) + shift), label=f"curve {shift}")
    ax.legend()
    full = io.BytesIO()
    fig.savefig(full, format="png", dpi=72, bbox_inches="tight")
    data = compact_png(fig)
    plt.close(fig)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(data)).mode == "P"
    assert len(data) < 0.7 * len(full.getvalue())
    with pytest.raises(ValueError, match="palette"):
        compact_png(fig, colours=1)
