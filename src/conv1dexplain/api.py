"""`conv1d`: one Conv1D forward pass in NumPy, with exactly Keras' or PyTorch's meaning."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from conv1dexplain.arguments import normalise
from conv1dexplain.errors import Conv1dExplainError, DataError, SpecError
from conv1dexplain.layouts import argument_words, check_kernel, refuse_keras_2d, size_and_filters
from conv1dexplain.plan import Plan, make_plan
from conv1dexplain.running import engine_kernel, run_plan
from conv1dexplain.spec import ConvSpec, InputShape, build_spec, resolve_layout

Array = NDArray[np.floating]
__all__ = ["SpecError", "check_weights", "compute_dtype", "conv1d", "engine_kernel", "input_shape_of",
           "plan_for_arrays", "run_plan", "size_and_filters"]  # fmt: skip


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
    array = value if isinstance(value, np.ndarray) else np.asarray(value)
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
        raise DataError(f"the input has dtype {x.dtype}: Keras' Conv1D and nn.Conv1d refuse {kind} input "
                        "(their weights are floats)", hint)  # fmt: skip


def input_shape_of(x: NDArray[Any], spec_layout: str) -> InputShape:
    """(N, L, C) / (L, C) for channels_last, (N, C, L) / (C, L) for channels_first."""
    if x.ndim not in (2, 3):
        # Keras' Conv1D takes batches only (refuse_keras_2d explains a 2-D array); nn.Conv1d also (C, L)
        layout = "(N, L, C)" if spec_layout == "channels_last" else "(N, C, L) or (C, L)"
        raise DataError(f"input has {x.ndim} dimension(s), shape {x.shape}", f"give an array of shape {layout}")
    batch = x.shape[0] if x.ndim == 3 else None
    a, b = x.shape[-2:]
    length, channels = (a, b) if spec_layout == "channels_last" else (b, a)
    if length < 1 or channels < 1:
        raise DataError(f"input shape {x.shape} is empty along length or channels", "give at least one value")
    return InputShape(batch, length, channels)


def check_weights(plan: Plan, kernel_shape: tuple[int, ...], bias_shape: tuple[int, ...] | None) -> None:
    """Refuse a kernel or bias of the wrong shape (check_kernel has named a layout mistake first)."""
    spec = plan.spec
    name = "kernel" if spec.framework == "keras" else "weight"
    if kernel_shape != plan.kernel_shape:
        raise DataError(f"{name} has shape {kernel_shape}, expected {plan.kernel_shape}",
                        f"a {name} for this layer has shape {plan.kernel_shape}")  # fmt: skip
    if bias_shape is not None and not spec.use_bias:
        raise DataError("a bias was given to a layer without bias", "drop the bias, or use --use-bias")
    if bias_shape is not None and bias_shape != (spec.filters,):
        raise DataError(f"bias has shape {bias_shape}, expected ({spec.filters},)", "give one bias per filter")


def spec_for(x: NDArray[Any], kernel: NDArray[Any], *, use_bias: bool, strides: int,
             padding: str | int | tuple[int, int], dilation_rate: int, groups: int, activation: str | None,
             data_format: str | None, framework: str, padding_mode: str) -> ConvSpec:  # fmt: skip
    """The layer these arrays describe (kernel size and filters read off the kernel)."""
    fw, layout = resolve_layout(framework, data_format)
    kernel_size, filters = size_and_filters(kernel.shape, keras=fw == "keras")
    return build_spec(
        framework=framework, input_shape=input_shape_of(x, layout), filters=filters, kernel_size=kernel_size,
        strides=strides, padding=padding, dilation_rate=dilation_rate, groups=groups, use_bias=use_bias,
        activation=activation, data_format=data_format, padding_mode=padding_mode,
    )  # fmt: skip


def plan_for_arrays(
    x: NDArray[Any], kernel: NDArray[Any], options: dict[str, Any], *, filters: int | None = None,
    kernel_size: int | None = None, bias: NDArray[Any] | None = None, for_cli: bool = False,
) -> Plan:  # fmt: skip
    """Plan the layer the arrays describe, after the one diagnosis of a kernel or data layout
    mistake (filters / kernel_size: what the caller says they are, when it says)."""
    fw, layout = resolve_layout(options["framework"], options["data_format"])
    input_shape_of(x, layout)
    if kernel.ndim != 3:
        raise DataError(f"kernel has {kernel.ndim} dimension(s), shape {kernel.shape}", "give a 3-D kernel")
    check_kernel(kernel.shape, x.shape, fw, layout, options["groups"], filters=filters, kernel_size=kernel_size,
                 bias_length=bias.shape[0] if bias is not None and bias.ndim == 1 else None,
                 for_cli=for_cli)  # fmt: skip
    return make_plan(spec_for(x, kernel, **options))


def conv1d(
    x: ArrayLike,
    kernel: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    strides: Any = 1,
    padding: Any = "valid",
    dilation_rate: Any = 1,
    groups: Any = 1,
    activation: str | None = None,
    data_format: str | None = None,
    framework: str = "keras",
    padding_mode: str = "zeros",
    stride: Any = None,
    dilation: Any = None,
) -> Array:
    """One Conv1D forward pass, exactly as the framework computes it.

    Keras (default): x (N, L, C) — (N, C, L) with data_format="channels_first" — and kernel
    (kernel_size, C/groups, filters). PyTorch: x (N, C, L) or unbatched (C, L), weight
    (out_channels, C/groups, kernel_size); its names stride= and dilation= work too. bias has one
    value per filter. padding: 'valid', 'same', 'causal' (Keras), an int (PyTorch), or an
    explicit (left, right) pair. Arguments take the values and types the framework takes. Returns
    float32, or float64 when x, kernel or bias is float64; the same rank and layout as x.
    """
    try:
        return _conv1d(x, kernel, bias, normalise(
            framework=framework, strides=strides, padding=padding, dilation_rate=dilation_rate, groups=groups,
            activation=activation, data_format=data_format, padding_mode=padding_mode, stride=stride,
            dilation=dilation,
        ).__dict__)  # fmt: skip
    except Conv1dExplainError as error:
        error.hint = argument_words(error.hint, framework)  # the core's hints name CLI flags: say arguments
        raise


def _conv1d(x: ArrayLike, kernel: ArrayLike, bias: ArrayLike | None, arguments: dict[str, Any]) -> Array:
    xa = as_numeric(x, "x")
    check_floating(xa, "cast it first: x.astype(np.float32) (in PyTorch: x.float())")
    ka = as_numeric(kernel, "kernel")
    ba = None if bias is None else as_numeric(bias, "bias")
    options: dict[str, Any] = dict(use_bias=ba is not None, **arguments)
    if xa.ndim == 2 and arguments["framework"] == "keras":
        refuse_keras_2d(xa.shape, for_cli=False)
    plan = plan_for_arrays(xa, ka, options, bias=ba)
    check_weights(plan, ka.shape, None if ba is None else ba.shape)
    dtype = compute_dtype(xa, ka, ba)
    batched = xa if xa.ndim == 3 else xa[None]
    result = run_plan(plan, batched, ka, ba, dtype)
    return result if xa.ndim == 3 else result[0]
