"""The notebook metadata Google Colab reads when a lesson opens from its badge.

Colab looks at the top-level metadata of an ``.ipynb``: ``accelerator: "GPU"`` and
``colab.gpuType`` choose the runtime it connects to (a T4, the GPU of Colab's free
tier), ``kernelspec`` and ``language_info`` say the notebook is Python 3. Without
them the badge opens a CPU runtime and every student has to switch by hand.

This is the one place that says what a lesson must carry. ``scripts/run_notebooks.py
--in-place`` calls :func:`ensure_colab_metadata`, so a new lesson gets it on its first
refresh, and ``tests/test_notebook_structure.py`` checks every committed lesson with
:func:`missing_colab_metadata`. The ``py:percent`` twins carry the same keys in their
YAML header (``jupytext.toml`` keeps them), so ``jupytext --sync`` cannot lose them.
"""

from __future__ import annotations

import copy
from typing import Any, MutableMapping

COLAB_METADATA: dict[str, Any] = {
    "accelerator": "GPU",
    "colab": {"gpuType": "T4", "provenance": []},
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def missing_colab_metadata(metadata: MutableMapping[str, Any]) -> list[str]:
    """What a notebook's metadata lacks for Colab, as readable 'key: wanted' lines."""
    missing = []
    for key, wanted in COLAB_METADATA.items():
        present = metadata.get(key)
        if isinstance(wanted, dict):
            present = present if isinstance(present, dict) else {}
            for inner_key, inner_wanted in wanted.items():
                if inner_key == "provenance":
                    if not isinstance(present.get(inner_key), list):
                        missing.append(f"{key}.{inner_key}: a list")
                elif present.get(inner_key) != inner_wanted:
                    missing.append(f"{key}.{inner_key}: {inner_wanted!r}")
        elif present != wanted:
            missing.append(f"{key}: {wanted!r}")
    return missing


def ensure_colab_metadata(metadata: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Add or correct the keys Colab reads, keeping everything else (in place; returned)."""
    for key, wanted in COLAB_METADATA.items():
        if isinstance(wanted, dict):
            section = metadata.get(key)
            if not isinstance(section, dict):
                section = {}
            for inner_key, inner_wanted in wanted.items():
                if inner_key == "provenance" and isinstance(section.get(inner_key), list):
                    continue  # Colab's own edit history: keep it
                section[inner_key] = copy.deepcopy(inner_wanted)
            metadata[key] = section
        else:
            metadata[key] = wanted
    return metadata
