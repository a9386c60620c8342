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


# ---- more Keras drawers (pooling, resizing, normalisation, dense, recurrent, conv variants) ----


def _seq_len(state: State, removed: int) -> None:
    state.length = state.length - removed


def keras_pooling(rng: random.Random, state: State) -> str:
    kind = _pick(rng, "MaxPooling1D", "AveragePooling1D", "MaxPool1D", "AvgPool1D")
    pool = rng.randint(1, 4)
    args = f"{pool}"
    if _sometimes(rng, 0.4):
        args += f", strides={rng.randint(1, 3)}"
    padding = _pick(rng, "valid", "same")
    if padding != "valid":
        args += f", padding={padding!r}"
    state.length = max(1, state.length // pool)
    return f"{kind}({args})"


def keras_global(rng: random.Random, state: State) -> str:
    kind = _pick(rng, "GlobalMaxPooling1D", "GlobalAveragePooling1D", "GlobalMaxPool1D", "GlobalAvgPool1D")
    if _sometimes(rng, 0.5):
        state.length = 1
        return f"{kind}(keepdims=True)"
    state.rank = 2
    return f"{kind}()"


def keras_resize(rng: random.Random, state: State) -> str:
    choice = rng.randint(0, 3)
    if choice == 0:
        return f"ZeroPadding1D({rng.randint(0, 3)})"
    if choice == 1:
        return f"ZeroPadding1D(({rng.randint(0, 3)}, {rng.randint(0, 3)}))"
    if choice == 2:
        left, right = rng.randint(0, 3), rng.randint(0, 3)
        _seq_len(state, left + right)
        return f"Cropping1D(({left}, {right}))"
    size = rng.randint(1, 3)
    state.length *= size
    return f"UpSampling1D({size})"


def keras_norm(rng: random.Random, state: State) -> str:
    choice = rng.randint(0, 2)
    if choice == 0:
        return _pick(rng, "BatchNormalization()", "BatchNormalization(center=False)", "BatchNormalization(scale=False)")
    if choice == 1:
        return _pick(rng, "LayerNormalization()", "LayerNormalization(center=False)", "LayerNormalization(axis=1)")
    groups = _pick(rng, 1, 2, state.channels, 3)
    return f"GroupNormalization(groups={groups})"


def keras_dense(rng: random.Random, state: State) -> str:
    choice = rng.randint(0, 4)
    if choice <= 1:
        units = rng.randint(1, 10)
        state.channels = units
        return f"Dense({units}" + (", use_bias=False)" if _sometimes(rng, 0.2) else ")")
    if choice == 2:
        state.rank = 2
        return "Flatten()"
    if choice == 3:
        state.channels, state.length = state.length, state.channels
        return "Permute((2, 1))"
    if state.rank == 2:
        n = rng.randint(1, 6)
        state.rank, state.length = 3, n
        return f"RepeatVector({n})"
    return f"Reshape((-1, {state.channels}))"


def keras_recurrent(rng: random.Random, state: State) -> str:
    kind = _pick(rng, "LSTM", "GRU", "SimpleRNN")
    units = rng.randint(1, 8)
    sequences = _sometimes(rng, 0.6)
    inner = f"{kind}({units}" + (", return_sequences=True" if sequences else "")
    if kind == "GRU" and _sometimes(rng, 0.3):
        inner += ", reset_after=False"
    inner += ")"
    if not sequences:
        state.rank = 2
    state.channels = units
    if _sometimes(rng, 0.3):
        mode = _pick(rng, "concat", "sum", "mul", "ave")
        state.channels = 2 * units if mode == "concat" else units
        return f"Bidirectional({inner}, merge_mode={mode!r})"
    return inner


def keras_conv_variant(rng: random.Random, state: State) -> str:
    choice = rng.randint(0, 2)
    kernel = rng.randint(1, 5)
    strides = _pick(rng, 1, 1, 2)
    padding = _pick(rng, "valid", "same")
    if choice == 0:
        filters = rng.randint(1, 8)
        state.channels = filters
        state.length = (
            state.length * strides + max(kernel - strides, 0) if padding == "valid" else state.length * strides
        )
        return f"Conv1DTranspose({filters}, {kernel}, strides={strides}, padding={padding!r})"
    if choice == 1:
        filters = rng.randint(1, 8)
        multiplier = rng.randint(1, 2)
        state.channels = filters
        options = f"strides={strides}, padding={padding!r}, depth_multiplier={multiplier}"
        return f"SeparableConv1D({filters}, {kernel}, {options})"
    multiplier = rng.randint(1, 3)
    state.channels *= multiplier
    return f"DepthwiseConv1D({kernel}, strides={strides}, padding={padding!r}, depth_multiplier={multiplier})"


def keras_embedding(rng: random.Random, state: State) -> str:
    dim = rng.randint(1, 12)
    state.channels, state.tokens = dim, True
    return f"Embedding({rng.randint(2, 50)}, {dim})"


# ---- more PyTorch drawers -----------------------------------------------------------------------


def torch_pooling(rng: random.Random, state: State) -> str:
    choice = rng.randint(0, 3)
    kernel = rng.randint(1, 4)
    if choice == 0:
        args = f"{kernel}"
        if _sometimes(rng, 0.4):
            args += f", stride={rng.randint(1, 3)}"
        if _sometimes(rng, 0.3):
            args += f", padding={rng.randint(0, kernel // 2 + (1 if _sometimes(rng, 0.1) else 0))}"
        if _sometimes(rng, 0.3):
            args += f", dilation={rng.randint(1, 3)}"
        if _sometimes(rng, 0.3):
            args += ", ceil_mode=True"
        state.length = max(1, state.length // kernel)
        return f"nn.MaxPool1d({args})"
    if choice == 1:
        args = f"{kernel}"
        if _sometimes(rng, 0.4):
            args += f", stride={rng.randint(1, 3)}"
        if _sometimes(rng, 0.3):
            args += f", padding={rng.randint(0, kernel // 2)}"
        if _sometimes(rng, 0.3):
            args += ", ceil_mode=True"
        if _sometimes(rng, 0.3):
            args += ", count_include_pad=False"
        state.length = max(1, state.length // kernel)
        return f"nn.AvgPool1d({args})"
    size = rng.randint(1, 6)
    state.length = size
    return f"nn.{_pick(rng, 'AdaptiveAvgPool1d', 'AdaptiveMaxPool1d')}({size})"


def torch_resize(rng: random.Random, state: State) -> str:
    choice = rng.randint(0, 5)
    left, right = rng.randint(0, 3), rng.randint(0, 3)
    if choice == 0:
        state.length += left + right
        return f"nn.ConstantPad1d(({left}, {right}), 0.5)"
    if choice == 1:
        state.length += 2 * left
        return f"nn.ZeroPad1d({left})"
    if choice == 2:
        state.length += left + right
        return f"nn.ReflectionPad1d(({left}, {right}))"
    if choice == 3:
        state.length += left + right
        return f"nn.ReplicationPad1d(({left}, {right}))"
    if choice == 4:
        state.length += left + right
        return f"nn.CircularPad1d(({left}, {right}))"
    factor = rng.randint(1, 3)
    state.length *= factor
    return f"nn.Upsample(scale_factor={factor}" + (", mode='linear')" if _sometimes(rng, 0.3) else ")")


def torch_norm(rng: random.Random, state: State) -> str:
    choice = rng.randint(0, 3)
    channels = state.channels if not _sometimes(rng, 0.1) else state.channels + 1
    if choice == 0:
        return f"nn.BatchNorm1d({channels}" + (", affine=False)" if _sometimes(rng, 0.2) else ")")
    if choice == 1:
        return f"nn.LayerNorm({state.length if not _sometimes(rng, 0.1) else state.length + 1})"
    if choice == 2:
        groups = _pick(rng, 1, 2, state.channels)
        return f"nn.GroupNorm({groups}, {channels})"
    return f"nn.InstanceNorm1d({channels}" + (", affine=True)" if _sometimes(rng, 0.3) else ")")


def torch_dense(rng: random.Random, state: State) -> str:
    choice = rng.randint(0, 2)
    if choice == 0:
        out = rng.randint(1, 10)
        features = state.length if not _sometimes(rng, 0.1) else state.length + 1
        state.length = out
        return f"nn.Linear({features}, {out}" + (", bias=False)" if _sometimes(rng, 0.2) else ")")
    if choice == 1:
        state.rank = 2
        return _pick(rng, "nn.Flatten()", "nn.Flatten(1, 2)", "nn.Flatten(0)")
    return f"nn.Unflatten(1, ({state.channels}, 1))"


def torch_recurrent(rng: random.Random, state: State) -> str:
    kind = _pick(rng, "LSTM", "GRU", "RNN")
    hidden = rng.randint(1, 8)
    size = state.length if _sometimes(rng, 0.8) else state.channels
    args = f"{size}, {hidden}, batch_first=True"
    if _sometimes(rng, 0.3):
        args += ", num_layers=2"
    if _sometimes(rng, 0.3):
        args += ", bidirectional=True"
    if kind == "LSTM" and _sometimes(rng, 0.2) and hidden > 1:
        args += f", proj_size={hidden - 1}"
    state.tuple_out = True
    return f"nn.{kind}({args})"


def torch_conv_transpose(rng: random.Random, state: State) -> str:
    kernel = rng.randint(1, 5)
    stride = _pick(rng, 1, 2, 3)
    out = rng.randint(1, 8)
    args = f"{state.channels}, {out}, {kernel}, stride={stride}"
    if _sometimes(rng, 0.3):
        args += f", padding={rng.randint(0, 2)}"
    if _sometimes(rng, 0.3) and stride > 1:
        args += f", output_padding={rng.randint(0, stride - 1)}"
    if _sometimes(rng, 0.2):
        args += f", dilation={rng.randint(1, 2)}"
    state.channels = out
    state.length = (state.length - 1) * stride + kernel
    return f"nn.ConvTranspose1d({args})"


def torch_embedding(rng: random.Random, state: State) -> str:
    dim = rng.randint(1, 12)
    state.channels, state.tokens = dim, True
    return f"nn.Embedding({rng.randint(2, 50)}, {dim})"


@dataclass
class Family:
    """The drawers of one framework, with weights, and how a chain starts."""

    drawers: list[tuple[float, Drawer]] = field(default_factory=list)
    first: list[tuple[float, Drawer]] = field(default_factory=list)  # layers that may start a model


KERAS = Family(
    [
        (3.0, keras_conv1d),
        (1.5, keras_pointwise),
        (1.0, keras_dense),
        (1.5, keras_pooling),
        (0.5, keras_global),
        (1.0, keras_resize),
        (1.0, keras_norm),
        (1.0, keras_conv_variant),
        (1.0, keras_recurrent),
    ],
    [(1.0, keras_embedding)],
)
TORCH = Family(
    [
        (3.0, torch_conv1d),
        (1.5, torch_pointwise),
        (1.0, torch_dense),
        (1.5, torch_pooling),
        (1.0, torch_resize),
        (1.0, torch_norm),
        (1.0, torch_conv_transpose),
        (0.5, torch_recurrent),
    ],
    [(1.0, torch_embedding)],
)


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


def _construct(calls: list[str], namespace: dict[str, Any], built: Built) -> list[Any] | None:
    """Every layer object, as Sequential([...]) and nn.Sequential(...) construct them: all before
    any runs, so the first constructor that refuses its arguments stops the model."""
    layers = []
    for index, code in enumerate(calls):
        try:
            layers.append(eval(code, namespace))
        except Exception as error:
            built.failed_at, built.exception = index, error
            return None
    return layers


def build_keras(keras: ModuleType, calls: list[str], shape: tuple[int, ...], tokens: bool) -> Built:
    """Construct every layer from its code, then build the model on keras.Input as a Sequential
    with an Input does (Keras' own shape checks and words); where that works, run it on zeros too
    and keep the eager output shapes, which must agree."""
    built = Built([], [], None, None)
    layers = _construct(calls, dict(vars(keras.layers)), built)
    if layers is None:
        return built
    dtype = "int32" if tokens else "float32"
    x = keras.Input(batch_shape=shape, dtype=dtype)
    for index, layer in enumerate(layers):
        try:
            x = layer(x)
        except Exception as error:  # any refusal is the framework's answer
            built.failed_at, built.exception = index, error
            return built
        built.shapes.append(tuple(int(d) for d in x.shape))
        trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
        built.params.append((trainable, layer.count_params() - trainable))
    eager = keras.ops.zeros(shape, dtype=dtype)
    for index, layer in enumerate(layers):
        try:  # the torch backend fails a few calls the symbolic build takes (LayerNormalization(axis=1))
            eager = layer(eager)
        except Exception:
            break
        assert tuple(eager.shape) == built.shapes[index], (index, tuple(eager.shape), built.shapes[index])
    return built


def build_torch(torch: ModuleType, calls: list[str], shape: tuple[int, ...], tokens: bool) -> Built:
    """The same in PyTorch: modules from their code, run on zeros without gradients."""
    built = Built([], [], None, None)
    modules = _construct(calls, {"nn": torch.nn, "torch": torch}, built)
    if modules is None:
        return built
    x: Any = torch.zeros(shape, dtype=torch.long if tokens else torch.float32)
    with torch.no_grad():
        for index, module in enumerate(modules):
            try:
                x = module.eval()(x)
            except Exception as error:
                built.failed_at, built.exception = index, error
                return built
            out = x[0] if isinstance(x, tuple) else x
            built.shapes.append(tuple(int(d) for d in out.shape))
            trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
            frozen = sum(p.numel() for p in module.parameters() if not p.requires_grad)
            built.params.append((trainable, frozen))
    return built
