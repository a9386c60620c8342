"""`conv1d`: one Conv1D forward pass in NumPy, with exactly Keras' or PyTorch's meaning."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from conv1dexplain.activations import AXIS_WISE, activation_function
from conv1dexplain.engine import convolve
from conv1dexplain.errors import DataError, SpecError
from conv1dexplain.plan import Plan, make_plan
from conv1dexplain.spec import ConvSpec, InputShape, build_spec, resolve_layout

Array = NDArray[np.floating]


def compute_dtype(*arrays: Any) -> np.dtype[np.floating]:
    """float64 when any operand is float64, else float32 (the frameworks' default)."""
    wide = any(np.asarray(a).dtype == np.float64 for a in arrays if a is not None)
    return np.dtype(np.float64 if wide else np.float32)


def as_numeric(value: ArrayLike, what: str) -> NDArray[Any]:
    """An array of real numbers (a memory map stays one); refuse objects, strings, complex."""
    array = value if isinstance(value, np.ndarray) else np.asarray(value)
    if array.dtype.kind not in "fiub":
        raise DataError(
            f"{what} has dtype {array.dtype}, not real numbers",
            f"convert {what} to floats first, e.g. np.asarray({what}, dtype=np.float32)",
        )
    return array


def input_shape_of(x: NDArray[Any], spec_layout: str) -> InputShape:
    """(N, L, C) / (L, C) for channels_last, (N, C, L) / (C, L) for channels_first."""
    if x.ndim not in (2, 3):
        layout = "(N, L, C) or (L, C)" if spec_layout == "channels_last" else "(N, C, L) or (C, L)"
        raise DataError(f"input has {x.ndim} dimension(s), shape {x.shape}", f"give an array of shape {layout}")
    batch = x.shape[0] if x.ndim == 3 else None
    a, b = x.shape[-2:]
    length, channels = (a, b) if spec_layout == "channels_last" else (b, a)
    if length < 1 or channels < 1:
        raise DataError(f"input shape {x.shape} is empty along length or channels", "give at least one value")
    return InputShape(batch, length, channels)


def check_weights(plan: Plan, kernel_shape: tuple[int, ...], bias_shape: tuple[int, ...] | None) -> None:
    """Refuse a kernel or bias of the wrong shape; name the transpose if it is the other layout."""
    spec = plan.spec
    name = "kernel" if spec.framework == "keras" else "weight"
    if kernel_shape != plan.kernel_shape:
        other = "PyTorch weight" if spec.framework == "keras" else "Keras kernel"
        if kernel_shape == plan.other_kernel_shape:
            hint = f"that is a {other}'s layout: transpose it by (2, 1, 0), e.g. {name} = w.transpose(2, 1, 0)"
        else:
            hint = f"a {name} for this layer has shape {plan.kernel_shape}"
        raise DataError(f"{name} has shape {kernel_shape}, expected {plan.kernel_shape}", hint)
    if bias_shape is not None and not spec.use_bias:
        raise DataError("a bias was given to a layer without bias", "drop the bias, or use --use-bias")
    if bias_shape is not None and bias_shape != (spec.filters,):
        raise DataError(f"bias has shape {bias_shape}, expected ({spec.filters},)", "give one bias per filter")


def size_and_filters(kernel_shape: tuple[int, ...], keras: bool) -> tuple[int, int]:
    """(kernel_size, filters) read off a kernel in Keras' (k, C/g, F) or PyTorch's (F, C/g, k) layout."""
    return (kernel_shape[0], kernel_shape[2]) if keras else (kernel_shape[2], kernel_shape[0])


def spec_for(
    x: NDArray[Any],
    kernel: NDArray[Any],
    *,
    use_bias: bool,
    strides: int,
    padding: str | int | tuple[int, int],
    dilation_rate: int,
    groups: int,
    activation: str | None,
    data_format: str | None,
    framework: str,
    padding_mode: str,
) -> ConvSpec:
    """The layer these arrays describe (kernel size and filters read off the kernel)."""
    if kernel.ndim != 3:
        raise DataError(f"kernel has {kernel.ndim} dimension(s), shape {kernel.shape}", "give a 3-D kernel")
    fw, layout = resolve_layout(framework, data_format)
    kernel_size, filters = size_and_filters(kernel.shape, keras=fw == "keras")
    return build_spec(
        framework=framework, input_shape=input_shape_of(x, layout), filters=filters, kernel_size=kernel_size,
        strides=strides, padding=padding, dilation_rate=dilation_rate, groups=groups, use_bias=use_bias,
        activation=activation, data_format=data_format, padding_mode=padding_mode,
    )  # fmt: skip


def plan_for_arrays(x: NDArray[Any], kernel: NDArray[Any], options: dict[str, Any]) -> Plan:
    """Plan the layer the arrays describe; a kernel in the other framework's layout is named as such."""
    try:
        plan = make_plan(spec_for(x, kernel, **options))
        _check_channels(plan, kernel)
    except (SpecError, DataError) as original:
        if kernel.ndim == 3 and kernel.shape != kernel.shape[::-1]:
            try:  # would the other framework's layout have fitted? then that is the mistake
                flipped = make_plan(spec_for(x, kernel.transpose(2, 1, 0), **options))
                _check_channels(flipped, kernel.transpose(2, 1, 0))
            except (SpecError, DataError):
                raise original from None  # the flipped kernel does not fit either
            check_weights(flipped, kernel.shape, None)  # raises, naming the transpose
        raise
    return plan


def _check_channels(plan: Plan, kernel: NDArray[Any]) -> None:
    channels = plan.spec.input.channels
    if kernel.shape[1] * plan.spec.groups != channels:
        raise DataError(
            f"kernel reads {kernel.shape[1]} channel(s) per group × groups={plan.spec.groups}, "
            f"but the input has {channels}",
            f"give a kernel of shape {plan.kernel_shape}",
        )


def engine_kernel(spec: ConvSpec, kernel: NDArray[Any], dtype: np.dtype[np.floating]) -> Array:
    """The kernel in the engine's layout (Keras': k, C/groups, F), in the compute dtype."""
    kcf = kernel if spec.framework == "keras" else kernel.transpose(2, 1, 0)
    return kcf.astype(dtype, copy=False)


def run_plan(
    plan: Plan,
    x: NDArray[Any],
    kernel: NDArray[Any],
    bias: NDArray[Any] | None,
    dtype: np.dtype[np.floating],
    out: Array | None = None,
    finite: bool | None = None,
) -> Array:
    """Convolve x in the plan's layout (batched, 3-D) into out (same layout), activation included.
    finite: x is known to hold finite numbers only (None: the engine looks, if it needs to)."""
    spec, axis = plan.spec, plan.axis
    channels_last = spec.data_format == "channels_last"
    x_nlc = x if channels_last else x.transpose(0, 2, 1)
    batch = x.shape[0]
    pre_shape = (batch, axis.output_length, spec.filters)
    function = activation_function(spec.activation)
    axis_wise = spec.activation in AXIS_WISE
    if out is None or axis_wise:
        buffer = np.empty(pre_shape if channels_last else (batch, spec.filters, axis.output_length), dtype=dtype)
    else:
        buffer = out
    convolve(
        x_nlc, engine_kernel(spec, kernel, dtype), None if bias is None else bias.astype(dtype, copy=False),
        strides=axis.strides, dilation_rate=axis.dilation_rate, pad_left=axis.pad_left, pad_right=axis.pad_right,
        padding_mode=spec.padding_mode, groups=spec.groups,
        out=buffer if channels_last else buffer.transpose(0, 2, 1),
        elementwise=None if axis_wise else function, finite=finite,
    )  # fmt: skip
    if not axis_wise:
        return buffer
    assert function is not None
    result = function(buffer)  # over the last axis of the framework's layout, as Keras does
    if out is None:
        return result
    out[...] = result
    return out


def conv1d(
    x: ArrayLike,
    kernel: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    strides: int = 1,
    padding: str | int | tuple[int, int] = "valid",
    dilation_rate: int = 1,
    groups: int = 1,
    activation: str | None = None,
    data_format: str | None = None,
    framework: str = "keras",
    padding_mode: str = "zeros",
) -> Array:
    """One Conv1D forward pass, exactly as the framework computes it.

    Keras (default): x (N, L, C) or (L, C) — (N, C, L) with data_format="channels_first" — and
    kernel (kernel_size, C/groups, filters). PyTorch: x (N, C, L) or (C, L), weight (out_channels,
    C/groups, kernel_size). bias has one value per filter. padding: 'valid', 'same', 'causal'
    (Keras), an int (PyTorch), or an explicit (left, right) pair. Returns float32, or float64
    when x, kernel or bias is float64; the same rank and layout as x.
    """
    xa = as_numeric(x, "x")
    ka = as_numeric(kernel, "kernel")
    ba = None if bias is None else as_numeric(bias, "bias")
    options: dict[str, Any] = dict(
        use_bias=ba is not None, strides=strides, padding=padding, dilation_rate=dilation_rate, groups=groups,
        activation=activation, data_format=data_format, framework=framework, padding_mode=padding_mode,
    )  # fmt: skip
    plan = plan_for_arrays(xa, ka, options)
    check_weights(plan, ka.shape, None if ba is None else ba.shape)
    dtype = compute_dtype(xa, ka, ba)
    batched = xa if xa.ndim == 3 else xa[None]
    result = run_plan(plan, batched, ka, ba, dtype)
    return result if xa.ndim == 3 else result[0]


__all__ = ["SpecError", "conv1d"]
