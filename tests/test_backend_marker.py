"""CI's JAX pass runs every Keras-dependent test module, chosen by a marker, not a list."""

import json
import subprocess
import sys
import textwrap

from backend_imports import (BACKEND_PACKAGES, MARKER, REPOSITORY_ROOT, all_test_modules,
                             depends_on_backend)

# The modules a hand-kept list in .ci/run left out of the JAX pass (issue 19).
FORGOTTEN_BY_THE_LIST = ["test_architectures", "test_mnist_cnn", "test_epoch_timer",
                         "test_exercises_lesson04", "test_exercises_lesson05",
                         "test_exercises_lesson06", "test_numpy_initialization"]


def test_the_modules_the_list_forgot_are_backend_tests():
    marked = {path.stem for path in all_test_modules() if depends_on_backend(path)}
    assert set(FORGOTTEN_BY_THE_LIST) <= marked


def test_imports_are_followed_through_the_course_modules(tmp_path):
    cases = {
        "direct": ("import keras\n", True),
        "inside_a_function": ("def f():\n    from jax import numpy\n", True),
        # numpy_initialization imports keras; convolution and mode do not.
        "through_a_submodule": ("from course_utils import numpy_initialization\n", True),
        "through_a_name": ("from course_utils.numpy_initialization import build_with_numpy_weights\n", True),
        "numpy_only": ("import numpy\nfrom course_utils import convolution, mode\n", False),
    }
    for name, (source, expected) in cases.items():
        path = tmp_path / f"test_{name}.py"
        path.write_text(source)
        assert depends_on_backend(path) is expected, name


def test_no_unmarked_test_module_loads_a_backend_when_imported():
    """What the static analysis misses shows here: importing the unmarked modules loads no backend."""
    unmarked = [str(path) for path in all_test_modules() if not depends_on_backend(path)]
    assert len(unmarked) > 10  # the check below must cover something
    script = textwrap.dedent("""
        import importlib.util, json, sys
        sys.path[:0] = [sys.argv[1] + "/tests", sys.argv[1]]
        loaded = {}
        for number, path in enumerate(sys.argv[2:]):
            before = set(sys.modules)
            spec = importlib.util.spec_from_file_location(f"unmarked_{number}", path)
            module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # as pytest does
            spec.loader.exec_module(module)
            new = {name.split(".")[0] for name in set(sys.modules) - before}
            loaded[path] = sorted(new)
        print(json.dumps(loaded))
    """)
    result = subprocess.run([sys.executable, "-c", script, str(REPOSITORY_ROOT), *unmarked],
                            capture_output=True, text=True, timeout=300, cwd=REPOSITORY_ROOT)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.splitlines()[-1])
    offenders = {path: sorted(set(new) & BACKEND_PACKAGES) for path, new in loaded.items()
                 if set(new) & BACKEND_PACKAGES}
    assert not offenders, f"unmarked test modules that load a backend: {offenders}"


def test_collection_marks_backend_modules_and_only_them():
    """The marker as CI uses it: `-m keras_backend` selects one file and not the other."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", MARKER, "-p", "no:xdist",
         "tests/test_numpy_initialization.py", "tests/test_readme.py"],
        capture_output=True, text=True, timeout=300, cwd=REPOSITORY_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    selected = {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}
    assert selected == {"tests/test_numpy_initialization.py"}, result.stdout


def test_ci_selects_the_jax_unit_tests_by_the_marker():
    ci = (REPOSITORY_ROOT / ".ci" / "run").read_text()
    assert f"-m {MARKER}" in ci
    assert "keras_tests=(" not in ci  # the hand-kept list is gone
