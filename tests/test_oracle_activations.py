"""Every activation of activations.py against Keras 3 (torch backend) on +inf, −inf, NaN, huge
finite numbers and ordinary ones, in float32 and float64, with NumPy's RuntimeWarnings made errors
(the frameworks warn of nothing): elementwise on arrays, and as conv1d's activation."""

from __future__ import annotations

import warnings
from types import ModuleType

import numpy as np
import pytest

from conv1dexplain import conv1d
from conv1dexplain.activations import ACTIVATIONS, activation_function

pytestmark = pytest.mark.oracle

SPECIAL = [np.inf, -np.inf, np.nan, 3e38, -3e38, 1.7e38, -1.7e38, 1e30, -1e30, 88.8, -88.8]
SPECIAL += [100.0, -100.0, 0.5, -0.5, 0.0, 1.0, -1.0, 2.5, -2.5]


def special_rows(dtype: type) -> np.ndarray:
    """(1, rows, 20): the special numbers in one row, and rows that are ordinary but for one of
    them, or all of one (what axis-wise activations, softmax and sparsemax, see)."""
    n = len(SPECIAL)
    rows = [SPECIAL, SPECIAL[::-1]]
    for value in (np.nan, np.inf, -np.inf, 3e38, 1e30):
        rows.append([value] + [1.0] * (n - 1))
        rows.append([value] * n)
    rows.append([np.inf, -np.inf] + [0.0] * (n - 2))
    rows.append(list(np.linspace(-3, 3, n)))
    return np.array(rows, dtype=dtype)[None]


def test_pytorchs_float32_gelu_of_inf_depends_on_layout_and_cpu(torch: ModuleType) -> None:
    """Why activations.gelu gives +inf for +inf: PyTorch gives +inf on a strided float32 array (what a
    Keras Conv1D's channels-last output is) and in float64; on a contiguous float32 array its
    vectorised kernel gives NaN on some CPUs (AVX2 here) and +inf on others (the CI machine)."""
    inf = torch.full((4, 6), float("inf"))
    contiguous = torch.nn.functional.gelu(inf)
    assert (torch.isnan(contiguous) | (contiguous == float("inf"))).all()
    assert (torch.nn.functional.gelu(inf.t()) == float("inf")).all()
    assert (torch.nn.functional.gelu(inf.double()) == float("inf")).all()


def keras_of(keras: ModuleType, name: str, x: np.ndarray) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(keras.activations.get(name)(keras.ops.convert_to_tensor(x))))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", [name for name in ACTIVATIONS if name != "linear"])
def test_activation_of_inf_nan_and_huge_numbers_equals_keras(name: str, dtype: type, keras: ModuleType) -> None:
    x = special_rows(dtype)
    expected = keras_of(keras, name, x)
    function = activation_function(name)
    assert function is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning (overflow, invalid value) fails the test
        got = function(x)
    assert got.dtype == x.dtype
    if name == "gelu" and dtype == np.float32:  # PyTorch's vectorised float32 gelu differs by CPU
        varies = np.isposinf(x) | (x > np.finfo(np.float32).max / 2)  # NaN or inf / inf or x
        assert (got[varies] == x[varies]).all()  # ours: what float64 and the strided kernel give
        at = expected[varies]
        assert (np.isnan(at) | (at == np.inf) | (at == x[varies])).all()
        expected = np.where(varies, x, expected)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, err_msg=name)  # NaN where NaN, inf where inf


@pytest.mark.parametrize("name", [name for name in ACTIVATIONS if name != "linear"])
def test_conv1d_with_inf_and_nan_in_x_applies_the_activation_as_keras(name: str, keras: ModuleType) -> None:
    """Outputs that are inf or NaN (an inf and a NaN in x), through conv1d's whole path, warnings as errors."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 12, 3)).astype(np.float32)
    x[0, 2, 1], x[1, 7, 0] = np.inf, np.nan
    kernel = rng.standard_normal((3, 3, 6)).astype(np.float32)
    layer = keras.layers.Conv1D(6, 3, padding="same", activation=name, use_bias=False)
    layer.build(x.shape)
    layer.kernel.assign(kernel)
    expected = np.asarray(keras.ops.convert_to_numpy(layer(x)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = conv1d(x, kernel, padding="same", activation=name)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4, err_msg=name)
