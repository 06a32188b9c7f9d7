"""course_utils.mnist_cnn: lesson 04's networks, schedule, preprocessing and model files."""

import keras
import numpy as np
import pytest

from course_utils import mnist_cnn


def test_plain_convnet_is_the_keras_example():
    model = mnist_cnn.build_plain_convnet()
    # keras.io/examples/vision/mnist_convnet: 34,826 parameters.
    assert model.count_params() == 34_826
    assert model.output_shape == (None, 10)
    assert model.layers[-1].activation is keras.activations.softmax


@pytest.mark.parametrize("widths, parameters", [((12, 24, 48), 17_734), ((8, 16, 32), 8_946),
                                                ((16, 32, 64), 29_402)])
def test_fast_cnn_parameters_by_hand(widths, parameters):
    model = mnist_cnn.build_fast_cnn(widths)
    channels = (1,) + tuple(widths)
    convolutions = sum(3 * 3 * c_in * c_out for c_in, c_out in zip(channels[:-1], channels[1:]))
    batch_norm = sum(4 * width for width in widths)
    spatial = 28 // 2 ** len(widths)
    dense = spatial * spatial * widths[-1] * 10 + 10
    assert convolutions + batch_norm + dense == parameters == model.count_params()


def test_fast_cnn_pools_before_normalising_and_outputs_logits():
    kinds = [type(layer).__name__ for layer in mnist_cnn.build_fast_cnn().layers]
    assert kinds == ["InputLayer"] + ["Conv2D", "MaxPooling2D", "BatchNormalization", "ReLU"] * 3 + \
        ["Flatten", "Dense"]
    dense = mnist_cnn.build_fast_cnn().layers[-1]
    assert dense.activation is keras.activations.linear


def test_two_convolutions_per_block_by_hand():
    widths = (16, 32, 64)
    model = mnist_cnn.build_fast_cnn(widths, convs_per_block=2)
    channels = (1,) + widths
    # Per block: c_in -> width, then width -> width; each conv followed by a BN of 4 per channel.
    convolutions = sum(9 * c_in * width + 9 * width * width for c_in, width in zip(channels[:-1], widths))
    batch_norm = sum(2 * 4 * width for width in widths)
    dense = 3 * 3 * 64 * 10 + 10
    assert convolutions + batch_norm + dense == 78_234 == model.count_params()
    kinds = [type(layer).__name__ for layer in model.layers]
    block = ["Conv2D", "BatchNormalization", "ReLU", "Conv2D", "MaxPooling2D", "BatchNormalization", "ReLU"]
    assert kinds == ["InputLayer"] + block * 3 + ["Flatten", "Dense"]


def test_each_block_names_its_output():
    for convs_per_block in (1, 2):
        model = mnist_cnn.build_fast_cnn((8, 16, 32), convs_per_block=convs_per_block)
        shapes = [model.get_layer(f"block{block}_output").output.shape for block in (1, 2, 3)]
        assert [tuple(shape[1:]) for shape in shapes] == [(14, 14, 8), (7, 7, 16), (3, 3, 32)]


def test_a_block_needs_a_convolution():
    with pytest.raises(ValueError, match="convs_per_block"):
        mnist_cnn.build_fast_cnn(convs_per_block=0)


def test_warmup_cosine_schedule_shape():
    schedule = mnist_cnn.warmup_cosine_schedule(100, peak_learning_rate=1e-2, warmup_fraction=0.2)
    rate = lambda step: float(keras.ops.convert_to_numpy(schedule(step)))  # noqa: E731
    assert rate(0) == pytest.approx(1e-3)
    assert rate(10) == pytest.approx(5.5e-3, rel=1e-3)   # halfway up the linear warm-up
    assert rate(20) == pytest.approx(1e-2)               # the peak
    assert rate(60) == pytest.approx(1e-2 * (0.01 + 0.99 * 0.5), rel=1e-3)  # half of the cosine
    assert rate(100) == pytest.approx(1e-4, rel=1e-3)    # alpha = 1 % of the peak
    assert all(rate(s) >= rate(s + 5) for s in range(20, 95, 5))


def test_warmup_cosine_schedule_needs_steps():
    with pytest.raises(ValueError, match="total_steps"):
        mnist_cnn.warmup_cosine_schedule(1)


def test_steps_for_counts_the_partial_batch():
    assert mnist_cnn.steps_for(60_000, 256, 2) == 2 * 235
    assert mnist_cnn.steps_for(512, 256, 3) == 6


def test_prepare_images():
    images = np.array([[[0, 255] * 14] * 28], dtype=np.uint8)
    prepared = mnist_cnn.prepare_images(images)
    assert prepared.shape == (1, 28, 28, 1) and prepared.dtype == np.float32
    assert prepared.min() == 0.0 and prepared.max() == 1.0
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        mnist_cnn.prepare_images(np.zeros((2, 28, 28, 1), dtype=np.uint8))


def test_model_folder_follows_its_variable_or_the_data_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("CNN_COURSE_MODEL_DIR", str(tmp_path / "models"))
    assert mnist_cnn.saved_model_path("lesson04_mnist_cnn") == tmp_path / "models" / "lesson04_mnist_cnn.keras"
    monkeypatch.delenv("CNN_COURSE_MODEL_DIR")
    monkeypatch.setenv("CNN_COURSE_DATA_DIR", str(tmp_path / "data"))
    assert mnist_cnn.model_dir() == tmp_path / "data" / "models"


@pytest.mark.parametrize("name", ["", "../escape", "a/b", ".hidden"])
def test_model_names_are_plain(name):
    with pytest.raises(ValueError, match="plain file stem"):
        mnist_cnn.saved_model_path(name)


def test_save_model_round_trip_leaves_no_partial_file(monkeypatch, tmp_path):
    monkeypatch.setenv("CNN_COURSE_MODEL_DIR", str(tmp_path))
    model = mnist_cnn.build_fast_cnn((4, 4, 4))
    path = mnist_cnn.save_model(model, "tiny")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.keras"]
    loaded = keras.saving.load_model(path)
    x = np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-5)


def test_a_failed_save_leaves_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("CNN_COURSE_MODEL_DIR", str(tmp_path))
    model = mnist_cnn.build_fast_cnn((4, 4, 4))

    def broken_save(self, path, *args, **kwargs):
        with open(path, "wb") as partial:
            partial.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(keras.Model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        mnist_cnn.save_model(model, "tiny")
    assert list(tmp_path.iterdir()) == []


def test_keras2017_convnet_is_the_keras2_example():
    model = mnist_cnn.compile_keras2017_convnet(mnist_cnn.build_keras2017_convnet())
    # Keras 2 examples/mnist_cnn.py: conv 320 + conv 18,496 + dense 9,216 * 128 + 128 + dense 1,290.
    assert model.count_params() == 320 + 18_496 + (12 * 12 * 64 * 128 + 128) + (128 * 10 + 10) == 1_199_882
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Conv2D", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dropout", "Dense"]
    assert [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)] == [0.25, 0.5]
    assert type(model.optimizer).__name__ == "Adadelta"
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == 1.0  # Keras 2's default
