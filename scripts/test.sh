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
if [[ "$extras" == *jax* ]]; then
    # On JAX, Keras compiles every training and evaluation step with XLA, a large share of a
    # lesson's fast-mode time on a 2-core CPU. JAX's persistent compilation cache keeps the
    # compiled programs between runs, keyed by JAX's version, its flags and the program, so
    # a changed lesson compiles anew (lesson 03 under nbval: 73 s from an empty cache, 39 s
    # from a warm one). The size limit turns on JAX's file lock (filelock, in the jax extra),
    # so two pytest workers share the folder safely; a damaged entry is only a warning and
    # a recompile. One folder per kind of CPU (a hash of its feature flags): XLA:CPU code
    # compiled for one CPU's instructions must not be loaded on another that lacks them.
    # Set JAX_COMPILATION_CACHE_DIR yourself to put it elsewhere.
    cpu=$( (grep -m 1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null || uname -m) | cksum | cut -d ' ' -f 1)
    export JAX_COMPILATION_CACHE_DIR="${JAX_COMPILATION_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cnn-course/jax-compilation-cache/cpu-$cpu}"
    export JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="${JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS:-0}"
    export JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="${JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES:--1}"
    export JAX_COMPILATION_CACHE_MAX_SIZE="${JAX_COMPILATION_CACHE_MAX_SIZE:-2000000000}"
fi
exec "$venv/bin/python" -m pytest "$@"
