"""`conv1d`: one Conv1D forward pass in NumPy, with exactly Keras' or PyTorch's meaning."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from conv1dexplain.arguments import Arguments, normalise
from conv1dexplain.arrays import as_numeric, check_floating, check_weights, compute_dtype, plan_for_arrays
from conv1dexplain.conventions import convention
from conv1dexplain.layer_arguments import LayerArguments
from conv1dexplain.layouts import refuse_keras_2d
from conv1dexplain.running import run_plan

__all__ = ["conv1d"]


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
) -> NDArray[np.floating]:
    """One Conv1D forward pass, exactly as the framework computes it.

    Keras (default): x (N, L, C) — (N, C, L) with data_format="channels_first" — and kernel
    (kernel_size, C/groups, filters). PyTorch: x (N, C, L) or unbatched (C, L), weight
    (out_channels, C/groups, kernel_size); its names stride= and dilation= work too. bias has one
    value per filter. padding: 'valid', 'same', 'causal' (Keras), an int (PyTorch), or an
    explicit (left, right) pair. Arguments take the values and types the framework takes. Returns
    float32, or float64 when x, kernel or bias is float64; the same rank and layout as x.
    """
    arguments = normalise(
        framework=framework,
        strides=strides,
        padding=padding,
        dilation_rate=dilation_rate,
        groups=groups,
        activation=activation,
        data_format=data_format,
        padding_mode=padding_mode,
        stride=stride,
        dilation=dilation,
    )
    return _conv1d(x, kernel, bias, arguments)


def _conv1d(x: ArrayLike, kernel: ArrayLike, bias: ArrayLike | None, arguments: Arguments) -> NDArray[np.floating]:
    xa = as_numeric(x, "x")
    check_floating(xa, "cast it first: x.astype(np.float32) (in PyTorch: x.float())")
    ka = as_numeric(kernel, "kernel")
    ba = None if bias is None else as_numeric(bias, "bias")
    layer = LayerArguments(use_bias=ba is not None, **vars(arguments))
    if xa.ndim == 2 and not convention(layer.framework).takes_unbatched:
        refuse_keras_2d(xa.shape, for_cli=False)
    plan = plan_for_arrays(xa.shape, ka.shape, layer, bias=ba)
    check_weights(plan, ka.shape, None if ba is None else ba.shape)
    dtype = compute_dtype(xa, ka, ba)
    batched = xa if xa.ndim == 3 else xa[None]
    result = run_plan(plan, batched, ka, ba, dtype)
    return result if xa.ndim == 3 else result[0]
