"""The attacks of lesson 06 on tiny models whose answers we know.

On a two-class linear model (logits W x), the input gradient of the cross-entropy of
label y is (p_y - 1)(w_y - w_other), so FGSM's step is sign(w_other - w_y) in closed
form: the tests compare with that, not with the code under test.
"""

import keras
import numpy as np
import pytest

from course_utils import adversarial

SHAPE = (4, 4, 1)


def linear_model(seed=0, classes=2, scale=1.0):
    model = keras.Sequential([keras.Input(SHAPE), keras.layers.Flatten(), keras.layers.Dense(classes)])
    rng = np.random.default_rng(seed)
    kernel = rng.normal(0, scale, size=(int(np.prod(SHAPE)), classes)).astype("float32")
    model.set_weights([kernel, np.zeros(classes, "float32")])
    return model, kernel


def images(count, seed=1):
    return np.random.default_rng(seed).uniform(0, 1, size=(count, *SHAPE)).astype("float32")


def summed_loss(model, x, labels):
    logits = np.asarray(model.predict_on_batch(x), dtype=np.float64)
    logits -= logits.max(axis=1, keepdims=True)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(labels)), labels]


def test_fgsm_steps_along_the_closed_form_sign_and_clips():
    model, kernel = linear_model()
    x = images(6)
    labels = np.array([0, 1, 0, 1, 1, 0])
    epsilon = 0.2
    other = 1 - labels
    direction = np.sign(kernel[:, other] - kernel[:, labels]).T.reshape(x.shape)
    expected = np.clip(x + epsilon * direction, 0, 1)
    np.testing.assert_allclose(adversarial.fgsm(model, x, labels, epsilon), expected, atol=1e-6)


def test_fgsm_raises_every_loss_and_changes_no_pixel_by_more_than_epsilon():
    model, _ = linear_model(seed=3, classes=3)
    x = images(8, seed=4)
    labels = np.random.default_rng(5).integers(0, 3, size=8)
    attacked = adversarial.fgsm(model, x, labels, 0.1)
    assert np.all(summed_loss(model, attacked, labels) > summed_loss(model, x, labels))
    assert np.abs(attacked - x).max() <= 0.1 + 1e-6 and attacked.min() >= 0 and attacked.max() <= 1
    np.testing.assert_array_equal(adversarial.fgsm(model, x, labels, 0.0), x)


def test_fgsm_with_one_epsilon_per_image():
    model, _ = linear_model()
    x = images(3)
    labels = np.array([0, 1, 0])
    attacked = adversarial.fgsm(model, x, labels, np.array([0.0, 0.1, 0.3]))
    np.testing.assert_array_equal(attacked[0], x[0])
    np.testing.assert_allclose(attacked[2], adversarial.fgsm(model, x[2:], labels[2:], 0.3)[0])


def test_bad_inputs_get_clear_errors():
    model, _ = linear_model()
    with pytest.raises(ValueError, match="scaled to \\[0, 1\\].*255"):
        adversarial.fgsm(model, images(2) * 255, [0, 1], 0.1)
    with pytest.raises(ValueError, match="one number or one per image"):
        adversarial.fgsm(model, images(2), [0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="at least 0"):
        adversarial.fgsm(model, images(2), [0, 1], -0.1)
    with pytest.raises(ValueError, match="steps"):
        adversarial.pgd(model, images(2), [0, 1], 0.1, steps=0)


def test_pgd_stays_in_the_ball_and_beats_fgsm_on_the_loss():
    model, _ = linear_model(seed=7, classes=3)
    x = images(10, seed=8)
    labels = np.random.default_rng(9).integers(0, 3, size=10)
    attacked = adversarial.pgd(model, x, labels, 0.05, steps=10)
    assert np.abs(attacked - x).max() <= 0.05 + 1e-6 and attacked.min() >= 0 and attacked.max() <= 1
    # On a linear model FGSM is already the best L-infinity step; PGD must reach its loss.
    fgsm_loss = summed_loss(model, adversarial.fgsm(model, x, labels, 0.05), labels)
    assert np.all(summed_loss(model, attacked, labels) >= fgsm_loss - 1e-3)


def test_targeted_pgd_reaches_the_target_and_the_smallest_epsilon_is_monotone():
    model, _ = linear_model(seed=11, classes=3)
    x = images(12, seed=12)
    targets = np.full(12, 2)
    turned = adversarial.targeted_pgd(model, x, targets, 1.0, steps=20)
    assert np.all(adversarial.class_probabilities(model, turned).argmax(axis=1) == 2)
    grid = [0.0, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    smallest = adversarial.smallest_successful_epsilon(model, x, targets, grid, steps=20)
    already = adversarial.class_probabilities(model, x).argmax(axis=1) == 2
    assert np.all(smallest[already] == 0.0)
    assert np.all(np.isin(smallest[~already], grid[1:]))
    # Just below the smallest radius the attack fails; at it, it succeeds.
    for image, found in zip(x[~already], smallest[~already]):
        below = grid[grid.index(found) - 1]
        at = adversarial.targeted_pgd(model, image[None], [2], found, steps=20)
        under = adversarial.targeted_pgd(model, image[None], [2], below, steps=20)
        assert adversarial.class_probabilities(model, at).argmax() == 2
        assert adversarial.class_probabilities(model, under).argmax() != 2


def test_class_probabilities_are_a_softmax():
    model, kernel = linear_model(classes=3)
    x = images(4)
    logits = x.reshape(4, -1) @ kernel
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(adversarial.class_probabilities(model, x), expected, rtol=1e-5)


def test_fooling_by_gradient_reaches_the_confidence_for_every_class():
    model, _ = linear_model(seed=13, classes=3, scale=3.0)  # 99 % must be reachable in [0, 1]
    start = images(3, seed=14)
    fooled = adversarial.fooling_images_by_gradient(model, start, np.arange(3), steps=200,
                                                    step_size=0.05, confidence=0.99)
    confidences = adversarial.class_probabilities(model, fooled)[np.arange(3), np.arange(3)]
    assert confidences.min() >= 0.99 and fooled.min() >= 0 and fooled.max() <= 1


def test_fooling_by_evolution_uses_only_outputs_and_reaches_the_confidence():
    model, _ = linear_model(seed=15, classes=3, scale=3.0)
    calls = []

    def black_box(batch):
        calls.append(batch.shape)
        assert batch.min() >= 0 and batch.max() <= 1  # only valid images are ever shown
        return adversarial.class_probabilities(model, batch)

    result = adversarial.fooling_images_by_evolution(black_box, np.arange(3), SHAPE, generations=200,
                                                     population_size=20, parent_count=5,
                                                     rng=np.random.default_rng(16))
    confidences = adversarial.class_probabilities(model, result.images)[np.arange(3), np.arange(3)]
    assert confidences.min() >= 0.99
    np.testing.assert_allclose(result.confidences, confidences, rtol=1e-5)
    assert result.generations == len(calls) < 200            # stopped early, one call a generation
    assert np.all(np.diff(result.history, axis=0) >= 0)      # the best never gets worse


def test_evolution_refuses_impossible_settings():
    with pytest.raises(ValueError, match="parent_count"):
        adversarial.fooling_images_by_evolution(lambda x: x, [0], SHAPE, generations=1,
                                                population_size=4, parent_count=5,
                                                rng=np.random.default_rng(0))


def test_the_module_uses_the_course_activations_not_copies_of_its_own():
    # Regression: adversarial.py had its own _sigmoid and a hand-written softmax beside
    # course_utils.activations.
    from course_utils import activations

    assert adversarial.sigmoid is activations.sigmoid and adversarial.softmax is activations.softmax
    assert not hasattr(adversarial, "_sigmoid")


def test_random_start_begins_inside_the_ball_and_still_reaches_the_fgsm_loss():
    model, _ = linear_model(seed=7, classes=3)
    x = images(10, seed=8)
    labels = np.random.default_rng(9).integers(0, 3, size=10)
    started = adversarial.pgd(model, x, labels, 0.05, steps=1, step_size=0.0, random_start=True,
                              rng=np.random.default_rng(0))
    # With a zero step the result is the random start itself: in the ball, not the image.
    assert 0 < np.abs(started - x).max() <= 0.05 + 1e-6 and started.min() >= 0 and started.max() <= 1
    again = adversarial.pgd(model, x, labels, 0.05, steps=1, step_size=0.0, random_start=True,
                            rng=np.random.default_rng(0))
    np.testing.assert_array_equal(started, again)   # the same rng, the same start
    attacked = adversarial.pgd(model, x, labels, 0.05, steps=20, random_start=True,
                               rng=np.random.default_rng(1))
    assert np.abs(attacked - x).max() <= 0.05 + 1e-6
    fgsm_loss = summed_loss(model, adversarial.fgsm(model, x, labels, 0.05), labels)
    assert np.all(summed_loss(model, attacked, labels) >= fgsm_loss - 1e-3)
    with pytest.raises(ValueError, match="rng"):
        adversarial.targeted_pgd(model, x, labels, 0.05, steps=2, random_start=True)


def test_progress_bars_only_when_asked(capsys):
    model, _ = linear_model(seed=15, classes=3, scale=3.0)

    def evolve(progress):
        return adversarial.fooling_images_by_evolution(
            lambda batch: adversarial.class_probabilities(model, batch), np.arange(3), SHAPE,
            generations=3, population_size=4, parent_count=2, confidence=1.0,
            rng=np.random.default_rng(0), progress=progress)

    evolve(progress=False)
    adversarial.pgd(model, images(2), [0, 1], 0.1, steps=2)
    assert "generations" not in capsys.readouterr().err
    evolve(progress=True)
    adversarial.pgd(model, images(2), [0, 1], 0.1, steps=2, progress=True)
    error = capsys.readouterr().err
    assert "generations" in error and "attack steps" in error
