"""Keras' messages about a layer's settings: strides with dilation, padding and data_format names,
sizes given as other tuples, groups, the arguments Keras 3 dropped, TensorFlow's NCHW on the CPU.
One matcher each (see keras_messages for where a new message goes)."""

from __future__ import annotations

import math
import re

from conv1dexplain.diagnose import fixes as f
from conv1dexplain.diagnose.patterns import Matcher, lazy
from conv1dexplain.diagnose.source import layer_arguments
from conv1dexplain.diagnose.text import Text, ints
from conv1dexplain.report.diagnosis import Finding, Fix

FRAMEWORK = "keras"
CONV = ("Conv1D", "Convolution1D")


def strides_dilation(match: re.Match[str], text: Text) -> Finding:
    strides, dilation = ints(match["strides"])[0], ints(match["dilation"])[0]
    numbers = {"strides": strides, "dilation_rate": dilation}
    explanation = "Keras' Conv1D takes a stride above 1 or a dilation above 1, not both"
    fixes = (f.set_argument("strides", 1, "Conv1D"), f.set_argument("dilation_rate", 1, "Conv1D"))
    causes = ("for both, dilate in one layer and downsample in the next (a pooling layer or a strided conv)",)
    return Finding(FRAMEWORK, "strides_with_dilation", match[0], "Keras 3", numbers, explanation, causes, fixes)


def padding_name(match: re.Match[str], text: Text) -> Finding:
    given = match["given"]
    explanation = f"Conv1D's padding is 'valid', 'same' or 'causal'; it got {given!r}"
    fix = f.set_argument("padding", "same", "Conv1D")
    return Finding(FRAMEWORK, "padding_string", match[0], "Keras 3", {"padding": given}, explanation, (), (fix,))


def nchw_on_cpu(match: re.Match[str], text: Text) -> Finding:
    explanation = "TensorFlow's CPU kernels take channels_last only: data_format='channels_first' runs on a GPU alone"
    fixes = (
        f.set_argument("data_format", "channels_last", "Conv1D"),
        f.permute([0, 2, 1], FRAMEWORK),
    )
    causes = ("a model written for PyTorch's (batch, channels, length) layout: transpose the data instead",)
    return Finding(FRAMEWORK, "data_format", match[0], "TensorFlow backend", {}, explanation, causes, fixes)


def deprecated_argument(match: re.Match[str], text: Text) -> Finding:
    name = match["name"]
    explanation = f"Keras 3 dropped the layer argument {name}: the model's Input gives the shape instead"
    fix = Fix("remove_argument", {"argument": name}, f"# remove {name}=…; start the model with keras.Input(shape=…)")
    return Finding(FRAMEWORK, "deprecated_argument", match[0], "Keras 3", {"argument": name}, explanation, (), (fix,))


def one_int(match: re.Match[str], text: Text) -> Finding:
    name, values = match["name"], ints(match["value"])
    positive = [value for value in values if value > 0]
    value = positive[0] if positive else 1
    explanation = f"Conv1D's {name} is one positive number (or a tuple of one); it got {match['value'].strip()}"
    fix = f.set_argument(name, value, "Conv1D")
    return Finding(FRAMEWORK, "argument_value", match[0], "Keras 3", {name: values}, explanation, (), (fix,))


def data_format(match: re.Match[str], text: Text) -> Finding:
    given = match["given"]
    value = "channels_first" if "first" in given.lower() or given.lower() in ("ncw", "nchw") else "channels_last"
    explanation = f"data_format is 'channels_last' (batch, length, channels) or 'channels_first'; it got {given!r}"
    fix = f.set_argument("data_format", value, "Conv1D")
    return Finding(FRAMEWORK, "argument_value", match[0], "Keras 3", {"data_format": given}, explanation, (), (fix,))


def groups_positive(match: re.Match[str], text: Text) -> Finding:
    explanation = "groups splits the channels into equal parts: at least 1"
    fix = f.set_argument("groups", 1, "Conv1D")
    return Finding(
        FRAMEWORK, "argument_value", match[0], "Keras 3", {"groups": int(match["groups"])}, explanation, (), (fix,)
    )


def groups_channels(match: re.Match[str], text: Text) -> Finding:
    given, channels, shape = int(match["groups"]), int(match["channels"]), _shape(match["shape"])
    bound = layer_arguments(text.code_lines, FRAMEWORK, CONV)
    numbers = {"groups": given, "input_channels": channels, "input_shape": shape}
    explanation = f"groups={given} splits the {channels} input channels in {given} equal parts: it does not divide them"
    return Finding(
        FRAMEWORK, "groups", match[0], "Keras 3", numbers, explanation, (), _group_fixes(given, channels, bound)
    )


def groups_filters(match: re.Match[str], text: Text) -> Finding:
    given, filters = int(match["groups"]), int(match["filters"])
    bound = layer_arguments(text.code_lines, FRAMEWORK, CONV)
    numbers = {"groups": given, "filters": filters}
    explanation = f"groups={given} needs filters to be a multiple of it; filters={filters}"
    return Finding(
        FRAMEWORK, "groups", match[0], "Keras 3", numbers, explanation, (), _group_fixes(given, None, bound, filters)
    )


def _group_fixes(given: int, channels: int | None, bound: dict | None, filters: int | None = None) -> tuple[Fix, ...]:  # type: ignore[type-arg]
    filters = filters if filters is not None else (bound or {}).get("filters")
    fixes = []
    if channels is not None and isinstance(filters, int) and filters > 0 and channels > 0 and given > 0:
        both = math.gcd(channels, filters)
        best = max(d for d in range(1, min(given, both) + 1) if both % d == 0)
        fixes.append(f.set_argument("groups", best, "Conv1D"))
    if not fixes or fixes[0].fields["value"] != 1:
        fixes.append(f.set_argument("groups", 1, "Conv1D"))
    return tuple(fixes)


def _shape(text: str) -> list[int | None]:
    """(None, 30) → [None, 30]."""
    parts = [part.strip() for part in text.strip("()[] ").split(",")]
    return [int(part) if part.lstrip("-").isdigit() and len(part) < 40 else None for part in parts if part]


MATCHERS: list[Matcher] = [
    (
        lazy(
            r"The number of input channels must be evenly divisible by the number of groups\. Received "
            r"groups=(?P<groups>\d{1,40}), but the input has (?P<channels>\d{1,40}) channels \(full input shape is "
            r"(?P<shape>\([^)]{0,300}\))\)"
        ),
        groups_channels,
    ),
    (
        lazy(
            r"The number of filters must be evenly divisible by the number of groups\. Received: "
            r"groups=(?P<groups>\d{1,40}), filters=(?P<filters>\d{1,40})"
        ),
        groups_filters,
    ),
    (
        lazy(
            r"`strides > 1` not supported in conjunction with `dilation_rate > 1`\. Received: "
            r"strides=(?P<strides>\(?[\d, ]+\)?) and dilation_rate=(?P<dilation>\(?[\d, ]+\)?)"
        ),
        strides_dilation,
    ),
    (
        lazy(
            r"The `padding` argument must be a list/tuple or one of \{[^}]{0,300}\}\. "  # (a set: any order)
            r"Received: (?P<given>\S{1,100})"
        ),
        padding_name,
    ),
    (lazy(r"only supports the NHWC tensor format on the CPU\. The op was given the format: NCHW"), nchw_on_cpu),
    (lazy(r"Argument `(?P<name>input_length)` is deprecated"), deprecated_argument),
    (lazy(r"Do not pass an `(?P<name>input_shape)`/`input_dim` argument to a layer"), deprecated_argument),
    (
        lazy(
            r"The `(?P<name>kernel_size|strides|dilation_rate)` argument must be a tuple of 1 integers?\. "
            r"Received (?P=name)=(?P<value>\(?[-\d, ]{0,100}\)?)"
        ),
        one_int,
    ),
    (
        lazy(r"The `data_format` argument must be one of \{[^}]{0,200}\}\. Received: data_format=(?P<given>\S{1,60})"),
        data_format,
    ),
    (
        lazy(r"The number of groups must be a positive integer\. Received: groups=(?P<groups>-?\d{1,40})"),
        groups_positive,
    ),
]
