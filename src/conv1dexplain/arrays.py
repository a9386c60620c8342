"""Arrays as a layer's input and weights: real numbers, finite, of the shapes the layer takes, in
the dtype the frameworks compute in; and the layer a kernel describes."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from conv1dexplain.errors import DataError, setting
from conv1dexplain.layer_arguments import LayerArguments
from conv1dexplain.layers.conv1d import Conv1DPlan
from conv1dexplain.layouts import check_kernel
from conv1dexplain.tensor import Tensor
from conv1dexplain.vocabulary import DataFormat

FINITE_BLOCK = 1 << 22  # values checked at once: a memory map is not pulled into RAM


def compute_dtype(*arrays: Any) -> np.dtype[np.floating]:
    """float64 when any operand is float64, else float32 (the frameworks' default)."""
    wide = any(np.asarray(a).dtype == np.float64 for a in arrays if a is not None)
    return np.dtype(np.float64 if wide else np.float32)


def as_numeric(value: ArrayLike, what: str) -> NDArray[Any]:
    """An array of real numbers (a memory map stays one); refuse objects, strings, complex."""
    if isinstance(value, bool):  # bias=False, as Keras' use_bias=False would be written
        raise DataError(f"{what}={value} is not an array", f"pass {what}=None for a layer without {what}")
    detach = getattr(value, "detach", None)
    if callable(detach) and not isinstance(value, np.ndarray):  # a torch Parameter or tensor (never imported here)
        value = detach().cpu().numpy()
    try:
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
    except ValueError:  # nested lists of uneven lengths
        raise DataError(
            f"{what} is not an array of one shape: its nested lists have rows of different lengths",
            f"give {what} as a NumPy array, or nested lists whose rows have equal lengths",
        ) from None
    if array.dtype.kind not in "fiub":
        raise DataError(
            f"{what} has dtype {array.dtype}, not real numbers",
            f"convert {what} to floats first, e.g. np.asarray({what}, dtype=np.float32)",
        )
    return array


def check_floating(x: NDArray[Any], hint: str) -> None:
    """Refuse integer or bool input, as both frameworks do (`expected scalar type Long but found Float`)."""
    if x.dtype.kind != "f":
        kind = "boolean" if x.dtype.kind == "b" else "integer"
        raise DataError(
            f"the input has dtype {x.dtype}: Keras' Conv1D and nn.Conv1d refuse {kind} input "
            "(their weights are floats)",
            hint,
        )


def check_finite(array: NDArray[Any], what: str, block: int = FINITE_BLOCK) -> None:
    """Refuse NaN or infinity, naming the index of the first one (read in blocks: memory maps stay cheap)."""
    if array.dtype.kind not in "fc":
        return
    flat = array.reshape(-1, order="A") if array.flags.c_contiguous or array.flags.f_contiguous else array.ravel()
    for start in range(0, flat.size, block):
        bad = ~np.isfinite(flat[start : start + block])
        if bad.any():
            first = start + int(np.argmax(bad))
            index = np.unravel_index(first, array.shape, order="F" if not array.flags.c_contiguous else "C")
            raise DataError(
                f"{what} has {flat[first]} at index {list(map(int, index))}",
                "replace NaN and infinity first, e.g. np.nan_to_num(x)",
            )


def input_shape_of(shape: tuple[int, ...], layout: DataFormat) -> Tensor:
    """(N, L, C) / (L, C) for channels_last, (N, C, L) / (C, L) for channels_first."""
    if len(shape) not in (2, 3):
        # Keras' Conv1D takes batches only (refuse_keras_2d explains a 2-D array); nn.Conv1d also (C, L)
        wanted = "(N, L, C)" if layout == "channels_last" else "(N, C, L) or (C, L)"
        raise DataError(f"input has {len(shape)} dimension(s), shape {shape}", f"give an array of shape {wanted}")
    batch = shape[0] if len(shape) == 3 else None
    a, b = shape[-2:]
    length, channels = (a, b) if layout == "channels_last" else (b, a)
    if length < 1 or channels < 1:
        raise DataError(f"input shape {shape} is empty along length or channels", "give at least one value")
    return Tensor(batch, length, channels, layout)


def check_weights(plan: Conv1DPlan, kernel_shape: tuple[int, ...], bias_shape: tuple[int, ...] | None) -> None:
    """Refuse a kernel or bias of the wrong shape (check_kernel has named a layout mistake first)."""
    spec = plan.config
    name = plan.convention.kernel_name
    if kernel_shape != plan.kernel_shape:
        raise DataError(
            f"{name} has shape {kernel_shape}, expected {plan.kernel_shape}",
            f"a {name} for this layer has shape {plan.kernel_shape}",
        )
    if bias_shape is not None and not spec.use_bias:
        hint = f"drop the bias, or use {setting('use_bias', True)}"
        raise DataError("a bias was given to a layer without bias", hint)
    if bias_shape is not None and bias_shape != (spec.filters,):
        raise DataError(f"bias has shape {bias_shape}, expected ({spec.filters},)", "give one bias per filter")


def plan_for_arrays(
    x_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    layer: LayerArguments,
    *,
    bias: NDArray[Any] | None = None,
    for_cli: bool = False,
) -> Conv1DPlan:
    """Plan the layer an input and a kernel of these shapes describe (kernel size and filters read off
    the kernel), after the one diagnosis of a kernel or data layout mistake (layer.filters /
    layer.kernel_size: what the caller says they are, when it says)."""
    rules, layout = layer.layout()
    input_shape = input_shape_of(x_shape, layout)
    if len(kernel_shape) != 3:
        raise DataError(f"kernel has {len(kernel_shape)} dimension(s), shape {kernel_shape}", "give a 3-D kernel")
    bias_length = bias.shape[0] if bias is not None and bias.ndim == 1 else None
    check_kernel(
        kernel_shape,
        x_shape,
        rules.name,
        layout,
        layer.groups,
        filters=layer.filters,
        kernel_size=layer.kernel_size,
        bias_length=bias_length,
        for_cli=for_cli,
    )
    kernel_size, filters = rules.size_and_filters(kernel_shape)
    return layer.plan(input_shape, filters, kernel_size)
