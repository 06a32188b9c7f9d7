import numpy as np
import pytest

from course_utils.gradient_check import numerical_gradient, relative_error


def test_numerical_gradient_of_a_known_function():
    point = np.array([[1.0, -2.0], [0.5, 3.0]])
    gradient = numerical_gradient(lambda x: float(np.sum(x ** 3)), point.copy())
    np.testing.assert_allclose(gradient, 3 * point ** 2, rtol=1e-8)


def test_numerical_gradient_restores_the_point():
    point = np.arange(4.0)
    numerical_gradient(lambda x: float(np.sum(np.sin(x))), point)
    np.testing.assert_array_equal(point, np.arange(4.0))


def test_numerical_gradient_refuses_float32():
    with pytest.raises(TypeError, match="astype\\(np.float64\\)"):
        numerical_gradient(lambda x: float(x.sum()), np.ones(3, dtype=np.float32))


def test_relative_error_tolerates_a_near_zero_entry_but_not_a_bug():
    true = np.array([1.0, 2.0, 1e-7])
    noisy = true + np.array([1e-11, -1e-11, 1e-11])
    assert relative_error(true, noisy) < 1e-10
    assert relative_error(true, 2 * true) > 0.3


def test_relative_error_shape_mismatch():
    with pytest.raises(ValueError, match="differ in shape"):
        relative_error(np.ones(3), np.ones(4))
