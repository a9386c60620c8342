"""Normalisation layers in a model: Keras' BatchNormalization, LayerNormalization and
GroupNormalization (their PyTorch counterparts are in normalization_torch.py).

What a normalisation reads along the sequence is what it does at inference (Keras' predict, PyTorch's
model.eval()): batch normalisation uses its moving statistics, so each position reads only itself;
a layer that computes its statistics over the sequence (layer normalisation over the length, group
and instance normalisation) makes every output position read every input position (slide None).

MACs: one multiply-add per element (x · γ/σ + β, the statistics folded into the scale); computing
the statistics is not counted. Unknown dims leave the count at 0.
"""

from __future__ import annotations

import math
from typing import Any

from conv1dexplain.layers.node import IDENTITY, KERAS_COMMON, ChainError, Context, LayerRule, Slide, Step, Value, params
from conv1dexplain.tensor import fmt_shape

_INFERENCE = (
    "at inference the moving mean and variance normalise each position by itself; "
    "in training the batch's statistics are shared by every position"
)


def elements(value: Value) -> int:
    """Elements of one example (every dim but the batch), 0 when one is unknown: the MACs of a normalisation."""
    sizes = value.dims[1:]
    return 0 if any(size is None for size in sizes) else math.prod(size for size in sizes if size is not None)


def _keras_axes(axis: Any, value: Value, where: Context, *, many: bool, list_message: str) -> list[int]:
    """The axes a Keras normalisation reads, from 0; Keras' own errors for a list where it takes an
    int, or an axis the input does not have."""
    if isinstance(axis, (list, tuple)) and not many:
        raise ChainError(
            f"{where.call.name} takes one axis (an int); axis={list(axis)} is a list",
            "give one axis, e.g. axis=-1 (the channels)",
            list_message,
            argument="axis",
            value=axis,
        )
    rank = len(value.dims)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    for each in axes:
        if not -rank <= each < rank:
            raise ChainError(
                f"{where.call.name}(axis={axis}) needs axis {each}; its input {fmt_shape(value.dims)} has {rank} axes",
                f"axis=-1 is the channels of (batch, length, channels); axes run from {-rank} to {rank - 1}",
                "IndexError: tuple index out of range",
                argument="axis",
                value=axis,
            )
    return sorted(each % rank for each in axes)


def _undefined(value: Value, axes: list[int], where: Context, weight: str) -> ChainError:
    sizes = tuple(value.dims[axis] for axis in axes)
    return ChainError(
        f"{where.call.name} makes one weight per position of axis {axes}; the input {fmt_shape(value.dims)} "
        "leaves it unknown",
        "give the model's input that axis's size (Input(shape=(length, channels)))",
        "ValueError: Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
        f"Received: shape={fmt_shape(sizes)} for variable path='{where.variable_path}/{weight}'",
        argument="axis",
    )


def _first_weight(args: dict[str, Any], otherwise: str) -> str:
    return "gamma" if args["scale"] else "beta" if args["center"] else otherwise


def _affine(args: dict[str, Any]) -> int:
    return int(bool(args["scale"])) + int(bool(args["center"]))


def keras_batch_norm(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """γ and β per position of the axis (trainable); the moving mean and variance (non-trainable),
    and with renorm three more statistics (moving_stddev, renorm_mean, renorm_stddev)."""
    (value,) = inputs
    message = "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'list'"
    (axis,) = _keras_axes(args["axis"], value, where, many=False, list_message=message)
    size = value.dims[axis]
    if size is None:
        raise _undefined(value, [axis], where, _first_weight(args, "moving_mean"))
    statistics = 5 if args["renorm"] else 2
    return Step(
        value,
        trainable_params=size * _affine(args),
        non_trainable_params=size * statistics,
        macs=elements(value),
        notes=(_INFERENCE,),
    )


def keras_layer_norm(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """γ and β shaped like the normalised axes; statistics per example over those axes."""
    (value,) = inputs
    axes = _keras_axes(args["axis"], value, where, many=True, list_message="")
    sizes = [value.dims[axis] for axis in axes]
    if any(size is None for size in sizes) and _affine(args):
        raise _undefined(value, axes, where, _first_weight(args, "gamma"))
    notes: tuple[str, ...] = ()
    if axes != list(range(axes[0], len(value.dims))) and axes == list(range(axes[0], axes[-1] + 1)):
        notes = (
            "Keras 3's PyTorch backend hands these axes to F.layer_norm as if they were the last ones and "
            "fails (Given normalized_shape=…, expected input with shape [*, …]); TensorFlow and JAX run it",
        )
    return Step(
        value,
        trainable_params=math.prod(size or 0 for size in sizes) * _affine(args),
        macs=elements(value),
        slide=None if value.sequence_axis in axes else IDENTITY,
        notes=notes,
    )


def keras_group_norm(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """γ and β per channel of the axis; statistics per example and group, over every other axis."""
    (value,) = inputs
    groups = args["groups"]
    if not isinstance(groups, int) or isinstance(groups, bool) or (groups <= 0 and groups != -1):
        raise ChainError(
            f"GroupNormalization needs a positive number of groups (or -1, one per channel); groups={groups!r}",
            "give groups=… a divisor of the channels, or -1 for instance normalisation",
            "ValueError: Received an invalid value for argument `groups`, expected a positive integer "
            f"(or `-1` for instance normalization). Received: groups={groups}",
            argument="groups",
            value=groups,
        )
    message = "TypeError: tuple indices must be integers or slices, not TrackedList"
    (axis,) = _keras_axes(args["axis"], value, where, many=False, list_message=message)
    size = value.dims[axis]
    if size is None:
        raise ChainError(
            f"GroupNormalization splits axis {args['axis']} into groups; "
            f"the input {fmt_shape(value.dims)} leaves it unknown",
            "give the model's input its channels (Input(shape=(length, channels)))",
            f"ValueError: Axis {args['axis']} of input tensor should have a defined dimension but the layer received "
            f"an input with shape {fmt_shape(value.dims)}.",
            argument="axis",
        )
    groups = size if groups == -1 else groups
    _check_groups(groups, size)
    return Step(
        value,
        trainable_params=size * _affine(args),
        macs=elements(value),
        slide=_group_slide(value, axis, groups, size),
    )


def _check_groups(groups: int, size: int) -> None:
    if size < groups or size % groups:
        words = "cannot be more than" if size < groups else "must be a multiple of"
        raise ChainError(
            f"GroupNormalization(groups={groups}) splits {size} channels into equal groups; "
            f"{groups} does not divide {size}",
            f"give groups a divisor of {size}: {', '.join(str(d) for d in range(1, size + 1) if size % d == 0)}",
            f"ValueError: Number of groups ({groups}) {words} the number of channels ({size}).",
            argument="groups",
            value=groups,
        )


def _group_slide(value: Value, axis: int, groups: int, size: int) -> Slide | None:
    # A group's statistics cover every axis but the batch and the grouped one's other groups: the
    # sequence too, unless the groups are laid along the sequence one position each.
    if value.sequence_axis is None or (axis == value.sequence_axis and groups == size):
        return IDENTITY
    return None


_KERAS_NORMALIZATION = {
    "center": True,
    "scale": True,
    "beta_initializer": "zeros",
    "gamma_initializer": "ones",
    "beta_regularizer": None,
    "gamma_regularizer": None,
    "beta_constraint": None,
    "gamma_constraint": None,
}

RULES = (
    LayerRule(
        "keras",
        "BatchNormalization",
        params(
            axis=-1,
            momentum=0.99,
            epsilon=0.001,
            center=True,
            scale=True,
            beta_initializer="zeros",
            gamma_initializer="ones",
            moving_mean_initializer="zeros",
            moving_variance_initializer="ones",
            beta_regularizer=None,
            gamma_regularizer=None,
            beta_constraint=None,
            gamma_constraint=None,
            renorm=False,
            renorm_clipping=None,
            renorm_momentum=0.99,
            synchronized=False,
        ),
        keras_batch_norm,
        accepts_extra=KERAS_COMMON,
    ),
    LayerRule(
        "keras",
        "LayerNormalization",
        params(axis=-1, epsilon=0.001, **_KERAS_NORMALIZATION),
        keras_layer_norm,
        accepts_extra=KERAS_COMMON,
    ),
    LayerRule(
        "keras",
        "GroupNormalization",
        params(groups=32, axis=-1, epsilon=0.001, **_KERAS_NORMALIZATION),
        keras_group_norm,
        accepts_extra=KERAS_COMMON,
    ),
)
