"""Interactive explorers with a static fallback.

A kernel cannot tell whether a widget frontend is attached (JupyterLab and Colab have
one; an HTML export, nbval and a plain terminal do not), so an explorer shows its
sliders *and* a few fixed settings drawn as ordinary figures below them. Readers with
widgets play; everyone else still sees what the explorer shows.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from IPython.display import Markdown, display


def readable_label(name: str) -> str:
    """'hidden_units' -> 'hidden units': the slider's label when none is given."""
    return name.replace("_", " ")


def prepare_controls(controls: Mapping[str, Any]) -> dict[str, Any]:
    """Make every control easy to read and cheap to drag.

    - ``continuous_update=False``: a slider reports its value when it is released, not
      at every pixel of a drag (an explorer that trains a network would otherwise
      retrain dozens of times per drag);
    - a label spelled out from the argument name when the control has none, shown in
      full (ipywidgets cuts labels at about ten characters by default: "hidden_u...").
    """
    prepared = {}
    for name, control in controls.items():
        if hasattr(control, "continuous_update"):
            control.continuous_update = False
        if hasattr(control, "description"):
            if not control.description:
                control.description = readable_label(name)
            control.style.description_width = "initial"
        prepared[name] = control
    return prepared


def show_explorer(draw: Callable[..., Any], controls: Mapping[str, Any],
                  static_settings: Iterable[Mapping[str, Any]]) -> None:
    """Display ``ipywidgets.interactive(draw, **controls)``, then ``draw`` at each setting.

    ``draw(**setting)`` must draw one matplotlib figure (and may return a value).
    """
    import ipywidgets
    import matplotlib.pyplot as plt

    explorer = ipywidgets.interactive(draw, {"manual": False}, **prepare_controls(controls))
    display(explorer)
    display(Markdown("*The same explorer at fixed settings (for readers without widgets):*"))
    for setting in static_settings:
        draw(**setting)
        plt.show()
