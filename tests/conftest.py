import sys
from pathlib import Path

import pytest

# Lets the tests import their small shared modules (notebook_files) by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from backend_imports import MARKER, depends_on_backend  # noqa: E402


def pytest_collection_modifyitems(config, items):
    """Mark every test of a module that depends on Keras's backend (see backend_imports).

    CI's JAX pass selects them with ``-m keras_backend``, so a new Keras-dependent test
    module runs on both backends without anyone adding it to a list.
    """
    verdicts = {}
    for item in items:
        path = Path(str(item.path))
        if path.suffix != ".py":  # the lessons under nbval have passes of their own
            continue
        if path not in verdicts:
            verdicts[path] = depends_on_backend(path.resolve())
        if verdicts[path]:
            item.add_marker(getattr(pytest.mark, MARKER))
