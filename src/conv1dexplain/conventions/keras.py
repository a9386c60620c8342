"""Keras 3's convention (TensorFlow's too): channels_last, kernel (k, C/groups, F), padding by name."""

from __future__ import annotations

import operator
import re
from typing import Any, ClassVar

from conv1dexplain import geometry
from conv1dexplain.conventions.base import Convention, Padding
from conv1dexplain.conventions.values import (
    count_of,
    explicit_padding,
    index_of,
    is_bool,
    kind,
    refusal,
    sequence_of,
    shown,
)
from conv1dexplain.errors import SpecError, setting
from conv1dexplain.geometry import Axis
from conv1dexplain.tensor import fmt_shape
from conv1dexplain.vocabulary import KERAS_ACTIVATIONS, KERAS_PADDINGS, DataFormat

_PADDING_CHOICES = "use {valid} (no padding), same (keep the length) or causal (pad the past only)"


class Keras(Convention):
    """keras.layers.Conv1D."""

    name = "keras"
    title = "Keras"
    data_formats: ClassVar[tuple[DataFormat, ...]] = ("channels_last", "channels_first")
    tensor_transpose = "keras.ops.transpose(x, {axes})"
    input_code: ClassVar[dict[str, str]] = {
        "permute": "x = keras.ops.transpose(x, ({order}))",
        "swap_last_axes": "x = keras.ops.swapaxes(x, -2, -1)",
        "reshape": "x = keras.ops.reshape(x, ({sizes}))",
        "squeeze": "x = keras.ops.squeeze(x, axis={dim})",
        "pad": "x = keras.ops.pad(x, ((0, 0), ({left}, {right}), (0, 0)))",
        "to_tensor": "x = keras.ops.convert_to_tensor(x, dtype='{dtype}')",
        "unsqueeze": "x = keras.ops.expand_dims(x, axis={dim})",
        "merge_axes": "x = keras.ops.reshape(x, (*x.shape[:{start}], -1, *x.shape[{end} + 1:]))",
        "flatten": "x = keras.ops.reshape(x, (keras.ops.shape(x)[0], -1))",
    }
    default_layout = "channels_last"
    kernel_name = "kernel"
    kernel_layout = "(k, C/groups, F)"
    kernel_axes = "kernel_size × in/groups × filters"
    to_keras_kernel = (0, 1, 2)
    names: ClassVar[dict[str, str]] = {}
    paddings = KERAS_PADDINGS
    int_padding = False
    same_by_output_length = True
    auto_names_layers = True
    sequence_as_channels = "a Permute((2, 1)) too many, or data_format='channels_first' missing?"
    takes_unbatched = False
    groups_words = ("filters", "input channels")
    python_owner = "Keras' Conv1D"

    def same_padding(self, length: int, kernel_size: int, strides: int, dilation_rate: int) -> tuple[int, int]:
        return geometry.keras_same_padding(length, kernel_size, strides, dilation_rate)

    def read_padding(
        self,
        padding: Padding,
        *,
        strides: int,
        kernel_size: int,
        dilation_rate: int,
        padding_mode: str,
        length: int | None,
    ) -> Padding:
        if isinstance(padding, tuple):
            return explicit_padding(padding)
        text = str(padding)
        mode = text.lower()
        if mode in KERAS_PADDINGS:
            return mode
        message = f"Keras Conv1D padding must be valid, same or causal, not {text!r}"
        if not re.fullmatch(r"-?\d+", text.strip()):
            raise SpecError(
                message, _PADDING_CHOICES.format(valid=setting("padding", "valid")), argument="padding", value=padding
            )
        value = int(text)
        if value == 0:
            hint = f"use {setting('padding', 'valid')}: that is Keras' name for no padding"
        elif value < 0:
            hint = f"to crop, put keras.layers.Cropping1D(({-value}, {-value})) before a 'valid' Conv1D"
        else:
            hint = (
                f"put keras.layers.ZeroPadding1D(({value}, {value})) before a 'valid' Conv1D, "
                f"or use {setting('framework', 'pytorch')} for an integer padding"
            )
        raise SpecError(message, hint, argument="padding", value=padding)

    def frozen(self, kwargs: Any) -> bool:
        return kwargs.get("trainable") is False

    def check_steps(
        self,
        strides: int,
        dilation_rate: int,
        padding_mode: str,
        padding: object = None,
        padding_split: tuple[int, int] | None = None,
    ) -> None:
        if strides > 1 and dilation_rate > 1:
            same = isinstance(padding, str) and padding.lower() == "same"  # 'same' pads for the stride
            raise SpecError(
                f"Keras Conv1D refuses strides > 1 together with dilation_rate > 1 "
                f"(strides={strides}, dilation_rate={dilation_rate})",
                _strided_same_hint(strides, dilation_rate, padding_split)
                if same
                else (
                    f"use one of them; for the same numbers, use {setting('strides', 1)} and keep one output "
                    f"position in {strides} (y[:, ::{strides}] in channels_last)"
                ),
                argument="strides",
                value=strides,
            )
        if padding_mode != "zeros":
            raise SpecError(
                f"Keras Conv1D pads with zeros only (padding_mode={padding_mode!r} is PyTorch's)",
                f"drop {setting('padding_mode')}, or use {setting('framework', 'pytorch')}",
                argument="padding_mode",
                value=padding_mode,
            )

    def check_activation(self, activation: str | None) -> None:
        if activation is None or activation in KERAS_ACTIVATIONS:
            return
        close = [a for a in KERAS_ACTIVATIONS if a == activation.lower()]
        hint = f"use {setting('activation', close[0])}" if close else "use one of: " + ", ".join(KERAS_ACTIVATIONS)
        raise SpecError(f"Keras has no activation named {activation!r}", hint, argument="activation", value=activation)

    def conv_too_short_message(self, dims: tuple[int | None, ...], layer: dict[str, Any], name: str) -> str:
        channels = dims[1] if layer.get("data_format") == "channels_first" else dims[-1]
        kernel = (layer["kernel_size"], channels, layer["filters"])  # (Keras' compute_conv_output_shape: all channels)
        return (
            "ValueError: Computed output size would be zero or negative. Received "
            f"`inputs shape={fmt_shape(dims)}`, `kernel shape={fmt_shape(kernel)}`, "
            f"`dilation_rate=[{layer.get('dilation_rate', 1)}]`, `strides=({layer.get('strides', 1)},)`, "
            f"`padding={layer.get('padding', 'valid')}`."
        )

    def groups_message(self, dims: tuple[int | None, ...], layer: dict[str, Any]) -> str | None:
        channels = dims[1] if layer.get("data_format") == "channels_first" else dims[-1]
        if channels is None or channels % layer.get("groups", 1) == 0:
            return None
        return (
            "ValueError: The number of input channels must be evenly divisible by the number of groups. "
            f"Received groups={layer.get('groups', 1)}, but the input has {channels} channels (full input shape is "
            f"{fmt_shape(dims)})."
        )

    def too_short(self, axis: Axis) -> SpecError:
        need = axis.span - axis.pad_left - axis.pad_right
        return SpecError(
            f"output size would be zero or negative: length {axis.length} is shorter than the "
            f"window span {axis.span} = dilation_rate·(kernel_size−1)+1",
            f"use an input of length ≥ {need}, a smaller {setting('kernel_size')} or {setting('dilation_rate')}, "
            f"or {setting('padding')} same / causal",
        )

    def python_int(self, name: str, value: Any) -> int:
        # keras.utils' standardize_tuple: exactly int (a NumPy integer is refused, a bool fails in the backend)
        wants = "a Python int or a one-element tuple of ints"
        if type(value) is int:
            return value
        items = sequence_of(value)
        if items is not None and len(items) == 1 and index_of(items[0]) is not None:
            return operator.index(items[0])
        if type(value).__name__.startswith(("int", "uint")) and index_of(value) is not None:
            raise SpecError(
                f"{name}={value!r} is a NumPy integer, which Keras' Conv1D refuses ({wants})",
                f"pass a Python int: {name}=int(...), here {name}={operator.index(value)}",
                argument=name,
                value=value,
            )
        raise refusal(name, value, self.python_owner, wants)

    def python_groups(self, value: Any) -> int | None:
        if is_bool(value):
            return int(value)  # Keras does arithmetic with it: True is 1 (and False is refused as 0)
        return count_of(value)

    def python_padding_string(self, value: str) -> str | int:
        return value

    def python_padding_number(self, value: Any) -> int:
        found = index_of(value)
        if found is not None:
            return found  # configure() says Keras takes no int, and what does the same
        raise SpecError(
            f"padding={shown(value)} is {kind(value)}: Keras' Conv1D takes 'valid', 'same' or 'causal'",
            "pass e.g. padding='same', or padding=(left, right) for explicit zeros",
        )


KERAS = Keras()


def _strided_same_hint(strides: int, dilation_rate: int, split: tuple[int, int] | None) -> str:
    """'same' pads for the output length ceil(L/s): strides=1 with 'same' pads otherwise, so the
    same numbers need that padding written out, then a valid dilated layer, one output in s kept."""
    pad = (
        f"ZeroPadding1D({split})"
        if split is not None
        else "the zeros 'same' adds for the stride (total (ceil(L/s)−1)·s + span − L, the odd one right)"
    )
    return (
        f"use one of them; for the same numbers, pad first with {pad}, then {setting('padding', 'valid')} with "
        f"{setting('strides', 1)} and {setting('dilation_rate', dilation_rate)}, and keep one output position "
        f"in {strides} (y[:, ::{strides}] in channels_last)"
    )
