#!/usr/bin/env bash
# The run command: set up the environment, then open the lessons in JupyterLab.
#   scripts/course.sh              # JupyterLab on notebooks/
#   scripts/course.sh --headless   # execute every lesson; write build/*.html and build/index.html
# Any further arguments go to JupyterLab (or, with --headless, to scripts/run_notebooks.py).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=$(scripts/setup_env.sh lab | tail -n 1)
if [[ "${1:-}" == "--headless" ]]; then
    shift
    exec "$venv/bin/python" scripts/run_notebooks.py "$@"
fi
# Containers and cloud VMs often log in as root, which JupyterLab refuses by default.
as_root=()
if [[ "$(id -u)" == "0" ]]; then as_root=(--allow-root); fi
exec "$venv/bin/jupyter" lab "${as_root[@]}" notebooks/ "$@"
