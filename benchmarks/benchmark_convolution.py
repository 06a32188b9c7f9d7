"""Time a conv layer's forward pass three ways on a realistic batch (lesson 02).

    python benchmarks/benchmark_convolution.py [--batch 32] [--repeats 5]

A CIFAR-sized batch (32 images of 32x32x3) through 16 filters of 3x3, "same" padding:

* Python loops (course_utils.convolution.conv2d_forward_loops), the baseline;
* vectorised NumPy (im2col + one matrix product, course_utils.convolution.conv2d_forward);
* the Keras op (keras.ops.conv on whichever backend KERAS_BACKEND selects).

All three run in this process, one after the other, and the script prints each time and
its speed-up over the loops. The numbers depend on the machine; this is a demonstration,
not a test, and nothing here is asserted about speed.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np


def best_time(function, repeats: int, warm_up: bool = True) -> float:
    """Smallest wall time of ``repeats`` calls (after one warm-up call unless told not to)."""
    if warm_up:
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32, help="images per batch (default 32)")
    parser.add_argument("--size", type=int, default=32, help="image height and width (default 32)")
    parser.add_argument("--filters", type=int, default=16, help="output channels (default 16)")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per method (default 5)")
    args = parser.parse_args()

    import keras

    from course_utils.convolution import conv2d_forward, conv2d_forward_loops

    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.batch, args.size, args.size, 3)).astype(np.float32)
    w = rng.normal(scale=0.1, size=(3, 3, 3, args.filters)).astype(np.float32)
    b = np.zeros(args.filters, dtype=np.float32)
    x_backend = keras.ops.convert_to_tensor(x)
    w_backend = keras.ops.convert_to_tensor(w)

    def keras_conv():
        out = keras.ops.conv(x_backend, w_backend, strides=1, padding="same") + b
        return keras.ops.convert_to_numpy(out)  # waits for the result (JAX runs asynchronously)

    reference = keras_conv()
    for name, function in [("loops", lambda: conv2d_forward_loops(x, w, b, 1, "same")),
                           ("numpy", lambda: conv2d_forward(x, w, b, 1, "same"))]:
        if not np.allclose(function(), reference, atol=1e-4):
            raise SystemExit(f"{name} disagrees with keras.ops.conv; fix it before timing it")

    print(f"Conv forward pass: batch {x.shape} * kernel {w.shape}, stride 1, padding 'same'")
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"Keras {keras.__version__} ({keras.backend.backend()} backend), "
          f"{platform.machine()}")
    # The loops take seconds: the correctness check above was their warm-up, one timed call
    # is plenty (interpreter overhead dominates, so the spread between calls is small).
    timings = {
        "Python loops": best_time(lambda: conv2d_forward_loops(x, w, b, 1, "same"), 1, warm_up=False),
        "vectorised NumPy (im2col)": best_time(lambda: conv2d_forward(x, w, b, 1, "same"), args.repeats),
        "keras.ops.conv": best_time(keras_conv, args.repeats),
    }
    baseline = timings["Python loops"]
    print(f"{'method':<28}{'time (ms)':>12}{'speed-up vs loops':>20}")
    for name, seconds in timings.items():
        print(f"{name:<28}{seconds * 1e3:>12.2f}{baseline / seconds:>19.0f}x")
    ratio = timings["keras.ops.conv"] / timings["vectorised NumPy (im2col)"]
    print(f"keras.ops.conv takes {ratio:.2f} times as long as vectorised NumPy on this batch "
          f"(try --batch and --size: the ranking depends on the sizes and the machine).")


if __name__ == "__main__":
    main()
