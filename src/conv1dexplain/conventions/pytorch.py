"""PyTorch's convention: (N, C, L) or unbatched (C, L), weight (F, C/groups, k), int padding."""

from __future__ import annotations

import operator
import re
from typing import Any, ClassVar

from conv1dexplain import geometry
from conv1dexplain.conventions.base import Convention, Padding
from conv1dexplain.conventions.values import count_of, explicit_padding, index_of, refusal, sequence_of, shown
from conv1dexplain.errors import SpecError, setting
from conv1dexplain.geometry import Axis
from conv1dexplain.vocabulary import KERAS_PADDINGS, PADDING_MODES, TORCH_PADDING_STRINGS, DataFormat


class PyTorch(Convention):
    """torch.nn.Conv1d."""

    name = "pytorch"
    title = "PyTorch"
    data_formats: ClassVar[tuple[DataFormat, ...]] = ("channels_first",)
    tensor_transpose = "x.permute{axes}"
    input_code: ClassVar[dict[str, str]] = {
        "permute": "x = x.permute({order})",
        "swap_last_axes": "x = x.transpose(-2, -1)",
        "reshape": "x = x.reshape({sizes})",
        "squeeze": "x = x.squeeze({dim})",
        "pad": "x = torch.nn.functional.pad(x, ({left}, {right}))",
        "to_tensor": "x = torch.as_tensor(x, dtype=torch.{dtype})",
        "unsqueeze": "x = x.unsqueeze({dim})",
        "merge_axes": "x = x.flatten({start}, {end})",
        "flatten": "x = x.flatten(1)",
    }
    default_layout = "channels_first"
    kernel_name = "weight"
    kernel_layout = "(F, C/groups, k)"
    kernel_axes = "out × in/groups × kernel_size"
    to_keras_kernel = (2, 1, 0)
    names: ClassVar[dict[str, str]] = {
        "filters": "out_channels",
        "strides": "stride",
        "dilation_rate": "dilation",
        "use_bias": "bias",
    }
    paddings = TORCH_PADDING_STRINGS
    int_padding = True
    same_by_output_length = False
    auto_names_layers = False
    sequence_as_channels = "a missing x.permute(0, 2, 1)?"
    takes_unbatched = True
    groups_words = ("out_channels", "in_channels")
    python_owner = "nn.Conv1d"

    def data_format(self, data_format: str | None) -> DataFormat:
        fmt = super().data_format(data_format)
        if fmt != "channels_first":
            raise SpecError(
                "nn.Conv1d has no data_format: it always takes (N, C, L)",
                f"drop {setting('data_format')} and write {setting('input_shape')} as CxL, "
                f"or use {setting('framework', 'keras')}",
                argument="data_format",
                value=data_format,
            )
        return fmt

    def same_padding(self, length: int, kernel_size: int, strides: int, dilation_rate: int) -> tuple[int, int]:
        return geometry.torch_same_padding(kernel_size, dilation_rate)

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
        text = str(padding).strip()
        if re.fullmatch(r"\d+\s*,\s*\d+", text):  # `--padding 1,2`: F.pad(x, (1, 2)), then padding=0
            left, right = (int(side) for side in text.split(","))
            return left, right
        if re.fullmatch(r"-?\d+", text):
            value = int(text)
            # With a non-zeros padding_mode PyTorch pads through F.pad, where a negative width crops.
            if value < 0 and padding_mode == "zeros":
                raise SpecError(
                    "negative padding is not supported",
                    f"use {setting('padding', 0)} or more; to crop, slice the output instead",
                    argument="padding",
                    value=padding,
                )
            return value
        if text in TORCH_PADDING_STRINGS:
            if text == "same" and strides != 1:
                raise _strided_same(strides, kernel_size, dilation_rate, length)
            return text
        raise _unknown_padding(str(padding), text, kernel_size, dilation_rate)

    def check_steps(
        self,
        strides: int,
        dilation_rate: int,
        padding_mode: str,
        padding: object = None,
        padding_split: tuple[int, int] | None = None,
    ) -> None:
        if padding_mode not in PADDING_MODES:
            raise SpecError(
                f"unknown padding_mode {padding_mode!r}",
                f"use {setting('padding_mode')} " + ", ".join(PADDING_MODES),
                argument="padding_mode",
                value=padding_mode,
            )

    def check_activation(self, activation: str | None) -> None:
        if activation is not None:
            raise SpecError(
                "nn.Conv1d has no activation argument",
                f"drop {setting('activation')} and apply torch.{activation} to the output, "
                f"or use {setting('framework', 'keras')}",
                argument="activation",
                value=activation,
            )

    def explicit_padding_words(self, left: int, right: int, padding_mode: str) -> str | None:
        # nn.Conv1d takes one int for both sides: an explicit (left, right) is F.pad, then padding=0
        mode = "" if padding_mode == "zeros" else f", mode='{padding_mode}'"
        return f"F.pad(x, ({left}, {right}){mode}) then padding=0"

    def tuple_input_error(self, producer: str, layer: str) -> SpecError | None:
        from conv1dexplain.layers.node import ChainError

        if layer in _PASSES_TUPLES:
            return None
        function = _TENSOR_FUNCTIONS.get(layer)
        if layer == "Conv1d":
            message = "TypeError: conv1d() received an invalid combination of arguments - got (tuple, …)"
        elif layer == "Embedding":
            message = "TypeError: embedding(): argument 'indices' (position 2) must be Tensor, not tuple"
        elif function is not None:
            message = f"TypeError: {function}(): argument 'input' (position 1) must be Tensor, not tuple"
        else:
            message = f"AttributeError: 'tuple' object has no attribute '{_TUPLE_ATTRIBUTES.get(layer, 'dim')}'"
        return ChainError(
            f"nn.{producer} returns a tuple (output, state) and nn.Sequential passes all of it to nn.{layer}",
            "take the output out between them: a module whose forward returns x[0] (the last step: "
            f"x[0][:, -1] with batch_first=True), or call nn.{producer} outside nn.Sequential",
            message,
        )

    def conv_too_short_message(self, dims: tuple[int | None, ...], layer: dict[str, Any], name: str) -> str:
        padding = layer.get("padding", 0)
        added = 2 * padding if isinstance(padding, int) else 0
        width = geometry.span(layer["kernel_size"], layer.get("dilation_rate", 1))
        return (
            f"RuntimeError: Calculated padded input size per channel: ({dims[-1] + added}). "  # type: ignore[operator]
            f"Kernel size: ({width}). Kernel size can't be greater than actual input size"
        )

    def too_short(self, axis: Axis) -> SpecError:
        need = axis.span - axis.pad_left - axis.pad_right
        return SpecError(
            f"kernel size can't be greater than actual input size: padded length "
            f"{axis.padded_length} < window span {axis.span}",
            f"use an input of length ≥ {need}, more {setting('padding')}, or a smaller {setting('kernel_size')}",
        )

    def python_int(self, name: str, value: Any) -> int:
        # nn.Conv1d's _single and the convolution: anything with __index__, or a one-element sequence of it
        found = index_of(value)
        if found is not None:
            return found
        items = sequence_of(value)
        if items is not None and len(items) == 1 and index_of(items[0]) is not None:
            return operator.index(items[0])
        raise refusal(name, value, self.python_owner, "an int or a one-element tuple of ints")

    def python_groups(self, value: Any) -> int | None:
        return count_of(value)

    def python_padding_string(self, value: str) -> str | int:
        if value in KERAS_PADDINGS:
            return value  # configure() words the refusal of 'causal' and strided 'same'
        return _python_padding_string(value)

    def python_padding_number(self, value: Any) -> int:
        return self.python_int("padding", value)


def _python_padding_string(value: str) -> int | str:
    """Refuse what nn.Conv1d refuses of a string padding: all but exactly 'valid' and 'same'."""
    text = value.strip()
    if text.lstrip("-").isdigit():
        raise SpecError(
            f"padding={shown(value)} is a string: nn.Conv1d takes an int for zeros on each side",
            f"pass padding={int(text)}",
        )
    sides = [side.strip() for side in text.strip("()[]").split(",")]
    if len(sides) == 2 and all(side.isdigit() for side in sides):
        pair = f"({sides[0]}, {sides[1]})"
        raise SpecError(
            f"padding={shown(value)} is a string, not a pair of numbers",
            f"pass padding={pair}: F.pad(x, {pair}) then padding=0",
        )
    refused = f"nn.Conv1d refuses padding={shown(value)}: its strings are exactly 'valid' and 'same'"
    if text.lower() in TORCH_PADDING_STRINGS:
        raise SpecError(refused, f"pass padding='{text.lower()}'")
    raise SpecError(refused, "pass padding='valid', padding='same', an int for each side, or (left, right)")


def _strided_same(strides: int, kernel_size: int, dilation_rate: int, length: int | None) -> SpecError:
    if length is None:
        pads = "Keras' split for your length"
    else:
        left, right = geometry.keras_same_padding(length, kernel_size, strides, dilation_rate)
        pads = f"({left}, {right})"
    return SpecError(
        "padding='same' is not supported for strided convolutions in PyTorch",
        f"for Keras' 'same' result, pad first: F.pad(x, {pads}) then padding=0 "
        f"({setting('padding', 0)} here shows the rest; {setting('framework', 'keras')} shows that layer)",
        argument="padding",
        value="same",
    )


def _unknown_padding(padding: str, text: str, kernel_size: int, dilation_rate: int) -> SpecError:
    if text.lower() == "causal":
        return SpecError(
            "PyTorch has no 'causal' padding",
            f"pad the past yourself: F.pad(x, ({dilation_rate * (kernel_size - 1)}, 0)) "
            f"then padding=0, or use {setting('framework', 'keras')}",
            argument="padding",
            value=padding,
        )
    if text.lower() in TORCH_PADDING_STRINGS:
        return SpecError(
            f"invalid padding string {padding!r}: PyTorch's are lowercase",
            f"use {setting('padding', text.lower())}",
            argument="padding",
            value=padding,
        )
    return SpecError(
        f"invalid padding {padding!r} for nn.Conv1d",
        f"use {setting('padding', 'valid')}, same, a whole number of zeros for each side (e.g. 1) "
        "or two numbers left,right (e.g. 1,2)",
        argument="padding",
        value=padding,
    )


PYTORCH = PyTorch()


# What nn.Sequential's next module says when fed a tuple (measured in torch 2.13): a tensor function's
# argument check, or the attribute it reads first ('dim' when not listed); nn.Identity passes it on.
_TENSOR_FUNCTIONS = {
    "AdaptiveAvgPool1d": "adaptive_avg_pool1d",
    "AdaptiveMaxPool1d": "adaptive_max_pool1d",
    "AlphaDropout": "alpha_dropout",
    "AvgPool1d": "avg_pool1d",
    "CELU": "celu",
    "ConstantPad1d": "pad",
    "ConvTranspose1d": "conv_transpose1d",
    "Dropout": "dropout",
    "ELU": "elu",
    "FeatureAlphaDropout": "feature_alpha_dropout",
    "GELU": "gelu",
    "Hardsigmoid": "hardsigmoid",
    "Hardswish": "hardswish",
    "Hardtanh": "hardtanh",
    "LayerNorm": "layer_norm",
    "LeakyReLU": "leaky_relu",
    "Linear": "linear",
    "MaxPool1d": "max_pool1d",
    "Mish": "mish",
    "PReLU": "prelu",
    "ReLU": "relu",
    "ReLU6": "hardtanh",
    "ReflectionPad1d": "pad",
    "ReplicationPad1d": "pad",
    "SELU": "selu",
    "SiLU": "silu",
    "Sigmoid": "sigmoid",
    "Softplus": "softplus",
    "Tanh": "tanh",
    "ZeroPad1d": "pad",
}
_TUPLE_ATTRIBUTES = {
    "Flatten": "flatten",
    "LogSoftmax": "log_softmax",
    "Softmax": "softmax",
    "Softsign": "abs",
    "Tanhshrink": "tanh",
    "Unflatten": "unflatten",
}
_PASSES_TUPLES = frozenset({"Identity"})
