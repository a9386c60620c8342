"""conv1d() and the run command against real Keras (torch backend) and real PyTorch.

Random specs (every padding kind and PyTorch padding mode, groups, dilation, strides, both
layouts, Keras activations, bias on and off), random data, kernels and biases; values compared at
float32 tolerance. The first RUN_COUNT cases of each framework also go through `run` end to end.
"""

from __future__ import annotations

import dataclasses
import functools
import zlib
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import conv1dexplain
from conv1dexplain.engine import using_limits
from conv1dexplain.errors import SpecError
from conv1dexplain.layers import conv1d
from helpers import FORCED_TAP_STACK, IN_PLACE, UNFOLDED, engine_limits, run
from specgen import Case, cases

pytestmark = pytest.mark.oracle
COUNT = 175
RUN_COUNT = 40
TOLERANCE = {"rtol": 2e-4, "atol": 2e-4}


def accepted(framework: str, seed: int) -> list[Case]:
    """Generated specs that both we and the framework accept (refusals are test_oracle_shape's)."""
    found = []
    for case in cases(framework, COUNT * 4, seed):
        if case.activation == "RELU" or case.activation == "nope":
            continue
        try:
            conv1d.build(**case.build_kwargs())  # type: ignore[arg-type]
        except SpecError:
            continue
        found.append(case)
    return found[:COUNT]


KERAS = accepted("keras", 21)
TORCH = accepted("pytorch", 22)


def arrays(case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Random data, kernel (in the framework's layout) and bias for the case, the same every run."""
    kernel_shape = conv1d.build(**case.build_kwargs()).kernel_shape  # type: ignore[arg-type]
    rng = np.random.default_rng(zlib.crc32(repr(case).encode()))  # stable across runs (hash() is salted)
    batch = case.batch or 2
    dims = (case.length, case.channels) if case.data_format == "channels_last" else (case.channels, case.length)
    x = rng.standard_normal((batch, *dims)).astype(np.float32)
    kernel = (rng.standard_normal(kernel_shape) / np.sqrt(kernel_shape[1])).astype(np.float32)
    bias = rng.standard_normal(case.filters).astype(np.float32) if case.use_bias else None
    return x, kernel, bias


def ours(case: Case, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    padding: str | int = int(case.padding) if case.padding.lstrip("-").isdigit() else case.padding
    return conv1dexplain.conv1d(
        x, kernel, bias, strides=case.strides, padding=padding, dilation_rate=case.dilation_rate,
        groups=case.groups, activation=case.activation, framework=case.framework, padding_mode=case.padding_mode,
        data_format=case.data_format if case.framework == "keras" else None,
    )  # fmt: skip


def through_run(case: Case, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None, tmp: Path) -> np.ndarray:
    """The same case end to end through `conv1dexplain run` with .npy files."""
    np.save(tmp / "x.npy", x)
    np.save(tmp / "k.npy", kernel)
    args = ["run", "--data", str(tmp / "x.npy"), "--kernel", str(tmp / "k.npy"), "--output", str(tmp / "y.npy")]
    if bias is not None:
        np.save(tmp / "b.npy", bias)
        args += ["--bias", str(tmp / "b.npy")]
    spec_args = [a for a in case.cli_args() if a not in ("--input", case.input_text)]
    result = run(args + spec_args)
    assert result.code == 0, result.stderr
    return np.load(tmp / "y.npy")


def keras_output(keras: ModuleType, case: Case, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> Any:
    layer = keras.layers.Conv1D(
        case.filters, case.kernel_size, strides=case.strides, padding=case.padding, data_format=case.data_format,
        dilation_rate=case.dilation_rate, groups=case.groups, use_bias=case.use_bias, activation=case.activation,
    )  # fmt: skip
    layer.build(x.shape)
    layer.set_weights([kernel] + ([bias] if bias is not None else []))
    return keras.ops.convert_to_numpy(layer(x))


def torch_output(torch: ModuleType, case: Case, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> Any:
    padding: str | int = int(case.padding) if case.padding.lstrip("-").isdigit() else case.padding
    layer = torch.nn.Conv1d(
        case.channels, case.filters, case.kernel_size, stride=case.strides, padding=padding,
        dilation=case.dilation_rate, groups=case.groups, bias=case.use_bias, padding_mode=case.padding_mode,
    )  # fmt: skip
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(weight))
        if bias is not None:
            layer.bias.copy_(torch.from_numpy(bias))
        return layer(torch.from_numpy(x)).numpy()


def assert_equals_framework(case: Case, real_output: Any, through_run_too: bool, tmp_path: Path) -> None:
    """conv1d (and, if asked, `run` end to end) gives the framework's output for the case's arrays."""
    x, kernel, bias = arrays(case)
    real = real_output(case, x, kernel, bias)
    np.testing.assert_allclose(ours(case, x, kernel, bias), real, **TOLERANCE, err_msg=str(case))
    if through_run_too:
        np.testing.assert_allclose(through_run(case, x, kernel, bias, tmp_path), real, **TOLERANCE)


@pytest.mark.parametrize("index", range(len(KERAS)), ids=[f"keras{i}" for i in range(len(KERAS))])
def test_conv1d_equals_keras(keras: ModuleType, index: int, tmp_path: Path) -> None:
    assert_equals_framework(KERAS[index], functools.partial(keras_output, keras), index < RUN_COUNT, tmp_path)


@pytest.mark.parametrize("index", range(len(TORCH)), ids=[f"torch{i}" for i in range(len(TORCH))])
def test_conv1d_equals_pytorch(torch: ModuleType, index: int, tmp_path: Path) -> None:
    assert_equals_framework(TORCH[index], functools.partial(torch_output, torch), index < RUN_COUNT, tmp_path)


NON_FINITE_COUNT = 30


def with_non_finite(array: np.ndarray, seed: int) -> np.ndarray:
    """A copy with +inf, −inf and NaN at random places (a window holding +inf and −inf sums to NaN)."""
    rng = np.random.default_rng(seed)
    spoiled = array.copy()
    for value in (np.inf, -np.inf, np.nan):
        spoiled.flat[rng.integers(array.size)] = value
    return spoiled


ENGINE_PATHS = {
    "as chosen": {},
    "tap-stacked": FORCED_TAP_STACK,
    "read in place": IN_PLACE,
    "unfolded along L": UNFOLDED,
}
FAST_PATH_COUNT = 40


@pytest.mark.parametrize("engine_path", ["read in place", "unfolded along L"])
@pytest.mark.parametrize("index", range(FAST_PATH_COUNT))
def test_fast_paths_equal_the_frameworks(torch: ModuleType, keras: ModuleType, index: int, engine_path: str) -> None:
    """The paths that large layers take, forced onto the random specs (activations included)."""
    for case, output, module in ((TORCH[index], torch_output, torch), (KERAS[index], keras_output, keras)):
        x, kernel, bias = arrays(case)
        real = output(module, case, x, kernel, bias)
        with using_limits(engine_limits(ENGINE_PATHS[engine_path])):
            mine = ours(case, x, kernel, bias)
        np.testing.assert_allclose(mine, real, **TOLERANCE, err_msg=str(case))


@pytest.mark.parametrize("engine_path", list(ENGINE_PATHS))
@pytest.mark.parametrize("index", range(NON_FINITE_COUNT))
def test_inf_and_nan_land_where_the_frameworks_put_them(
    torch: ModuleType, keras: ModuleType, index: int, engine_path: str
) -> None:
    """inf · 0 is NaN: an inf in the data times a weight that a fast path adds as zero must not
    spread NaN to windows that never read it. (An inf weight is left out: there the frameworks
    differ between themselves on windows over the zero padding, which PyTorch's own padding skips
    and an explicit pad multiplies.)"""
    for case, output, module in ((TORCH[index], torch_output, torch), (KERAS[index], keras_output, keras)):
        case = dataclasses.replace(case, activation=None)
        x, kernel, bias = arrays(case)
        spoiled = with_non_finite(x, index)
        real = output(module, case, spoiled, kernel, bias)
        with using_limits(engine_limits(ENGINE_PATHS[engine_path])):
            mine = ours(case, spoiled, kernel, bias)
        np.testing.assert_array_equal(np.isnan(mine), np.isnan(real), err_msg=str(case))
        np.testing.assert_allclose(mine, real, **TOLERANCE, err_msg=str(case))


def test_unbatched_input_and_float64_as_pytorch(torch: ModuleType) -> None:
    rng = np.random.default_rng(5)
    x, weight, bias = rng.standard_normal((3, 17)), rng.standard_normal((4, 3, 5)), rng.standard_normal(4)
    layer = torch.nn.Conv1d(3, 4, 5, padding=2, padding_mode="reflect").double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(weight))
        layer.bias.copy_(torch.from_numpy(bias))
        real = layer(torch.from_numpy(x)).numpy()  # unbatched (C, L) → (F, L_out)
    mine = conv1dexplain.conv1d(x, weight, bias, padding=2, padding_mode="reflect", framework="pytorch")
    assert mine.dtype == np.float64 and mine.shape == real.shape
    np.testing.assert_allclose(mine, real, rtol=1e-12, atol=1e-12)


def test_every_keras_activation_by_name(keras: ModuleType) -> None:
    from conv1dexplain.activations import ACTIVATIONS

    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 16, 4)).astype(np.float32)
    kernel = rng.standard_normal((3, 4, 6)).astype(np.float32)
    for name in ACTIVATIONS:
        real = keras_output(keras, Case("keras", None, 16, 4, 6, 3, 1, "same", 1, 1, False, name, "channels_last",
                                        "zeros"), x, kernel, None)  # fmt: skip
        mine = conv1dexplain.conv1d(x, kernel, padding="same", activation=name)
        np.testing.assert_allclose(mine, real, rtol=1e-4, atol=1e-4, err_msg=name)


def test_the_mix_covers_every_option() -> None:
    assert len(KERAS) == COUNT and len(TORCH) == COUNT
    assert {c.padding.lower() for c in KERAS} >= {"valid", "same", "causal"}
    assert {c.padding_mode for c in TORCH} == {"zeros", "reflect", "replicate", "circular"}
    assert {c.data_format for c in KERAS} == {"channels_last", "channels_first"}
    assert len({c.activation for c in KERAS}) >= 5
    for generated in (KERAS, TORCH):
        assert max(c.groups for c in generated) >= 3 and max(c.strides for c in generated) >= 3
        assert max(c.dilation_rate for c in generated) >= 2 and {c.use_bias for c in generated} == {True, False}
