"""course_utils.device_timing: lesson 00's CPU-against-GPU epoch, run on the CPU with tiny data.

The GPU arm of lesson 00 differs from the CPU arm only in the device list, so these tests
run both arms here: one device (what CI's CPU does) and two (what a Colab GPU does, with
the CPU standing in for the GPU).
"""

import numpy as np
import pytest

from course_utils import device_timing
from course_utils.device_timing import EpochTiming


def tiny_mnist(count, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((count, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, count)


@pytest.mark.parametrize("has_gpu, devices", [(False, ["cpu:0"]), (True, ["cpu:0", "gpu:0"])])
def test_devices_to_compare_both_ways(has_gpu, devices):
    assert device_timing.devices_to_compare(has_gpu=has_gpu) == devices


def test_whole_batches_drops_the_partial_batch():
    images, labels = tiny_mnist(300)
    kept_images, kept_labels = device_timing.whole_batches(images, labels, batch_size=128)
    assert len(kept_images) == len(kept_labels) == 256
    with pytest.raises(ValueError, match="at least one batch"):
        device_timing.whole_batches(images[:100], labels[:100], batch_size=128)


def test_no_devices_is_refused():
    images, labels = tiny_mnist(128)
    with pytest.raises(ValueError, match="at least one device"):
        device_timing.time_one_epoch_per_device([], images, labels)


def test_two_devices_give_two_timings_and_a_ratio(capsys):
    """The GPU runtime's path: two devices timed in turn, then the ratio line."""
    images, labels = tiny_mnist(2 * 32 + 5)
    timings = device_timing.time_one_epoch_per_device(["cpu:0", "cpu:0"], images, labels, batch_size=32)
    assert capsys.readouterr().out == "training one epoch on cpu:0 ...\n" * 2
    assert [timing.device for timing in timings] == ["cpu:0", "cpu:0"]
    assert all(timing.images == 64 and timing.seconds > 0 and timing.warmup_seconds > 0
               for timing in timings)
    text = device_timing.describe_timings(timings)
    assert text.count("one epoch of 64 images") == 2
    assert "times as fast as cpu:0" in text and "lecture" not in text


def test_one_device_shows_the_lectures_figures_as_quoted():
    """The CPU-only path: one timing, then the lecture's 14 min and 42 s, said to be quoted."""
    images, labels = tiny_mnist(32)
    timings = device_timing.time_one_epoch_per_device(["cpu:0"], images, labels, batch_size=32)
    text = device_timing.describe_timings(timings)
    assert "14 min on a CPU, 42 s on a GPU, 20 times as fast" in text
    assert "quoted, not measured here" in text


def test_ratio_is_first_device_over_last():
    timings = [EpochTiming("cpu:0", 59_904, 60.0, 2.0), EpochTiming("gpu:0", 59_904, 3.0, 9.0)]
    text = device_timing.describe_timings(timings)
    assert "gpu:0 is 20.0 times as fast as cpu:0" in text
    assert "59,904 images in 3.00 s (19,968 images/s; warm-up 9.0 s, not counted)" in text


def test_same_initial_weights_on_every_device():
    """The comparison is fair only if both devices train the same network from the same start."""
    import keras

    from course_utils import mnist_cnn

    first_weights = []
    for _ in range(2):
        keras.utils.set_random_seed(42)
        with keras.device("cpu:0"):
            first_weights.append(keras.ops.convert_to_numpy(mnist_cnn.build_plain_convnet().weights[0]))
    np.testing.assert_array_equal(*first_weights)


@pytest.mark.parametrize("use_mixed_precision, compute_dtype", [(False, "float32"), (True, "float16")])
def test_precision_policy_both_ways_on_the_cpu(use_mixed_precision, compute_dtype):
    """Mixed precision runs on a CPU in Keras: the GPU-only comparison's code runs here."""
    import keras

    from course_utils import mnist_cnn

    images, labels = tiny_mnist(32)
    with device_timing.precision_policy(use_mixed_precision) as policy:
        model = mnist_cnn.compile_plain_convnet(mnist_cnn.build_plain_convnet())
        model.fit(images, labels, batch_size=32, epochs=1, verbose=0)
    assert policy == ("mixed_float16" if use_mixed_precision else "float32")
    assert model.layers[0].compute_dtype == compute_dtype
    assert all(weight.dtype == "float32" for weight in model.weights)  # weights stay float32
    assert keras.config.dtype_policy().name == "float32"  # put back afterwards


@pytest.mark.parametrize("use_mixed_precision", [False, True])
def test_lesson04_gpu_cell_recipe_trains_under_both_policies_on_the_cpu(use_mixed_precision):
    """What lesson 04's GPU-only cell runs, on tiny data: the fast CNN, compiled with the
    warm-up + cosine recipe on logits, trained for two epochs with the lesson's two
    callbacks (EpochTimer, TimeToAccuracy), in float32 and in mixed_float16."""
    import keras

    from course_utils import mnist_cnn
    from course_utils.epoch_timer import EpochTimer, time_per_epoch
    from course_utils.time_to_accuracy import TimeToAccuracy

    images, labels = tiny_mnist(64)
    with device_timing.precision_policy(use_mixed_precision):
        keras.utils.set_random_seed(42)
        model = mnist_cnn.compile_fast_cnn(mnist_cnn.build_fast_cnn(), mnist_cnn.steps_for(64, 32, 2))
        timer, clock = EpochTimer(), TimeToAccuracy(images[:16], labels[:16], target=0.99, evaluate_every=1)
        model.fit(images, labels, batch_size=32, epochs=2, callbacks=[timer, clock], verbose=0)
        outputs = model(images[:4])
    assert outputs.dtype == ("float16" if use_mixed_precision else "float32")
    assert len(timer.seconds) == 2 and time_per_epoch(timer.seconds).seconds > 0
    assert 0.0 <= clock.checkpoints[-1].accuracy <= 1.0 and clock.checkpoints[-1].epochs == 2
    assert keras.config.dtype_policy().name == "float32"


def test_precision_policy_is_restored_after_an_error():
    import keras

    with pytest.raises(RuntimeError):
        with device_timing.precision_policy(True):
            raise RuntimeError("a cell failed")
    assert keras.config.dtype_policy().name == "float32"
