#!/usr/bin/env bash
# Create (or reuse) the course's virtual environment and install the course into it.
#   scripts/setup_env.sh EXTRAS [--colab]
# EXTRAS: "test" (pytest, nbval), "lab" (JupyterLab), or several: "test,jax". --colab pins Colab's versions
# (constraints/colab.txt) in a separate environment, .venv-colab.
# COURSE_VENV names the newest-release environment's folder instead of .venv, and
# COURSE_VENV_COLAB the Colab one's (default: COURSE_VENV with -colab added, else .venv-colab):
# the two are never one folder, or each install would overwrite the other's versions.
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

if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv ..." >&2
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
fi
echo "installing the course and its $extras tools into $venv (first time: a few minutes) ..." >&2
"$venv/bin/python" -m pip install --quiet --editable ".[$extras]" "${constraints[@]}" >&2
echo "$venv"
