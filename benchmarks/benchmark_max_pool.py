"""Max-pooling's gradient on JAX's CPU backend: Keras's own against course_utils.jax_max_pool.

    KERAS_BACKEND=jax python benchmarks/benchmark_max_pool.py [--images 8192] [--repeats 10]

Two measurements, each first with Keras's own max-pooling (XLA's select-and-scatter
gradient), then, in the same process, with ``speed_up_max_pool_gradient()`` installed:

* the operation alone: the gradient of a 2x2 max-pooling of 128 feature maps of 26x26x32
  (lesson 04's plain convnet, first block), best of ``--repeats`` calls;
* one training epoch of lesson 04's two networks (``course_utils.mnist_cnn``: the plain
  convnet at batch 128, the fast CNN at batch 256) on ``--images`` random digits, after
  a warm-up epoch that compiles.

The gradients are checked equal before anything is timed. The numbers depend on the
machine; this is a demonstration, not a test, and nothing here is asserted about speed.
The last line is the ratio of the fast CNN's epoch time, Keras's own over the fast path.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
from benchmark_convolution import best_time  # its warm-up call is what compiles here


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=8192, help="digits per epoch (default 8192, fast mode's)")
    parser.add_argument("--repeats", type=int, default=10, help="timed calls of the operation (default 10)")
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "jax")

    import jax
    import keras

    from course_utils import jax_max_pool, mnist_cnn

    if keras.backend.backend() != "jax" or jax.default_backend() != "cpu":
        raise SystemExit("this benchmark is about JAX's CPU backend: run it with KERAS_BACKEND=jax on a CPU")

    rng = np.random.default_rng(0)
    feature_maps = jax.numpy.asarray(rng.normal(size=(128, 26, 26, 32)).astype("float32"))
    weights = jax.numpy.asarray(rng.normal(size=(128, 13, 13, 32)).astype("float32"))
    pool = keras.layers.MaxPooling2D()
    gradient = jax.jit(jax.grad(lambda x: (pool(x) * weights).sum()))  # traced anew after installing
    digits = rng.random((args.images, 28, 28, 1), dtype=np.float32)
    labels = rng.integers(0, 10, args.images)

    def epoch_seconds(build, batch_size, from_logits):
        model = build()
        model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits))
        model.fit(digits, labels, batch_size=batch_size, epochs=1, verbose=0)  # compiles
        start = time.perf_counter()
        model.fit(digits, labels, batch_size=batch_size, epochs=1, verbose=0)
        return time.perf_counter() - start

    def measure():
        return {
            "max-pool gradient, 128x26x26x32": best_time(lambda: gradient(feature_maps).block_until_ready(),
                                                         args.repeats),
            "epoch, plain convnet (batch 128)": epoch_seconds(mnist_cnn.build_plain_convnet, 128, False),
            "epoch, fast CNN (batch 256)": epoch_seconds(mnist_cnn.build_fast_cnn, 256, True),
        }

    print(f"Python {platform.python_version()}, JAX {jax.__version__}, Keras {keras.__version__}, "
          f"{os.cpu_count()} CPUs; {args.images:,} digits per epoch")
    keras_gradient = np.asarray(gradient(feature_maps))
    keras_own = measure()
    if not jax_max_pool.speed_up_max_pool_gradient():
        raise SystemExit("speed_up_max_pool_gradient() did not install")
    gradient = jax.jit(jax.grad(lambda x: (pool(x) * weights).sum()))
    if not np.array_equal(np.asarray(gradient(feature_maps)), keras_gradient):
        raise SystemExit("the fast gradient differs from Keras's own; fix it before timing it")
    fast = measure()
    print(f"{'':<36}{'Keras own':>12}{'fast path':>12}{'ratio':>8}")
    for name in keras_own:
        unit, scale = ("ms", 1e3) if "gradient" in name else ("s", 1)
        print(f"{name:<36}{keras_own[name] * scale:>9.2f} {unit:<2}{fast[name] * scale:>9.2f} {unit:<2}"
              f"{keras_own[name] / fast[name]:>7.1f}x")
    print(f"ratio (fast CNN epoch, Keras's own / fast path): "
          f"{keras_own['epoch, fast CNN (batch 256)'] / fast['epoch, fast CNN (batch 256)']:.2f}")


if __name__ == "__main__":
    main()
