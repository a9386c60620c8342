"""Keras' InputSpec check of a layer built already: a layer used again (shared), or a live model's
layer, takes only inputs whose last axis is the one it was built on."""

from __future__ import annotations

from typing import Any

from conv1dexplain.layers.node import Call, ChainError, Value
from conv1dexplain.tensor import fmt_shape

_SPECS = ("Conv1D", "Convolution1D", "Dense", "SeparableConv1D", "DepthwiseConv1D", "Conv1DTranspose")


def same_features(
    calls: tuple[Call, ...], first: int, inputs: tuple[Value, ...], values: dict[int, Any], name: str
) -> None:
    """A Keras layer used again checks its input against the one it was built on (its InputSpec)."""
    feeds: tuple[int, ...] = calls[first].inputs or (first - 1,)
    if calls[first].name not in _SPECS or len(inputs) != 1 or feeds[0] not in values:
        return
    built = values[feeds[0]][0].dims
    if built and built[-1] is not None:
        check_spec(built[-1], inputs[0].dims, name, calls[first].name)


def check_spec(built: int, given: tuple[int | None, ...], name: str, kind: str) -> None:
    """Keras' InputSpec check of a built layer: its input's last axis must be the one it was built on."""
    if given and given[-1] is not None and given[-1] != built:
        raise ChainError(
            f"{kind} {name!r} was built on {built} features; here it gets {given[-1]}",
            "give it the input it was built on, or use a new (unbuilt) layer",
            f"ValueError: Input 0 with name 'None' of layer '{name}' is incompatible with the layer: expected axis "
            f"-1 of input shape to have value {built}, but received input with shape {fmt_shape(given)}",
            too_short=given[-1] < built,  # (for the length search: features that come from the length)
            too_long=given[-1] > built,
        )
