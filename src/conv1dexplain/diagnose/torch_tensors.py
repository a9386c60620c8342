"""PyTorch's messages about tensors combined or reshaped between layers: a residual sum or a
torch.cat whose branches do not line up, a view or reshape to a size the tensor does not have, a
view of a permuted tensor. One matcher each (see torch_messages for where a new message goes)."""

from __future__ import annotations

import math
import re

from conv1dexplain.diagnose import fixes as f
from conv1dexplain.diagnose.patterns import Matcher, lazy
from conv1dexplain.diagnose.text import Text, ints
from conv1dexplain.report.diagnosis import Finding, Fix

FRAMEWORK = "pytorch"
_SAME = "nn.Conv1d(..., padding='same')  # in the branch that shortens the sequence (stride 1)"


def elementwise(match: re.Match[str], text: Text) -> Finding:
    a, b, dim = int(match["a"]), int(match["b"]), int(match["dim"])
    numbers = {"size_a": a, "size_b": b, "dim": dim}
    explanation = (
        f"two tensors combined element by element (a sum, a residual connection, a loss against its targets) differ "
        f"on axis {dim}: {a} against {b}"
    )
    causes: list[str] = []
    fixes: list[Fix] = []
    if dim == 2:  # (batch, channels, length): the lengths
        causes.append(
            f"a residual x + conv(x) whose convolution changes the length ({a} against {b}): pad it to keep it"
        )
        fixes.append(f.set_argument("padding", "same", "nn.Conv1d")._replace(code=_SAME))
    elif dim == 1:
        causes.append(f"a residual x + conv(x) whose out_channels ({b}) differ from the input's channels ({a})")
        fixes.append(f.set_argument("out_channels", a, "nn.Conv1d"))
    causes.append("a loss given outputs and targets of different shapes (squeeze or flatten one)")
    return Finding(
        FRAMEWORK, "merge_shapes", match[0], "PyTorch ≥ 1.0", numbers, explanation, tuple(causes), tuple(fixes)
    )


def concatenate(match: re.Match[str], text: Text) -> Finding:
    dim, expected, got, which = (int(match[name]) for name in ("dim", "expected", "got", "tensor"))
    numbers = {"dim": dim, "expected_size": expected, "actual_size": got, "tensor": which}
    explanation = (
        f"torch.cat joins along dim {dim}; every other axis must agree, but tensor {which} has {got} where the first "
        f"has {expected}"
    )
    causes = ("the branches' convolutions shorten the sequence differently (kernel sizes without padding)",)
    fixes = (f.set_argument("padding", "same", "nn.Conv1d")._replace(code=_SAME.replace("the branch", "each branch")),)
    return Finding(FRAMEWORK, "merge_shapes", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def reshape(match: re.Match[str], text: Text) -> Finding:
    shape, size = ints(match["shape"]), int(match["size"])
    numbers = {"shape": shape, "input_size": size}
    known = math.prod(d for d in shape if d != -1)
    if -1 in shape:
        explanation = f"{shape} leaves one size to fill, but {size} values do not divide by the rest ({known})"
    else:
        explanation = f"{shape} holds {known} values; the tensor has {size}"
    causes = ("the sizes were computed for another input length or another number of channels",)
    fixes: tuple[Fix, ...] = ()
    if len(shape) == 2 and shape[0] > 0 and size % shape[0] == 0:  # (batch, features): a flatten
        fixes = (f.flatten(FRAMEWORK)._replace(then=f"({shape[0]}, {size // shape[0]})"),)
        causes = (f"a flatten to (batch, features) with the features computed by hand: they are {size // shape[0]}",)
    return Finding(FRAMEWORK, "reshape_size", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def view_strides(match: re.Match[str], text: Text) -> Finding:
    explanation = (
        "view() reuses the tensor's memory, which after permute() or transpose() is no longer in order: it cannot "
        "give that shape without a copy"
    )
    fix = Fix("use_reshape", {}, "x = x.reshape(...)  # instead of x.view(...), or x.contiguous().view(...)")
    causes = ("x.permute(…) or x.transpose(…) (channels-last ↔ channels-first) just before .view(…)",)
    return Finding(FRAMEWORK, "view_not_contiguous", match[0], "PyTorch ≥ 1.0", {}, explanation, causes, (fix,))


MATCHERS: list[Matcher] = [
    (
        lazy(
            r"The size of tensor a \((?P<a>\d{1,40})\) must match the size of tensor b \((?P<b>\d{1,40})\) at "
            r"non-singleton dimension (?P<dim>\d{1,3})"
        ),
        elementwise,
    ),
    (
        lazy(
            r"Sizes of tensors must match except in dimension (?P<dim>\d{1,3})\. Expected size (?P<expected>\d{1,40}) "
            r"but got size (?P<got>\d{1,40}) for tensor number (?P<tensor>\d{1,10}) in the list"
        ),
        concatenate,
    ),
    (lazy(r"shape '\[(?P<shape>[-\d, ]{0,300})\]' is invalid for input of size (?P<size>\d{1,40})"), reshape),
    (
        lazy(r"view size is not compatible with input tensor's size and stride \(at least one dimension spans"),
        view_strides,
    ),
]
