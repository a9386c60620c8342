"""PyTorch's normalisation modules in a model: nn.BatchNorm1d, nn.LayerNorm, nn.GroupNorm,
nn.InstanceNorm1d (what they read along the sequence and what MACs count: normalization.py's docstring).

Parameters are what Module.parameters() yields: weight and bias when affine. The running mean and
variance (and num_batches_tracked) are buffers, not parameters: they count nowhere.
"""

from __future__ import annotations

import math
from typing import Any

from conv1dexplain.layers.node import IDENTITY, TORCH_COMMON, ChainError, Context, LayerRule, Slide, Step, Value, params
from conv1dexplain.layers.normalization import elements
from conv1dexplain.layers.sequence import torch_allocates, torch_dims
from conv1dexplain.tensor import fmt_shape


def _affine(args: dict[str, Any], flag: str) -> int:
    return (1 + int(bool(args["bias"]))) if args[flag] else 0


def _rank_2_or_3(value: Value, where: Context) -> None:
    rank = len(value.dims)
    if rank not in (2, 3):
        raise ChainError(
            f"nn.{where.call.name} reads (N, C, L) or (N, C); it gets {fmt_shape(value.dims)}",
            "reshape the input to (batch, channels, length)",
            f"ValueError: expected 2D or 3D input (got {rank}D input)",
        )


def _one_value(value: Value, where: Context, size: list[int | None], *, spatial: bool = False) -> None:
    """PyTorch's refusal of statistics over a single value: batch statistics over one example and one
    position (BatchNorm1d, GroupNorm: size[0] and size[2:]), or instance statistics over one position."""
    counted = size[2:] if spatial else size[0:1] + size[2:]
    if any(each is None for each in counted) or math.prod(each or 0 for each in counted) != 1:
        return
    words = "spatial element" if spatial else "value per channel"
    printed = torch_dims(tuple(size))
    raise ChainError(
        f"nn.{where.call.name} computes its statistics over {'the length' if spatial else 'batch and length'}; "
        f"the input {fmt_shape(value.dims)} gives one value for each",
        "a longer input (or, for BatchNorm1d, a batch of more than one, or track_running_stats=True and model.eval())",
        f"ValueError: Expected more than 1 {words} when training, got input size "
        + (printed if where.call.name == "GroupNorm" else f"torch.Size({printed})"),
        too_short=value.sequence_axis is not None,
    )


def torch_batch_norm(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """Statistics per channel (axis 1) over the batch and the length."""
    (value,) = inputs
    _rank_2_or_3(value, where)
    features, wanted = value.dims[1], args["num_features"]
    tracked = bool(args["track_running_stats"])
    if features is not None and features != wanted and (tracked or args["affine"]):
        vector = "running_mean" if tracked else "weight"
        raise ChainError(
            f"nn.BatchNorm1d({wanted}) normalises {wanted} channels on axis 1; "
            f"its input {fmt_shape(value.dims)} has {features}",
            f"set num_features={features} (what the previous layer gives)",
            f"RuntimeError: {vector} should contain {features} elements not {wanted}",
            argument="num_features",
            value=wanted,
        )
    if not tracked:
        _one_value(value, where, list(value.dims))
    notes: tuple[str, ...] = ()
    slide: Slide | None = IDENTITY if tracked or len(value.dims) == 2 else None
    if len(value.dims) == 2 and value.sequence_axis is not None:
        notes = ("BatchNorm1d reads a 2-D input as (N, C): here its C is the length and its N the channels",)
    return Step(
        value, trainable_params=wanted * _affine(args, "affine"), macs=elements(value), slide=slide, notes=notes
    )


def torch_layer_norm(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """Statistics per example over the trailing normalized_shape dims; weight and bias shaped like them."""
    (value,) = inputs
    given = args["normalized_shape"]
    shape = [given] if isinstance(given, int) else list(given)
    if not shape:
        raise ChainError(
            "nn.LayerNorm needs at least one dim to normalise: normalized_shape=[]",
            "give the trailing dims, e.g. normalized_shape=channels",
            "RuntimeError: Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
            "element, but got normalized_shape = []",
            argument="normalized_shape",
            value=given,
        )
    trailing = list(value.dims[-len(shape) :]) if len(shape) <= len(value.dims) else None
    if trailing is None or any(have is not None and have != want for have, want in zip(trailing, shape, strict=True)):
        raise ChainError(
            f"nn.LayerNorm({given}) normalises the last {len(shape)} dim(s); "
            f"its input {fmt_shape(value.dims)} ends otherwise",
            f"set normalized_shape to the input's last dims: {list(value.dims[-len(shape) :])}"
            if trailing
            else "normalized_shape has more dims than the input",
            f"RuntimeError: Given normalized_shape={shape}, "
            f"expected input with shape [*, {', '.join(map(str, shape))}], "
            f"but got input of size{torch_dims(value.dims)}",
            too_short=_smaller(trailing, shape),  # (for the length search: a trailing dim that is the length)
            too_long=_smaller(shape, trailing),
            argument="normalized_shape",
            value=given,
        )
    axes = range(len(value.dims) - len(shape), len(value.dims))
    return Step(
        value,
        trainable_params=math.prod(shape) * _affine(args, "elementwise_affine"),
        macs=elements(value),
        slide=None if value.sequence_axis in axes else IDENTITY,
    )


def torch_group_norm(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """Statistics per example and group of channels (axis 1), over the group and the length."""
    (value,) = inputs
    groups, wanted = args["num_groups"], args["num_channels"]
    _check_construction(groups, wanted)
    if len(value.dims) < 2:
        raise ChainError(
            f"nn.GroupNorm reads (N, C, …); it gets {fmt_shape(value.dims)}",
            "reshape the input to (batch, channels, length)",
            f"RuntimeError: Expected at least 2 dimensions for input tensor but received {len(value.dims)}",
        )
    channels = value.dims[1]
    if channels is not None:  # F.group_norm checks the batch statistics before the channels
        batch = None if value.dims[0] is None else value.dims[0] * channels // groups
        _one_value(value, where, [batch, groups, *value.dims[2:]])
    if channels is not None and channels % groups:
        raise ChainError(
            f"nn.GroupNorm({groups}, …) splits axis 1 into {groups} groups; "
            f"the input {fmt_shape(value.dims)} has {channels}",
            f"set num_groups to a divisor of {channels}",
            "RuntimeError: Expected number of channels in input to be divisible by num_groups, but got input of "
            f"shape {torch_dims(value.dims)} and num_groups={groups}",
            argument="num_groups",
            value=groups,
        )
    if channels is not None and channels != wanted and args["affine"]:
        raise ChainError(
            f"nn.GroupNorm(…, {wanted}) has weights for {wanted} channels; "
            f"its input {fmt_shape(value.dims)} has {channels}",
            f"set num_channels={channels} (what the previous layer gives)",
            "RuntimeError: Expected weight to be a vector of size equal to the number of channels in input, but got "
            f"weight of shape [{wanted}] and input of shape {torch_dims(value.dims)}",
            argument="num_channels",
            value=wanted,
        )
    one_each = value.sequence_axis == 1 and channels == groups  # unbatched (C, L): the groups split the length
    slide = IDENTITY if value.sequence_axis is None or one_each else None
    return Step(value, trainable_params=wanted * _affine(args, "affine"), macs=elements(value), slide=slide)


def _check_construction(groups: int, channels: int) -> None:
    if groups == 0:
        raise ChainError(
            "nn.GroupNorm needs at least one group: num_groups=0",
            "give num_groups a divisor of num_channels",
            "ZeroDivisionError: integer modulo by zero",
            argument="num_groups",
            value=groups,
        )
    if channels % groups:
        raise ChainError(
            f"nn.GroupNorm({groups}, {channels}): {groups} groups do not divide {channels} channels",
            f"give num_groups a divisor of {channels}",
            f"ValueError: num_channels ({channels}) must be divisible by num_groups ({groups})",
            argument="num_groups",
            value=groups,
        )


def _features_construct(args: dict[str, Any], rules: Any) -> None:
    stats = bool(args["affine"] or args["track_running_stats"])
    torch_allocates([args["num_features"]], stats, "num_features")


def _layer_norm_construct(args: dict[str, Any], rules: Any) -> None:
    given = args["normalized_shape"]
    shape = [given] if isinstance(given, int) else list(given)
    torch_allocates(shape, bool(args["elementwise_affine"]), "normalized_shape")


def _group_norm_construct(args: dict[str, Any], rules: Any) -> None:
    _check_construction(args["num_groups"], args["num_channels"])
    torch_allocates([args["num_channels"]], bool(args["affine"]), "num_channels")


def torch_instance_norm(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """Statistics per example and channel over the length; (C, L) is read unbatched, as PyTorch does."""
    (value,) = inputs
    _rank_2_or_3(value, where)
    dim = len(value.dims) - 2
    channels, wanted = value.dims[dim], args["num_features"]
    tracked = bool(args["track_running_stats"])
    notes: tuple[str, ...] = ()
    if channels is not None and channels != wanted:
        if args["affine"]:
            raise ChainError(
                f"nn.InstanceNorm1d({wanted}, affine=True) has weights for {wanted} channels; its input "
                f"{fmt_shape(value.dims)} has {channels} on axis {dim}",
                f"set num_features={channels}",
                f"ValueError: expected input's size at dim={dim} to match num_features ({wanted}), "
                f"but got: {channels}.",
                argument="num_features",
                value=wanted,
            )
        notes = (
            f"UserWarning: input's size at dim={dim} does not match num_features. You can silence this warning by "
            "not passing in num_features, which is not used because affine=False",
        )
        if tracked:
            batch = "N×" if dim and value.dims[0] is None else ""
            count = 1 if not dim or value.dims[0] is None else value.dims[0]
            raise ChainError(
                f"nn.InstanceNorm1d({wanted}, track_running_stats=True) keeps statistics for {wanted} channels; "
                f"its input {fmt_shape(value.dims)} has {channels}",
                f"set num_features={channels}",
                f"RuntimeError: running_mean should contain {batch}{count * channels} elements "
                f"not {batch}{count * wanted}",
                argument="num_features",
                value=wanted,
            )
    if not tracked:
        _one_value(value, where, list(value.dims if dim else (1, *value.dims)), spatial=True)
    return Step(
        value,
        trainable_params=wanted * _affine(args, "affine"),
        macs=elements(value),
        slide=IDENTITY if tracked else None,
        notes=notes,
    )


RULES = (
    LayerRule(
        "pytorch",
        "BatchNorm1d",
        params(
            "num_features",
            eps=1e-05,
            momentum=0.1,
            affine=True,
            track_running_stats=True,
            device=None,
            dtype=None,
            bias=True,
        ),
        torch_batch_norm,
        accepts_extra=TORCH_COMMON,
        construct=_features_construct,
    ),
    LayerRule(
        "pytorch",
        "LayerNorm",
        params("normalized_shape", eps=1e-05, elementwise_affine=True, bias=True, device=None, dtype=None),
        torch_layer_norm,
        accepts_extra=TORCH_COMMON,
        construct=_layer_norm_construct,
    ),
    LayerRule(
        "pytorch",
        "GroupNorm",
        params("num_groups", "num_channels", eps=1e-05, affine=True, device=None, dtype=None, bias=True),
        torch_group_norm,
        accepts_extra=TORCH_COMMON,
        construct=_group_norm_construct,
    ),
    LayerRule(
        "pytorch",
        "InstanceNorm1d",
        params(
            "num_features",
            eps=1e-05,
            momentum=0.1,
            affine=False,
            track_running_stats=False,
            device=None,
            dtype=None,
            bias=True,
        ),
        torch_instance_norm,
        accepts_extra=TORCH_COMMON,
        construct=_features_construct,
    ),
)


def _smaller(sizes: list[int | None] | None, than: list[int | None] | None) -> bool:
    """Every size known and their product below the other's (False when either is not known)."""
    known = sizes is not None and than is not None and None not in sizes and None not in than
    return known and math.prod(sizes or ()) < math.prod(than or ())  # type: ignore[arg-type]
