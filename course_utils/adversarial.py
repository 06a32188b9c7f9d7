"""Adversarial and fooling examples for image classifiers (lesson 06).

Images are float arrays in [0, 1], shaped (N, height, width, channels); labels are
integer classes. The models output logits (the course's CNNs) unless a function says
otherwise.

* :func:`class_probabilities`: softmax of the model's outputs, batch by batch.
* :func:`fgsm`: the fast gradient sign method of Goodfellow, Shlens and Szegedy (2015),
  one step of size epsilon along the sign of the input gradient of the loss.
* :func:`pgd` and :func:`targeted_pgd`: many small sign steps, each projected back into
  the L-infinity ball of radius epsilon around the original; untargeted (raise the true
  label's loss) and targeted (lower a chosen label's loss). Started at the original this
  is the basic iterative method of Kurakin, Goodfellow and Bengio (2017); started at a
  random point of the ball (``random_start=True``), projected gradient descent (PGD) of
  Madry et al. (2018).
* :func:`smallest_successful_epsilon`: for each image, the smallest radius on a grid at
  which the targeted attack succeeds.
* :func:`fooling_images_by_gradient`: from noise to an image the model assigns to a class
  with high confidence, by gradient ascent on that class's log-probability.
* :func:`fooling_images_by_evolution`: the same with only the model's outputs (black box),
  by a simple evolutionary algorithm in the spirit of Nguyen, Yosinski and Clune (2015).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import keras
import numpy as np
from tqdm.auto import tqdm

from course_utils.activations import sigmoid, softmax
from course_utils.batch_padding import pad_batch
from course_utils.input_gradients import input_gradient


def class_probabilities(model: keras.Model, images, *, from_logits: bool = True,
                        batch_size: int = 1024) -> np.ndarray:
    """The model's class probabilities for ``images`` (inference mode), as NumPy."""
    images = np.asarray(images, dtype="float32")
    # predict_on_batch runs the model compiled (tf.function, jax.jit) in inference mode:
    # several times faster than an eager call for the many small batches of an attack.
    outputs = [_predict_padded(model, images[start:start + batch_size])
               for start in range(0, len(images), batch_size)]
    outputs = np.concatenate(outputs) if outputs else np.zeros((0, model.output_shape[-1]), "float32")
    if not from_logits:
        return outputs
    # In float64, so that the small probabilities of confident answers keep their digits.
    return softmax(outputs.astype("float64"), axis=1).astype("float32")


def _predict_padded(model, batch: np.ndarray) -> np.ndarray:
    """predict_on_batch on the batch padded to a power of two (see course_utils.batch_padding):
    the compiled prediction is traced once per padded size, not once per size asked for."""
    (padded,) = pad_batch(batch)
    return np.asarray(model.predict_on_batch(padded))[:len(batch)]


def _steps(count: int, progress: bool, description: str):
    """range(count), with a progress bar (tqdm.auto: a widget in Jupyter and Colab, text
    elsewhere) when ``progress`` is true; lessons turn it on in full mode only."""
    return tqdm(range(count), desc=description, disable=not progress, leave=False)


def _checked_images(images) -> np.ndarray:
    images = np.asarray(images, dtype="float32")
    if images.ndim < 2 or images.size == 0:
        raise ValueError(f"expected a non-empty batch of images (N, height, width, channels), "
                         f"got shape {images.shape}")
    if images.min() < 0 or images.max() > 1:
        raise ValueError(f"images must be scaled to [0, 1] (got values from {images.min():.3g} to "
                         f"{images.max():.3g}): divide uint8 pixels by 255 first")
    return images


def _radius_per_image(epsilon, count: int, ndim: int) -> np.ndarray:
    """A scalar epsilon or one per image, shaped to broadcast over (N, H, W, C)."""
    epsilon = np.asarray(epsilon, dtype="float32")
    if epsilon.ndim == 0:
        epsilon = np.full(count, epsilon, dtype="float32")
    if epsilon.shape != (count,):
        raise ValueError(f"epsilon must be one number or one per image ({count}), got shape {epsilon.shape}")
    if np.any(epsilon < 0) or not np.all(np.isfinite(epsilon)):
        raise ValueError("epsilon is a radius: it must be finite and at least 0")
    return epsilon.reshape((count,) + (1,) * (ndim - 1))


def fgsm(model: keras.Model, images, labels, epsilon, *, from_logits: bool = True) -> np.ndarray:
    """x_adv = clip(x + epsilon * sign(d loss(x, y_true) / d x), 0, 1).

    ``labels`` must be the *true* labels: with the model's own predictions the attack
    pushes misclassified images further from the wrong class, towards the right one.
    """
    images = _checked_images(images)
    radius = _radius_per_image(epsilon, len(images), images.ndim)
    direction = np.sign(input_gradient(model, images, labels, from_logits=from_logits))
    return np.clip(images + radius * direction, 0.0, 1.0)


def _projected_sign_steps(model, images, labels, epsilon, steps, step_size, sign, from_logits,
                          random_start, rng, progress):
    """Take ``steps`` sign steps on the loss of ``labels`` (up for sign=+1, down for -1),
    projecting after each onto the epsilon-ball around ``images`` and onto [0, 1].

    From the images themselves this is Kurakin, Goodfellow and Bengio's basic iterative
    method (2017); from a uniformly random point of the ball (``random_start``) it is
    Madry et al.'s projected gradient descent (2018).
    """
    originals = _checked_images(images)
    radius = _radius_per_image(epsilon, len(originals), originals.ndim)
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a whole number of at least 1, got {steps!r}")
    # Madry et al.'s rule of thumb: steps of 2.5 * epsilon / steps can cross the ball and
    # come back, so the last steps are not wasted on the boundary.
    step = 2.5 * radius / steps if step_size is None else np.float32(step_size)
    adversarial = originals.copy()
    if random_start:
        if rng is None:
            raise ValueError("random_start needs rng, a numpy.random.Generator (for repeatable runs)")
        offsets = rng.uniform(-1, 1, size=originals.shape).astype("float32") * radius
        adversarial = np.clip(originals + offsets, 0.0, 1.0)
    for _ in _steps(steps, progress, "attack steps"):
        gradient = input_gradient(model, adversarial, labels, from_logits=from_logits)
        adversarial = adversarial + sign * step * np.sign(gradient)
        adversarial = np.clip(adversarial, originals - radius, originals + radius)
        adversarial = np.clip(adversarial, 0.0, 1.0)
    return adversarial


def pgd(model: keras.Model, images, labels, epsilon, *, steps: int, step_size=None,
        from_logits: bool = True, random_start: bool = False, rng: np.random.Generator | None = None,
        progress: bool = False) -> np.ndarray:
    """Untargeted iterative attack: raise the loss of the true ``labels`` within an
    L-infinity ball of radius ``epsilon`` (a number, or one per image). Madry et al.'s
    PGD with ``random_start=True`` (then ``rng`` is required); BIM without."""
    return _projected_sign_steps(model, images, labels, epsilon, steps, step_size, +1, from_logits,
                                 random_start, rng, progress)


def targeted_pgd(model: keras.Model, images, target_labels, epsilon, *, steps: int, step_size=None,
                 from_logits: bool = True, random_start: bool = False,
                 rng: np.random.Generator | None = None, progress: bool = False) -> np.ndarray:
    """Targeted iterative attack: lower the loss of ``target_labels`` (make the model answer
    the target class) within an L-infinity ball of radius ``epsilon``. Without a random
    start, Kurakin et al.'s targeted basic iterative method; with one, targeted PGD."""
    return _projected_sign_steps(model, images, target_labels, epsilon, steps, step_size, -1,
                                 from_logits, random_start, rng, progress)


def smallest_successful_epsilon(model: keras.Model, images, target_labels, epsilons, *, steps: int,
                                from_logits: bool = True, progress: bool = False) -> np.ndarray:
    """For each image, the smallest radius in ``epsilons`` at which :func:`targeted_pgd`
    makes the model predict its target class (NaN where none does).

    All radii run as one batch: every image is repeated once per radius.
    """
    images = _checked_images(images)
    target_labels = np.asarray(target_labels)
    epsilons = np.sort(np.asarray(epsilons, dtype="float64"))
    if epsilons.ndim != 1 or epsilons.size == 0:
        raise ValueError(f"epsilons must be a non-empty list of radii, got {epsilons!r}")
    count, grid = len(images), len(epsilons)
    tiled_images = np.repeat(images, grid, axis=0)  # image 0 at every radius, then image 1, ...
    tiled_targets = np.repeat(target_labels, grid)
    tiled_radii = np.tile(epsilons, count)
    adversarial = targeted_pgd(model, tiled_images, tiled_targets, tiled_radii, steps=steps,
                               from_logits=from_logits, progress=progress)
    predictions = class_probabilities(model, adversarial, from_logits=from_logits).argmax(axis=1)
    success = (predictions == tiled_targets).reshape(count, grid)
    first = np.argmax(success, axis=1)
    return np.where(success.any(axis=1), epsilons[first], np.nan)


def fooling_images_by_gradient(model: keras.Model, start_images, target_labels, *, steps: int,
                               step_size: float = 0.01, confidence: float = 0.99,
                               from_logits: bool = True, progress: bool = False) -> np.ndarray:
    """Gradient ascent on log p(target | x) from ``start_images`` (noise), in sign steps of
    ``step_size``, kept in [0, 1]; stops early once every image reaches ``confidence``.

    Nothing keeps the images close to anything: the result only has to convince the model.
    """
    images = _checked_images(start_images).copy()
    target_labels = np.asarray(target_labels)
    for _ in _steps(steps, progress, "gradient ascent steps"):
        probabilities = class_probabilities(model, images, from_logits=from_logits)
        reached = probabilities[np.arange(len(images)), target_labels] >= confidence
        if reached.all():
            break
        # Lowering the cross-entropy of the target label raises its log-probability.
        gradient = input_gradient(model, images, target_labels, from_logits=from_logits)
        # Images that are already convincing stay as they are.
        images = np.where(reached.reshape((-1,) + (1,) * (images.ndim - 1)), images,
                          np.clip(images - step_size * np.sign(gradient), 0.0, 1.0))
    return images


@dataclass
class EvolutionResult:
    """The best image found for each target class, its confidence, and the best
    confidence per class after every generation that ran (rows: generations)."""

    images: np.ndarray
    confidences: np.ndarray
    history: np.ndarray

    @property
    def generations(self) -> int:
        return len(self.history)


def fooling_images_by_evolution(predict_probabilities: Callable[[np.ndarray], np.ndarray],
                                target_labels, image_shape, *, generations: int,
                                population_size: int = 40, parent_count: int = 10,
                                mutation_scale: float = 0.5, confidence: float = 0.99,
                                rng: np.random.Generator, progress: bool = False) -> EvolutionResult:
    """Evolve one image per target class that the model assigns to it with ``confidence``.

    Black box: only ``predict_probabilities(images) -> (N, classes)`` is called, never a
    gradient. A (mu/mu_w, lambda) evolution strategy, one per class: a parent image,
    started from uniform noise, has ``population_size`` children, each the parent plus
    Gaussian noise of size ``mutation_scale``; the ``parent_count`` fittest children
    (fitness: log-probability of the target class) are averaged, best weighted most, into
    the next parent. Images live in logit space (pixel = sigmoid(value)), so a child never
    leaves [0, 1] and no pixel gets stuck at a clip. A class stops evolving once its best
    child reaches ``confidence``; all stop after ``generations``.
    """
    target_labels = np.asarray(target_labels)
    if not 1 <= parent_count <= population_size:
        raise ValueError(f"parent_count must be between 1 and population_size, got {parent_count} "
                         f"of {population_size}")
    classes = len(target_labels)
    noise = rng.uniform(0.01, 0.99, size=(classes, *image_shape))
    parents = np.log(noise / (1 - noise))  # pixel values -> logit space
    # Log-rank weights (as in CMA-ES): the best child counts most, the parent_count-th least.
    weights = np.log(parent_count + 0.5) - np.log(np.arange(1, parent_count + 1))
    weights = (weights / weights.sum()).reshape((1, parent_count) + (1,) * len(image_shape))
    best_images = sigmoid(parents).astype("float32")
    best_fitness = np.full(classes, -np.inf)
    history = []
    for _ in _steps(generations, progress, "generations"):
        active = np.flatnonzero(np.exp(best_fitness) < confidence)
        if active.size == 0:
            break
        children = parents[active, None] + mutation_scale * rng.standard_normal(
            (active.size, population_size, *image_shape))
        child_images = sigmoid(children).astype("float32")
        fitness = _log_confidence(predict_probabilities, child_images, target_labels[active])
        ranked = np.argsort(-fitness, axis=1)[:, :parent_count]
        fittest = np.take_along_axis(children, ranked.reshape(ranked.shape + (1,) * len(image_shape)), 1)
        parents[active] = (weights * fittest).sum(axis=1)
        best_child = fitness.argmax(axis=1)
        improved = fitness[np.arange(active.size), best_child] > best_fitness[active]
        best_images[active[improved]] = child_images[np.arange(active.size), best_child][improved]
        best_fitness[active[improved]] = fitness[np.arange(active.size), best_child][improved]
        history.append(np.exp(best_fitness))
    return EvolutionResult(images=best_images, confidences=np.exp(best_fitness), history=np.array(history))


def _log_confidence(predict_probabilities, population, target_labels) -> np.ndarray:
    """log p(target) for every image of every class's population, one model call in all."""
    classes, size = population.shape[:2]
    flat = population.reshape(classes * size, *population.shape[2:])
    probabilities = np.asarray(predict_probabilities(flat), dtype="float64").reshape(classes, size, -1)
    chosen = probabilities[np.arange(classes)[:, None], np.arange(size)[None, :], target_labels[:, None]]
    return np.log(np.maximum(chosen, 1e-30))
