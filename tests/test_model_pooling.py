"""Pooling, padding, cropping and upsampling layers in a model, against the real Keras 3 (PyTorch
backend) and PyTorch: output shapes (an unknown length too), parameter counts, refusals with the
framework's own message, and receptive fields measured by perturbing one input position.

Expected numbers come from the frameworks, built here for drawn settings; never from our code.
"""

from __future__ import annotations

import inspect
import math
import random
import re
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from conv1dexplain.chain import ModelPlan, fold
from conv1dexplain.conventions import KERAS, PYTORCH
from conv1dexplain.layers.node import REQUIRED, Call, ChainError, Value
from conv1dexplain.layers.rules import rule_for

Dims = tuple[Any, ...]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Keras numbers its auto-names per process (average_pooling1d_7): the test compares the rest
LAYER_NAME = re.compile(r"of layer '[^']*'")


# ---- oracles: run the real layer, compare with our one-layer plan -------------------------------


def _failure(run: Callable[[], Any]) -> tuple[Any, tuple[str, str] | None]:
    """The framework's result, or its error as (type name, message)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return run(), None
        except Exception as error:  # any framework refusal is the oracle's answer
            return None, (type(error).__name__, ANSI.sub("", str(error)))


def _assert_refused(plan: ModelPlan, failure: tuple[str, str], layer: int = 0) -> None:
    """We refuse at the same layer, with the framework's kind of error and its words."""
    kind, text = failure
    assert plan.error is not None, f"the framework refuses ({kind}: {text}) but we accept"
    assert plan.error_layer == layer
    assert isinstance(plan.error, ChainError), plan.error
    ours_kind, _, ours_text = plan.error.framework_message.partition(": ")
    assert ours_kind == kind, (plan.error.framework_message, kind, text)
    # Keras wraps a call's error in "Exception encountered when calling …": ours is the inner text
    assert LAYER_NAME.sub("", ours_text) in LAYER_NAME.sub("", text), (ours_text, text)


def _keras_value(dims: Dims, channels_first: bool = False) -> Value:
    return Value(tuple(dims), (2 if channels_first else 1) if len(dims) == 3 else None)


def keras_check(keras: ModuleType, name: str, kwargs: dict[str, Any], dims: Dims) -> str:
    """The real layer built symbolically (how a model meets it; None allowed) and, for a known
    shape, called on zeros; its output shape, parameters and refusals against our plan."""
    layers: list[Any] = []

    def symbolic() -> Any:
        layers.append(getattr(keras.layers, name)(**kwargs))
        return layers[-1](keras.Input(batch_shape=dims)).shape

    shape, failure = _failure(symbolic)
    value = _keras_value(dims, kwargs.get("data_format") == "channels_first")
    plan = fold((Call(name, (), kwargs),), value, KERAS)
    if failure is not None:
        _assert_refused(plan, failure)
        return "refused"
    assert plan.error is None, (name, kwargs, dims, plan.error)
    step = plan.rows[0].step
    assert step.output.dims == tuple(shape), (name, kwargs, dims)
    layer = layers[-1]
    counts = (sum(math.prod(w.shape) for w in layer.trainable_weights), len(layer.non_trainable_weights))
    assert (step.trainable_params, step.non_trainable_params) == counts == (0, 0)
    assert layer.count_params() == 0
    if None not in dims[1:]:  # eagerly on zeros too, with a batch of 2
        eager, failure = _failure(lambda: layers[-1](keras.ops.zeros((2, *dims[1:]))).shape)
        assert failure is None and tuple(eager) == (2, *step.output.dims[1:]), (name, kwargs, dims, failure)
    return "ok"


def torch_check(torch: ModuleType, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], dims: Dims) -> str:
    """The real module on zeros (no_grad): shape, parameters (buffers are not) and refusals."""
    modules: list[Any] = []

    def run() -> Any:
        modules.append(getattr(torch.nn, name)(*args, **kwargs))
        with torch.no_grad():
            return modules[-1](torch.zeros(dims))

    out, failure = _failure(run)
    plan = fold((Call(name, args, kwargs),), Value(tuple(dims), len(dims) - 1), PYTORCH)
    if failure is not None:
        _assert_refused(plan, failure)
        return "refused"
    assert plan.error is None, (name, args, kwargs, dims, plan.error)
    step = plan.rows[0].step
    assert step.output.is_tuple == isinstance(out, tuple)
    tensor = out[0] if isinstance(out, tuple) else out
    assert step.output.dims == tuple(tensor.shape), (name, args, kwargs, dims)
    assert sum(p.numel() for p in modules[-1].parameters()) == step.trainable_params + step.non_trainable_params == 0
    return "ok"


def _tally(outcomes: list[str], least_ok: int, least_refused: int) -> None:
    """The drawn settings reached both paths: accepted and refused."""
    assert outcomes.count("ok") >= least_ok and outcomes.count("refused") >= least_refused, outcomes


def _draw(rng: random.Random, *choices: Any) -> Any:
    return rng.choice(choices)


# ---- Keras ------------------------------------------------------------------------------------

KERAS_POOLS = ("MaxPooling1D", "AveragePooling1D", "MaxPool1D", "AvgPool1D")
KERAS_GLOBALS = ("GlobalMaxPooling1D", "GlobalAveragePooling1D", "GlobalMaxPool1D", "GlobalAvgPool1D")


@pytest.mark.parametrize("seed", range(4))
def test_keras_pooling_shapes_and_refusals(keras: ModuleType, seed: int) -> None:
    rng = random.Random(seed)
    outcomes = []
    for _ in range(30):
        rare = rng.random() < 0.15  # an invalid setting
        kwargs: dict[str, Any] = {"pool_size": _draw(rng, 0, -1) if rare else _draw(rng, 1, 2, 3, 4, 5, (3,))}
        if rng.random() < 0.6:
            kwargs["strides"] = _draw(rng, 0, -2) if rare else _draw(rng, 1, 2, 3, 4, (2,))
        kwargs["padding"] = _draw(rng, "SAME", "causal") if rare else _draw(rng, "valid", "same")
        kwargs["data_format"] = _draw(rng, None, "channels_last", "channels_first")
        length = _draw(rng, None, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12)
        dims = (None, 3, length) if kwargs["data_format"] == "channels_first" else (None, length, 3)
        if rng.random() < 0.1:
            dims = _draw(rng, (None, 7), (None, 7, 3, 2))
        outcomes.append(keras_check(keras, rng.choice(KERAS_POOLS), kwargs, dims))
    _tally(outcomes, 12, 4)


@pytest.mark.parametrize("name", KERAS_GLOBALS)
def test_keras_global_pooling_drops_or_keeps_the_length(keras: ModuleType, name: str) -> None:
    outcomes = []
    for data_format in (None, "channels_last", "channels_first"):
        for keepdims in (False, True):
            for dims in ((None, 7, 3), (2, None, 5), (2, 1, 4), (None, 5), (1, 2, 3, 4)):
                if data_format == "channels_first" and len(dims) == 3:
                    dims = (dims[0], dims[2], dims[1])
                kwargs = {"data_format": data_format, "keepdims": keepdims}
                outcomes.append(keras_check(keras, name, kwargs, dims))
    _tally(outcomes, 18, 6)


@pytest.mark.parametrize("seed", range(2))
def test_keras_padding_cropping_upsampling(keras: ModuleType, seed: int) -> None:
    rng = random.Random(seed)
    outcomes = []
    for _ in range(30):
        name = _draw(rng, "ZeroPadding1D", "Cropping1D", "UpSampling1D")
        length = _draw(rng, None, 1, 2, 3, 4, 5, 6)
        dims: Dims = (None, length, 3)
        if name == "ZeroPadding1D":
            kwargs: dict[str, Any] = {"padding": _draw(rng, 0, 1, 3, (1, 2), (0, 4), -1, (2, -1), (1, 2, 3))}
            kwargs["data_format"] = _draw(rng, None, "channels_last", "channels_first")
            if kwargs["data_format"] == "channels_first":
                dims = (None, 3, length)
        elif name == "Cropping1D":
            kwargs = {"cropping": _draw(rng, 0, 1, 2, (1, 0), (0, 3), (2, 2), -1)}
        else:
            kwargs = {"size": _draw(rng, 1, 2, 3, 5, 0, -1, 2.0)}
        if rng.random() < 0.1:
            dims = (None, 6)
        outcomes.append(keras_check(keras, name, kwargs, dims))
    _tally(outcomes, 12, 4)


def _signature_matches(cls: type, name: str, rules: Any) -> None:
    """Our parameters are the class's, in its positional order, with its defaults."""
    real = inspect.signature(cls.__init__).parameters
    names = [key for key, param in real.items() if key != "self" and param.kind is param.POSITIONAL_OR_KEYWORD]
    rule = rule_for(rules, Call(name))
    assert [param.name for param in rule.params] == [key for key in names if key != "name"], name
    for param in rule.params:
        default = real[param.name].default
        assert (REQUIRED if default is inspect.Parameter.empty else default) == param.default, (name, param)


def test_keras_signatures_and_defaults(keras: ModuleType) -> None:
    for name in (*KERAS_POOLS, *KERAS_GLOBALS, "ZeroPadding1D", "Cropping1D", "UpSampling1D"):
        _signature_matches(getattr(keras.layers, name), name, KERAS)


# ---- PyTorch ----------------------------------------------------------------------------------


def _torch_dims(rng: random.Random, lengths: tuple[int, ...]) -> Dims:
    length = rng.choice(lengths)
    return _draw(rng, (2, 3, length), (2, 3, length), (3, length))


@pytest.mark.parametrize("seed", range(4))
def test_torch_max_pool(torch: ModuleType, seed: int) -> None:
    rng = random.Random(seed)
    outcomes = []
    for _ in range(40):
        rare = rng.random() < 0.15
        kernel = _draw(rng, 0, -1, (2, 2)) if rare and rng.random() < 0.3 else _draw(rng, 1, 2, 3, 4, 5, (3,))
        kwargs: dict[str, Any] = {
            "stride": _draw(rng, None, 1, 2, 3, (2,)) if not rare else _draw(rng, 0, -1, None),
            "padding": _draw(rng, 0, 0, 1, 2) if not rare else _draw(rng, -1, 3),
            "dilation": _draw(rng, 1, 1, 2, 3) if not rare else _draw(rng, 0, 2),
            "ceil_mode": rng.random() < 0.5,
            "return_indices": rng.random() < 0.2,
        }
        dims = _torch_dims(rng, (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13))
        if rng.random() < 0.05:
            dims = _draw(rng, (6,), (1, 2, 3, 6))
        outcomes.append(torch_check(torch, "MaxPool1d", (kernel,), kwargs, dims))
    _tally(outcomes, 15, 5)


@pytest.mark.parametrize("seed", range(3))
def test_torch_avg_pool(torch: ModuleType, seed: int) -> None:
    rng = random.Random(100 + seed)
    outcomes = []
    for _ in range(40):
        rare = rng.random() < 0.15
        kernel = _draw(rng, 0, -1) if rare and rng.random() < 0.3 else _draw(rng, 1, 2, 3, 4, 5, (3,))
        kwargs: dict[str, Any] = {
            "stride": _draw(rng, None, 1, 2, 3, (2,)) if not rare else _draw(rng, 0, -1, None),
            "padding": _draw(rng, 0, 0, 1, 2) if not rare else _draw(rng, -1, 3),
            "ceil_mode": rng.random() < 0.5,
            "count_include_pad": rng.random() < 0.5,
        }
        dims = _torch_dims(rng, (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13))
        if rng.random() < 0.05:
            dims = _draw(rng, (6,), (1, 2, 3, 6))
        outcomes.append(torch_check(torch, "AvgPool1d", (kernel,), kwargs, dims))
    _tally(outcomes, 15, 5)


def test_ceil_mode_drops_a_last_window_that_starts_in_the_right_padding(torch: ModuleType) -> None:
    """L=4, k=2, s=3, p=1: ceil((4+2−2)/3)+1 = 3 windows, but the third starts at 6 − 1 = 5 ≥ L + p."""
    for name in ("MaxPool1d", "AvgPool1d"):
        assert torch_check(torch, name, (2,), {"stride": 3, "padding": 1, "ceil_mode": True}, (1, 1, 4)) == "ok"
        plan = fold((Call(name, (2,), {"stride": 3, "padding": 1, "ceil_mode": True}),), Value((1, 1, 4), 2), PYTORCH)
        assert plan.rows[0].step.output.dims == (1, 1, 2)


@pytest.mark.parametrize("name", ["AdaptiveMaxPool1d", "AdaptiveAvgPool1d"])
def test_torch_adaptive_pools(torch: ModuleType, name: str) -> None:
    outcomes = []
    extra = [{"return_indices": True}] if "Max" in name else []
    for output_size in (1, 2, 3, 5, 8, 0, (2,), -1, None, (2, 3), 2.0):
        for kwargs in [{}, *extra]:
            for dims in ((2, 3, 7), (3, 8), (1, 2, 1), (6,), (1, 2, 3, 4)):
                outcomes.append(torch_check(torch, name, (output_size,), kwargs, dims))
    _tally(outcomes, 20, 10)


@pytest.mark.parametrize("name", ["ConstantPad1d", "ZeroPad1d", "ReflectionPad1d", "ReplicationPad1d", "CircularPad1d"])
def test_torch_padding_modules(torch: ModuleType, name: str) -> None:
    outcomes = []
    for padding in (0, 1, 2, 3, 5, (1, 3), (0, 4), (-2, 1), (-3, -2), (-3, -3), (2, -5), (1, 2, 3)):
        for dims in ((2, 3, 5), (3, 4), (2, 3, 1), (5,), (1, 2, 3, 5)):
            args = (padding, 0.5) if name == "ConstantPad1d" else (padding,)
            outcomes.append(torch_check(torch, name, args, {}, dims))
    _tally(outcomes, 12, 8)


@pytest.mark.parametrize("seed", range(3))
def test_torch_upsample(torch: ModuleType, seed: int) -> None:
    rng = random.Random(200 + seed)
    outcomes = []
    for _ in range(40):
        kwargs: dict[str, Any] = {
            "mode": _draw(rng, "nearest", "nearest", "linear", "nearest-exact", "area", "bilinear")
        }
        if rng.random() < 0.1:
            kwargs["mode"] = _draw(rng, "bicubic", "trilinear", "lanczos", "foo")
        if rng.random() < 0.6:
            kwargs["scale_factor"] = _draw(rng, 1, 2, 3, 0.5, 1.5, 2.5, 1.3, 0.1, (2,), 2.0)
        if rng.random() < 0.15 or "scale_factor" not in kwargs:
            kwargs["size"] = _draw(rng, 1, 4, 7, 12, (6,), 0)
        if rng.random() < 0.2:
            kwargs["align_corners"] = rng.random() < 0.5
        dims = _torch_dims(rng, (1, 2, 3, 5, 6))
        outcomes.append(torch_check(torch, "Upsample", (), kwargs, dims))
    _tally(outcomes, 10, 8)


def test_torch_signatures_and_defaults(torch: ModuleType) -> None:
    for name in (
        "MaxPool1d",
        "AvgPool1d",
        "AdaptiveMaxPool1d",
        "AdaptiveAvgPool1d",
        "ConstantPad1d",
        "ZeroPad1d",
        "ReflectionPad1d",
        "ReplicationPad1d",
        "CircularPad1d",
        "Upsample",
    ):
        _signature_matches(getattr(torch.nn, name), name, PYTORCH)


def test_torch_circular_padding_every_crop_and_wrap(torch: ModuleType) -> None:
    """Every (left, right) from −8 to 8 on lengths 1–6: the wrap and empty-dimension checks, and the
    broadcast errors of a crop deeper than the input on one side."""
    outcomes = []
    for length in range(1, 7):
        for left in range(-8, 9):
            for right in range(-8, 9):
                outcomes.append(torch_check(torch, "CircularPad1d", ((left, right),), {}, (2, length)))
    _tally(outcomes, 300, 300)


# ---- receptive fields, measured: perturb one input position, see which outputs change ----------


def _changed(outputs: Any, length: int) -> list[set[int]]:
    """outputs: (1 + L, positions, channels) — the base run, then one per perturbed input position."""
    moved = np.abs(outputs[1:] - outputs[:1]).max(axis=2) > 1e-3  # (L, positions)
    return [set(np.flatnonzero(moved[:, t]).tolist()) for t in range(moved.shape[1])]


def _assert_reads(plan: ModelPlan, measured: list[set[int]], length: int) -> None:
    """Each output reads only inside the window we give it; a full window is as wide as our receptive
    field, and starts where our first position and jump put it."""
    assert plan.error is None, plan.error
    row = plan.rows[-1]
    assert row.reach is not None and row.receptive_field is not None and row.reads is not None
    assert len(measured) == row.step.output.length
    field, first, jump = row.receptive_field, row.reach.first, row.reach.jump
    full = []
    for t, reads in enumerate(measured):
        start = math.floor(first + t * jump)
        assert reads <= set(range(start, start + field)), (t, sorted(reads), start, field)
        if reads and max(reads) - min(reads) + 1 == field:
            full.append(t)
            assert min(reads) == start, (t, sorted(reads), start)
    assert full, ("no output reads a whole receptive field", measured)
    # output 0 reads inside `reads`, and its last input is the last one `reads` names (after
    # upsampling the taps fall between input positions: the floor of the last one)
    low, high = row.reads
    assert measured[0] <= set(range(low, high + 1)), (sorted(measured[0]), row.reads)
    if measured[0] and high <= max(max(m) for m in measured if m):  # the window ends inside the input
        assert max(measured[0]) == high, (sorted(measured[0]), row.reads)


def _torch_perturbed(torch: ModuleType, modules: list[Any], channels: int, length: int) -> list[set[int]]:
    for module in modules:
        if isinstance(module, torch.nn.Conv1d):
            with torch.no_grad():
                module.weight.copy_(module.weight.abs() + 0.1)  # positive: a rise reaches every max
                module.bias.zero_()
    model = torch.nn.Sequential(*modules).double()
    x = torch.rand(1, channels, length, dtype=torch.float64).repeat(length + 1, 1, 1)
    for j in range(length):
        x[j + 1, :, j] += 1000.0
    with torch.no_grad():
        return _changed(model(x).permute(0, 2, 1).numpy(), length)


TORCH_CHAINS: list[tuple[tuple[str, tuple[Any, ...], dict[str, Any]], ...]] = []
_rng = random.Random(7)
for _ in range(24):
    conv = (
        "Conv1d",
        (2, 3, _rng.choice((1, 2, 3, 4))),
        {"stride": _rng.choice((1, 2)), "padding": _rng.choice((0, 1))},
    )
    kernel = _rng.choice((2, 3, 4))
    pool = _rng.choice(
        (
            (
                "MaxPool1d",
                (kernel,),
                {
                    "stride": _rng.choice((None, 1, 2, 3)),
                    "padding": _rng.choice((0, 1)),
                    "dilation": _rng.choice((1, 2)),
                    "ceil_mode": _rng.random() < 0.5,
                },
            ),
            (
                "AvgPool1d",
                (kernel,),
                {"stride": _rng.choice((None, 1, 2)), "padding": _rng.choice((0, 1)), "ceil_mode": _rng.random() < 0.5},
            ),
        )
    )
    TORCH_CHAINS.append((conv, pool))
TORCH_CHAINS += [
    (("Conv1d", (2, 3, 3), {}), ("AdaptiveAvgPool1d", (6,), {})),
    (("Conv1d", (2, 3, 2), {"stride": 2}), ("AdaptiveMaxPool1d", (3,), {})),
    (("Conv1d", (2, 3, 3), {}), ("ZeroPad1d", ((2, 1),), {})),
    (("Conv1d", (2, 3, 3), {"stride": 2}), ("ConstantPad1d", ((-2, 3), 0.0), {})),
    (("Conv1d", (2, 3, 3), {"padding": 1}), ("Upsample", (), {"scale_factor": 2})),
    (("Conv1d", (2, 3, 2), {}), ("Upsample", (), {"scale_factor": 3})),
    (("Upsample", (), {"scale_factor": 2}), ("Conv1d", (2, 3, 3), {})),
    (("Conv1d", (2, 3, 2), {}), ("Upsample", (), {"scale_factor": 2, "mode": "nearest-exact"})),
    (("Conv1d", (2, 3, 2), {}), ("Upsample", (), {"size": 30})),
    (("Conv1d", (2, 3, 2), {}), ("Upsample", (), {"scale_factor": 2.5})),
    (("Conv1d", (2, 3, 3), {}), ("Upsample", (), {"scale_factor": 2, "mode": "area"})),
    (("Upsample", (), {"scale_factor": 3}), ("Conv1d", (2, 3, 2), {"stride": 2})),
    (("ZeroPad1d", ((1, 2),), {}), ("Conv1d", (2, 3, 3), {"stride": 2}), ("MaxPool1d", (2,), {"padding": 1})),
]


@pytest.mark.parametrize("chain", TORCH_CHAINS, ids=lambda chain: "-".join(layer[0] for layer in chain))
def test_torch_receptive_fields_measured(torch: ModuleType, chain: Any) -> None:
    length = 18 if chain[-1][0] == "AdaptiveMaxPool1d" else 20  # conv outputs 9 = 3 windows of 3
    modules = [getattr(torch.nn, name)(*args, **kwargs) for name, args, kwargs in chain]
    measured = _torch_perturbed(torch, modules, 2, length)
    plan = fold(tuple(Call(name, args, kwargs) for name, args, kwargs in chain), Value((1, 2, length), 2), PYTORCH)
    _assert_reads(plan, measured, length)


def _keras_perturbed(keras: ModuleType, layers: list[Any], channels: int, length: int) -> list[set[int]]:
    model = keras.Sequential([keras.Input((length, channels)), *layers])
    x = np.random.default_rng(0).random((1, length, channels)).astype("float32").repeat(length + 1, axis=0)
    for j in range(length):
        x[j + 1, j, :] += 1000.0
    return _changed(np.asarray(keras.ops.convert_to_numpy(model(x)), dtype=np.float64), length)


KERAS_CHAINS: list[tuple[tuple[str, dict[str, Any]], ...]] = []
for _ in range(16):
    conv = (
        "Conv1D",
        {
            "filters": 3,
            "kernel_size": _rng.choice((1, 2, 3)),
            "strides": _rng.choice((1, 2)),
            "padding": _rng.choice(("valid", "same")),
        },
    )
    pool = (
        _rng.choice(("MaxPooling1D", "AveragePooling1D")),
        {
            "pool_size": _rng.choice((2, 3, 4)),
            "strides": _rng.choice((None, 1, 2, 3)),
            "padding": _rng.choice(("valid", "same")),
        },
    )
    KERAS_CHAINS.append((conv, pool))
KERAS_CHAINS += [
    (("Conv1D", {"filters": 3, "kernel_size": 3}), ("ZeroPadding1D", {"padding": (2, 1)})),
    (("Conv1D", {"filters": 3, "kernel_size": 3, "strides": 2}), ("Cropping1D", {"cropping": (2, 1)})),
    (("Conv1D", {"filters": 3, "kernel_size": 2}), ("UpSampling1D", {"size": 3})),
    (("UpSampling1D", {"size": 2}), ("Conv1D", {"filters": 3, "kernel_size": 3})),
]


@pytest.mark.parametrize("chain", KERAS_CHAINS, ids=lambda chain: "-".join(layer[0] for layer in chain))
def test_keras_receptive_fields_measured(keras: ModuleType, chain: Any) -> None:
    length = 20
    initial = {"kernel_initializer": keras.initializers.RandomUniform(0.1, 1.0), "bias_initializer": "zeros"}
    layers = [getattr(keras.layers, name)(**kwargs, **(initial if name == "Conv1D" else {})) for name, kwargs in chain]
    measured = _keras_perturbed(keras, layers, 2, length)
    plan = fold(tuple(Call(name, (), kwargs) for name, kwargs in chain), Value((None, length, 2), 1), KERAS)
    _assert_reads(plan, measured, length)


@pytest.mark.parametrize("name", ["MaxPool1d", "AvgPool1d"])
def test_torch_pool_arguments_as_each_kernel_parses_them(torch: ModuleType, name: str) -> None:
    """max_pool1d's own kernel, max_pool1d_with_indices and avg_pool1d word bad sizes differently."""
    outcomes = []
    for kwargs in (
        {"kernel_size": (2, 2)},
        {"kernel_size": True},
        {"kernel_size": 2.0},
        {"kernel_size": [3]},
        {"kernel_size": 2, "stride": (1, 1)},
        {"kernel_size": 2, "stride": 1.5},
        {"kernel_size": 2, "stride": ()},
        {"kernel_size": 2, "stride": -1},
        {"kernel_size": 2, "padding": (1, 1)},
        {"kernel_size": 3, "padding": (1,)},
        {"kernel_size": 2, "dilation": (1, 1)},
        {"kernel_size": 3, "padding": 1, "dilation": 0},
        {"kernel_size": 3, "padding": 2, "dilation": 3},
        {"kernel_size": 0, "stride": 1},
        {"kernel_size": -3, "stride": 1},
    ):
        if name == "AvgPool1d" and "dilation" in kwargs:
            continue
        for extra in [{}, {"return_indices": True}] if name == "MaxPool1d" else [{}]:
            kernel = kwargs.pop("kernel_size")
            outcomes.append(torch_check(torch, name, (kernel,), kwargs | extra, (2, 3, 8)))
            kwargs["kernel_size"] = kernel
    _tally(outcomes, 3, 8)


def test_a_tuple_output_is_refused_by_the_next_module(torch: ModuleType) -> None:
    """MaxPool1d(return_indices=True) gives (output, indices): nn.Sequential hands the tuple on."""
    followers = [
        ("MaxPool1d", (2,)),
        ("AvgPool1d", (2,)),
        ("AdaptiveMaxPool1d", (2,)),
        ("AdaptiveAvgPool1d", (2,)),
        ("ConstantPad1d", (1, 0.0)),
        ("ZeroPad1d", (1,)),
        ("ReflectionPad1d", (1,)),
        ("ReplicationPad1d", (1,)),
        ("CircularPad1d", (1,)),
        ("Upsample", (None, 2)),
    ]
    for name, args in followers:
        first = ("MaxPool1d", (2,), {"return_indices": True})
        model = torch.nn.Sequential(torch.nn.MaxPool1d(2, return_indices=True), getattr(torch.nn, name)(*args))
        with torch.no_grad():
            _, failure = _failure(lambda model=model: model(torch.zeros(2, 3, 8)))
        assert failure is not None, name
        calls = (Call(first[0], first[1], first[2]), Call(name, args))
        _assert_refused(fold(calls, Value((2, 3, 8), 2), PYTORCH), failure, layer=1)


def test_keras_checks_in_keras_order(keras: ModuleType) -> None:
    """The constructor's checks, then the input's rank, then the output shape's (padding, strides=0)."""
    cases = [
        ("MaxPooling1D", {"pool_size": 2, "strides": 0}, (None, 7)),
        ("MaxPooling1D", {"pool_size": 2, "strides": 0, "padding": "SAME"}, (None, 7, 3)),
        ("MaxPooling1D", {"pool_size": 2, "strides": 0}, (None, None, 3)),
        ("AveragePooling1D", {"pool_size": 0, "strides": 0}, (None, 7)),
        ("MaxPooling1D", {"pool_size": 9, "padding": "SAME"}, (None, 7)),
        ("Cropping1D", {"cropping": -1}, (None, 7)),
        ("UpSampling1D", {"size": 0}, (None, 7)),
    ]
    for name, kwargs, dims in cases:
        assert keras_check(keras, name, kwargs, dims) == "refused", (name, kwargs, dims)


def test_an_unknown_pytorch_length_stays_unknown_except_where_the_module_fixes_it() -> None:
    """PyTorch cannot run on an unknown length; its docs fix the adaptive and sized outputs."""
    calls = [
        (Call("MaxPool1d", (3,), {"stride": 2, "ceil_mode": True}), None),
        (Call("AvgPool1d", (3,), {"padding": 1}), None),
        (Call("AdaptiveAvgPool1d", (4,)), 4),
        (Call("AdaptiveMaxPool1d", (4,)), 4),
        (Call("ReflectionPad1d", (2,)), None),
        (Call("CircularPad1d", ((1, -1),)), None),
        (Call("Upsample", (), {"size": 12}), 12),
        (Call("Upsample", (), {"scale_factor": 2}), None),
    ]
    for call, length in calls:
        plan = fold((call,), Value((2, 3, None), 2), PYTORCH)
        assert plan.error is None, (call, plan.error)
        assert plan.rows[0].step.output.dims == (2, 3, length), call
