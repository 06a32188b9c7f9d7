#!/usr/bin/env bash
# The test command: set up the environment, then run the unit tests and every lesson
# under nbval (pytest; see [tool.pytest.ini_options] in pyproject.toml).
#   scripts/test.sh                 # newest releases, in .venv
#   scripts/test.sh --colab         # Colab's pinned versions, in .venv-colab
#   scripts/test.sh -- -k convolution   # anything after -- goes to pytest
#   KERAS_BACKEND=jax scripts/test.sh   # installs JAX too and runs everything on it
#   KERAS_BACKEND=jax scripts/test.sh -- -m keras_backend tests   # only the Keras-dependent unit tests
#   COURSE_VENV=DIR scripts/test.sh     # another folder (DIR-colab with --colab; see setup_env.sh)
# Lessons run in fast mode unless CNN_COURSE_FAST is already set.
set -euo pipefail
cd "$(dirname "$0")/.."

colab=()
if [[ "${1:-}" == "--colab" ]]; then colab=(--colab); shift; fi
if [[ "${1:-}" == "--" ]]; then shift; fi

extras=test
if [[ "${KERAS_BACKEND:-tensorflow}" == "jax" ]]; then extras=test,jax; fi
venv=$(scripts/setup_env.sh "$extras" "${colab[@]}" | tail -n 1)
export CNN_COURSE_FAST="${CNN_COURSE_FAST:-1}"
exec "$venv/bin/python" -m pytest "$@"
