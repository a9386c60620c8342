"""Random 1-D model chains as code, for the oracle tests: each layer kind has a drawer that writes
one layer call (mostly valid for the tensor so far, sometimes not), and the real framework builds
and runs the same code on zeros, layer by layer. Tests only: the product never evaluates code."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any


@dataclass
class State:
    """What the chain so far gives (a guess the drawers use to stay mostly valid)."""

    channels: int
    length: int
    rank: int = 3  # with the batch
    tokens: bool = False  # token ids (before an Embedding)
    tuple_out: bool = False


Drawer = Callable[[random.Random, State], str]


def _pick(rng: random.Random, *choices: Any) -> Any:
    return rng.choice(choices)


def _sometimes(rng: random.Random, p: float = 0.3) -> bool:
    return rng.random() < p


# ---- Keras drawers ----------------------------------------------------------------------------


def keras_conv1d(rng: random.Random, state: State) -> str:
    kernel = rng.randint(1, 7)
    strides = _pick(rng, 1, 1, 2, 3)
    dilation = 1 if strides > 1 and not _sometimes(rng, 0.05) else _pick(rng, 1, 1, 2, 3)
    padding = _pick(rng, "valid", "same", "causal")
    groups = 1
    filters = rng.randint(1, 12)
    if _sometimes(rng, 0.15):
        groups = _pick(rng, 1, 2, 3)
        filters = groups * rng.randint(1, 4)
    args = f"{filters}, {kernel}"
    if strides != 1:
        args += f", strides={strides}"
    args += f", padding={padding!r}"
    if dilation != 1:
        args += f", dilation_rate={dilation}"
    if groups != 1:
        args += f", groups={groups}"
    if _sometimes(rng, 0.2):
        args += ", use_bias=False"
    if _sometimes(rng, 0.3):
        args += f", activation={_pick(rng, 'relu', 'tanh', 'linear')!r}"
    state.channels = filters
    if padding == "valid":
        state.length = (state.length - dilation * (kernel - 1) - 1) // strides + 1
    else:
        state.length = -(-state.length // strides)
    return f"Conv1D({args})"


def keras_pointwise(rng: random.Random, state: State) -> str:
    return _pick(
        rng,
        "Dropout(0.2)",
        "Activation('relu')",
        "ReLU()",
        "LeakyReLU(0.1)",
        "ELU()",
        "SpatialDropout1D(0.1)",
        "GaussianNoise(0.1)",
        "PReLU()",
        "PReLU(shared_axes=[1])",
    )


# ---- PyTorch drawers --------------------------------------------------------------------------


def torch_conv1d(rng: random.Random, state: State) -> str:
    kernel = rng.randint(1, 7)
    stride = _pick(rng, 1, 1, 2, 3)
    dilation = _pick(rng, 1, 1, 2, 3)
    in_channels = state.channels if not _sometimes(rng, 0.07) else state.channels + rng.randint(1, 3)
    out_channels = rng.randint(1, 12)
    groups = 1
    if _sometimes(rng, 0.15):
        groups = _pick(rng, 1, 2, 3)
        out_channels = groups * rng.randint(1, 4)
    padding: Any = _pick(rng, 0, 0, 1, 2, "'valid'", "'same'")
    args = f"{in_channels}, {out_channels}, {kernel}"
    if stride != 1:
        args += f", stride={stride}"
    if padding != 0:
        args += f", padding={padding}"
    if dilation != 1:
        args += f", dilation={dilation}"
    if groups != 1:
        args += f", groups={groups}"
    if _sometimes(rng, 0.2):
        args += ", bias=False"
    if _sometimes(rng, 0.15) and padding not in ("'valid'",):
        args += f", padding_mode={_pick(rng, 'reflect', 'replicate', 'circular')!r}"
    pad = {"'valid'": 0, "'same'": None}.get(padding, padding)
    state.channels = out_channels
    span = dilation * (kernel - 1) + 1
    state.length = state.length if pad is None else (state.length + 2 * pad - span) // stride + 1
    return f"nn.Conv1d({args})"


def torch_pointwise(rng: random.Random, state: State) -> str:
    return _pick(
        rng,
        "nn.ReLU()",
        "nn.GELU()",
        "nn.Dropout(0.1)",
        "nn.Tanh()",
        "nn.LeakyReLU(0.2)",
        "nn.PReLU()",
        f"nn.PReLU({state.channels})",
        "nn.SiLU()",
        "nn.Identity()",
    )


@dataclass
class Family:
    """The drawers of one framework, with weights, and how a chain starts."""

    drawers: list[tuple[float, Drawer]] = field(default_factory=list)
    first: list[tuple[float, Drawer]] = field(default_factory=list)  # layers that may start a model


KERAS = Family([(3.0, keras_conv1d), (1.5, keras_pointwise)])
TORCH = Family([(3.0, torch_conv1d), (1.5, torch_pointwise)])


def draw_chain(family: Family, rng: random.Random, state: State, layers: int) -> list[str]:
    """`layers` layer calls drawn by weight."""
    calls: list[str] = []
    if family.first and _sometimes(rng, 0.4):
        weights, drawers = zip(*family.first, strict=True)
        calls.append(rng.choices(drawers, weights)[0](rng, state))
    weights, drawers = zip(*family.drawers, strict=True)
    while len(calls) < layers:
        calls.append(rng.choices(drawers, weights)[0](rng, state))
    return calls


@dataclass
class Built:
    """What the real framework did with a chain: each layer's output shape and parameters, and
    the index of the first layer it refused (None: all ran) with its exception."""

    shapes: list[tuple[int, ...]]
    params: list[tuple[int, int]]  # (trainable, non-trainable)
    failed_at: int | None
    exception: BaseException | None


def build_keras(keras: ModuleType, calls: list[str], shape: tuple[int, ...], tokens: bool) -> Built:
    """Construct each layer from its code and call it on the previous output, from zeros."""
    namespace = dict(vars(keras.layers))
    x = keras.ops.zeros(shape, dtype="int32" if tokens else "float32")
    built = Built([], [], None, None)
    for index, code in enumerate(calls):
        try:
            layer = eval(code, namespace)
            x = layer(x)
        except Exception as error:
            built.failed_at, built.exception = index, error
            return built
        built.shapes.append(tuple(int(d) for d in x.shape))
        trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
        built.params.append((trainable, layer.count_params() - trainable))
    return built


def build_torch(torch: ModuleType, calls: list[str], shape: tuple[int, ...], tokens: bool) -> Built:
    """The same in PyTorch: modules from their code, run on zeros without gradients."""
    namespace = {"nn": torch.nn, "torch": torch}
    x: Any = torch.zeros(shape, dtype=torch.long if tokens else torch.float32)
    built = Built([], [], None, None)
    with torch.no_grad():
        for index, code in enumerate(calls):
            try:
                module = eval(code, namespace)
                module.eval()
                x = module(x)
            except Exception as error:
                built.failed_at, built.exception = index, error
                return built
            out = x[0] if isinstance(x, tuple) else x
            built.shapes.append(tuple(int(d) for d in out.shape))
            trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
            frozen = sum(p.numel() for p in module.parameters() if not p.requires_grad)
            built.params.append((trainable, frozen))
    return built
