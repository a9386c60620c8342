"""PyTorch's messages about 1-D convolutions (and the Linear after them), one matcher each: its
wordings (current and older), the numbers they carry, what they mean and the fixes.

Where a new message goes: a function (match, text) -> Finding, and its patterns in MATCHERS.
Wordings confirmed against the installed PyTorch by tests/test_oracle_why.py."""

from __future__ import annotations

import math
import re

from conv1dexplain.diagnose import fixes as f
from conv1dexplain.diagnose import torch_layers, torch_settings, torch_tensors
from conv1dexplain.diagnose.patterns import Matcher, lazy
from conv1dexplain.diagnose.text import Text, ints
from conv1dexplain.geometry import Axis
from conv1dexplain.report.diagnosis import Finding, Fix
from conv1dexplain.tensor import fmt_shape

FRAMEWORK = "pytorch"
CONV = ("Conv1d",)


def _conv_output(length: int, kernel: int, filters: int, batch: int | None) -> str:
    """What nn.Conv1d then gives, with stride 1 and no padding (the message gives neither)."""
    out = Axis(length, kernel, 1, 1, 0, 0).output_length
    shape = (filters, out) if batch is None else (batch, filters, out)
    return f"{fmt_shape(shape)} with stride 1 and no padding (the message gives neither)"


def _swapped_words(expected: int, got: int, axis: int, batched: bool) -> str:
    batch = "batch, " if batched else ""
    return (
        f"the layer expects {expected} input channels on axis {axis}; your input has {got} there and "
        f"{expected} on axis {axis + 1}: it is laid out ({batch}length, channels), as Keras does (and as "
        f"nn.Embedding and nn.Linear give it), but PyTorch wants ({batch}channels, length)"
    )


def channels(match: re.Match[str], text: Text) -> Finding:
    transposed = match["transposed"] is not None  # nn.ConvTranspose1d: weight (in, out/g, k)
    groups, weight, given = int(match["groups"] or 1), ints(match["weight"]), ints(match["input"])
    expected, got = int(match["expected"]), int(match["got"])
    filters, kernel = (weight[1], weight[-1]) if transposed else (weight[0], weight[-1])
    layer = "nn.ConvTranspose1d" if transposed else "nn.Conv1d"
    numbers = {
        "transposed": transposed,
        "groups": groups,
        "weight_shape": weight,
        "input_shape": given,
        "expected_channels": expected,
        "actual_channels": got,
    }
    batched = len(given) == 3
    axis = 1 if batched else 0
    fixes: list[Fix] = []
    causes: list[str] = []
    if len(given) in (2, 3) and given[-1] == expected and given[axis] == got:
        explanation = _swapped_words(expected, got, axis, batched)
        causes.append("the input is channels-last (an Embedding's output, or Keras-style (N, L, C)): swap its axes")
        # PyTorch reports one unbatched example (L, C) as [1, L, C]: swap the last two axes of either
        swap = f.permute([0, 2, 1], FRAMEWORK) if batched and given[0] > 1 else f.swap_last_axes(FRAMEWORK)
        then = None if transposed else _conv_output(got, kernel, filters, given[0] if batched else None)
        fixes.append(swap._replace(then=then))
    else:
        explanation = (
            f"the layer was built for {expected} input channels (in_channels={expected}), but the input has "
            f"{got} on its channel axis (axis {axis} of {fmt_shape(tuple(given))})"
        )
    if groups > 0 and got % groups == 0:
        causes.append(f"the layer's in_channels is wrong: the data has {got} channels")
        fixes.append(f.set_argument("in_channels", got, layer))
    return Finding(
        FRAMEWORK, "input_channels", match[0], "PyTorch ≥ 1.0", numbers, explanation, tuple(causes), tuple(fixes)
    )


def rank(match: re.Match[str], text: Text) -> Finding:
    given = ints(match["input"])
    numbers = {"input_shape": given, "input_rank": len(given)}
    fixes = _rank_fixes(given, None)
    explanation = (
        f"nn.Conv1d takes (batch, channels, length) or one example as (channels, length); the input has "
        f"{len(given)} dimension(s): {fmt_shape(tuple(given))}"
    )
    causes: tuple[str, ...] = (
        ("the input has an extra axis (an image's, or a channel axis of 1)",) if len(given) > 3 else ()
    )
    causes += ("the input lacks the channel axis: one channel is (batch, 1, length)",) if len(given) == 1 else ()
    return Finding(FRAMEWORK, "input_rank", match[0], "PyTorch ≥ 1.11", numbers, explanation, causes, fixes)


def _rank_fixes(given: list[int], in_channels: int | None) -> tuple[Fix, ...]:
    if len(given) > 3:
        ones = [i for i, size in enumerate(given) if size == 1 and i > 0]
        return tuple(f.squeeze(dim, FRAMEWORK) for dim in ones[:1])
    if len(given) == 1 and in_channels in (None, 1):
        return (f.reshape([1, 1, given[0]], FRAMEWORK),)
    return ()


def old_rank(match: re.Match[str], text: Text) -> Finding:
    weight, given = ints(match["weight"]), ints(match["input"])
    numbers = {"weight_shape": weight, "input_shape": given, "input_rank": len(given), "weight_rank": len(weight)}
    if len(weight) == 4:  # nn.Conv1d given a tuple kernel_size of two: a Conv2d's weight
        kernel = math.prod(weight[2:])
        explanation = (
            f"the weight {fmt_shape(tuple(weight))} has 4 dimensions: kernel_size was given as a pair "
            f"({weight[2]}, {weight[3]}), which nn.Conv1d takes as a 2-D kernel; its input must then be 4-D"
        )
        fix = f.set_argument("kernel_size", kernel, "nn.Conv1d")
        causes: tuple[str, ...] = (f"kernel_size=({weight[2]}, {weight[3]}) instead of kernel_size={kernel}",)
        return Finding(
            FRAMEWORK, "kernel_rank", match[0], "PyTorch (all versions)", numbers, explanation, causes, (fix,)
        )
    explanation = (
        f"nn.Conv1d with weight {fmt_shape(tuple(weight))} takes (batch, {weight[1]}, length); the input has "
        f"{len(given)} dimension(s): {fmt_shape(tuple(given))}"
    )
    fixes = _rank_fixes(given, weight[1] if len(weight) == 3 else None)
    return Finding(FRAMEWORK, "input_rank", match[0], "PyTorch < 1.11", numbers, explanation, (), fixes)


def too_short(match: re.Match[str], text: Text) -> Finding:
    padded, span = int(match["padded"]), int(match["span"])
    numbers = {"padded_length": padded, "kernel_span": span}
    explanation = (
        f"one window spans {span} positions (dilation·(kernel_size−1)+1) but the input, padding included, "
        f"has only {padded} per channel: no window fits"
    )
    fixes = (f.pad(0, span - padded, FRAMEWORK)._replace(then="one output position"),) if span > padded else ()
    causes = (
        f"the input is too short: it needs {span - padded} more position(s)",
        "earlier layers (strides, pooling) shrank the sequence below the kernel",
    )
    return Finding(FRAMEWORK, "input_too_short", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def linear(match: re.Match[str], text: Text) -> Finding:
    rows, features, in_features, out_features = (int(match[name]) for name in ("a", "b", "c", "d"))
    numbers = {"input_shape": [rows, features], "weight_t_shape": [in_features, out_features]}
    explanation = (
        f"the Linear layer takes {in_features} features (in_features={in_features}); what reaches it has "
        f"{features} per example (after Flatten: channels × length)"
    )
    fix = f.set_argument("in_features", features, "nn.Linear")._replace(then=fmt_shape((rows, out_features)))
    causes = (f"in_features={in_features} was computed for another input length; the flattened size is {features}",)
    return Finding(FRAMEWORK, "linear_features", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, (fix,))


_KERAS_CALL = re.compile(r"Exception encountered when calling (?P<layer>\w+)\.call\(\)")
_KERAS_INPUT = re.compile(r"inputs=\w+\.Tensor\(shape=(?:torch\.Size\()?\[?\(?(?P<shape>[\d, None]+)")


def pooling(match: re.Match[str], text: Text) -> Finding:
    """A pooling window longer than what is left of the sequence (Keras on PyTorch raises it too)."""
    given = ints(match["input"]) if match["input"] else None
    numbers: dict[str, object] = {"output_length": int(match["out"]) if match["out"] else ints(match["output"])[-1]}
    if given:
        numbers["input_length"] = given[-1]
    keras = _KERAS_CALL.search(text.text)
    explanation = "the pooling window is longer than the sequence that reaches it: no output position is left"
    causes = ("earlier convolutions and pooling shrank the sequence, or the input is shorter than the model needs",)
    if keras is not None:  # Keras (PyTorch backend) wraps the message: the fix is Keras'
        shape = _KERAS_INPUT.search(text.text)
        if shape is not None:
            numbers["input_shape"] = ints(shape["shape"])
            numbers["input_length"] = numbers["input_shape"][1]  # type: ignore[index]
        fix = f.set_argument("padding", "same", keras["layer"])._replace(then="ceil(length / strides) outputs")
        found = (numbers, explanation, causes, (fix,), keras["layer"])
        return Finding("keras", "pool_output_empty", match[0], "Keras 3 (PyTorch backend)", *found)
    layer = "nn.AvgPool1d" if "avg" in match[0] or "Given input size" in match[0] else "nn.MaxPool1d"
    fix = f.set_argument("ceil_mode", True, layer)._replace(
        then="at least one output position (with the default stride, = kernel_size)"
    )
    return Finding(FRAMEWORK, "pool_output_empty", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, (fix,))


def recurrent_size(match: re.Match[str], text: Text) -> Finding:
    expected, got = int(match["expected"]), int(match["got"])
    numbers = {"input_size": expected, "actual_features": got}
    explanation = (
        f"the recurrent layer reads {expected} features a step (input_size={expected}); the input's last axis "
        f"has {got}: after nn.Conv1d the features are on axis 1, (batch, channels, length)"
    )
    fixes = (f.set_argument("input_size", got, "nn.LSTM"), f.permute([0, 2, 1], FRAMEWORK))
    causes = (
        f"a Conv1d's output (batch, {expected}, length) given to a batch_first LSTM: "
        f"permute it to (batch, length, {expected})",
        f"input_size={expected} is not what the data has ({got})",
    )
    return Finding(FRAMEWORK, "recurrent_features", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def norm_features(match: re.Match[str], text: Text) -> Finding:
    # "running_mean should contain {the input's channels} elements not {num_features}"
    got, expected = int(match["expected"]), int(match["got"])
    numbers = {"num_features": expected, "actual_channels": got}
    explanation = f"nn.BatchNorm1d({expected}) normalises {expected} channels on axis 1; the input has {got} there"
    fixes = (f.set_argument("num_features", got, "nn.BatchNorm1d"), f.swap_last_axes(FRAMEWORK))
    causes = ("the input is channels-last (batch, length, channels): swap its last two axes", "num_features is wrong")
    return Finding(FRAMEWORK, "norm_features", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def pool_rank(match: re.Match[str], text: Text) -> Finding:
    given = ints(match["input"])
    numbers = {"input_shape": given, "input_rank": len(given)}
    if 0 in given:
        explanation = f"the input {given} has a length of 0: earlier layers left nothing to pool"
        return Finding(FRAMEWORK, "input_too_short", match[0], "PyTorch ≥ 1.0", numbers, explanation, (), ())
    explanation = f"1-D pooling takes (batch, channels, length) or (channels, length); the input is {given}"
    return Finding(
        FRAMEWORK, "input_rank", match[0], "PyTorch ≥ 1.0", numbers, explanation, (), _rank_fixes(given, None)
    )


MATCHERS: list[Matcher] = [
    *torch_settings.MATCHERS,
    *torch_layers.MATCHERS,
    *torch_tensors.MATCHERS,
    (
        lazy(
            r"Given (?:groups=(?P<groups>\d{1,40})|transposed=(?P<transposed>1)), "
            r"weight of size \[*(?P<weight>[\d,\s]{1,300}?)\]*, expected input"
            r"\[(?P<input>[\d,\s]{1,300})\] to have (?P<expected>\d{1,40}) channels, "
            r"but got (?P<got>\d{1,40}) channels instead"
        ),
        channels,
    ),
    (
        lazy(
            r"Expected 2D \(unbatched\) or 3D \(batched\) input to conv1d, but got input of size:\s*"
            r"\[(?P<input>[\d,\s]{0,300})\]"
        ),
        rank,
    ),
    (
        lazy(
            r"Expected \d+-dimensional input for \d+-dimensional weight \[(?P<weight>[\d,\s]{1,300})\], but got "
            r"\d+-dimensional input of size \[(?P<input>[\d,\s]{0,300})\] instead"
        ),
        old_rank,
    ),
    (
        lazy(
            r"Calculated padded input size per channel: \((?P<padded>\d{1,40})\)\. "
            r"Kernel size: \((?P<span>\d{1,40})\)\. "
            r"Kernel size can't be greater than actual input size"
        ),
        too_short,
    ),
    (
        lazy(
            r"mat1 and mat2 shapes cannot be multiplied \((?P<a>\d{1,40})x(?P<b>\d{1,40}) "
            r"and (?P<c>\d{1,40})x(?P<d>\d{1,40})\)"
        ),
        linear,
    ),
    (
        lazy(
            r"(?:(?:max|avg)_pool[12]d\(\) Invalid computed output size: (?P<out>-?\d{1,40}))|(?:Given input size: "
            r"\((?P<input>[\dx]{1,100})\)\. Calculated output size: \((?P<output>[-\dx]{1,100})\)\. "
            r"Output size is too small)"
        ),
        pooling,
    ),
    (
        lazy(r"input\.size\(-1\) must be equal to input_size\. Expected (?P<expected>\d{1,40}), got (?P<got>\d{1,40})"),
        recurrent_size,
    ),
    (lazy(r"running_mean should contain (?P<expected>\d{1,40}) elements not (?P<got>\d{1,40})"), norm_features),
    (
        lazy(
            r"max_pool1d: Expected 2D or 3D \(batch mode\) tensor with optional 0 dim batch size for input, "
            r"but got:\s*\[(?P<input>[\d, ]{0,300})\]"
        ),
        pool_rank,
    ),
]
