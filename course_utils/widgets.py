"""Interactive explorers with a static fallback.

A kernel cannot tell whether a widget frontend is attached (JupyterLab and Colab have
one; an HTML export, nbval and a plain terminal do not), so an explorer shows its
sliders *and* a few fixed settings drawn as ordinary figures below them. Readers with
widgets play; everyone else still sees what the explorer shows.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from IPython.display import Markdown, display


def show_explorer(draw: Callable[..., Any], controls: Mapping[str, Any],
                  static_settings: Iterable[Mapping[str, Any]]) -> None:
    """Display ``ipywidgets.interactive(draw, **controls)``, then ``draw`` at each setting.

    ``draw(**setting)`` must draw one matplotlib figure (and may return a value).
    """
    import ipywidgets
    import matplotlib.pyplot as plt

    explorer = ipywidgets.interactive(draw, {"manual": False}, **controls)
    display(explorer)
    display(Markdown("*The same explorer at fixed settings (for readers without widgets):*"))
    for setting in static_settings:
        draw(**setting)
        plt.show()
