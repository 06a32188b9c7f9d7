#!/usr/bin/env bash
# Print the path of a Python of Colab's version (3.13), for the Colab pass of CI.
#   scripts/colab_python.sh             # find one, or fail with what to do
#   scripts/colab_python.sh --install   # find one, or install one with uv (pip-installed)
# Looks at $COLAB_PYTHON, python3.13 on PATH, pyenv's versions and uv's. Never falls back
# to another version: a pass that claims to test Colab's versions on another Python
# would hide exactly the failures it exists to catch.
set -euo pipefail

colab_version="3.13"

is_colab_version() {
    "$1" -c "import sys; sys.exit(sys.version_info[:2] != (${colab_version/./, }))" >/dev/null 2>&1
}

find_colab_python() {
    local candidate
    local candidates=("${COLAB_PYTHON:-}" "python$colab_version")
    candidates+=("${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$colab_version"*/bin/python"$colab_version")
    candidates+=("$HOME"/.local/share/uv/python/cpython-"$colab_version"*/bin/python"$colab_version")
    for candidate in "${candidates[@]}"; do
        if [[ -n "$candidate" ]] && is_colab_version "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if found=$(find_colab_python); then
    echo "$found"
    exit 0
fi
if [[ -n "${COLAB_PYTHON:-}" ]]; then
    echo "error: COLAB_PYTHON=$COLAB_PYTHON is not a working Python $colab_version." >&2
    exit 1
fi
if [[ "${1:-}" != "--install" ]]; then
    echo "error: no Python $colab_version (Colab's version) found: not on PATH, in pyenv or in uv." >&2
    echo "       Install one (uv python install $colab_version, or pyenv install $colab_version), or" >&2
    echo "       name it: COLAB_PYTHON=/path/to/python$colab_version." >&2
    exit 1
fi

echo "no Python $colab_version found; installing one with uv ..." >&2
tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
uv=uv
if ! command -v uv >/dev/null 2>&1; then
    python3 -m venv "$tools/venv" >&2
    "$tools/venv/bin/python" -m pip install --quiet uv >&2
    uv="$tools/venv/bin/uv"
fi
if ! "$uv" python install "$colab_version" >&2; then
    echo "error: could not install Python $colab_version with uv (no network?)." >&2
    echo "       Install it by hand, or name one with COLAB_PYTHON=/path/to/python$colab_version." >&2
    exit 1
fi
installed=$("$uv" python find "$colab_version")
if ! is_colab_version "$installed"; then
    echo "error: uv installed Python $colab_version, but '$installed' is not it." >&2
    exit 1
fi
echo "$installed"
