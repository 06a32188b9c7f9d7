"""The environment scripts: separate folders per environment, CI's own folders, and a
Colab pass that fails loudly without Colab's Python instead of running on another one."""

import os
import re
import stat
import subprocess

from notebook_files import REPOSITORY_ROOT

SETUP_ENV = REPOSITORY_ROOT / "scripts" / "setup_env.sh"
COLAB_PYTHON = REPOSITORY_ROOT / "scripts" / "colab_python.sh"
CI = REPOSITORY_ROOT / ".ci" / "run"


def executable(path, text):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def fake_python(folder, version="3.12"):
    """A stand-in for python: answers the version check, makes venvs whose python logs pip calls."""
    major, minor = version.split(".")
    venv_python = '#!/usr/bin/env bash\necho "$@" >> "$(dirname "$0")/../pip.log"\n'
    return executable(folder / f"python{version}", f"""#!/usr/bin/env bash
if [[ "$1" == "-c" ]]; then exec python3 -c "import sys; sys.version_info = ({major}, {minor}, 0)
exec(compile(sys.argv[1], '<check>', 'exec'))" "$2"; fi
if [[ "$1 $2" == "-m venv" ]]; then
    mkdir -p "$3/bin"; printf '%s' '{venv_python}' > "$3/bin/python"; chmod +x "$3/bin/python"; exit 0
fi
if [[ "$1" == "--version" ]]; then echo "Python {version}.0"; exit 0; fi
exit 3
""")


def setup_env(tmp_path, *arguments, **variables):
    environment = {**os.environ, "PYTHON": str(fake_python(tmp_path)), **variables}
    environment.pop("COURSE_VENV", None) if "COURSE_VENV" not in variables else None
    environment.pop("COURSE_VENV_COLAB", None) if "COURSE_VENV_COLAB" not in variables else None
    environment.pop("COURSE_UV", None) if "COURSE_UV" not in variables else None  # CI sets it
    return subprocess.run(["bash", str(SETUP_ENV), "test", *arguments], capture_output=True,
                          text=True, env=environment, timeout=60)


def test_newest_and_colab_environments_are_two_folders_with_course_venv_set(tmp_path):
    newest = setup_env(tmp_path, COURSE_VENV=str(tmp_path / "mine"))
    colab = setup_env(tmp_path, "--colab", COURSE_VENV=str(tmp_path / "mine"))
    assert newest.returncode == 0 and colab.returncode == 0, newest.stderr + colab.stderr
    newest_folder, colab_folder = newest.stdout.splitlines()[-1], colab.stdout.splitlines()[-1]
    assert newest_folder == str(tmp_path / "mine")
    assert colab_folder == str(tmp_path / "mine-colab")
    # Only the Colab environment is installed with Colab's pins.
    assert "constraints/colab.txt" not in (tmp_path / "mine" / "pip.log").read_text()
    assert "constraints/colab.txt" in (tmp_path / "mine-colab" / "pip.log").read_text()


def fake_uv(folder):
    """A stand-in for uv: logs its arguments; `uv venv ... FOLDER` makes FOLDER/bin/python."""
    return executable(folder / "uv", """#!/usr/bin/env bash
echo "$@" >> "$(dirname "$0")/uv.log"
if [[ "$1" == "venv" ]]; then folder="${@: -1}"; mkdir -p "$folder/bin"; printf '#!/bin/sh\n' > "$folder/bin/python"; chmod +x "$folder/bin/python"; fi
""")


def test_with_course_uv_both_environments_are_installed_by_uv_with_the_same_pins(tmp_path):
    uv = fake_uv(tmp_path)
    newest = setup_env(tmp_path, COURSE_VENV=str(tmp_path / "mine"), COURSE_UV=str(uv))
    colab = setup_env(tmp_path, "--colab", COURSE_VENV=str(tmp_path / "mine"), COURSE_UV=str(uv))
    assert newest.returncode == 0 and colab.returncode == 0, newest.stderr + colab.stderr
    installs = [line for line in (tmp_path / "uv.log").read_text().splitlines() if line.startswith("pip install")]
    assert len(installs) == 2
    assert f"--python {tmp_path / 'mine'}/bin/python" in installs[0] and "constraints/colab.txt" not in installs[0]
    assert f"--python {tmp_path / 'mine-colab'}/bin/python" in installs[1] and "constraints/colab.txt" in installs[1]
    assert not (tmp_path / "mine" / "pip.log").exists()  # pip was not used


def test_a_course_uv_that_does_not_run_is_refused_before_anything_is_created(tmp_path):
    result = setup_env(tmp_path, COURSE_VENV=str(tmp_path / "mine"), COURSE_UV=str(tmp_path / "no-such-uv"))
    assert result.returncode != 0 and "COURSE_UV" in result.stderr
    assert not (tmp_path / "mine").exists()


def test_the_colab_folder_can_be_named_but_not_as_the_newest_one(tmp_path):
    named = setup_env(tmp_path, "--colab", COURSE_VENV=str(tmp_path / "a"),
                      COURSE_VENV_COLAB=str(tmp_path / "b"))
    assert named.returncode == 0 and named.stdout.splitlines()[-1] == str(tmp_path / "b")
    same = setup_env(tmp_path, "--colab", COURSE_VENV=str(tmp_path / "a"),
                     COURSE_VENV_COLAB=str(tmp_path / "a"))
    assert same.returncode != 0 and "one folder" in same.stderr


def test_ci_uses_and_deletes_only_its_own_environments():
    ci = CI.read_text()
    assert "export COURSE_VENV=.venv-ci COURSE_VENV_COLAB=.venv-ci-colab" in ci
    for line in ci.splitlines():
        if re.match(r"\s*rm\b", line):
            assert not re.search(r"(^|\s)\.venv(-colab)?(\s|$)", line), f"CI deletes a developer's folder: {line}"


def colab_python(tmp_path, *arguments, path_folders=(), **variables):
    environment = {"PATH": os.pathsep.join([*map(str, path_folders), "/usr/bin", "/bin"]),
                   "HOME": str(tmp_path / "home"), **variables}
    return subprocess.run(["bash", str(COLAB_PYTHON), *arguments], capture_output=True, text=True,
                          env=environment, timeout=60)


def test_no_colab_python_is_a_loud_failure_not_another_python(tmp_path):
    wrong = tmp_path / "bin"
    wrong.mkdir()
    fake_python(wrong, "3.12").rename(wrong / "python3.13")  # a python3.13 that is really 3.12
    result = colab_python(tmp_path, path_folders=[wrong])
    assert result.returncode != 0 and result.stdout == ""
    assert "no Python 3.13" in result.stderr and "COLAB_PYTHON=" in result.stderr


def test_a_named_colab_python_of_another_version_is_refused(tmp_path):
    result = colab_python(tmp_path, COLAB_PYTHON=str(fake_python(tmp_path, "3.11")))
    assert result.returncode != 0 and "not a working Python 3.13" in result.stderr


def test_colab_python_is_found_in_pyenv(tmp_path):
    versions = tmp_path / "pyenv" / "versions" / "3.13.5" / "bin"
    versions.mkdir(parents=True)
    found = fake_python(versions, "3.13")
    result = colab_python(tmp_path, PYENV_ROOT=str(tmp_path / "pyenv"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(found)


def test_ci_takes_colab_python_from_the_script_that_fails_loudly():
    ci = CI.read_text()
    assert "colab_python=$(scripts/colab_python.sh --install)" in ci
    assert "colab_python=python3" not in ci


TEST_SH = REPOSITORY_ROOT / "scripts" / "test.sh"


def jax_variables_seen_by_pytest(tmp_path, **variables):
    """Run scripts/test.sh with a stand-in uv whose environment's python records the JAX_
    variables it was started with (where pytest would run), and return them."""
    uv = executable(tmp_path / "uv", """#!/usr/bin/env bash
if [[ "$1" == "venv" ]]; then
    folder="${@: -1}"; mkdir -p "$folder/bin"
    printf '#!/bin/sh\\nenv | grep "^JAX_" > "%s/jax_variables.txt"\\nexit 0\\n' "$folder" > "$folder/bin/python"
    chmod +x "$folder/bin/python"
fi
""")
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("JAX_") and name not in ("XDG_CACHE_HOME", "KERAS_BACKEND")}
    environment.update(PYTHON=str(fake_python(tmp_path)), COURSE_UV=str(uv), COURSE_VENV=str(tmp_path / "venv"),
                       HOME=str(tmp_path / "home"), **variables)
    result = subprocess.run(["bash", str(TEST_SH)], capture_output=True, text=True, env=environment, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "venv" / "jax_variables.txt").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_on_jax_the_tests_share_a_persistent_compilation_cache_per_kind_of_cpu(tmp_path):
    seen = jax_variables_seen_by_pytest(tmp_path, KERAS_BACKEND="jax")
    cache = seen["JAX_COMPILATION_CACHE_DIR"]
    assert re.fullmatch(re.escape(str(tmp_path / "home" / ".cache" / "cnn-course" / "jax-compilation-cache"))
                        + r"/cpu-\d+", cache), cache
    assert seen["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] == "0"  # every training step, not only slow ones
    assert int(seen["JAX_COMPILATION_CACHE_MAX_SIZE"]) > 0  # a limit turns on JAX's file lock


def test_a_cache_folder_of_your_own_is_kept_and_tensorflow_runs_get_none(tmp_path):
    mine = tmp_path / "my-cache"
    assert jax_variables_seen_by_pytest(tmp_path, KERAS_BACKEND="jax",
                                        JAX_COMPILATION_CACHE_DIR=str(mine))["JAX_COMPILATION_CACHE_DIR"] == str(mine)
    assert jax_variables_seen_by_pytest(tmp_path) == {}
