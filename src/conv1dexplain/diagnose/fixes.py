"""The fixes `why` proposes, as code in the user's framework (its Convention's input_code): one
step each that makes the failing call run by itself."""

from __future__ import annotations

from typing import Any

from conv1dexplain.conventions import convention
from conv1dexplain.report.diagnosis import Fix


def _code(framework: str, kind: str, **fields: Any) -> str:
    return convention(framework).input_code[kind].format(**fields)


def permute(dims: list[int], framework: str) -> Fix:
    return Fix("permute_input", {"dims": dims}, _code(framework, "permute", order=", ".join(map(str, dims))))


def swap_last_axes(framework: str) -> Fix:
    """The last two axes swapped: (N, L, C) ↔ (N, C, L), and (L, C) ↔ (C, L) alike."""
    return Fix("transpose_input", {"dims": [-2, -1]}, _code(framework, "swap_last_axes"))


def set_argument(argument: str, value: Any, layer: str) -> Fix:
    return Fix("set_argument", {"argument": argument, "value": value}, f"{layer}(..., {argument}={value!r})")


def set_arguments(values: dict[str, Any], layer: str) -> Fix:
    """Several of the layer's arguments at once (in_channels and groups of a depthwise layer)."""
    written = ", ".join(f"{name}={value!r}" for name, value in values.items())
    return Fix("set_arguments", {"arguments": values}, f"{layer}(..., {written})")


def reshape(shape: list[int | None], framework: str) -> Fix:
    sizes = ", ".join("-1" if size is None else str(size) for size in shape)
    return Fix("reshape_input", {"shape": shape}, _code(framework, "reshape", sizes=sizes))


def squeeze(dim: int, framework: str) -> Fix:
    return Fix("squeeze_input", {"dim": dim}, _code(framework, "squeeze", dim=dim))


def pad(left: int, right: int, framework: str) -> Fix:
    return Fix("pad_input", {"left": left, "right": right}, _code(framework, "pad", left=left, right=right))


def min_length(value: int) -> Fix:
    return Fix("min_input_length", {"value": value}, f"# give inputs of at least {value} positions")


def to_tensor(dtype: str, framework: str) -> Fix:
    """A NumPy array or a list made the framework's tensor."""
    return Fix("to_tensor", {"dtype": dtype}, _code(framework, "to_tensor", dtype=dtype))


def unsqueeze(dim: int, framework: str) -> Fix:
    return Fix("unsqueeze_input", {"dim": dim}, _code(framework, "unsqueeze", dim=dim))


def flatten(framework: str) -> Fix:
    """Everything but the batch made one axis: (N, C, L) → (N, C·L)."""
    return Fix("flatten_input", {"start_dim": 1}, _code(framework, "flatten"))


def merge_axes(start: int, end: int, framework: str) -> Fix:
    """Axes start … end made one (their sizes multiplied): a 4-D (N, A, B, L) read as (N, A·B, L)."""
    fields = {"start_dim": start, "end_dim": end}
    return Fix("flatten_input", fields, _code(framework, "merge_axes", start=start, end=end))


def length_free(which_length: str) -> tuple[Fix, Fix]:
    """A Keras model whose Dense follows Flatten made for any length (GlobalAveragePooling1D), or
    built for one known length."""
    pooled = Fix(
        "replace_layer",
        {"layer": "Flatten", "with": "GlobalAveragePooling1D"},
        "layers.GlobalAveragePooling1D()  # instead of layers.Flatten(): any length gives (batch, channels)",
    )
    return pooled, Fix("set_input_length", {}, f"keras.Input(shape=(length, channels))  # {which_length}")
