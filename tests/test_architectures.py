"""Lesson 05's builders: parameter counts pinned against the papers and keras.applications,
the blocks' shapes and behaviour, the counting formulas, gradients, data and history.

Counts use ``count_parameters``, which builds a model without allocating its weights, so
that VGG-16 (138M parameters) costs milliseconds; ``keras.applications`` models are built
with ``weights=None`` (nothing is downloaded).
"""

import os

import keras
import numpy as np
import pytest

from course_utils import architectures as arch
from course_utils import ilsvrc, image_datasets
from course_utils.parameter_counts import (ParameterCount, conv_multiply_adds, conv_parameters, count_of,
                                           count_parameters, separable_multiply_adds, separable_parameters)
from course_utils.numpy_initialization import build_with_numpy_weights
from course_utils.weight_gradients import conv_kernel_gradient_norms

# Models here get NumPy-drawn initial weights: on JAX every new weight shape would
# otherwise compile its random initializer (about a second of CPU each).


def weights_only(model_count_builder):
    """Parameters without biases and without batch normalisation (what the papers' tables count)."""
    with keras.StatelessScope(initialize_variables=False):
        model = model_count_builder()
    return sum(int(np.prod(v.shape)) for v in model.trainable_weights if v.path.endswith("kernel"))


# Counts against the published figures ------------------------------------------------------

def test_lenet5_has_the_61706_parameters_of_its_modern_reading_in_both_variants():
    # 156 + 2,416 + 48,120 + 10,164 + 850; the 1998 paper's 60,000 has a sparser C3 (1,516),
    # trainable subsampling (12 + 32) and no trainable output layer.
    assert count_parameters(arch.lenet5).total == 61_706
    assert count_parameters(arch.lenet5, small=True).total == 61_706
    assert 156 + 12 + 1_516 + 32 + 48_120 + 10_164 == 60_000


def test_alexnet_with_two_gpu_groups_has_the_papers_60_million():
    assert count_parameters(arch.alexnet).total == 60_965_224
    assert count_parameters(arch.alexnet, grouped=False).total == 62_378_344


def test_vgg16_equals_keras_applications_and_the_published_138_million():
    ours = count_parameters(arch.vgg16)
    assert ours == count_parameters(keras.applications.VGG16, weights=None)
    assert ours.total == 138_357_544


def test_googlenet_counts_and_the_inception_3a_module_of_the_papers_table():
    assert count_parameters(arch.googlenet).total == 6_998_552
    # Table 1 of the paper lists 159K for inception (3a): its weights in units of 1024.
    module = lambda: keras.Model(*(lambda x: (x, arch.inception_module(x, *arch.GOOGLENET_MODULES["3a"])))(
        keras.Input((28, 28, 192))))
    assert weights_only(module) == 163_328 == round(159.5 * 1024)
    assert abs(weights_only(arch.googlenet) / 1e6 - 6.8) < 0.25  # "about 6.8M"


def test_xception_equals_keras_applications():
    assert count_parameters(arch.xception) == count_parameters(keras.applications.Xception, weights=None)


def test_resnet50_equals_keras_applications_with_biases_and_the_published_25_6_million_without():
    assert count_parameters(arch.resnet50, use_bias=True) == count_parameters(
        keras.applications.ResNet50, weights=None)
    assert count_parameters(arch.resnet50).trainable == 25_557_032  # torchvision's resnet50, "25.6M"


def test_densenet121_equals_keras_applications_and_the_published_8_million():
    ours = count_parameters(arch.densenet121)
    assert ours == count_parameters(keras.applications.DenseNet121, weights=None)
    assert ours.total == 8_062_504 and round(ours.trainable / 1e6, 1) == 8.0


@pytest.mark.parametrize("depth, trainable, published", [(20, 269_722, 0.27), (56, 853_018, 0.85)])
def test_cifar_resnets_match_the_paper_and_their_plain_twins(depth, trainable, published):
    residual = count_parameters(arch.cifar_resnet, depth)
    assert residual.trainable == trainable and round(trainable / 1e6, 2) == published
    assert count_parameters(arch.cifar_resnet, depth, residual=False) == residual  # option A: no weights
    assert count_parameters(arch.cifar_resnet, depth, preactivation=True).trainable == trainable


def test_cifar_resnet_refuses_a_depth_that_is_not_6n_plus_2():
    with pytest.raises(ValueError, match="6n \\+ 2"):
        arch.cifar_resnet(21)


# The small variants train: they build, run and output logits on both input sizes -----------

@pytest.mark.parametrize("input_shape", [(28, 28, 1), (32, 32, 3)])  # Fashion-MNIST, CIFAR-10
def test_every_small_variant_is_small_and_outputs_ten_logits(input_shape):
    for name, build in arch.small_models(input_shape).items():
        with keras.StatelessScope(initialize_variables=False):  # shapes only: no weights made
            model = build()
        assert model.output_shape == (None, 10), name
        assert count_of(model).total < 600_000, name


def test_small_variants_run_forward():
    # Two of them for real (the lesson trains all seven): building allocates and, on JAX,
    # compiles each new initializer shape, which makes every model cost seconds.
    images = np.random.default_rng(0).random((2, 28, 28, 1)).astype("float32")
    for name in ("LeNet-5", "ResNet-20"):
        logits = build_with_numpy_weights(arch.small_models()[name]).predict(images, verbose=0)
        assert logits.shape == (2, 10) and np.isfinite(logits).all(), name


# Lesson 05 trains these four families in full mode only (fast mode trains LeNet-5, AlexNet
# and VGG): here each takes one training step on tiny data, compiled as the lesson compiles them
# (evaluating, as the lesson then does, runs the forward pass: test_small_variants_run_forward).
FULL_MODE_ONLY_FAMILIES = ("GoogLeNet", "Xception", "ResNet-20", "DenseNet")


def test_the_full_mode_only_families_train_as_lesson_05_trains_them():
    assert set(FULL_MODE_ONLY_FAMILIES) < set(arch.small_models())
    rng = np.random.default_rng(0)
    images, labels = rng.random((8, 28, 28, 1)).astype("float32"), rng.integers(0, 10, 8)
    for name in FULL_MODE_ONLY_FAMILIES:
        model = build_with_numpy_weights(arch.small_models()[name], seed=42)
        model.compile(optimizer=keras.optimizers.Adam(2e-3),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        before = [keras.ops.convert_to_numpy(w).copy() for w in model.trainable_weights]
        history = model.fit(images, labels, batch_size=8, epochs=1, verbose=0)  # one step: compiling is most of it
        assert np.isfinite(history.history["loss"]).all() and 0 <= history.history["accuracy"][0] <= 1, name
        changed = [not np.array_equal(b, keras.ops.convert_to_numpy(w)) for b, w in zip(before, model.trainable_weights)]
        assert all(changed), f"{name}: {changed.count(False)} weight tensors did not train"


def test_bad_input_shape_says_what_it_wants():
    with pytest.raises(ValueError, match="height, width, channels"):
        arch.vgg16(input_shape=(28, 28))
    with pytest.raises(ValueError, match="num_classes"):
        arch.vgg16(num_classes=1, small=True)


# Blocks ------------------------------------------------------------------------------------

def _block_model(block, input_shape, *args, **kwargs):
    def build():
        inputs = keras.Input(input_shape)
        return keras.Model(inputs, block(inputs, *args, **kwargs))

    return build_with_numpy_weights(build)


def test_naive_inception_module_keeps_the_input_channels_and_costs_more():
    naive = _block_model(arch.inception_module, (28, 28, 192), *arch.GOOGLENET_MODULES["3a"], bottleneck=False)
    reduced = _block_model(arch.inception_module, (28, 28, 192), *arch.GOOGLENET_MODULES["3a"])
    assert naive.output_shape == (None, 28, 28, 64 + 128 + 32 + 192)
    assert reduced.output_shape == (None, 28, 28, 64 + 128 + 32 + 32)
    assert naive.count_params() == conv_parameters(1, 192, 64) + conv_parameters(3, 192, 128) + conv_parameters(5, 192, 32)
    assert naive.count_params() > 2 * reduced.count_params()


def test_separable_conv_equals_keras_separable_conv2d():
    rng = np.random.default_rng(1)
    ours = _block_model(arch.separable_conv, (9, 9, 6), 10, 3)
    theirs = build_with_numpy_weights(lambda: keras.Sequential(
        [keras.Input((9, 9, 6)), keras.layers.SeparableConv2D(10, 3, padding="same")]))
    assert ours.count_params() == theirs.count_params() == separable_parameters(3, 6, 10)
    depthwise, pointwise, bias = (rng.normal(size=w.shape).astype("float32") for w in theirs.get_weights())
    theirs.set_weights([depthwise, pointwise, bias])
    ours.set_weights([depthwise, pointwise, bias])
    x = rng.normal(size=(2, 9, 9, 6)).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-4, atol=1e-4)


def test_zero_pad_shortcut_subsamples_and_pads_channels():
    x = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    out = keras.ops.convert_to_numpy(arch.ZeroPadShortcut(2, 5)(x))
    assert out.shape == (2, 2, 2, 8)
    np.testing.assert_array_equal(out[..., :3], x[:, ::2, ::2, :])
    assert not out[..., 3:].any()


def test_residual_block_carries_the_identity_and_the_plain_one_does_not():
    x = np.random.default_rng(2).normal(size=(2, 6, 6, 8)).astype("float32")
    for residual, expected in [(True, np.maximum(x, 0)), (False, np.zeros_like(x))]:
        model = _block_model(arch.basic_block, (6, 6, 8), 8, residual=residual)
        for variable in model.trainable_variables:
            if variable.path.endswith("kernel"):
                variable.assign(np.zeros(variable.shape, "float32"))
        np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-6)


def test_preactivation_blocks_have_the_same_convolutions_in_another_order():
    def kernels(model):
        return sorted(tuple(v.shape) for v in model.trainable_weights if v.path.endswith("kernel"))

    for block, filters in [(arch.basic_block, 16), (arch.bottleneck_block, 8)]:
        original = _block_model(block, (8, 8, 16), filters, strides=2)
        pre = _block_model(block, (8, 8, 16), filters, strides=2, preactivation=True)
        assert original.output_shape == pre.output_shape
        assert kernels(original) == kernels(pre)


def test_dense_block_concatenates_and_transition_compresses():
    block = _block_model(arch.dense_block, (8, 8, 24), 3, 12)
    assert block.output_shape == (None, 8, 8, 24 + 3 * 12)
    transition = _block_model(arch.transition_layer, (8, 8, 60))
    assert transition.output_shape == (None, 4, 4, 30)


def test_xception_block_halves_the_map():
    block = _block_model(arch.xception_block, (10, 10, 8), 16)
    assert block.output_shape == (None, 5, 5, 16)


# Counting ----------------------------------------------------------------------------------

def test_formulas_match_keras_layers():
    conv = keras.layers.Conv2D(32, 5, groups=2)
    conv.build((None, 12, 12, 8))
    assert conv.count_params() == conv_parameters(5, 8, 32, groups=2)
    assert conv_parameters(3, 256, 256, bias=False) * 2 < conv_parameters(5, 256, 256, bias=False)
    assert conv_multiply_adds(3, 4, 8, 10, 10) == 3 * 3 * 4 * 8 * 100
    assert separable_multiply_adds(3, 4, 8, 10, 10) == (9 * 4 + 4 * 8) * 100
    with pytest.raises(ValueError, match="groups"):
        conv_parameters(3, 6, 8, groups=4)
    with pytest.raises(ValueError, match="positive whole number"):
        conv_parameters(3, 0, 8)


def test_count_parameters_allocates_nothing_and_leaves_no_variable_pending():
    from keras.src.backend.common import global_state

    before = list(global_state.get_global_attribute("uninitialized_variables") or [])
    count = count_parameters(arch.vgg16, small=True)
    assert count == count_of(build_with_numpy_weights(arch.vgg16, small=True)) == ParameterCount(200_378, 0)
    assert list(global_state.get_global_attribute("uninitialized_variables") or []) == before


# Gradients at each layer ------------------------------------------------------------------

def test_conv_kernel_gradient_norms_match_central_differences():
    model = build_with_numpy_weights(lambda: keras.Sequential([
        keras.Input((5, 5, 1)), keras.layers.Conv2D(2, 3, name="first"),
        keras.layers.Conv2D(3, 3, activation="tanh"), keras.layers.Flatten(), keras.layers.Dense(4)]), seed=3)
    rng = np.random.default_rng(3)
    images = rng.normal(size=(6, 5, 5, 1)).astype("float32")
    labels = rng.integers(0, 4, size=6)
    norms = conv_kernel_gradient_norms(model, images, labels)
    assert norms.shape == (2,)

    def loss():
        logits = model(images)
        return float(keras.ops.convert_to_numpy(keras.ops.mean(
            keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))))

    kernel = model.get_layer("first").kernel
    start = keras.ops.convert_to_numpy(kernel).astype("float64")
    numerical = np.zeros_like(start)
    step = 1e-2
    for index in np.ndindex(start.shape):
        for sign in (1, -1):
            moved = start.copy()
            moved[index] += sign * step
            kernel.assign(moved.astype("float32"))
            numerical[index] += sign * loss() / (2 * step)
    kernel.assign(start.astype("float32"))
    np.testing.assert_allclose(norms[0], np.linalg.norm(numerical), rtol=2e-2)


def test_gradient_norms_want_images_and_labels_that_match():
    model = build_with_numpy_weights(arch.lenet5, small=True)
    with pytest.raises(ValueError, match="one integer label per image"):
        conv_kernel_gradient_norms(model, np.zeros((3, 28, 28, 1)), np.zeros(2, int))


# Data and history -------------------------------------------------------------------------

def test_load_preferred_falls_back_with_a_short_timeout_for_the_preferred_set_only(monkeypatch):
    from data_download import DatasetError

    calls = []

    def fake_load(name, progress=True, timeout=None, retries=None):
        calls.append((name, timeout, retries))
        if name == "cifar10":
            raise DatasetError("Could not get cifar-10-binary.tar.gz: offline\nTried: ...")
        images = np.full((5, 28, 28), 255, "uint8")
        return (images, np.arange(5) % 3), (images[:2], np.array([0, 9]))

    monkeypatch.setattr(image_datasets, "load", fake_load)
    monkeypatch.setenv("CNN_COURSE_DATA_TIMEOUT", "42")
    data = image_datasets.load_preferred(3, 2)
    assert data.name == "fashion-mnist" and "offline" in data.why and "Tried" not in data.why
    assert calls == [("cifar10", image_datasets.QUICK_TIMEOUT_SECONDS, image_datasets.QUICK_RETRIES),
                     ("fashion-mnist", None, None)]
    assert os.environ["CNN_COURSE_DATA_TIMEOUT"] == "42"
    assert data.x_train.shape == (3, 28, 28, 1) and data.x_train.dtype == np.float32 and data.x_train.max() == 1
    assert data.input_shape == (28, 28, 1) and data.num_classes == 10
    with pytest.raises(ValueError, match="train_size"):
        image_datasets.load_preferred(0, 2)


def test_ilsvrc_history():
    years = [result.year for result in ilsvrc.winners()]
    assert years == sorted(years) == list(range(2010, 2017))
    alexnet = next(r for r in ilsvrc.RESULTS if r.name == "AlexNet")
    runner_up = next(r for r in ilsvrc.RESULTS if r.year == 2012 and r is not alexnet)
    assert (alexnet.top5_error, runner_up.top5_error) == (16.4, 26.2)
    assert ilsvrc.first_below_human().name == "ResNet"
    assert all(r.top5_error > ilsvrc.HUMAN_TOP5_ERROR for r in ilsvrc.winners() if r.year < 2015)


def test_ilsvrc_keeps_challenge_entries_and_paper_results_apart():
    # Regression: 2016's bar was Inception-v4 (3.08 %, a paper result); the 2016 winner
    # was Trimps-Soushen (2.99 %), and AlexNet's 15.3 % used extra data.
    assert [(r.name, r.top5_error) for r in ilsvrc.winners() if r.year == 2016] == [("Trimps-Soushen", 2.99)]
    assert all(r.kind == "challenge" for r in ilsvrc.winners())
    assert {r.name for r in ilsvrc.paper_results()} == {"PReLU-net", "BN-Inception", "Inception-v4"}
    assert ilsvrc.first_below_human("paper").name == "PReLU-net"
    extra = next(r for r in ilsvrc.RESULTS if r.kind == "extra data")
    assert extra.top5_error == 15.3 and extra not in ilsvrc.winners()
