"""A convolution's refusals in its framework's words: a window the input is too short for, a
reflect or circular padding longer than the input, input channels the groups do not divide."""

from __future__ import annotations

from typing import Any

from conv1dexplain.errors import SpecError
from conv1dexplain.layers.node import ChainError, Context, Value
from conv1dexplain.layers.sequence import torch_dims

_TOO_SHORT = ("kernel size can't be greater", "zero or negative")


def widest_pad(padding: Any) -> int:
    if isinstance(padding, bool) or not isinstance(padding, int | tuple | list):
        return 0  # a name ('same', 'valid', 'causal'): no wider than the window
    return max(
        (side for side in (padding if isinstance(padding, tuple | list) else (padding,)) if isinstance(side, int)),
        default=0,
    )


def as_chain(error: SpecError, value: Value, where: Context, arguments: dict[str, Any], unknown: bool) -> SpecError:
    """The refusal in the framework's words, for a length that is known (not a stand-in for an unknown one)."""
    if not unknown and error.raw_message.startswith(("reflect padding of", "circular padding of")):
        left = right = widest_pad(arguments.get("padding"))
        if arguments.get("padding") == "same":  # (nn.Conv1d's split of d·(k−1), the larger half on the right)
            total = arguments.get("dilation_rate", 1) * (arguments["kernel_size"] - 1)
            left, right = total // 2, total - total // 2
        said = (  # F.pad's words, before the convolution runs
            "Argument #4: Padding size should be less than the corresponding input dimension, but got: "
            f"padding ({left}, {right}) at dimension {len(value.dims) - 1} of input {torch_dims(value.dims)}"
            if error.raw_message.startswith("reflect")
            else "Padding value causes wrapping around more than once."
        )
        return ChainError(error.raw_message, error.raw_hint, f"RuntimeError: {said}", too_short=True)
    groups = where.rules.groups_message(value.dims, arguments) if error.argument == "groups" else None
    if groups is not None:  # (Keras checks the input's channels against groups when it builds)
        return ChainError(error.raw_message, error.raw_hint, groups, argument="groups")
    if unknown or not any(words in error.raw_message for words in _TOO_SHORT):
        return error
    return ChainError(
        error.raw_message,
        error.raw_hint,
        where.rules.conv_too_short_message(value.dims, arguments, where.name),
        too_short=True,
        argument=error.argument,
    )
