"""The NumPy engine's values against real Keras and PyTorch, on random data, kernels and biases."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from conv1dexplain.engine import convolve
from conv1dexplain.errors import SpecError
from conv1dexplain.plan import Plan, make_plan
from conv1dexplain.spec import build_spec
from specgen import Case, cases

pytestmark = pytest.mark.oracle
COUNT = 150


def accepted(framework: str, seed: int) -> list[tuple[Case, Plan]]:
    """Generated specs that we accept and that have no activation (values before activation)."""
    found = []
    for case in cases(framework, COUNT * 3, seed):
        if case.activation is not None:
            continue
        try:
            found.append((case, make_plan(build_spec(**case.build_kwargs()))))  # type: ignore[arg-type]
        except SpecError:
            continue
    return found[:COUNT]


KERAS = accepted("keras", 11)
TORCH = accepted("pytorch", 12)


def ours(plan: Plan, x_nlc: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    axis, spec = plan.axis, plan.spec
    return convolve(x_nlc, kernel, bias, strides=axis.strides, dilation_rate=axis.dilation_rate,
                    pad_left=axis.pad_left, pad_right=axis.pad_right, padding_mode=spec.padding_mode,
                    groups=spec.groups)  # fmt: skip


@pytest.mark.parametrize(("case", "plan"), KERAS, ids=[f"keras{i}" for i in range(len(KERAS))])
def test_engine_equals_keras(keras: ModuleType, case: Case, plan: Plan) -> None:
    rng = np.random.default_rng(len(str(case)))
    batch = case.batch or 2
    x_nlc = rng.standard_normal((batch, case.length, case.channels)).astype("float32")
    kernel = rng.standard_normal(plan.kernel_shape).astype("float32")
    bias = rng.standard_normal(case.filters).astype("float32") if case.use_bias else None
    layer = keras.layers.Conv1D(case.filters, case.kernel_size, strides=case.strides, padding=case.padding,
                                data_format=case.data_format, dilation_rate=case.dilation_rate,
                                groups=case.groups, use_bias=case.use_bias)  # fmt: skip
    channels_first = case.data_format == "channels_first"
    x_real = x_nlc.transpose(0, 2, 1) if channels_first else x_nlc
    layer.build(x_real.shape)
    layer.set_weights([kernel] + ([bias] if bias is not None else []))
    real = keras.ops.convert_to_numpy(layer(x_real))
    mine = ours(plan, x_nlc, kernel, bias)
    np.testing.assert_allclose(mine.transpose(0, 2, 1) if channels_first else mine, real, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(("case", "plan"), TORCH, ids=[f"torch{i}" for i in range(len(TORCH))])
def test_engine_equals_pytorch(torch: ModuleType, case: Case, plan: Plan) -> None:
    rng = np.random.default_rng(len(str(case)))
    batch = case.batch or 2
    x_ncl = rng.standard_normal((batch, case.channels, case.length)).astype("float32")
    padding: str | int = int(case.padding) if case.padding.lstrip("-").isdigit() else case.padding
    layer = torch.nn.Conv1d(case.channels, case.filters, case.kernel_size, stride=case.strides, padding=padding,
                            dilation=case.dilation_rate, groups=case.groups, bias=case.use_bias,
                            padding_mode=case.padding_mode)  # fmt: skip
    with torch.no_grad():
        real = layer(torch.from_numpy(x_ncl)).numpy()
    weight = layer.weight.detach().numpy()
    bias = layer.bias.detach().numpy() if layer.bias is not None else None
    mine = ours(plan, x_ncl.transpose(0, 2, 1), weight.transpose(2, 1, 0), bias)
    np.testing.assert_allclose(mine.transpose(0, 2, 1), real, rtol=1e-4, atol=1e-4)


def test_enough_cases() -> None:
    assert len(KERAS) == COUNT and len(TORCH) == COUNT
