"""conv1d() takes exactly the argument values and types each framework's layer takes (settled by
building the real keras.layers.Conv1D / torch.nn.Conv1d with each), and gives the same output; a
refusal is a SpecError whose hint names the argument, never a TypeError."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from conv1dexplain import conv1d
from conv1dexplain.errors import SpecError

pytestmark = pytest.mark.oracle
TOLERANCE = {"rtol": 2e-5, "atol": 2e-5}

ARRAY_GROUPS = (np.array(2), np.array(2.0), np.array([2]))  # a 0-d integer array is a count to both
KERAS_STRIDES = (2, (2,), [2], np.array([2]), (np.int64(2),), 2.0, np.int64(2), True, "2", (2, 2), ())
KERAS_STRIDES += ((2.0,), (True,), np.array(2), None)
KERAS_CASES: list[tuple[str, Any]] = [
    *[("strides", v) for v in KERAS_STRIDES],
    *[("dilation_rate", v) for v in (2, (2,), [2], 2.0, np.int64(2), True, (np.int32(2),), "2")],
    *[("groups", v) for v in (2, np.int64(2), True, np.True_, 2.0, "2", (2,), *ARRAY_GROUPS)],
    *[("padding", v) for v in ("same", "SAME", "Causal", " same", "same ", 1, (1,), True, 1.0, None)],
    *[("activation", v) for v in ("relu", "RELU", " relu", 1)],
    *[("data_format", v) for v in ("channels_first", "CHANNELS_FIRST", " channels_first", 1)],
]
TORCH_STRIDES = (2, (2,), [2], np.array([2]), np.int64(2), np.int32(2), np.uint8(2), 2.0, True, np.True_, "2")
TORCH_STRIDES += ((2, 2), (), (2.0,), np.array(2), (np.int64(2),))
TORCH_PADDINGS = (2, (2,), [2], np.int64(1), 2.0, True, "2", " same", "same", "SAME", "valid", "valid ", (1.0,))
TORCH_PADDINGS += ("1,2", "(1, 2)", "full")
TORCH_CASES: list[tuple[str, Any]] = [
    *[("stride", v) for v in TORCH_STRIDES],
    *[("dilation", v) for v in (2, (2,), [2], 2.0, True, np.int64(2), "2")],
    *[("padding", v) for v in TORCH_PADDINGS],
    *[("groups", v) for v in (2, np.int64(2), 2.0, True, np.True_, "2", (2,), *ARRAY_GROUPS)],
    *[("padding_mode", v) for v in ("reflect", "Reflect", " zeros", 0)],
]


def _id(case: tuple[str, Any]) -> str:
    return f"{case[0]}={case[1]!r}"


def _says_the_argument(error: SpecError, name: str) -> None:
    """The refusal names the argument, and its hint speaks Python, not the command line."""
    assert name in error.message + error.hint and "--" not in error.hint, (error.message, error.hint)


def _keras_layer(keras: ModuleType, name: str, value: Any, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    layer = keras.layers.Conv1D(4, 3, **{name: value})
    return keras.ops.convert_to_numpy(layer(x)), layer.get_weights()


@pytest.mark.parametrize("case", KERAS_CASES, ids=_id)
def test_keras_arguments_are_read_as_keras_reads_them(keras: ModuleType, case: tuple[str, Any]) -> None:
    name, value = case
    x = np.random.default_rng(0).standard_normal((2, 12, 4)).astype(np.float32)
    if name == "data_format" and isinstance(value, str):
        x = x.transpose(0, 2, 1).copy()
    try:
        real, weights = _keras_layer(keras, name, value, x)
    except Exception:  # whatever Keras raises is a refusal
        real = None
    if real is None:
        with pytest.raises(SpecError) as refused:
            conv1d(x, np.ones((3, 4, 4), np.float32), **{name: value})
        _says_the_argument(refused.value, name)
        return
    kernel, bias = weights
    mine = conv1d(x, kernel, bias, **{name: value})
    np.testing.assert_allclose(mine, real, **TOLERANCE)


@pytest.mark.parametrize("case", TORCH_CASES, ids=_id)
def test_pytorch_arguments_are_read_as_nn_conv1d_reads_them(torch: ModuleType, case: tuple[str, Any]) -> None:
    name, value = case
    x = np.random.default_rng(1).standard_normal((2, 4, 12)).astype(np.float32)
    try:
        layer = torch.nn.Conv1d(4, 4, 3, **{name: value})
        with torch.no_grad():
            real = layer(torch.from_numpy(x)).numpy()
    except Exception:  # whatever PyTorch raises is a refusal
        real = None
    if real is None:
        with pytest.raises(SpecError) as refused:
            conv1d(x, np.ones((4, 4, 3), np.float32), framework="pytorch", **{name: value})
        _says_the_argument(refused.value, name)
        return
    weight, bias = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    mine = conv1d(x, weight, bias, framework="pytorch", **{name: value})
    np.testing.assert_allclose(mine, real, **TOLERANCE)


def test_the_cases_cover_acceptance_and_refusal_of_each_kind() -> None:
    """Each list holds NumPy integers, bools, floats, one-element sequences and strings."""
    for cases in (KERAS_CASES, TORCH_CASES):
        kinds = {type(value).__name__ for _, value in cases}
        assert {"int", "int64", "bool", "float", "tuple", "list", "str", "ndarray"} <= kinds


def test_pytorch_names_need_framework_pytorch_and_exclude_keras_names() -> None:
    x = np.ones((1, 4, 12), np.float32)
    weight = np.ones((2, 4, 3), np.float32)
    assert conv1d(x, weight, framework="pytorch", stride=2, dilation=(2,)).shape == (1, 2, 4)
    with pytest.raises(SpecError) as keras_names:
        conv1d(x.transpose(0, 2, 1), weight.transpose(2, 1, 0), stride=2)
    assert "strides=2" in keras_names.value.hint
    with pytest.raises(SpecError) as both:
        conv1d(x, weight, framework="pytorch", strides=2, stride=2)
    assert "stride=2" in both.value.hint


def test_core_hints_are_said_in_argument_names() -> None:
    """A refusal of the core (spec.py speaks CLI flags) reaches conv1d()'s caller in its own words."""
    x = np.ones((1, 12, 4), np.float32)
    with pytest.raises(SpecError) as zero:
        conv1d(x, np.ones((3, 4, 2), np.float32), strides=0)
    assert zero.value.hint == "use strides=1 or more"
    with pytest.raises(SpecError) as strided_same:
        conv1d(x.transpose(0, 2, 1), np.ones((2, 4, 3), np.float32), framework="pytorch", stride=2, padding="same")
    assert "--" not in strided_same.value.hint and "padding=0" in strided_same.value.hint
