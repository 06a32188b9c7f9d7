"""Training time to 99.0 % MNIST test accuracy: a Keras example convnet against our recipe (lesson 04).

    python benchmarks/benchmark_mnist.py [--baseline keras-io-2020|keras-2017] [--target 0.99]
                                         [--baseline-epochs 15] [--epochs 2] [--repeats 3]

Both networks train on the full 60,000 MNIST training images and are evaluated on the
full 10,000 test images every quarter of an epoch, with the clock stopped while they are
evaluated (course_utils.time_to_accuracy.TimeToAccuracy). The time is training wall time
from the start of ``fit``, so the compilation of the training step is included. Each run
stops the moment it first reaches the target. Timing on the test set is what speed
benchmarks do (the target is fixed in advance, nothing is chosen by it); lesson 04 itself
makes its choices on a validation set and uses the test set once.

* (a) the baseline, chosen with --baseline:
  - ``keras-io-2020`` (default): the keras.io example "Simple MNIST convnet"
    (course_utils.mnist_cnn.build_plain_convnet, 34,826 parameters): Adam at 1e-3, batch 128;
  - ``keras-2017``: the Keras 2 example ``examples/mnist_cnn.py`` of the lecture's time
    (build_keras2017_convnet, 1,199,882 parameters): Adadelta at 1.0, batch 128. The
    lecture's claim for its Keras example: 99.0 % in 14 min on a CPU, 42 s on a GPU;
  up to --baseline-epochs epochs;
* (b) our recipe (build_fast_cnn + compile_fast_cnn): a network that is cheap per image,
  batch normalisation, batch 256, a warm-up + cosine learning-rate schedule over --epochs
  epochs, a loss on logits.

Both run in this process, taking turns (baseline, ours, baseline, ours, ...) --repeats
times with the same seed, so that a slow spell of a shared machine hits both; each
side's time is the median of its runs. The last line is ``ratio: X``, the baseline's
median time over ours. The numbers depend on the machine; this is a measurement,
nothing is asserted. Set KERAS_BACKEND to compare backends.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from course_utils import mnist_cnn  # noqa: E402
from course_utils.env import collect_report, enable_gpu_memory_growth  # noqa: E402
from course_utils.seed import set_seed  # noqa: E402
from course_utils.time_to_accuracy import TimeToAccuracy  # noqa: E402
from data_download import load  # noqa: E402

EVALUATIONS_PER_EPOCH = 4

#: --baseline: (description, build and compile), both with batch 128 as in their examples.
BASELINES = {
    "keras-io-2020": ("plain Keras convnet (keras.io, 2020)",
                      lambda: mnist_cnn.compile_plain_convnet(mnist_cnn.build_plain_convnet())),
    "keras-2017": ("Keras 2 examples/mnist_cnn.py (2017)",
                   lambda: mnist_cnn.compile_keras2017_convnet(mnist_cnn.build_keras2017_convnet())),
}
BASELINE_BATCH_SIZE = 128


def device_description() -> str:
    report = collect_report()
    gpus = ", ".join(gpu.name for gpu in report.gpus) if report.gpus else None
    return gpus or f"CPU ({report.cpu_model or platform.processor() or 'unknown'}, {os.cpu_count()} cores)"


def fresh_start(seed):
    # Each run starts from the same state: no graphs, weights or garbage of earlier runs.
    keras.backend.clear_session()
    gc.collect()
    set_seed(seed)


def train_until(model, x_train, y_train, x_test, y_test, *, target, batch_size, epochs):
    clock = TimeToAccuracy(x_test, y_test, target=target, stop_at_target=True,
                           evaluate_every=max(1, -(-len(x_train) // batch_size) // EVALUATIONS_PER_EPOCH))
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, callbacks=[clock],
              shuffle=True, verbose=0)
    return clock


def describe(name, clock, epochs_allowed):
    if clock.reached:
        return (f"{name}: {clock.target:.1%} after {clock.seconds_to_target:.1f} s of training, "
                f"{clock.epochs_to_target:.2f} epochs")
    return (f"{name}: did not reach {clock.target:.1%} within {epochs_allowed} epochs "
            f"({clock.training_seconds:.1f} s; best {clock.best_accuracy:.2%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", choices=sorted(BASELINES), default="keras-io-2020",
                        help="the Keras example to race (default keras-io-2020; keras-2017 is the lecture's era)")
    parser.add_argument("--target", type=float, default=0.99, help="test accuracy to reach (default 0.99)")
    parser.add_argument("--baseline-epochs", type=int, default=15, help="epochs allowed to the baseline (15)")
    parser.add_argument("--epochs", type=int, default=2, help="epochs of our schedule (default 2)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each, taking turns; the medians are compared (default 3)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1, got {args.repeats}")

    enable_gpu_memory_growth()
    (x_train, y_train), (x_test, y_test) = load("mnist", progress=False)
    x_train, x_test = mnist_cnn.prepare_images(x_train), mnist_cnn.prepare_images(x_test)
    print(f"Keras {keras.__version__}, {keras.backend.backend()} backend, {device_description()}")
    print(f"MNIST: {len(x_train)} training and {len(x_test)} test images; target {args.target:.1%} "
          f"on the full test set, checked {EVALUATIONS_PER_EPOCH} times per epoch")

    baseline_times, our_times = [], []
    for run in range(1, args.repeats + 1):
        fresh_start(args.seed)
        baseline_name, build_baseline = BASELINES[args.baseline]
        plain = build_baseline()
        baseline = train_until(plain, x_train, y_train, x_test, y_test, target=args.target,
                               batch_size=BASELINE_BATCH_SIZE, epochs=args.baseline_epochs)
        print(describe(f"run {run} (a) {baseline_name}, {plain.count_params():,} parameters, "
                       f"batch {BASELINE_BATCH_SIZE}", baseline, args.baseline_epochs), flush=True)

        fresh_start(args.seed)
        batch_size = mnist_cnn.FAST_BATCH_SIZE
        fast = mnist_cnn.build_fast_cnn()
        mnist_cnn.compile_fast_cnn(fast, mnist_cnn.steps_for(len(x_train), batch_size, args.epochs))
        ours = train_until(fast, x_train, y_train, x_test, y_test, target=args.target,
                           batch_size=batch_size, epochs=args.epochs)
        print(describe(f"run {run} (b) our recipe, {fast.count_params():,} parameters, batch {batch_size}",
                       ours, args.epochs), flush=True)
        if not (baseline.reached and ours.reached):
            print("ratio: n/a (a run did not reach the target, see above)")
            raise SystemExit(1)
        baseline_times.append(baseline.seconds_to_target)
        our_times.append(ours.seconds_to_target)

    baseline_median, our_median = float(np.median(baseline_times)), float(np.median(our_times))
    print(f"median of {args.repeats} run(s): {args.baseline} {baseline_median:.1f} s, ours {our_median:.1f} s; "
          f"run by run ratios {', '.join(f'{b / o:.1f}' for b, o in zip(baseline_times, our_times))}")
    if args.baseline == "keras-2017":
        print(f"the lecture, for its Keras example: 99.0 % in 14 min on a CPU and 42 s on a GPU; "
              f"measured here ({device_description()}): {baseline_median:.0f} s to {args.target:.1%}")
    print(f"ratio: {baseline_median / our_median:.1f}")


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
