"""The gradient of a classifier's loss with respect to its *input* images.

Training asks how the loss changes with the weights; an adversarial attack asks how it
changes with the pixels, d loss / d x. Keras has no backend-neutral way to ask for that
(``keras.ops`` has no ``grad``), so this module does it once per backend:
TensorFlow records the forward pass on a ``GradientTape`` inside a ``tf.function``; JAX
differentiates a pure function of the input with ``jax.grad``. Both are compiled once per
model and padded batch size.

Lesson 06 builds every attack on :func:`input_gradient`.
"""

from __future__ import annotations

import weakref

import keras
import numpy as np

from course_utils.batch_padding import pad_batch

SUPPORTED_BACKENDS = ("tensorflow", "jax")
#: Images per forward and backward pass: bounds the memory an attack on many images needs.
MAX_BATCH_SIZE = 512


def input_gradient(model: keras.Model, images, labels, *, from_logits: bool = True) -> np.ndarray:
    """d L / d images, where L is the *sum* over the batch of the cross-entropy losses
    of ``model(images)`` against the integer ``labels``.

    Summing (not averaging) makes each example's gradient its own loss's gradient,
    whatever the batch size. ``from_logits=True`` for models that output scores
    (the course's CNNs); ``False`` for models that end in a softmax. The model runs in
    inference mode (batch normalisation uses its moving averages, dropout is off).
    Returns a float32 NumPy array shaped like ``images``.
    """
    backend = keras.backend.backend()
    if backend not in SUPPORTED_BACKENDS:
        raise NotImplementedError(
            f"input_gradient supports the Keras backends {' and '.join(SUPPORTED_BACKENDS)}; "
            f"this Keras runs on {backend!r}. Set KERAS_BACKEND=tensorflow (or jax) before "
            f"importing keras, e.g. restart the kernel with %env KERAS_BACKEND=tensorflow.")
    images = np.asarray(images, dtype="float32")
    labels = _checked_labels(labels, len(images))
    gradient_of_batch = _tensorflow_gradient if backend == "tensorflow" else _jax_gradient
    gradients = []
    for start in range(0, len(images), MAX_BATCH_SIZE):
        batch_images = images[start:start + MAX_BATCH_SIZE]
        batch_labels = labels[start:start + MAX_BATCH_SIZE]
        gradient = gradient_of_batch(model, batch_images, batch_labels, from_logits)
        gradients.append(np.asarray(keras.ops.convert_to_numpy(gradient), dtype="float32"))
    return np.concatenate(gradients) if gradients else np.zeros_like(images)


def _checked_labels(labels, count: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != count:
        raise ValueError(f"labels must be one integer class per image: expected shape ({count},), "
                         f"got {labels.shape}")
    if labels.size and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integer class numbers (not one-hot or probabilities), "
                         f"got dtype {labels.dtype}")
    return labels.astype("int32")


def _summed_cross_entropy(labels, outputs, from_logits: bool):
    losses = keras.losses.sparse_categorical_crossentropy(labels, outputs, from_logits=from_logits)
    return keras.ops.sum(losses)


# One compiled gradient function per model and from_logits on each backend, forgotten
# with the model (the cache must not keep it alive). The weights are read when the function
# runs, so a model that keeps training (adversarial training) reuses its function.
_TENSORFLOW_GRADIENT_FUNCTIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _tensorflow_gradient(model, images, labels, from_logits):
    import tensorflow as tf

    functions = _TENSORFLOW_GRADIENT_FUNCTIONS.setdefault(model, {})
    if from_logits not in functions:
        model_reference = weakref.ref(model)

        # A tf.function, not an eager tape: an attack asks for hundreds of gradients of
        # small batches, and an eager Keras call costs several times the compiled one.
        @tf.function(reduce_retracing=True)
        def gradient_of_images(images, labels):
            with tf.GradientTape() as tape:
                tape.watch(images)  # the images are a constant, not a variable: watch them
                outputs = model_reference()(images, training=False)
                loss = _summed_cross_entropy(labels, outputs, from_logits)
            return tape.gradient(loss, images)

        functions[from_logits] = gradient_of_images
    # Padded to a power of two (see course_utils.batch_padding): few traced shapes.
    count = len(images)
    images, labels = pad_batch(images, labels)
    return functions[from_logits](tf.constant(images), tf.constant(labels))[:count]


# On JAX the weights are passed in as arguments (stateless_call), for the same reuse.
_JAX_GRADIENT_FUNCTIONS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _jax_gradient(model, images, labels, from_logits):
    import jax

    functions = _JAX_GRADIENT_FUNCTIONS.setdefault(model, {})
    if from_logits not in functions:
        model_reference = weakref.ref(model)  # the cache must not keep the model alive

        def loss_of_images(trainable, non_trainable, images, labels):
            # stateless_call: the model as a pure function of its weights and input, which is
            # what jax.grad and jax.jit need.
            outputs, _ = model_reference().stateless_call(trainable, non_trainable, images,
                                                          training=False)
            return _summed_cross_entropy(labels, outputs, from_logits)

        functions[from_logits] = jax.jit(jax.grad(loss_of_images, argnums=2))
    # jit compiles once per batch shape: pad the batch to a power of two (padding images
    # add their own gradients only, which we drop), so a lesson compiles a handful of shapes.
    count = len(images)
    images, labels = pad_batch(images, labels)
    trainable = [variable.value for variable in model.trainable_variables]
    non_trainable = [variable.value for variable in model.non_trainable_variables]
    return functions[from_logits](trainable, non_trainable, images, labels)[:count]
