"""Every window of `trace --json` against real Keras and PyTorch: positions by the formula, outputs by value."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from conv1dexplain.errors import SpecError
from conv1dexplain.layer_arguments import LayerArguments
from conv1dexplain.layers import conv1d
from conv1dexplain.layers.conv1d import Conv1DPlan as Plan
from conv1dexplain.runner import RunRequest
from conv1dexplain.vocabulary import AXIS_WISE
from helpers import run
from specgen import Case, cases
from test_oracle_conv1d import keras_output, torch_output
from test_trace_numbers import streamed

pytestmark = pytest.mark.oracle
COUNT = 60


def accepted(framework: str, seed: int) -> list[tuple[Case, Plan]]:
    found = []
    for case in cases(framework, COUNT * 4, seed):
        if case.activation in ("RELU", "nope"):
            continue
        try:
            found.append((case, conv1d.build(**case.build_kwargs())))  # type: ignore[arg-type]
        except SpecError:
            continue
    return found[:COUNT]


KERAS = accepted("keras", 31)
TORCH = accepted("pytorch", 32)


def traced(case: Case, plan: Plan, tmp: Path, example: int, filter_index: int | None) -> tuple[dict, list[dict], tuple]:
    rng = np.random.default_rng(zlib.crc32(repr(case).encode()))
    batch = case.batch or 2
    dims = (case.length, case.channels) if case.data_format == "channels_last" else (case.channels, case.length)
    x = rng.standard_normal((batch, *dims)).astype(np.float32)
    kernel = (rng.standard_normal(plan.kernel_shape) / np.sqrt(plan.kernel_shape[1])).astype(np.float32)
    bias = rng.standard_normal(case.filters).astype(np.float32) if case.use_bias else None
    np.save(tmp / "x.npy", x)
    np.save(tmp / "k.npy", kernel)
    if bias is not None:
        np.save(tmp / "b.npy", bias)
    layer = LayerArguments(
        framework=case.framework,
        data_format=case.data_format if case.framework == "keras" else None,
        filters=case.filters,
        kernel_size=case.kernel_size,
        strides=case.strides,
        padding=case.padding,
        dilation_rate=case.dilation_rate,
        groups=case.groups,
        use_bias=case.use_bias,
        activation=case.activation,
        padding_mode=case.padding_mode,
    )
    request = RunRequest(
        layer=layer,
        data_file=str(tmp / "x.npy"),
        kernel=str(tmp / "k.npy"),
        bias=None if bias is None else str(tmp / "b.npy"),
    )
    # chunks of 5 positions (the CLI's are 2048), so that steps straddle chunk boundaries
    layer, windows = streamed(request, chunk=5, filter_index=filter_index, example=example)
    return layer, windows, (x, kernel, bias)


def check(
    case: Case, plan: Plan, real: np.ndarray, layer: dict, windows: list[dict], example: int, filter_index: int | None
) -> None:
    axis = plan.axis
    assert layer["type"] == "layer" and layer["schema_version"] == 1 and layer["example"] == example
    per_position = real[example] if case.data_format == "channels_last" else real[example].T  # (L_out, F′)
    assert [w["output_index"] for w in windows] == list(range(per_position.shape[0]))
    for w in windows:
        t = w["output_index"]
        expected = [t * axis.strides + j * axis.dilation_rate - axis.pad_left for j in range(axis.kernel_size)]
        assert w["input_indices"] == expected
        assert w["padding_taps"] == [j for j, p in enumerate(expected) if p < 0 or p >= axis.length]
        wanted = per_position[t] if filter_index is None else per_position[t, filter_index : filter_index + 1]
        assert w["filters"] == (list(range(per_position.shape[1])) if filter_index is None else [filter_index])
        np.testing.assert_allclose(w["output"], wanted, rtol=2e-4, atol=2e-4, err_msg=f"{case} t={t}")


@pytest.mark.parametrize("index", range(len(KERAS)), ids=[f"keras{i}" for i in range(len(KERAS))])
def test_trace_windows_equal_keras(keras: ModuleType, index: int, tmp_path: Path) -> None:
    case, plan = KERAS[index]
    example = index % (case.batch or 2)
    filter_index = None if index % 3 else index % case.filters
    if case.activation == "glu":
        filter_index = None
        if case.data_format == "channels_first":  # two windows an output: refused (see below)
            result = run(["trace", *case.cli_args(), "--json"])
            assert result.code == 2 and "window t + L_out/2" in result.stderr, result.stderr
            return
    layer, windows, (x, kernel, bias) = traced(case, plan, tmp_path, example, filter_index)
    check(case, plan, keras_output(keras, case, x, kernel, bias), layer, windows, example, filter_index)


@pytest.mark.parametrize("index", range(len(TORCH)), ids=[f"torch{i}" for i in range(len(TORCH))])
def test_trace_windows_equal_pytorch(torch: ModuleType, index: int, tmp_path: Path) -> None:
    case, plan = TORCH[index]
    example = index % (case.batch or 2)
    filter_index = None if index % 3 else index % case.filters
    layer, windows, (x, weight, bias) = traced(case, plan, tmp_path, example, filter_index)
    check(case, plan, torch_output(torch, case, x, weight, bias), layer, windows, example, filter_index)


@pytest.mark.parametrize("activation", sorted(AXIS_WISE))
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_whole_axis_activations_read_the_axis_trace_names(
    keras: ModuleType, activation: str, data_format: str, tmp_path: Path
) -> None:
    """Keras applies softmax & co. along the output's last axis: the filters in channels_last (one
    window a step), the length in channels_first (every window; glu: windows t and t + L_out/2)."""
    rng = np.random.default_rng(len(activation))
    x = rng.standard_normal((2, 10, 4) if data_format == "channels_last" else (2, 4, 10)).astype(np.float32)
    kernel = rng.standard_normal((3, 4, 6)).astype(np.float32)
    layers = [
        keras.layers.Conv1D(6, 3, data_format=data_format, use_bias=False, activation=a) for a in (None, activation)
    ]
    for layer in layers:
        layer.build(x.shape)
        layer.set_weights([kernel])
    pre, real = (keras.ops.convert_to_numpy(layer(x)) for layer in layers)
    along = {
        "channels": 2 if data_format == "channels_last" else 1,
        "length": 1 if data_format == "channels_last" else 2,
    }
    axis = "channels" if data_format == "channels_last" else "length"
    function = keras.activations.get(activation)
    np.testing.assert_allclose(real, keras.ops.convert_to_numpy(function(pre, axis=along[axis])), rtol=1e-6, atol=1e-6)
    other = keras.ops.convert_to_numpy(function(pre, axis=along["length" if axis == "channels" else "channels"]))
    assert other.shape != real.shape or not np.allclose(other, real, rtol=1e-3, atol=1e-3)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "k.npy", kernel)
    files = ["--data", str(tmp_path / "x.npy"), "--kernel", str(tmp_path / "k.npy")]
    options = ["--no-bias", "--activation", activation, "--data-format", data_format, "--example", "1", "--json"]
    result = run(["trace", *files, *options])
    if activation == "glu" and data_format == "channels_first":
        assert real.shape == (2, 6, 4) and pre.shape == (2, 6, 8)  # Keras halves the length:
        gate = 1 / (1 + np.exp(-pre[:, :, 4:].astype(np.float64)))  # output t is window t × sigmoid(window t + 4)
        np.testing.assert_allclose(real, pre[:, :, :4] * gate, rtol=1e-5, atol=1e-6)
        assert result.code == 2 and result.stdout == ""
        assert "window t + L_out/2" in json.loads(result.stderr)["error"]["message"]
        return
    assert result.code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["activation_axis"] == axis
    per_position = real[1] if data_format == "channels_last" else real[1].T
    np.testing.assert_allclose([w["output"] for w in lines[1:]], per_position, rtol=2e-5, atol=2e-5)
