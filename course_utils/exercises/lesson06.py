"""Exercises of lesson 06 (adversarial examples): FGSM, and a one-step targeted attack.

Both are checked on a small hidden model (a 3x3 convolution with tanh, then 3 logits, on
8x8 grey images; fixed weights, so the same cases every run) and hidden images, some of
them close to 0 or 1 so that a missing clip shows, with labels that differ from the
model's predictions so that using the predictions shows.
"""

from __future__ import annotations

from functools import lru_cache

import keras
import numpy as np

from course_utils import adversarial
from course_utils.exercises.cases import Case, Mistake, compare_with_reference
from course_utils.exercises.core import Exercise
from course_utils.exercises.off_limits import for_exercise
from course_utils.input_gradients import input_gradient

HIDDEN_IMAGE_SHAPE = (8, 8, 1)
HIDDEN_CLASSES = 3
HIDDEN_EPSILONS = (0.1, 0.05, 0.3)


@lru_cache(maxsize=1)
def _hidden_model() -> keras.Model:
    """A tiny classifier with fixed weights. tanh, not ReLU: no input gradient is exactly 0,
    so every pixel's sign is well defined."""
    model = keras.Sequential([
        keras.Input(HIDDEN_IMAGE_SHAPE),
        # Zero initialisers: building the model draws no random numbers from Keras, so a
        # check never changes the random state of the student's notebook.
        keras.layers.Conv2D(4, 3, activation="tanh", kernel_initializer="zeros"),
        keras.layers.Flatten(),
        keras.layers.Dense(HIDDEN_CLASSES, kernel_initializer="zeros"),
    ], name="hidden_model")
    rng = np.random.default_rng(606)
    model.set_weights([rng.normal(0, 0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def _predictions(images) -> np.ndarray:
    return np.asarray(_hidden_model().predict_on_batch(images)).argmax(axis=1)


def _hidden_cases() -> list[Case]:
    """Calls (model, images, labels, epsilon); labels are right for some images, wrong for others."""
    rng = np.random.default_rng(6)
    cases = []
    for number, epsilon in enumerate(HIDDEN_EPSILONS):
        images = rng.uniform(0, 1, size=(6, *HIDDEN_IMAGE_SHAPE)).astype("float32")
        images[:, :2] = rng.choice([0.0, 0.02, 0.97, 1.0], size=images[:, :2].shape)  # near the bounds
        labels = _predictions(images)
        labels[::2] = (labels[::2] + 1) % HIDDEN_CLASSES   # half the labels differ from the predictions
        cases.append(Case(f"hidden case {number + 1} (6 images of 8x8, epsilon {epsilon})",
                          (_hidden_model(), images, labels.astype("int64"), epsilon)))
    return cases


def _off_limits():
    return for_exercise(__name__, adversarial.fgsm, adversarial.pgd, adversarial.targeted_pgd,
                        adversarial._projected_sign_steps, adversarial.smallest_successful_epsilon,
                        adversarial.fooling_images_by_gradient,
                        advice="Write it with input_gradient, np.sign and np.clip.")


def _compare(student, reference, name: str, mistakes) -> int:
    """compare_with_reference on the hidden cases; the model is shared, not copied (a Keras
    model cannot be deep-copied cheaply), the images and labels are copied for every call."""
    cases = _hidden_cases()
    return compare_with_reference(
        student, reference, cases, name=name, mistakes=mistakes, shared=[_hidden_model()],
        rtol=1e-5, atol=1e-6, off_limits=_off_limits(),
        advice="Every pixel should move by exactly epsilon, then be clipped to [0, 1].")


# --------------------------------------------------------------------------- exercise 1
def _reference_fgsm(model, images, labels, epsilon):
    gradient = input_gradient(model, images, labels)
    return np.clip(images + epsilon * np.sign(gradient), 0.0, 1.0)


def _fgsm_wrong_sign(model, images, labels, epsilon):
    return np.clip(images - epsilon * np.sign(input_gradient(model, images, labels)), 0.0, 1.0)


def _fgsm_with_predictions(model, images, labels, epsilon):
    return _reference_fgsm(model, images, _predictions(images), epsilon)


def _fgsm_without_clip(model, images, labels, epsilon):
    return images + epsilon * np.sign(input_gradient(model, images, labels))


def _fgsm_raw_gradient(model, images, labels, epsilon):
    return np.clip(images + epsilon * input_gradient(model, images, labels), 0.0, 1.0)


FGSM_MISTAKES = [
    Mistake(_fgsm_wrong_sign, "your step goes against the gradient, which *lowers* the loss and makes "
            "the model more sure of the right answer: FGSM adds epsilon * sign(gradient)."),
    Mistake(_fgsm_with_predictions, "your gradient uses the model's predictions as labels. Use the true "
            "labels: for an image the model already gets wrong, the predictions' gradient pushes it "
            "away from the wrong class, back towards the right one."),
    Mistake(_fgsm_without_clip, "some of your pixels leave [0, 1]: clip the result with np.clip(..., 0, 1), "
            "as a real image cannot be darker than black or brighter than white."),
    Mistake(_fgsm_raw_gradient, "you added epsilon times the gradient itself; FGSM uses its sign, so that "
            "every pixel moves by exactly epsilon (np.sign)."),
]


def _check_fgsm(fgsm) -> str:
    count = _compare(fgsm, _reference_fgsm, "my_fgsm", FGSM_MISTAKES)
    return f"my_fgsm matches the reference on {count} hidden cases."


exercise_1 = Exercise(
    "Lesson 06, exercise 1 (FGSM)", _check_fgsm,
    hint=["FGSM moves every pixel by exactly epsilon, in the direction that raises the loss of "
          "the *true* label.",
          "input_gradient(model, images, labels) gives the loss's gradient with respect to the "
          "pixels; its sign says which way each pixel should go.",
          "Add epsilon times that sign to the images, then keep them real images: clip to [0, 1]."],
    solution=_reference_fgsm)


# --------------------------------------------------------------------------- exercise 2
def _reference_one_step_targeted(model, images, target_labels, epsilon):
    # Lower the target's loss: step against the gradient of the target's cross-entropy.
    gradient = input_gradient(model, images, target_labels)
    return np.clip(images - epsilon * np.sign(gradient), 0.0, 1.0)


def _targeted_uphill(model, images, target_labels, epsilon):
    return _reference_fgsm(model, images, target_labels, epsilon)  # the lesson's FGSM, unchanged


def _targeted_without_clip(model, images, target_labels, epsilon):
    return images - epsilon * np.sign(input_gradient(model, images, target_labels))


def _targeted_away_from_prediction(model, images, target_labels, epsilon):
    return _reference_fgsm(model, images, _predictions(images), epsilon)


TARGETED_MISTAKES = [
    Mistake(_targeted_uphill, "that is FGSM with the target as label: it *raises* the target's loss, "
            "pushing the images away from the target. Step the other way: minus epsilon * sign(gradient)."),
    Mistake(_targeted_away_from_prediction, "you pushed the images away from their predicted class; a "
            "targeted attack pulls them towards target_labels: use the gradient of the target's loss."),
    Mistake(_targeted_without_clip, "some of your pixels leave [0, 1]: clip the result with np.clip(..., 0, 1)."),
]


def _check_one_step_targeted(one_step_targeted) -> str:
    count = _compare(one_step_targeted, _reference_one_step_targeted, "one_step_targeted", TARGETED_MISTAKES)
    return f"one_step_targeted matches the reference on {count} hidden cases."


exercise_2 = Exercise(
    "Lesson 06, exercise 2 (one-step targeted attack)", _check_one_step_targeted,
    hint=["A targeted attack wants the model to answer target_labels: it lowers the loss of the "
          "target, where FGSM raises the loss of the true label.",
          "The gradient of the target's loss, input_gradient(model, images, target_labels), points "
          "to where the target becomes *less* likely.",
          "So step the other way, epsilon times that gradient's sign, and clip to [0, 1]."],
    solution=_reference_one_step_targeted)
