"""The size of the loss gradient at each convolution's kernel: where a network learns.

Lesson 05 asks why a 56-layer plain network trains worse than a 20-layer one, and shows
it with one backward pass at initialisation: ||dL/dW|| for every convolution kernel,
first layer to last. Keras has no backend-neutral gradient (``keras.ops`` has no
``grad``), so this module does it once per backend: TensorFlow records the forward pass
on a ``GradientTape``; JAX differentiates ``model.stateless_call`` with ``jax.grad``
(compiled with ``jax.jit``).
The model runs in training mode (batch normalisation uses the batch's statistics, as in
the first training step).
"""

from __future__ import annotations

import keras
import numpy as np

SUPPORTED_BACKENDS = ("tensorflow", "jax")


def conv_kernel_gradient_norms(model: keras.Model, images, labels) -> np.ndarray:
    """||dL/dW|| (Frobenius norm) for each ``Conv2D`` kernel of ``model``, in layer order,
    where L is the mean sparse cross-entropy of the model's logits against ``labels``."""
    backend = keras.backend.backend()
    if backend not in SUPPORTED_BACKENDS:
        raise NotImplementedError(
            f"conv_kernel_gradient_norms supports the Keras backends {' and '.join(SUPPORTED_BACKENDS)}, "
            f"not {backend!r}: set KERAS_BACKEND=tensorflow (or jax) before importing keras.")
    images = np.asarray(images, dtype="float32")
    labels = np.asarray(labels)
    if images.ndim != 4 or labels.shape != (len(images),):
        raise ValueError(f"expected images (N, height, width, channels) and one integer label per "
                         f"image, got shapes {images.shape} and {labels.shape}")
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if not kernels:
        raise ValueError(f"model {model.name!r} has no Conv2D layers")
    gradient_of = _tensorflow_gradients if backend == "tensorflow" else _jax_gradients
    gradients = gradient_of(model, images, labels.astype("int32"), kernels)
    return np.array([float(np.linalg.norm(keras.ops.convert_to_numpy(g))) for g in gradients])


def _mean_cross_entropy(labels, logits):
    return keras.ops.mean(keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))


def _tensorflow_gradients(model, images, labels, kernels):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = _mean_cross_entropy(labels, model(images, training=True))
    return tape.gradient(loss, [kernel.value for kernel in kernels])


def _jax_gradients(model, images, labels, kernels):
    import jax

    trainable = [variable.value for variable in model.trainable_variables]
    non_trainable = [variable.value for variable in model.non_trainable_variables]
    positions = {id(variable): index for index, variable in enumerate(model.trainable_variables)}

    def loss_of(trainable_values, non_trainable_values, images, labels):
        logits, _ = model.stateless_call(trainable_values, non_trainable_values, images, training=True)
        return _mean_cross_entropy(labels, logits)

    # Compiled as one program: op by op, JAX would compile every layer's operations
    # separately for their shapes, which is many times slower for a deep network.
    gradients = jax.jit(jax.grad(loss_of))(trainable, non_trainable, images, labels)
    return [gradients[positions[id(kernel)]] for kernel in kernels]
