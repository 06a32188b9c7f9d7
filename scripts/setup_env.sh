#!/usr/bin/env bash
# Create (or reuse) the course's virtual environment and install the course into it.
#   scripts/setup_env.sh EXTRAS [--colab]
# EXTRAS: "test" (pytest, nbval), "lab" (JupyterLab), or several: "test,jax". --colab pins Colab's versions
# (constraints/colab.txt) in a separate environment, .venv-colab.
# COURSE_VENV names the newest-release environment's folder instead of .venv, and
# COURSE_VENV_COLAB the Colab one's (default: COURSE_VENV with -colab added, else .venv-colab):
# the two are never one folder, or each install would overwrite the other's versions.
# COURSE_UV names a uv executable to install with instead of pip (CI does: uv installs from
# its cache in seconds where pip unpacks TensorFlow again for every environment); same
# packages, same constraints.
# Prints the environment's folder as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:?usage: scripts/setup_env.sh test|lab [--colab]}"
newest_venv="${COURSE_VENV:-.venv}"
colab_venv="${COURSE_VENV_COLAB:-${COURSE_VENV:+$COURSE_VENV-colab}}"
colab_venv="${colab_venv:-.venv-colab}"
if [[ "$(realpath -m "$newest_venv")" == "$(realpath -m "$colab_venv")" ]]; then
    echo "error: COURSE_VENV and COURSE_VENV_COLAB name one folder ($newest_venv): the newest" >&2
    echo "       releases and Colab's versions need an environment each." >&2
    exit 1
fi
venv="$newest_venv"
constraints=()
if [[ "${2:-}" == "--colab" ]]; then
    venv="$colab_venv"
    constraints=(--constraint constraints/colab.txt)
fi

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "error: the course needs Python 3.11 or newer; '$python' is $("$python" --version 2>&1)." >&2
    echo "       Install a newer Python and run again with PYTHON=/path/to/python3.12." >&2
    exit 1
fi

uv="${COURSE_UV:-}"
if [[ -n "$uv" ]] && ! "$uv" --version >/dev/null 2>&1; then
    echo "error: COURSE_UV=$uv is not a working uv; unset it to install with pip." >&2
    exit 1
fi
if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv ..." >&2
    if [[ -n "$uv" ]]; then
        # --seed: pip inside too, for anyone who installs into the environment by hand later.
        "$uv" venv --quiet --seed --python "$("$python" -c 'import sys; print(sys.executable)')" "$venv" >&2
    else
        "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
    fi
fi
echo "installing the course and its $extras tools into $venv (first time: a few minutes) ..." >&2
if [[ -n "$uv" ]]; then
    "$uv" pip install --quiet --python "$venv/bin/python" --editable ".[$extras]" "${constraints[@]}" >&2
else
    "$venv/bin/python" -m pip install --quiet --editable ".[$extras]" "${constraints[@]}" >&2
fi
echo "$venv"
