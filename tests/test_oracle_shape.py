"""Our geometry against real Keras (torch backend) and real PyTorch, on 600 seeded specs each.

The padding split is read off the frameworks' real outputs: a ramp input (position p holds p+1)
convolved with an all-ones kernel gives, at output t, the sum of the rows its window reads — so a
wrong left/right split shows up as wrong numbers.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from conv1dexplain.errors import SpecError
from conv1dexplain.layers import conv1d
from conv1dexplain.layers.conv1d import Conv1DPlan as Plan
from specgen import Case, cases

COUNT = 600
KERAS_CASES = cases("keras", COUNT, seed=2)
TORCH_CASES = cases("pytorch", COUNT, seed=3)

pytestmark = pytest.mark.oracle


def ours(case: Case) -> Plan | SpecError:
    """Our plan, or our refusal."""
    try:
        return conv1d.build(**case.build_kwargs())  # type: ignore[arg-type]
    except SpecError as error:
        assert error.message and error.hint
        return error


def ramp(case: Case) -> np.ndarray:
    """(N, L, C) or (N, C, L) array whose value at sequence position p is p + 1."""
    batch = case.batch or 2
    values = np.arange(1, case.length + 1, dtype="float32")
    if case.data_format == "channels_last":
        return np.broadcast_to(values[None, :, None], (batch, case.length, case.channels)).copy()
    return np.broadcast_to(values[None, None, :], (batch, case.channels, case.length)).copy()


def _source(position: int, length: int, mode: str) -> int | None:
    """The input row a padded position holds, per PyTorch's padding modes (independent of our code)."""
    if 0 <= position < length:
        return position
    return {
        "zeros": None,
        "replicate": min(max(position, 0), length - 1),
        "circular": position % length,
        "reflect": abs(position) if position < 0 else 2 * (length - 1) - position,
    }[mode]


def expected_ramp_output(plan: Plan, case: Case) -> np.ndarray:
    """What a ones kernel must give on the ramp, from our left/right padding: (L_out,) per filter."""
    axis = plan.axis
    totals = []
    for t in range(axis.output_length):
        rows = [_source(p, axis.length, case.padding_mode) for p in axis.input_positions(t)]
        totals.append(sum(r + 1 for r in rows if r is not None) * plan.channels_per_group)
    return np.array(totals, dtype="float64")


def compare(plan: Plan | SpecError, real: dict[str, Any] | Exception, case: Case) -> None:
    if isinstance(real, Exception) or isinstance(plan, SpecError):
        assert isinstance(real, Exception) == isinstance(plan, SpecError), f"{case}\nours: {plan!r}\nreal: {real!r}"
        return
    batch = case.batch or 2
    expected_shape = tuple(batch if d is None else d for d in plan.output_shape)
    out = real["output"]
    assert out.shape == expected_shape, case
    assert real["kernel_shape"] == plan.kernel_shape, case
    assert real["bias_shape"] == plan.bias_shape, case
    assert real["params"] == plan.params, case
    if case.activation is None:
        per_position = out[0, :, 0] if case.data_format == "channels_last" else out[0, 0, :]
        np.testing.assert_allclose(per_position, expected_ramp_output(plan, case), rtol=1e-6, err_msg=str(case))


def run_keras(keras: ModuleType, case: Case) -> dict[str, Any] | Exception:
    try:
        layer = keras.layers.Conv1D(
            filters=case.filters, kernel_size=case.kernel_size, strides=case.strides, padding=case.padding,
            data_format=case.data_format, dilation_rate=case.dilation_rate, groups=case.groups,
            activation=case.activation, use_bias=case.use_bias,
            kernel_initializer="ones", bias_initializer="zeros",
        )  # fmt: skip
        out = keras.ops.convert_to_numpy(layer(ramp(case)))
    except Exception as error:  # any refusal of Keras' counts; the test compares with ours
        return error
    return {
        "output": out,
        "kernel_shape": tuple(layer.kernel.shape),
        "bias_shape": tuple(layer.bias.shape) if case.use_bias else None,
        "params": layer.count_params(),
    }


def run_torch(torch: ModuleType, case: Case) -> dict[str, Any] | Exception:
    padding: str | int = int(case.padding) if case.padding.lstrip("-").isdigit() else case.padding
    try:
        layer = torch.nn.Conv1d(
            case.channels, case.filters, case.kernel_size, stride=case.strides, padding=padding,
            dilation=case.dilation_rate, groups=case.groups, bias=case.use_bias, padding_mode=case.padding_mode,
        )  # fmt: skip
        with torch.no_grad():
            layer.weight.fill_(1.0)
            if layer.bias is not None:
                layer.bias.zero_()
            out = layer(torch.from_numpy(ramp(case))).numpy()
    except Exception as error:  # any refusal of PyTorch's counts; the test compares with ours
        return error
    return {
        "output": out,
        "kernel_shape": tuple(layer.weight.shape),
        "bias_shape": tuple(layer.bias.shape) if layer.bias is not None else None,
        "params": sum(p.numel() for p in layer.parameters()),
    }


@pytest.mark.parametrize("case", KERAS_CASES, ids=[f"keras{i}" for i in range(COUNT)])
def test_keras_agrees(keras: ModuleType, case: Case) -> None:
    compare(ours(case), run_keras(keras, case), case)


@pytest.mark.parametrize("case", TORCH_CASES, ids=[f"torch{i}" for i in range(COUNT)])
def test_pytorch_agrees(torch: ModuleType, case: Case) -> None:
    compare(ours(case), run_torch(torch, case), case)


def test_case_mix_covers_the_space() -> None:
    """The generated specs really include every option, and both accepted and refused specs."""
    for framework, generated in (("keras", KERAS_CASES), ("pytorch", TORCH_CASES)):
        refused = sum(isinstance(ours(c), SpecError) for c in generated)
        assert 0.1 * COUNT < refused < 0.5 * COUNT, (framework, refused)
        assert {c.strides for c in generated} >= {1, 2, 3, 4}
        assert {c.dilation_rate for c in generated} >= {1, 2, 3}
        assert {c.groups for c in generated} >= {1, 2, 3, 4}
        assert {c.use_bias for c in generated} == {True, False}
        assert min(c.length for c in generated) == 1
    assert {c.padding.lower() for c in KERAS_CASES} >= {"valid", "same", "causal"}
    assert {c.data_format for c in KERAS_CASES} == {"channels_last", "channels_first"}
    assert {c.padding_mode for c in TORCH_CASES} == {"zeros", "reflect", "replicate", "circular"}


def test_keras_activation_names_are_keras_own(keras: ModuleType) -> None:
    from keras.src.activations import ALL_OBJECTS_DICT

    from conv1dexplain.vocabulary import KERAS_ACTIVATIONS

    assert sorted(KERAS_ACTIVATIONS) == sorted(ALL_OBJECTS_DICT)
