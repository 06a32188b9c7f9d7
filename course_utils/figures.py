"""How the lessons draw figures: small enough to commit, readable, with honest colours.

A lesson calls :func:`use_course_style` once after importing matplotlib. Figures then
render at 72 dots per inch, and the notebook shows each one as a PNG of at most 256
colours (:func:`compact_png`) instead of full 32-bit colour: line plots, text and colour
maps look the same and take about a third of the space, which keeps a committed
notebook well under the size the tests allow.

Figures full of photographic texture compress badly as PNG (a few hundred kB each);
:func:`show_jpeg` shows such a figure as a JPEG instead, a fifth of the size.

Images of signed or long-tailed values (edge maps, gradients) look flat grey when the
colour map stretches from the single most extreme pixel to the other; the limit
functions below clip at percentiles instead, so that most pixels use the whole range.
"""

from __future__ import annotations

import io

import numpy as np

FIGURE_DPI = 72
JPEG_QUALITY = 60
PNG_COLOURS = 256


def use_course_style(dpi: int = FIGURE_DPI) -> None:
    """Render figures at ``dpi`` with slightly larger text, shown as compact PNGs.

    Call after importing pyplot. Outside IPython (a script, a test) only the resolution
    and text sizes change.
    """
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.dpi": dpi,
        "savefig.dpi": dpi,
        "font.size": 11,
        "axes.titlesize": 11,
        "figure.titlesize": 13,
    })
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        # pyplot loads its backend when the first figure is made, and the inline backend
        # then registers its own PNG formatter: load it now, so that ours comes last.
        plt.close(plt.figure())

        # plt.show() displays the figure through IPython's PNG formatter: use ours.
        shell.display_formatter.formatters["image/png"].for_type(Figure, compact_png)


def compact_png(fig, colours: int = PNG_COLOURS) -> bytes:
    """The figure as a palette PNG of at most ``colours`` colours (white background)."""
    from PIL import Image

    if not 2 <= colours <= 256:
        raise ValueError(f"a PNG palette holds 2..256 colours, got {colours}")
    rendered = io.BytesIO()
    fig.savefig(rendered, format="png", dpi=fig.dpi, facecolor="white", bbox_inches="tight")
    image = Image.open(rendered).convert("RGB").quantize(colours)
    compact = io.BytesIO()
    image.save(compact, format="PNG", optimize=True)
    return compact.getvalue()


def figure_to_jpeg(fig, quality: int = JPEG_QUALITY) -> bytes:
    """The figure rendered as JPEG bytes at its own dpi (white background, no alpha)."""
    if not 1 <= quality <= 95:
        raise ValueError(f"JPEG quality must lie in 1..95, got {quality}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="jpeg", dpi=fig.dpi, facecolor="white", bbox_inches="tight",
                pil_kwargs={"quality": quality, "optimize": True})
    return buffer.getvalue()


def show_jpeg(fig, quality: int = JPEG_QUALITY) -> None:
    """Display a figure as a JPEG and close it (use instead of ``plt.show()`` for photos)."""
    import matplotlib.pyplot as plt
    from IPython.display import Image, display

    data = figure_to_jpeg(fig, quality)
    plt.close(fig)
    display(Image(data=data, format="jpeg"))


def percentile_limits(values, low: float = 1.0, high: float = 99.0) -> dict[str, float]:
    """``vmin``/``vmax`` for ``imshow`` that ignore the most extreme ``low``/``100 - high`` %."""
    values = np.asarray(values, dtype=np.float64)
    if not 0 <= low < high <= 100:
        raise ValueError(f"percentiles must satisfy 0 <= low < high <= 100, got {low} and {high}")
    vmin, vmax = np.percentile(values, [low, high])
    if vmin == vmax:  # a flat image: widen the range so that imshow has one to use
        vmin, vmax = vmin - 0.5, vmax + 0.5
    return {"vmin": float(vmin), "vmax": float(vmax)}


def symmetric_limits(values, percentile: float = 99.0) -> dict[str, float]:
    """Limits centred on 0 (for a diverging colour map): +-the ``percentile`` of |values|."""
    values = np.asarray(values, dtype=np.float64)
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must lie in (0, 100], got {percentile}")
    limit = float(np.percentile(np.abs(values), percentile))
    if limit == 0:
        limit = 1.0
    return {"vmin": -limit, "vmax": limit}


def draw_block_diagram(ax, boxes: dict, arrows, title: str = "") -> None:
    """Draw a network block as labelled boxes joined by arrows, on an axis without ticks.

    ``boxes`` maps a name to ``(x, y, label)`` (centre, in axis units from 0 to 1);
    ``arrows`` lists ``(from_name, to_name)`` pairs. Lesson 05 draws an Inception module,
    a residual block and a dense block with it.
    """
    unknown = {name for pair in arrows for name in pair} - set(boxes)
    if unknown:
        raise ValueError(f"arrows name boxes that do not exist: {sorted(unknown)}")
    for start, end in arrows:
        (x0, y0, _), (x1, y1, _) = boxes[start], boxes[end]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "-|>", "color": "0.35", "shrinkA": 11, "shrinkB": 11, "lw": 1})
    for x, y, label in boxes.values():
        ax.text(x, y, label, ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round,pad=0.3", "facecolor": "#dbe9f6", "edgecolor": "0.4"})
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=10)
