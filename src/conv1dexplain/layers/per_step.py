"""TimeDistributed's inner layer on each step of axis 1, where a step has one axis fewer than the
layer reads: Keras' own refusal for a Conv1D (its conv op's), ours for the rest (Keras refuses
them at build, at call, or runs them, layer by layer: not guessed)."""

from __future__ import annotations

from typing import Any

from conv1dexplain.errors import SpecError
from conv1dexplain.layers.node import ChainError, Unsupported, Value
from conv1dexplain.tensor import fmt_shape


def conv_per_step(args: dict[str, Any], step: Value, value: Value) -> ChainError:
    """TimeDistributed(Conv1D) on (batch, time, features): each step is (batch, features), one axis
    short of what a Conv1D reads; Keras builds the kernel from it and its conv op refuses it."""
    kernel = args["kernel_size"][0] if isinstance(args["kernel_size"], tuple | list) else args["kernel_size"]
    return ChainError(
        f"TimeDistributed(Conv1D) runs the Conv1D on each step of axis 1; each step of {fmt_shape(value.dims)} "
        f"is {fmt_shape(step.dims)}, not (length, channels)",
        "drop TimeDistributed: a Conv1D already slides along axis 1 (or give it (batch, time, length, channels))",
        f"ValueError: Kernel shape must have the same length as input, but received kernel of shape "
        f"({kernel}, {step.dims[-1]}, {args['filters']}) and input of shape {fmt_shape(step.dims)}.",
    )


def per_step_refusal(inner: str, step: Value, refused: SpecError) -> SpecError:
    """What we say when the inner layer refuses a step of (batch, features)."""
    return Unsupported(
        f"TimeDistributed({inner}) runs it on each step of axis 1, here {fmt_shape(step.dims)}: "
        f"{refused.raw_message}; conv1dexplain does not follow what Keras makes of that",
        f"drop TimeDistributed (a {inner} already works along axis 1), or give it 4 axes: "
        "(batch, time, length, channels)",
    )
