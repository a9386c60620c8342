"""PyTorch's messages about the layers around the convolutions and what reaches them: a NumPy array
or a list instead of a tensor, an Embedding given floats, pooling and RNN ranks, LayerNorm,
GroupNorm and InstanceNorm on the wrong axis, ConvTranspose1d's output_padding, Upsample's rank.
One matcher each (see torch_messages for where a new message goes)."""

from __future__ import annotations

import re

from conv1dexplain.diagnose import fixes as f
from conv1dexplain.diagnose.patterns import Matcher, lazy
from conv1dexplain.diagnose.text import Text, ints
from conv1dexplain.report.diagnosis import Finding, Fix
from conv1dexplain.tensor import fmt_shape

FRAMEWORK = "pytorch"
_NOT_TENSORS = {"numpy.ndarray": "a NumPy array", "list": "a Python list", "tuple": "a tuple"}


def not_a_tensor(match: re.Match[str], text: Text) -> Finding:
    given, function = match["given"], match["function"] or "the layer"
    numbers = {"input_type": given, "function": function}
    if given == "tuple":
        return _rnn_tuple(match, numbers)
    indices = match["which"] == "indices" or function == "embedding"
    dtype = "int64" if indices else "float32"
    what = _NOT_TENSORS.get(given, given)
    explanation = (
        f"{function}() takes a torch.Tensor; it got {what}: PyTorch layers do not convert their input "
        f"(a NumPy array of float64 would also need float32, the weights' dtype)"
    )
    if indices:
        explanation = f"nn.Embedding takes its token ids as a torch.Tensor of int64; it got {what}"
    causes = ("data loaded with NumPy or pandas and given to the model as it is",)
    fix = f.to_tensor(dtype, FRAMEWORK)
    return Finding(FRAMEWORK, "input_type", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, (fix,))


def _rnn_tuple(match: re.Match[str], numbers: dict[str, str]) -> Finding:
    receiver = "the next layer" if numbers["function"] == "the layer" else numbers["function"] + "()"
    explanation = (
        f"{receiver} got a tuple: nn.LSTM, nn.GRU and nn.RNN return (output, state), and in an "
        "nn.Sequential the next layer gets that pair, not the output (batch, length, hidden)"
    )
    causes = (
        "an RNN module inside nn.Sequential (or its result passed on as it is)",
        "a tuple of tensors given where one tensor belongs",
    )
    code = "x = x[0]  # the RNN's output; in an nn.Sequential, a module whose forward returns rnn(x)[0]"
    fix = Fix("take_output", {"index": 0}, code)
    return Finding(FRAMEWORK, "rnn_tuple", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, (fix,))


def embedding_dtype(match: re.Match[str], text: Text) -> Finding:
    given = match["given"]
    numbers = {"input_type": given, "expected_dtype": "int64"}
    explanation = (
        f"nn.Embedding looks up rows by token id: its input must hold integers (int64 or int32); it got {given}"
    )
    causes = (
        "the token ids were made as floats (torch.zeros, torch.tensor of floats, a float NumPy array)",
        "the input is already features, not token ids: then the first layer is not an Embedding (nn.Conv1d or "
        "nn.Linear reads features)",
    )
    fix = Fix("cast_input", {"dtype": "int64"}, "x = x.long()")
    return Finding(FRAMEWORK, "dtype", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, (fix,))


def rank_fixes(rank: int) -> tuple[Fix, ...]:
    """One step to the (batch, channels, length) a 1-D layer reads, for a rank it refuses."""
    if rank == 1:  # one sequence: one channel of one example
        return (f.reshape([1, 1, None], FRAMEWORK)._replace(code="x = x.reshape(1, 1, -1)"),)
    if rank == 2:
        return (f.unsqueeze(0, FRAMEWORK),)
    return (f.merge_axes(1, 2, FRAMEWORK),) if rank == 4 else ()  # (= squeeze(1) when axis 1 is 1)


def pool_rank(match: re.Match[str], text: Text) -> Finding:
    rank, function = int(match["rank"]), match["function"]
    numbers = {"input_rank": rank, "function": function}
    explanation = (
        f"{function} takes (batch, channels, length) or one example as (channels, length); the input has {rank} "
        "dimension(s)"
    )
    causes = ("an image-like (batch, 1, channels, length): a Conv2d's or an unsqueezed output",) if rank == 4 else ()
    fixes = rank_fixes(rank)
    return Finding(FRAMEWORK, "input_rank", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def recurrent_rank(match: re.Match[str], text: Text) -> Finding:
    layer, rank = match["layer"], int(match["rank"])
    numbers = {"input_rank": rank, "layer": layer}
    explanation = (
        f"nn.{layer} reads (batch, length, features) with batch_first=True, (length, batch, features) without, or "
        f"one sequence as (length, features); the input has {rank} dimension(s)"
    )
    fixes = (f.squeeze(1, FRAMEWORK),) if rank == 4 else (f.unsqueeze(-1, FRAMEWORK),) if rank == 1 else ()
    causes = ("a Conv2d's (batch, 1, length, features) or an extra axis of 1",) if rank == 4 else ()
    return Finding(FRAMEWORK, "input_rank", match[0], "PyTorch ≥ 1.11", numbers, explanation, causes, fixes)


def layer_norm(match: re.Match[str], text: Text) -> Finding:
    normalized, given = ints(match["normalized"]), ints(match["input"])
    numbers = {"normalized_shape": normalized, "input_shape": given}
    wanted, ends = fmt_shape(tuple(normalized)), fmt_shape(tuple(given[-len(normalized) :]))
    explanation = (
        f"nn.LayerNorm({normalized[0] if len(normalized) == 1 else normalized}) normalises the last "
        f"{len(normalized)} axis(es), which must be {wanted}; the input {fmt_shape(tuple(given))} ends in {ends}"
    )
    fixes: list[Fix] = []
    causes: list[str] = []
    if len(normalized) == 1 and len(given) >= 2 and given[-2] == normalized[0]:
        causes.append(
            "after nn.Conv1d the channels are on axis 1, (batch, channels, length): LayerNorm over the channels "
            "needs them last"
        )
        fixes.append(f.swap_last_axes(FRAMEWORK)._replace(then=f"{fmt_shape((*given[:-2], given[-1], given[-2]))}"))
    fixes.append(f.set_argument("normalized_shape", given[-len(normalized) :], "nn.LayerNorm"))
    return Finding(
        FRAMEWORK, "norm_features", match[0], "PyTorch ≥ 1.0", numbers, explanation, tuple(causes), tuple(fixes)
    )


def group_norm(match: re.Match[str], text: Text) -> Finding:
    given, groups = ints(match["input"]), int(match["groups"])
    channels = given[1] if len(given) > 1 else None
    numbers = {"input_shape": given, "num_groups": groups, "actual_channels": channels}
    explanation = f"nn.GroupNorm({groups}, …) splits the channels (axis 1) in {groups}; the input has {channels} there"
    fixes: tuple[Fix, ...] = ()
    causes: tuple[str, ...] = ("num_groups does not divide the channels",)
    if len(given) == 3 and given[-1] % groups == 0:
        causes = ("the input is channels-last (batch, length, channels): swap its last two axes", *causes)
        fixes = (f.swap_last_axes(FRAMEWORK),)
    return Finding(FRAMEWORK, "groups", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def group_norm_weight(match: re.Match[str], text: Text) -> Finding:
    size, given = int(match["size"]), ints(match["input"])
    channels = given[1] if len(given) > 1 else None
    numbers = {"num_channels": size, "input_shape": given, "actual_channels": channels}
    explanation = (
        f"nn.GroupNorm(…, {size}) normalises {size} channels on axis 1; the input {given} has {channels} there"
    )
    fixes: tuple[Fix, ...] = ()
    causes: tuple[str, ...] = ("num_channels is not the input's channels",)
    if len(given) == 3 and given[-1] == size:
        causes = ("the input is channels-last (batch, length, channels): swap its last two axes", *causes)
        fixes = (f.swap_last_axes(FRAMEWORK),)
    return Finding(FRAMEWORK, "norm_features", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def batch_of_one(match: re.Match[str], text: Text) -> Finding:
    given = ints(match["input"])
    numbers = {"input_shape": given}
    explanation = (
        f"in training mode a BatchNorm normalises each channel over the batch (and length): the input {given} gives "
        "one value per channel, so there is nothing to average"
    )
    causes = ("a batch of one example (the last batch of an epoch, or a test on one example in training mode)",)
    fix = Fix("eval_mode", {}, "model.eval()  # (or batches of 2 or more: DataLoader(..., drop_last=True))")
    return Finding(FRAMEWORK, "batch_of_one", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, (fix,))


def instance_norm(match: re.Match[str], text: Text) -> Finding:
    dim, expected, got = int(match["dim"]), int(match["expected"]), int(match["got"])
    numbers = {"num_features": expected, "actual_channels": got, "dim": dim}
    explanation = (
        f"nn.InstanceNorm1d({expected}, affine=True) normalises {expected} channels on axis {dim}; the input has "
        f"{got} there"
    )
    fixes = (f.swap_last_axes(FRAMEWORK), f.set_argument("num_features", got, "nn.InstanceNorm1d"))
    causes = ("the input is channels-last (batch, length, channels): swap its last two axes", "num_features is wrong")
    return Finding(FRAMEWORK, "norm_features", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def output_padding(match: re.Match[str], text: Text) -> Finding:
    given, stride, dilation = (int(match[name]) for name in ("padding", "stride", "dilation"))
    numbers = {"output_padding": given, "stride": stride, "dilation": dilation}
    largest = max(stride, dilation) - 1
    explanation = (
        f"output_padding adds positions at the end of a transposed convolution's output; it must be smaller "
        f"than the stride ({stride}) or the dilation ({dilation}): at most {largest}, it is {given}"
    )
    causes = (
        ("output_padding picks one of the stride's possible lengths: with stride 1 there is only one",)
        if max(stride, dilation) == 1
        else (f"output_padding picks one of the {max(stride, dilation)} lengths a stride of {stride} can give",)
    )
    fix = f.set_argument("output_padding", largest, "nn.ConvTranspose1d")
    return Finding(FRAMEWORK, "argument_value", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, (fix,))


def upsample_rank(match: re.Match[str], text: Text) -> Finding:
    rank = int(match["rank"])
    numbers = {"input_rank": rank}
    explanation = (
        f"nn.Upsample reads a batch: (batch, channels, length) for a sequence; the input has {rank} dimension(s)"
    )
    fixes = rank_fixes(rank)
    return Finding(FRAMEWORK, "input_rank", match[0], "PyTorch ≥ 1.0", numbers, explanation, (), fixes)


MATCHERS: list[Matcher] = [
    (
        lazy(
            r"(?P<function>\w{1,40})\(\) received an invalid combination of arguments - got "
            r"\((?P<given>numpy\.ndarray|list|tuple)(?P<which>)"
        ),
        not_a_tensor,
    ),
    (
        lazy(
            r"(?P<function>\w{1,40})\(\): argument '(?P<which>input|indices)' \(position \d\) must be Tensor, "
            r"not (?P<given>numpy\.ndarray|list|tuple)"
        ),
        not_a_tensor,
    ),
    (
        lazy(r"'(?P<given>numpy\.ndarray|list|tuple)' object has no attribute 'dim'(?P<function>)(?P<which>)"),
        not_a_tensor,
    ),
    (
        lazy(
            r"'(?P<given>tuple)' object has no attribute '(?:flatten|size|view|permute|transpose|reshape)'"
            r"(?P<function>)(?P<which>)"
        ),
        not_a_tensor,
    ),
    (
        lazy(
            r"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            r"but got (?P<given>[\w.]{1,60}) instead"
        ),
        embedding_dtype,
    ),
    (
        lazy(
            r"Expected 2 to 3 dimensions, but got (?P<rank>\d{1,3})-dimensional tensor for argument #1 'self' "
            r"\(while checking arguments for (?P<function>\w{1,40})\)"
        ),
        pool_rank,
    ),
    (
        lazy(r"(?P<layer>LSTM|GRU|RNN): Expected input to be 2D or 3D, got (?P<rank>\d{1,3})D(?: tensor)? instead"),
        recurrent_rank,
    ),
    (
        lazy(
            r"Given normalized_shape=\[(?P<normalized>[\d, ]{1,200})\], expected input with shape "
            r"\[\*, [\d, ]{1,200}\], but got input of size\s?\[(?P<input>[\d, ]{1,300})\]"
        ),
        layer_norm,
    ),
    (
        lazy(
            r"Expected number of channels in input to be divisible by num_groups, but got input of shape "
            r"\[(?P<input>[\d, ]{1,300})\] and num_groups=(?P<groups>\d{1,40})"
        ),
        group_norm,
    ),
    (
        lazy(
            r"Expected weight to be a vector of size equal to the number of channels in input, but got weight of "
            r"shape \[(?P<size>\d{1,40})\] and input of shape \[(?P<input>[\d, ]{1,300})\]"
        ),
        group_norm_weight,
    ),
    (
        lazy(
            r"Expected more than 1 value per channel when training, got input size "
            r"torch\.Size\(\[(?P<input>[\d, ]{1,300})\]\)"
        ),
        batch_of_one,
    ),
    (
        lazy(
            r"expected input's size at dim=(?P<dim>\d{1,3}) to match num_features \((?P<expected>\d{1,40})\), "
            r"but got: (?P<got>\d{1,40})"
        ),
        instance_norm,
    ),
    (
        lazy(
            r"output padding must be smaller than either stride or dilation, but got output_padding_height: \d{1,40} "
            r"output_padding_width: (?P<padding>\d{1,40}) stride_height: \d{1,40} stride_width: (?P<stride>\d{1,40}) "
            r"dilation_height: \d{1,40} dilation_width: (?P<dilation>\d{1,40})"
        ),
        output_padding,
    ),
    (lazy(r"Only 3D, 4D and 5D input Tensors supported \(got (?P<rank>\d{1,3})D\)"), upsample_rank),
]
