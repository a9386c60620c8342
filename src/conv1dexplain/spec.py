"""Parse and validate one Conv1D layer, refusing exactly what Keras or PyTorch refuse."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from conv1dexplain.errors import SpecError
from conv1dexplain.geometry import keras_same_padding, span
from conv1dexplain.vocabulary import (
    DATA_FORMATS,
    KERAS_ACTIVATIONS,
    KERAS_PADDINGS,
    PADDING_MODES,
    TORCH_PADDING_STRINGS,
    DataFormat,
    Framework,
    framework_named,
)


@dataclass(frozen=True)
class InputShape:
    """One input: batch (None when unknown), sequence length, channels."""

    batch: int | None
    length: int
    channels: int


@dataclass(frozen=True)
class ConvSpec:
    """One validated Conv1D layer and its input, in one framework's terms."""

    framework: Framework
    input: InputShape
    filters: int
    kernel_size: int
    strides: int
    dilation_rate: int
    groups: int
    padding: str | int | tuple[int, int]  # keras: valid|same|causal; pytorch: valid|same|an int; (left, right)
    padding_mode: str
    use_bias: bool
    activation: str | None
    data_format: DataFormat

    @property
    def channels_per_group(self) -> int:
        """Input channels each filter reads (C / groups)."""
        return self.input.channels // self.groups


# Between dimensions: x (any case), ×, * or a comma, with spaces around; or spaces alone.
_SEPARATOR = re.compile(r"\s*[xX×*,]\s*|\s+")
_NUMBER = re.compile(r"[0-9]+(?:_[0-9]+)*")  # ASCII digits only: int() would also read '٣'
_UNKNOWN = {"none", "null", "?", "n", "-1"}
_BRACKETS = {"(": ")", "[": "]"}
INT64_MAX = 2**63 - 1  # the largest size, stride or padding either framework takes


class UnknownLengthError(SpecError):
    """--input leaves the sequence length unknown, as Keras' (None, C) does."""

    def __init__(self, text: str, example: str) -> None:
        super().__init__(
            f"--input {text!r} leaves the length unknown: an output shape needs a length",
            f"give one, e.g. --input {example}",
        )


def parse_input_shape(text: str, data_format: DataFormat) -> InputShape:
    """Read `--input` (`LxC`, `CxL` or with a leading batch) in the given layout."""
    layout = "LxC" if data_format == "channels_last" else "CxL"
    hint = f"write the shape as {layout}, e.g. 50x300, or with a batch first: 32x{layout}"
    body = text.strip()
    if body[:1] in _BRACKETS and body[-1:] == _BRACKETS[body[:1]]:
        body = body[1:-1].strip()
    tokens = _SEPARATOR.split(body) if body else []
    if "" in tokens:
        raise SpecError(f"--input {text!r} has an empty dimension (a separator at an end, or two together)", hint)
    if len(tokens) not in (2, 3):
        raise SpecError(f"--input {text!r} has {len(tokens)} dimension(s), not 2 or 3", hint)
    names = ["batch", *layout.lower().split("x")] if len(tokens) == 3 else layout.lower().split("x")
    dims = dict(zip(names, tokens, strict=True))
    for name, token in dims.items():
        if token.lower() not in _UNKNOWN and not _NUMBER.fullmatch(token):
            raise SpecError(
                f"--input {text!r}: {token!r} (the {_WORDS[name]}) is not a whole number in digits 0-9", hint
            )
    if dims["c"].lower() in _UNKNOWN:
        raise SpecError(f"--input {text!r}: the channels must be known (the kernel's shape depends on them)", hint)
    channels = _dim(dims["c"], "c", text, hint)
    given_batch = dims.get("batch", "none")
    batch = None if given_batch.lower() in _UNKNOWN else _dim(given_batch, "batch", text, hint)
    if dims["l"].lower() in _UNKNOWN:
        known = [] if "batch" not in dims else ["32" if batch is None else str(batch)]
        ordered = ["50", str(channels)] if data_format == "channels_last" else [str(channels), "50"]
        raise UnknownLengthError(text, "x".join(known + ordered))
    return InputShape(batch, _dim(dims["l"], "l", text, hint), channels)


_WORDS = {"batch": "batch", "l": "length", "c": "channels"}


def _dim(token: str, name: str, text: str, hint: str) -> int:
    value = int(token)
    least = 0 if name == "batch" else 1  # an empty batch is fine: both frameworks return an empty one
    if value < least:
        raise SpecError(f"--input {text!r}: the {_WORDS[name]} must be at least {least}", hint)
    if value > INT64_MAX:
        raise SpecError(
            f"--input {text!r}: the {_WORDS[name]} {value:,} is over what a Keras or PyTorch tensor can have: "
            f"its sizes are 64-bit integers, at most {INT64_MAX:,}",
            f"use a {_WORDS[name]} of at most {INT64_MAX}",
        )
    return value


def build_spec(
    *,
    framework: str,
    input_shape: str | InputShape,
    filters: int,
    kernel_size: int,
    strides: int = 1,
    padding: str | int | tuple[int, int] = "valid",
    dilation_rate: int = 1,
    groups: int = 1,
    use_bias: bool = True,
    activation: str | None = None,
    data_format: str | None = None,
    padding_mode: str = "zeros",
) -> ConvSpec:
    """Validate the options of one layer the way the chosen framework does."""
    fw = _framework(framework)
    fmt = _data_format(fw, data_format)
    try:
        shape = input_shape if isinstance(input_shape, InputShape) else parse_input_shape(input_shape, fmt)
    except UnknownLengthError as unknown:  # what the layer refuses whatever the length, first
        checks = _keras_checks if fw == "keras" else _torch_checks
        checks(filters, kernel_size, strides, dilation_rate, groups, padding_mode)
        rule = _any_length_rule(fw, padding, kernel_size, strides, dilation_rate)
        hint = unknown.hint + (f"; for any length L this layer gives {rule}" if rule else "")
        raise SpecError(unknown.message, hint) from None
    pad: str | int | tuple[int, int]
    if fw == "keras":
        _keras_checks(filters, kernel_size, strides, dilation_rate, groups, padding_mode)
        pad = _explicit_padding(padding) if isinstance(padding, tuple) else _keras_padding(str(padding))
        _keras_activation(activation)
    else:
        _torch_checks(filters, kernel_size, strides, dilation_rate, groups, padding_mode)
        if isinstance(padding, tuple):
            pad = _explicit_padding(padding)
        else:
            pad = _torch_padding(str(padding), strides, kernel_size, dilation_rate, padding_mode, shape.length)
        if activation is not None:
            raise SpecError(
                "nn.Conv1d has no activation argument",
                f"drop --activation and apply torch.{activation} to the output, or use --framework keras",
            )
    for side in (pad,) if isinstance(pad, int) else pad if isinstance(pad, tuple) else ():
        _require_int64("padding", side, "--padding")
    _group_checks(fw, shape.channels, filters, groups)
    return ConvSpec(
        fw, shape, filters, kernel_size, strides, dilation_rate, groups, pad,
        padding_mode, use_bias, activation, fmt,
    )  # fmt: skip


def _any_length_rule(
    fw: Framework, padding: str | int | tuple[int, int], kernel_size: int, strides: int, dilation_rate: int
) -> str | None:
    """The output length as a formula in L with the layer's numbers, or None for a layer that is refused anyway."""
    if min(kernel_size, strides, dilation_rate) < 1:
        return None
    width = span(kernel_size, dilation_rate)
    mode = padding.strip() if isinstance(padding, str) else padding
    mode = mode.lower() if isinstance(mode, str) and fw == "keras" else mode  # PyTorch's strings are lowercase
    if (mode in ("same", "causal") and fw == "keras") or (mode == "same" and strides == 1):
        return "L_out = L" if strides == 1 else f"L_out = ceil(L / {strides})"
    if isinstance(mode, str) and re.fullmatch(r"\d+", mode) and fw == "pytorch":
        mode = int(mode)
    if mode == "valid":
        mode = 0
    if not isinstance(mode, int | tuple):
        return None  # a padding the layer refuses anyway
    added = 2 * mode if isinstance(mode, int) else sum(mode)
    least = max(1, width - added)
    if strides == 1:
        change = added - width + 1
        rule = "L" if change == 0 else f"L + {change}" if change > 0 else f"L − {-change}"
    else:
        inside = "L" + (f" + {added}" if added > 0 else f" − {-added}" if added < 0 else "") + f" − {width}"
        rule = f"floor(({inside}) / {strides}) + 1"
    return f"L_out = {rule}, for L ≥ {least}"


def resolve_layout(framework: str, data_format: str | None) -> tuple[Framework, DataFormat]:
    """The framework and the data layout its arrays use (Keras' default channels_last)."""
    fw = _framework(framework)
    return fw, _data_format(fw, data_format)


def _framework(name: str) -> Framework:
    fw = framework_named(name)
    if fw is not None:
        return fw
    raise SpecError(f"unknown framework {name!r}", "use --framework keras or --framework pytorch")


def _data_format(fw: Framework, data_format: str | None) -> DataFormat:
    if data_format is None:
        return "channels_last" if fw == "keras" else "channels_first"
    fmt = data_format.lower()
    if fmt not in DATA_FORMATS:
        raise SpecError(
            f"unknown data_format {data_format!r}",
            "use --data-format channels_last (N, L, C) or channels_first (N, C, L)",
        )
    if fw == "pytorch" and fmt != "channels_first":
        raise SpecError(
            "nn.Conv1d has no data_format: it always takes (N, C, L)",
            "drop --data-format and write --input as CxL, or use --framework keras",
        )
    return "channels_last" if fmt == "channels_last" else "channels_first"


def _explicit_padding(padding: tuple[int, ...]) -> tuple[int, int]:
    """An explicit (left, right) pair: F.pad / ZeroPadding1D then no padding (a library extension)."""
    if len(padding) != 2 or not all(isinstance(p, int) and p >= 0 for p in padding):
        raise SpecError(
            f"explicit padding must be two whole numbers ≥ 0 (left, right), not {padding!r}",
            "pass padding=(left, right), e.g. (1, 2)",
        )
    return padding[0], padding[1]


def _keras_padding(padding: str) -> str:
    mode = padding.lower()
    if mode in KERAS_PADDINGS:
        return mode
    if re.fullmatch(r"-?\d+", padding.strip()):
        value = int(padding)
        if value == 0:
            hint = "use --padding valid: that is Keras' name for no padding"
        elif value < 0:
            hint = f"to crop, put keras.layers.Cropping1D(({-value}, {-value})) before a 'valid' Conv1D"
        else:
            hint = (f"put keras.layers.ZeroPadding1D(({value}, {value})) before a 'valid' Conv1D, "
                    "or use --framework pytorch for an integer padding")  # fmt: skip
        raise SpecError(f"Keras Conv1D padding must be valid, same or causal, not {padding!r}", hint)
    raise SpecError(
        f"Keras Conv1D padding must be valid, same or causal, not {padding!r}",
        "use --padding valid (no padding), same (keep the length) or causal (pad the past only)",
    )


def _torch_padding(
    padding: str, strides: int, kernel_size: int, dilation: int, padding_mode: str, length: int
) -> str | int | tuple[int, int]:
    text = padding.strip()
    if re.fullmatch(r"\d+\s*,\s*\d+", text):  # `--padding 1,2`: F.pad(x, (1, 2)), then padding=0
        left, right = (int(side) for side in text.split(","))
        return left, right
    if re.fullmatch(r"-?\d+", text):
        value = int(text)
        # With a non-zeros padding_mode PyTorch pads through F.pad, where a negative width crops.
        if value < 0 and padding_mode == "zeros":
            raise SpecError(
                "negative padding is not supported",
                "use --padding 0 or more; to crop, slice the output instead",
            )
        return value
    if text in TORCH_PADDING_STRINGS:
        if text == "same" and strides != 1:
            left, right = keras_same_padding(length, kernel_size, strides, dilation)
            raise SpecError(
                "padding='same' is not supported for strided convolutions in PyTorch",
                f"for Keras' 'same' result, pad first: F.pad(x, ({left}, {right})) then padding=0 "
                f"(--padding 0 here shows the rest; --framework keras shows that layer)",
            )
        return text
    if text.lower() == "causal":
        raise SpecError(
            "PyTorch has no 'causal' padding",
            f"pad the past yourself: F.pad(x, ({dilation * (kernel_size - 1)}, 0)) "
            "then padding=0, or use --framework keras",
        )
    if text.lower() in TORCH_PADDING_STRINGS:
        raise SpecError(
            f"invalid padding string {padding!r}: PyTorch's are lowercase",
            f"use --padding {text.lower()}",
        )
    raise SpecError(
        f"invalid padding {padding!r} for nn.Conv1d",
        "use --padding valid, same, a whole number of zeros for each side (e.g. 1) "
        "or two numbers left,right (e.g. 1,2)",
    )


# (option, Keras' name, PyTorch's name) of the arguments both frameworks require to be ≥ 1.
_POSITIVE = (
    ("--filters", "filters", "out_channels"),
    ("--kernel-size", "kernel_size", "kernel_size"),
    ("--strides", "strides", "stride"),
    ("--dilation-rate", "dilation_rate", "dilation"),
    ("--groups", "groups", "groups"),
)


def _require_positive(fw: Framework, *values: int) -> None:
    for (option, keras_name, torch_name), value in zip(_POSITIVE, values, strict=True):
        name = keras_name if fw == "keras" else torch_name
        if value < 1:
            raise SpecError(f"{name} must be at least 1, got {value}", f"use {option} 1 or more")
        _require_int64(name, value, option)


def _require_int64(name: str, value: int, option: str) -> None:
    """Refuse what neither framework can take: each passes its integers to C++ as 64-bit ones."""
    if abs(value) > INT64_MAX:
        raise SpecError(
            f"{name}={value:,} is over what Keras and PyTorch take: a 64-bit integer, at most {INT64_MAX:,}",
            f"use {option} {INT64_MAX} or less" if value > 0 else f"use {option} -{INT64_MAX} or more",
        )


def _keras_checks(filters: int, kernel_size: int, strides: int, dilation: int, groups: int, padding_mode: str) -> None:
    _require_positive("keras", filters, kernel_size, strides, dilation, groups)
    if strides > 1 and dilation > 1:
        raise SpecError(
            f"Keras Conv1D refuses strides > 1 together with dilation_rate > 1 "
            f"(strides={strides}, dilation_rate={dilation})",
            f"use one of them; for the same numbers, use --strides 1 and keep one output position in {strides} "
            f"(y[:, ::{strides}] in channels_last)",
        )
    if padding_mode != "zeros":
        raise SpecError(
            f"Keras Conv1D pads with zeros only (padding_mode={padding_mode!r} is PyTorch's)",
            "drop --padding-mode, or use --framework pytorch",
        )


def _keras_activation(activation: str | None) -> None:
    if activation is not None and activation not in KERAS_ACTIVATIONS:
        close = [a for a in KERAS_ACTIVATIONS if a == activation.lower()]
        raise SpecError(
            f"Keras has no activation named {activation!r}",
            f"use --activation {close[0]}" if close else "use one of: " + ", ".join(KERAS_ACTIVATIONS),
        )


def _torch_checks(filters: int, kernel_size: int, strides: int, dilation: int, groups: int, padding_mode: str) -> None:
    _require_positive("pytorch", filters, kernel_size, strides, dilation, groups)
    if padding_mode not in PADDING_MODES:
        raise SpecError(
            f"unknown padding_mode {padding_mode!r}",
            "use --padding-mode " + ", ".join(PADDING_MODES),
        )


def _group_checks(fw: Framework, channels: int, filters: int, groups: int) -> None:
    out_name = "filters" if fw == "keras" else "out_channels"
    in_name = "input channels" if fw == "keras" else "in_channels"
    if filters % groups == 0 and channels % groups == 0:
        return
    working = _groups_that_work(channels, filters)
    if channels % groups:
        raise SpecError(
            f"{in_name}={channels} is not divisible by groups={groups}",
            f"use --groups {working} (each divides both the {channels} input channels and the {filters} filters)",
        )
    raise SpecError(
        f"{out_name}={filters} is not divisible by groups={groups}",
        f"use --filters a multiple of {groups}, e.g. --filters {groups * max(1, round(filters / groups))}, "
        f"or --groups {working} (each divides both {channels} and {filters})",
    )


def _groups_that_work(channels: int, filters: int) -> str:
    """The groups both counts allow (the divisors of their greatest common divisor), in words."""
    common = math.gcd(channels, filters)
    divisors: set[int] = set()
    for d in range(1, math.isqrt(common) + 1) if common <= 10**12 else (1,):
        if common % d == 0:
            divisors |= {d, common // d}
    listed = sorted(divisors | {common})
    if len(listed) > 6:
        return ", ".join(map(str, listed[:5])) + f", … or {common}"
    return " or ".join(map(str, listed)) if len(listed) <= 2 else ", ".join(map(str, listed[:-1])) + f" or {listed[-1]}"
