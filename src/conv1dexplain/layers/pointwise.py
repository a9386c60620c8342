"""Layers that keep the shape and act position by position: dropout, noise, activations."""

from __future__ import annotations

import math
from typing import Any

from conv1dexplain.layers.node import (
    KERAS_COMMON,
    TORCH_COMMON,
    ChainError,
    Context,
    LayerRule,
    Param,
    Step,
    Value,
    params,
)
from conv1dexplain.layers.sequence import keras_rank_error
from conv1dexplain.tensor import fmt_shape


def same_shape(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """The output is the input: no parameters, no multiply-adds."""
    (value,) = inputs
    return Step(value)


def softmax(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """Softmax (and Keras' Activation('softmax')) normalises along an axis: along the sequence, each
    output reads every position. nn.Softmax() without dim takes PyTorch's legacy axis (it warns)."""
    (value,) = inputs
    if where.call.name == "Activation" and args["activation"] not in ("softmax", "log_softmax"):
        return Step(value)
    axis = args.get("axis", args.get("dim", -1))
    notes: tuple[str, ...] = ()
    if axis is None:  # (torch.nn.functional._get_softmax_dim)
        axis = 0 if len(value.dims) in (0, 1, 3) else 1
        batch = " — the batch, not a position's channels" if axis == 0 and len(value.dims) == 3 else ""
        notes = (
            f"nn.{where.call.name}() without dim normalises over axis {axis} here{batch} (PyTorch warns): give dim=",
        )
    axes = axis if isinstance(axis, tuple | list) else (axis,)
    if value.dims and value.sequence_axis in {a % len(value.dims) for a in axes if isinstance(a, int)}:
        return Step(
            value, slide=None, notes=(*notes, "it normalises along the sequence: each output reads every position")
        )
    return Step(value, notes=notes)


def keras_spatial_dropout(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """SpatialDropout1D drops whole channels: its InputSpec is ndim=3."""
    (value,) = inputs
    if len(value.dims) != 3:
        raise keras_rank_error(value, where, 3, exact=True)
    return Step(value)


def keras_prelu(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """One slope per input element, except along shared_axes (counted without the batch)."""
    (value,) = inputs
    shape = list(value.dims[1:])
    shared = args["shared_axes"]
    for axis in [shared] if isinstance(shared, int) else shared or ():
        shape[axis - 1] = 1
    known = [1 if size is None else size for size in shape]
    return Step(value, trainable_params=math.prod(known))


def torch_prelu(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """num_parameters slopes (1, or one per channel)."""
    (value,) = inputs
    count = args["num_parameters"]
    channels = value.dims[1] if len(value.dims) >= 2 else 1
    if count != 1 and channels != count:
        raise ChainError(
            f"nn.PReLU({count}) has one slope per channel (axis 1); its input {fmt_shape(value.dims)} has {channels}",
            f"use nn.PReLU({channels}), or nn.PReLU() for one shared slope",
            "RuntimeError: Mismatch of parameter numbers and input channel size. "
            f"Found parameter numbers = {count} and channel size = {channels}.",
        )
    return Step(value, trainable_params=count)


_KERAS_SAME: dict[str, tuple[Param, ...]] = {
    "Dropout": params("rate", noise_shape=None, seed=None),
    "GaussianNoise": params("stddev", seed=None),
    "GaussianDropout": params("rate", seed=None),
    "AlphaDropout": params("rate", noise_shape=None, seed=None),
    "Activation": params("activation"),
    "ReLU": params(max_value=None, negative_slope=0.0, threshold=0.0),
    "LeakyReLU": params(negative_slope=0.3),
    "ELU": params(alpha=1.0),
    "Softmax": params(axis=-1),
    "ActivityRegularization": params(l1=0.0, l2=0.0),
    "Identity": params(),
}
_TORCH_SAME: dict[str, tuple[Param, ...]] = {
    "Dropout": params(p=0.5, inplace=False),
    "Dropout1d": params(p=0.5, inplace=False),
    "AlphaDropout": params(p=0.5, inplace=False),
    "FeatureAlphaDropout": params(p=0.5, inplace=False),
    "Identity": params(),
    "ReLU": params(inplace=False),
    "ReLU6": params(inplace=False),
    "LeakyReLU": params(negative_slope=0.01, inplace=False),
    "ELU": params(alpha=1.0, inplace=False),
    "SELU": params(inplace=False),
    "CELU": params(alpha=1.0, inplace=False),
    "GELU": params(approximate="none"),
    "SiLU": params(inplace=False),
    "Mish": params(inplace=False),
    "Tanh": params(),
    "Sigmoid": params(),
    "Hardtanh": params(min_val=-1.0, max_val=1.0, inplace=False),
    "Hardswish": params(inplace=False),
    "Hardsigmoid": params(inplace=False),
    "Softplus": params(beta=1.0, threshold=20.0),
    "Softsign": params(),
    "Tanhshrink": params(),
    "Softmax": params(dim=None),
    "LogSoftmax": params(dim=None),
}


def _rule(name: str) -> Any:
    return softmax if name in ("Softmax", "LogSoftmax", "Activation") else same_shape


RULES = (
    tuple(
        LayerRule("keras", name, signature, _rule(name), accepts_extra=KERAS_COMMON)
        for name, signature in _KERAS_SAME.items()
    )
    + tuple(
        LayerRule(
            "pytorch", name, signature, _rule(name), accepts_extra=TORCH_COMMON, ignores_arguments=name == "Identity"
        )
        for name, signature in _TORCH_SAME.items()
    )
    + (
        LayerRule(
            "keras", "SpatialDropout1D", params("rate", seed=None), keras_spatial_dropout, accepts_extra=KERAS_COMMON
        ),
        LayerRule(
            "keras",
            "PReLU",
            params(alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None),
            keras_prelu,
            accepts_extra=KERAS_COMMON,
        ),
        LayerRule("pytorch", "PReLU", params(num_parameters=1, init=0.25), torch_prelu, accepts_extra=TORCH_COMMON),
    )
)
