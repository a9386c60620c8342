"""Receptive fields and jumps measured, not computed: in the real frameworks, on linear copies of
random conv/pool chains, perturb one input position at a time and see which outputs of every layer
change. For each layer, an output position whose window lies inside the input depends on exactly
the positions from first + t·jump to first + t·jump + field − 1 at its ends (dilation may leave
holes between them); output 0's window, clipped to the input, holds every position it reads (`reads`)."""

from __future__ import annotations

import functools
import random
import re
import warnings
from types import ModuleType
from typing import Any

import pytest

from conv1dexplain.modeling import from_text
from conv1dexplain.report.model import ModelReport
from model_chains import KERAS, TORCH, Family, State, draw_chain

pytestmark = pytest.mark.oracle

CHAINS = 100  # per framework
_NONLINEAR = re.compile(r", activation='(relu|tanh)'")
# reflect, replicate and circular padding read real positions at the ends (the row's note says so)
_PADDING_MODE = re.compile(r", padding_mode='\w+'")


_LINEAR = (  # linear in eval mode: a change anywhere in a window shows
    *("Conv1D(", "nn.Conv1d(", "Dropout(", "nn.Dropout(", "Identity(", "nn.Identity("),
    *("AveragePooling1D(", "AvgPool1D(", "nn.AvgPool1d(", "ZeroPadding1D(", "nn.ConstantPad1d("),
    *("nn.ZeroPad1d(", "DepthwiseConv1D(", "SeparableConv1D("),  # transposed: tests of their own
)


def _linear(calls: list[str]) -> list[str]:
    """The chain's linear layers, activations taken out (a ReLU or PReLU would hide a change)."""
    return [_NONLINEAR.sub("", _PADDING_MODE.sub("", call)) for call in calls if call.startswith(_LINEAR)]


def _chain(family: Family, seed: int) -> tuple[list[str], int, int]:
    rng = random.Random(seed)
    channels, length = rng.randint(1, 3), rng.randint(40, 120)
    calls = _linear(draw_chain(family, rng, State(channels, length), rng.randint(1, 5)))
    return calls or ["Identity()" if family is KERAS else "nn.Identity()"], channels, length


def _dependence(outputs_of: Any, base: list[Any], length: int, rng: random.Random) -> list[list[set[int]]]:
    """For every layer and output position, the input positions that change it."""
    depends: list[list[set[int]]] = [[set() for _ in range(out.shape[0])] for out in base]
    for position in range(length):
        for layer, (out, ref) in enumerate(zip(outputs_of(position, rng.uniform(0.5, 2.0)), base, strict=True)):
            for t in range(out.shape[0]):
                if (out[t] != ref[t]).any():
                    depends[layer][t].add(position)
    return depends


def _check(report: ModelReport, depends: list[list[set[int]]], length: int, where: str) -> int:
    checked = 0
    for row, per_output in zip(report.layers, depends, strict=False):
        if row.reach_first is None or row.receptive_field is None or row.jump is None:
            continue
        for t, seen in enumerate(per_output):
            first = row.reach_first + t * row.jump
            last = first + row.receptive_field - 1
            if first >= 0 and last <= length - 1:
                assert seen and (min(seen), max(seen)) == (first, last), f"{row.name} output {t}: {seen}\n{where}"
                checked += 1
        check_reads(row, per_output[0] if per_output else set(), length, where)
    return checked


def check_reads(row: Any, seen: set[int], length: int, where: str) -> None:
    """Output 0's window, clipped: every position it reads lies in it, and its ends are taps where
    they fall inside the input (past the padding, dilation can leave the first real tap later)."""
    assert row.reads is not None
    low, high = max(row.reads[0], 0), min(row.reads[1], length - 1)
    assert seen <= set(range(low, high + 1)), f"{row.name} output 0 reads {seen}, not in {row.reads}\n{where}"
    if seen and row.reads[1] <= length - 1:
        assert max(seen) == high, f"{row.name} output 0\n{where}"
    if seen and row.reads[0] >= 0:
        assert min(seen) == low, f"{row.name} output 0\n{where}"


def _keras_outputs(
    keras: ModuleType, layers: list[Any], shape: tuple[int, ...], position: int | None, value: float
) -> list[Any]:
    """Every layer's output (positions first) on zeros with one position set to value."""
    import numpy as np

    x = np.zeros(shape, dtype="float64")
    if position is not None:
        x[0, position, :] = value
    outs = []
    tensor = keras.ops.convert_to_tensor(x, dtype="float64")
    for layer in layers:
        tensor = layer(tensor)
        outs.append(np.asarray(keras.ops.convert_to_numpy(tensor))[0])
    return outs


def _torch_outputs(
    torch: ModuleType, modules: list[Any], shape: tuple[int, ...], position: int | None, value: float
) -> list[Any]:
    x = torch.zeros(shape, dtype=torch.float64)
    if position is not None:
        x[0, :, position] = value
    outs = []
    with torch.no_grad():
        for module in modules:
            x = module(x)
            outs.append(x[0].transpose(0, 1).numpy())  # (L, C): positions first
    return outs


def keras_depends(keras: ModuleType, calls: list[str], length: int, channels: int, seed: int) -> list[list[set[int]]]:
    """The chain built in Keras from its code: for each layer and output, the inputs that change it."""
    namespace = dict(vars(keras.layers))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layers = [eval(code, namespace) for code in calls]
        outputs_of = functools.partial(_keras_outputs, keras, layers, (1, length, channels))
        return _dependence(outputs_of, outputs_of(None, 0.0), length, random.Random(seed))


def torch_depends(torch: ModuleType, calls: list[str], length: int, channels: int, seed: int) -> list[list[set[int]]]:
    """The same in PyTorch (float64, eval mode)."""
    modules = [eval(code, {"nn": torch.nn}).double().eval() for code in calls]
    outputs_of = functools.partial(_torch_outputs, torch, modules, (1, channels, length))
    return _dependence(outputs_of, outputs_of(None, 0.0), length, random.Random(seed))


def test_receptive_fields_and_jumps_of_random_keras_chains_are_measured(keras: ModuleType) -> None:
    checked = 0
    for seed in range(CHAINS):
        calls, channels, length = _chain(KERAS, 50_000 + seed)
        report = from_text("Sequential([" + ", ".join(calls) + "])", f"{length}x{channels}", "keras")
        if report.error is not None:
            continue
        depends = keras_depends(keras, calls, length, channels, seed)
        checked += _check(report, depends, length, "\n".join(calls))
    assert checked > 1000


def test_receptive_fields_and_jumps_of_random_pytorch_chains_are_measured(torch: ModuleType) -> None:
    checked = 0
    for seed in range(CHAINS):
        calls, channels, length = _chain(TORCH, 60_000 + seed)
        report = from_text("nn.Sequential(" + ", ".join(calls) + ")", f"{channels}x{length}", "pytorch")
        if report.error is not None:
            continue
        depends = torch_depends(torch, calls, length, channels, seed)
        checked += _check(report, depends, length, "\n".join(calls))
    assert checked > 1000
