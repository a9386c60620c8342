"""Keras' messages about a model's other layers: branches that do not line up (Concatenate, Add …),
Reshape's total size, Conv1DTranspose's output_padding, and a Dense whose kernel would depend on an
unknown length. One matcher each (see keras_messages for where a new message goes)."""

from __future__ import annotations

import math
import re

from conv1dexplain.diagnose import fixes as f
from conv1dexplain.diagnose.patterns import Matcher, lazy
from conv1dexplain.diagnose.text import Text, ints
from conv1dexplain.report.diagnosis import Finding, Fix
from conv1dexplain.tensor import fmt_shape

FRAMEWORK = "keras"
_SHAPE = re.compile(r"\(([\dNone, ]*)\)")


def _shapes(text: str) -> list[list[int | None]]:
    return [
        [None if part.strip() == "None" else int(part) for part in group.split(",") if part.strip()]
        for group in _SHAPE.findall(text)
    ]


def merge(match: re.Match[str], text: Text) -> Finding:
    shapes = _shapes(match["shapes"])
    layer = match["layer"] or "Add (or Multiply, Average …)"
    numbers = {"layer": layer, "input_shapes": shapes}
    axes = _differing(shapes)
    concat = match["layer"] == "Concatenate"
    where = "every axis but the one joined" if concat else "every axis"
    explanation = f"{layer} needs its inputs to agree on {where}; they are {', '.join(map(_fmt, shapes))}"
    causes: list[str] = []
    fixes: list[Fix] = []
    length_axis = 0 if shapes and len(shapes[0]) == 2 else 1  # (Add's message leaves the batch out)
    if length_axis in axes:
        lengths = list(dict.fromkeys(shape[length_axis] for shape in shapes if len(shape) > length_axis))
        explanation += f": their lengths differ ({', '.join(map(str, lengths))})"
        causes.append("the branches' convolutions or pooling shorten the sequence differently ('valid' padding)")
        fixes.append(
            f.set_argument("padding", "same", "Conv1D")._replace(code="Conv1D(..., padding='same')  # in each branch")
        )
    elif axes:
        explanation += f": they differ on axis {axes[0]} (the channels)"
        causes.append("a residual Add of a block whose filters differ from its input's channels")
        channels = shapes[0][-1]
        code = f"Conv1D(filters={channels}, ...)  # the branch's last convolution: the channels of the first input"
        fixes.append(f.set_argument("filters", channels, "Conv1D")._replace(code=code))
    return Finding(
        FRAMEWORK, "merge_shapes", match[0], "Keras 3", numbers, explanation, tuple(causes), tuple(fixes), None
    )


def _fmt(shape: list[int | None]) -> str:
    return fmt_shape(tuple(shape))


def _differing(shapes: list[list[int | None]]) -> list[int]:
    if not shapes or len({len(shape) for shape in shapes}) != 1:
        return []
    return [axis for axis in range(len(shapes[0])) if len({shape[axis] for shape in shapes}) > 1]


def reshape(match: re.Match[str], text: Text) -> Finding:
    given, target = ints(match["input"]), ints(match["target"])
    total, wanted = math.prod(given), math.prod(target)
    numbers = {"input_shape": [None, *given], "target_shape": target, "input_size": total, "target_size": wanted}
    explanation = (
        f"Reshape({tuple(target)}) holds {wanted} values an example; what reaches it, {fmt_shape(tuple(given))}, "
        f"holds {total}"
    )
    causes = ("target_shape was computed for another input length or another number of filters",)
    last = target[-1] if target else 1
    value = (-1, last) if last > 0 and total % last == 0 else (-1,)
    fix = f.set_argument("target_shape", value, "Reshape")._replace(
        then=fmt_shape((None, total // last, last) if len(value) == 2 else (None, total))
    )
    return Finding(FRAMEWORK, "reshape_size", match[0], "Keras 3", numbers, explanation, causes, (fix,), "Reshape")


def output_padding(match: re.Match[str], text: Text) -> Finding:
    given, strides = int(match["padding"]), int(match["strides"])
    numbers = {"output_padding": given, "strides": strides}
    explanation = (
        f"output_padding adds positions at the end of a transposed convolution's output; it must be smaller "
        f"than strides ({strides}): at most {strides - 1}, it is {given}"
    )
    fix = f.set_argument("output_padding", strides - 1, "Conv1DTranspose")
    return Finding(FRAMEWORK, "argument_value", match[0], "Keras 3", numbers, explanation, (), (fix,), None)


def unknown_size(match: re.Match[str], text: Text) -> Finding:
    shape, path = match["shape"], match["path"]
    layer = path.split("/")[-2] if "/" in path else None
    numbers = {"variable_shape": _shapes(f"({shape})")[0], "variable": path}
    explanation = (
        f"{layer or 'a layer'}'s weights would be {shape.join('()')}: a size of it comes from an axis whose length "
        "is unknown (None), as after Flatten on a sequence of any length: weights need every size known"
    )
    causes = (
        "Flatten on an input of any length (Input(shape=(None, channels))): its size depends on the length",
        "the model's Input leaves a size other than the length unknown",
    )
    fixes = f.length_free("one length, known")
    return Finding(FRAMEWORK, "unknown_length", match[0], "Keras 3", numbers, explanation, causes, fixes, layer)


def model_input(match: re.Match[str], text: Text) -> Finding:
    """The model's Input(shape=…) against the data: layout, channels, length or rank."""
    wanted, given = _shapes(f"({match['wanted']})")[0], _shapes(f"({match['given']})")[0]
    numbers = {"expected_shape": wanted, "input_shape": given}
    inner, data = wanted[1:], given[1:]
    fixes: list[Fix] = []
    causes: list[str] = []
    if len(inner) == len(data) == 2 and inner == data[::-1]:
        explanation = (
            f"the model was built for {_fmt(wanted)}, (batch, length, channels); the data {_fmt(given)} has the "
            "two axes the other way round, as PyTorch lays them out"
        )
        fixes.append(f.permute([0, 2, 1], FRAMEWORK))
    elif len(inner) == len(data) == 2 and inner[0] in (None, data[0]):
        explanation = (
            f"the model was built for {inner[1]} channels, {_fmt(wanted)}; the data has {data[1]}: {_fmt(given)}"
        )
        causes.append(f"keras.Input(shape=…) says {inner[1]} channels; the data has {data[1]}")
        fixes.append(
            Fix("set_input_shape", {"shape": [inner[0], data[1]]}, f"keras.Input(shape=({inner[0]}, {data[1]}))")
        )
    elif len(data) == len(inner) - 1 == 1:
        explanation = f"the model reads {_fmt(wanted)}; the data {_fmt(given)} has no channel axis"
        if inner[-1] == 1:
            fixes.append(Fix("reshape_input", {"shape": [*given, 1]}, "x = x[..., None]"))
        else:
            causes.append(f"the model wants {inner[-1]} channels a step; the data has one number a step")
    else:
        explanation = f"the model was built for {_fmt(wanted)}; the data is {_fmt(given)}"
    return Finding(
        FRAMEWORK, "input_shape", match[0], "Keras 3", numbers, explanation, tuple(causes), tuple(fixes), None
    )


def tf_downsampled(match: re.Match[str], text: Text) -> Finding:
    shape = _shapes(f"({match['shape']})")[0] if match["shape"] else []
    numbers = {"input_shape": shape, "op": match["op"]}
    explanation = (
        f"the {match['op']} layer's window is longer than what reaches it"
        + (f" ({_fmt(shape)}: a length of {shape[1]})" if len(shape) == 3 else "")
        + ": no output position is left"
    )
    causes = ("earlier convolutions, strides and pooling shrank the sequence, or the input is too short",)
    fix = f.set_argument("padding", "same", "MaxPooling1D" if "pool" in match["op"].lower() else "Conv1D")
    return Finding(
        FRAMEWORK, "input_too_short", match[0], "TensorFlow backend", numbers, explanation, causes, (fix,), None
    )


MATCHERS: list[Matcher] = [
    (
        lazy(
            r"is incompatible with the layer: expected shape=\((?P<wanted>[\dNone, ]{1,200})\), found "
            r"shape=\((?P<given>[\dNone, ]{1,200})\)"
        ),
        model_input,
    ),
    (
        lazy(
            r"Expected shape \((?P<wanted>[\dNone, ]{1,200})\), but input has incompatible shape "
            r"(?:torch\.Size\(\[)?\(?(?P<given>[\dNone, ]{1,200})"
        ),
        model_input,
    ),
    (
        lazy(
            r"Negative dimension size caused by subtracting \d{1,40} from \d{1,40} for '[^']{0,300}?"
            r"(?P<op>MaxPool|AvgPool)[^']{0,2000}' with input shapes: \[\?,1,(?P<shape>[\d,]{1,100})\]\.?$"
        ),
        tf_downsampled,
    ),
    (
        lazy(
            r"One of the dimensions in the output is <= 0 due to downsampling in (?P<op>\w{1,60})\. Consider "
            r"increasing the input size\. Received input shape \[(?P<shape>[\dNone, ]{1,200})\]"
        ),
        tf_downsampled,
    ),
    (
        lazy(
            r"A `(?P<layer>Concatenate)` layer requires inputs with matching shapes except for the concatenation "
            r"axis\. Received: input_shape=\[(?P<shapes>[\dNone, ()]{1,600})\]"
        ),
        merge,
    ),
    (
        lazy(
            r"Inputs have incompatible shapes\. Received shapes "
            r"(?P<shapes>\([\dNone, ]{0,200}\) and \([\dNone, ]{0,200}\))(?P<layer>)"
        ),
        merge,
    ),
    (
        lazy(
            r"The total size of the tensor must be unchanged\. Received: input_shape=\((?P<input>[\d, ]{1,200})\), "
            r"target_shape=\((?P<target>[-\d, ]{1,200})\)"
        ),
        reshape,
    ),
    (
        lazy(
            r"`output_padding` must be strictly less than `strides` for all dimensions\. At dimension \d{1,3}, "
            r"`output_padding` is (?P<padding>\d{1,40}) but `strides` is (?P<strides>\d{1,40})"
        ),
        output_padding,
    ),
    (
        lazy(
            r"Shapes used to initialize variables must be fully-defined \(no `None` dimensions\)\. Received: "
            r"shape=\((?P<shape>[\dNone, ]{1,200})\) for variable path='(?P<path>[^']{1,300})'"
        ),
        unknown_size,
    ),
]
