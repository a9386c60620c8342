"""PyTorch's messages about 1-D convolutions (and the Linear after them), one matcher each: its
wordings (current and older), the numbers they carry, what they mean and the fixes.

Where a new message goes: a function (match, text) -> Finding, and its patterns in MATCHERS.
Wordings confirmed against the installed PyTorch by tests/test_oracle_why.py."""

from __future__ import annotations

import re
from typing import Any

from conv1dexplain.diagnose import fixes as f
from conv1dexplain.diagnose import torch_layers, torch_lengths, torch_settings, torch_tensors
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
    numbers: dict[str, Any] = {
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
        fixes.append(_swap_fix(given, got, kernel, filters, transposed))
    else:
        explanation = (
            f"the layer was built for {expected} input channels (in_channels={expected}), but the input has "
            f"{got} on its channel axis (axis {axis} of {fmt_shape(tuple(given))})"
        )
    if expected == 1 and len(given) == 3 and given[0] == 1 and not transposed:  # (N, L) read as one (C=N, L)
        explanation += _one_channel(numbers, causes, fixes, kernel, filters)
    fixes.extend(_channel_count_fixes(got, expected, groups, filters, layer, causes))
    return Finding(
        FRAMEWORK, "input_channels", match[0], "PyTorch ≥ 1.0", numbers, explanation, tuple(causes), tuple(fixes)
    )


def _swap_fix(given: list[int], got: int, kernel: int, filters: int, transposed: bool) -> Fix:
    """The layout swapped. PyTorch reports one unbatched example (L, C) as [1, L, C]: swapping the
    last two axes fixes either."""
    batched = len(given) == 3
    swap = f.permute([0, 2, 1], FRAMEWORK) if batched and given[0] > 1 else f.swap_last_axes(FRAMEWORK)
    then = None if transposed else _conv_output(got, kernel, filters, given[0] if batched else None)
    return swap._replace(then=then)


def _one_channel(numbers: dict[str, Any], causes: list[str], fixes: list[Fix], kernel: int, filters: int) -> str:
    """A batch of one-channel sequences given as (N, L): PyTorch reads it as one example of N channels."""
    got, length = numbers["actual_channels"], numbers["input_shape"][2]
    causes.insert(0, f"a batch of {got} sequences without the channel axis: (batch, length) for (batch, 1, length)")
    numbers["layer_input_shape"] = [got, length]  # (the 2-D input as given: what a check starts from)
    fixes.insert(0, f.unsqueeze(1, FRAMEWORK)._replace(then=_conv_output(length, kernel, filters, got)))
    return (
        f"; PyTorch read a 2-D input {fmt_shape((got, length))} as one example of {got} channels: a batch of "
        f"{got} one-channel sequences needs the channel axis"
    )


def _channel_count_fixes(
    got: int, expected: int, groups: int, filters: int, layer: str, causes: list[str]
) -> list[Fix]:
    """The layer made for the channels the data has: in_channels, or (grouped) in_channels and groups."""
    if groups > 0 and got % groups == 0:
        causes.append(f"the layer's in_channels is wrong: the data has {got} channels")
        return [f.set_argument("in_channels", got, layer)]
    if groups > 1 and filters % got == 0:  # a depthwise or grouped layer for other channels
        causes.append(f"groups={groups} was written for {expected} channels; the data has {got}")
        return [f.set_arguments({"in_channels": got, "groups": got}, layer)]
    return []


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
        if ones:
            return (f.squeeze(ones[0], FRAMEWORK),)
        return (f.merge_axes(1, len(given) - 2, FRAMEWORK),) if len(given) == 4 else ()
    if len(given) == 1 and in_channels in (None, 1):
        return (f.reshape([1, 1, given[0]], FRAMEWORK),)
    return ()


def old_rank(match: re.Match[str], text: Text) -> Finding:
    weight, given = ints(match["weight"]), ints(match["input"])
    numbers = {"weight_shape": weight, "input_shape": given, "input_rank": len(given), "weight_rank": len(weight)}
    if len(weight) == 4:  # nn.Conv1d given a tuple kernel_size of two: a Conv2d's weight
        kernel = weight[3] if weight[2] == 1 else weight[2]  # (1, k) → k; (k, 1) and (k, k) → k
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


def linear(match: re.Match[str], text: Text) -> Finding:
    rows, features, in_features, out_features = (int(match[name]) for name in ("a", "b", "c", "d"))
    numbers = {"input_shape": [rows, features], "weight_t_shape": [in_features, out_features]}
    causes: list[str] = []
    fixes: list[Fix] = []
    if features == in_features:  # (the shapes multiply: not this message's situation)
        explanation = (
            f"({rows}×{features}) and ({in_features}×{out_features}) multiply: the message came from elsewhere"
        )
        return Finding(FRAMEWORK, "linear_features", match[0], "PyTorch ≥ 1.0", numbers, explanation, (), ())
    explanation = (
        f"the Linear layer takes {in_features} features (in_features={in_features}); what reaches it has "
        f"{features} per example (after Flatten: channels × length)"
    )
    channels = in_features // features if features and in_features % features == 0 else 0
    then = fmt_shape((rows, out_features))
    if channels > 1 and rows % channels == 0:  # (N·C)×L: a 3-D (N, C, L) reached the Linear unflattened
        batch = rows // channels
        numbers["layer_input_shape"] = [batch, channels, features]  # (what the check on a model starts from)
        explanation = (
            f"nn.Linear acts on the last axis only: it got ({batch}, {channels}, {features}) — the rows "
            f"{rows} = {batch} × {channels} —, not flattened; flattened it has {channels} × {features} = "
            f"{in_features} features, as the layer wants"
        )
        causes.append("nn.Flatten() is missing before the Linear (after a convolution or a pooling layer)")
        fixes.append(f.flatten(FRAMEWORK)._replace(then=fmt_shape((batch, out_features))))
        then = f"{fmt_shape((batch, channels, out_features))} if the input is ({batch}, {channels}, {features})"
    causes.append(f"in_features={in_features} was computed for another input length; the flattened size is {features}")
    fixes.append(f.set_argument("in_features", features, "nn.Linear")._replace(then=then))
    return Finding(
        FRAMEWORK, "linear_features", match[0], "PyTorch ≥ 1.0", numbers, explanation, tuple(causes), tuple(fixes)
    )


def recurrent_size(match: re.Match[str], text: Text) -> Finding:
    expected, got = int(match["expected"]), int(match["got"])
    numbers = {"input_size": expected, "actual_features": got}
    explanation = (
        f"the recurrent layer reads {expected} features a step (input_size={expected}); the input's last axis "
        f"has {got}: after nn.Conv1d the features are on axis 1, (batch, channels, length)"
    )
    fixes = (f.permute([0, 2, 1], FRAMEWORK), f.set_argument("input_size", got, _recurrent_class(text)))
    causes = (
        f"a Conv1d's output (batch, {expected}, length) given to a batch_first LSTM: "
        f"permute it to (batch, length, {expected})",
        f"input_size={expected} is not what the data has ({got})",
    )
    return Finding(FRAMEWORK, "recurrent_features", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def _recurrent_class(text: Text) -> str:
    """The recurrent module the traceback's code names (nn.GRU …), else nn.LSTM."""
    for line in text.code_lines:
        found = re.search(r"\b(LSTM|GRU|RNN)\(", line)
        if found:
            return f"nn.{found[1]}"
    return "nn.LSTM"


def norm_features(match: re.Match[str], text: Text) -> Finding:
    # "running_mean should contain {the input's channels} elements not {num_features}"
    got, expected = int(match["expected"]), int(match["got"])
    numbers = {"num_features": expected, "actual_channels": got}
    explanation = f"nn.BatchNorm1d({expected}) normalises {expected} channels on axis 1; the input has {got} there"
    fixes = (f.swap_last_axes(FRAMEWORK), f.set_argument("num_features", got, "nn.BatchNorm1d"))
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
    *torch_lengths.MATCHERS,
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
            r"Expected 2D \(unbatched\) or 3D \(batched\) input to conv(?:_transpose)?1d, but got input of size:\s*"
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
            r"mat1 and mat2 shapes cannot be multiplied \((?P<a>\d{1,40})x(?P<b>\d{1,40}) "
            r"and (?P<c>\d{1,40})x(?P<d>\d{1,40})\)"
        ),
        linear,
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
