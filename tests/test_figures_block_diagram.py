"""course_utils.figures.draw_block_diagram: lesson 05's Inception, residual and dense block drawings."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from course_utils.figures import draw_block_diagram  # noqa: E402


def test_draws_one_box_per_name_and_one_arrow_per_pair():
    fig, ax = plt.subplots()
    draw_block_diagram(ax, {"x": (0.5, 0.1, "input"), "y": (0.5, 0.9, "output")}, [("x", "y")], title="t")
    assert [text.get_text() for text in ax.texts if text.get_text()] == ["input", "output"]
    assert sum(1 for text in ax.texts if getattr(text, "arrow_patch", None) is not None) == 1
    assert ax.get_title() == "t"
    plt.close(fig)


def test_an_arrow_to_a_missing_box_is_refused():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="do not exist"):
        draw_block_diagram(ax, {"x": (0.5, 0.1, "input")}, [("x", "nowhere")])
    plt.close(fig)
