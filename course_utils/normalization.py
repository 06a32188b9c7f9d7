"""Dropout and batch normalisation by hand, as in lesson 03 (matching Keras's conventions)."""

from __future__ import annotations

import numpy as np

__all__ = ["dropout", "batchnorm_train", "batchnorm_inference", "update_moving_stats"]


def dropout(x, rate: float, rng: np.random.Generator, training: bool = True):
    """Inverted dropout: in training zero each entry with probability ``rate`` and scale the
    survivors by 1 / (1 - rate), so the expected value is unchanged; at inference do nothing.
    """
    if not 0 <= rate < 1:
        raise ValueError(f"rate is the fraction of units dropped and must be in [0, 1), got {rate}.")
    x = np.asarray(x)
    if not training or rate == 0:
        return x
    keep = rng.random(x.shape) >= rate
    return np.where(keep, x / (1 - rate), 0).astype(np.result_type(x, np.float32))


def _axes(x):
    x = np.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"batch normalisation needs a batch axis and a feature axis, got shape {x.shape}.")
    return tuple(range(x.ndim - 1))  # every axis but the last (channels / features)


def batchnorm_train(x, gamma, beta, epsilon: float = 1e-3):
    """Normalise with the batch's own mean and (biased) variance per channel, then scale and
    shift: ``gamma * (x - mean) / sqrt(var + epsilon) + beta``. Returns (out, mean, var).
    """
    x = np.asarray(x, dtype=np.float64)
    axes = _axes(x)
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta, mean, var


def batchnorm_inference(x, gamma, beta, moving_mean, moving_var, epsilon: float = 1e-3):
    """Normalise with the running averages collected in training (no batch statistics)."""
    x = np.asarray(x, dtype=np.float64)
    _axes(x)
    return gamma * (x - moving_mean) / np.sqrt(moving_var + epsilon) + beta


def update_moving_stats(moving_mean, moving_var, batch_mean, batch_var, momentum: float = 0.99):
    """Keras's update: ``moving = momentum * moving + (1 - momentum) * batch``."""
    return (momentum * moving_mean + (1 - momentum) * batch_mean,
            momentum * moving_var + (1 - momentum) * batch_var)
