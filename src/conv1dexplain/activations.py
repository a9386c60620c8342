"""Keras 3's activations by name, in NumPy, with Keras' default arguments (oracle-tested)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.errors import SpecError

Array = NDArray[np.floating]
_erf = np.frompyfunc(math.erf, 1, 1)  # numpy has no erf; exact gelu needs it

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(x: Array) -> Array:
    # exp of a non-positive number only: no overflow for large |x|
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(x: Array) -> Array:
    return np.logaddexp(x, np.zeros((), x.dtype))


def _elu(x: Array, alpha: float = 1.0) -> Array:
    return np.where(x >= 0, x, alpha * np.expm1(np.minimum(x, 0)))


def _hard_sigmoid(x: Array) -> Array:
    return np.clip(x / 6 + 0.5, 0, 1)


def _softmax(x: Array) -> Array:
    shifted: Array = np.exp(x - x.max(axis=-1, keepdims=True))
    result: Array = shifted / shifted.sum(axis=-1, keepdims=True)
    return result


def _log_softmax(x: Array) -> Array:
    shifted: Array = x - x.max(axis=-1, keepdims=True)
    result: Array = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return result


def _glu(x: Array) -> Array:
    first, second = np.split(x, 2, axis=-1)
    # 1 / (1 + e^−b), as PyTorch's kernel: a gate below e^−88 is 0 there, and −inf · 0 is NaN
    gate: Array = 1 / (1 + np.exp(-second))
    return first * gate


def _sparsemax(x: Array) -> Array:
    ordered = np.flip(np.sort(x, axis=-1), axis=-1)  # descending with NaN first, as torch.sort
    # summed in float64, as torch.cumsum does for float32: equal huge logits then keep no support
    cumulative = np.cumsum(ordered, axis=-1, dtype=np.float64).astype(x.dtype)
    rank = np.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    support = ordered - (cumulative - 1) / rank > 0
    size = support.sum(axis=-1, keepdims=True)
    tau = (np.where(support, cumulative, 0).sum(axis=-1, keepdims=True) - 1) / size
    result: Array = np.maximum(x - tau, 0)
    return result


def _gelu(x: Array) -> Array:
    # x / 2 · (1 + erf), halved first: what PyTorch gives in float64 and, in float32, for strided
    # arrays (a Conv1D's channels-last output) on every CPU seen. Its vectorised float32 kernel
    # differs by CPU: on some it overflows past half the float32 range and gives NaN for +inf.
    result: Array = x / 2 * (np.asarray(_erf(x / math.sqrt(2)), dtype=x.dtype) + 1)
    return result


def _hard_silu(x: Array) -> Array:
    # x · relu6(x + 3) / 6 in that order, as PyTorch's hardswish
    result: Array = x * np.clip(x + 3, 0, 6) / 6
    return result


ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.maximum(x, 0.2 * x),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": _softmax,
    "log_softmax": _log_softmax,
    "gelu": _gelu,
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "elu": _elu,
    "selu": lambda x: SELU_SCALE * _elu(x, SELU_ALPHA),
    "celu": lambda x: np.maximum(x, 0) + np.expm1(np.minimum(x, 0)),
    "softplus": _softplus,
    "softsign": lambda x: x / (1 + np.abs(x)),
    "hard_sigmoid": _hard_sigmoid,
    "hard_silu": _hard_silu,
    "hard_swish": _hard_silu,
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "hard_shrink": lambda x: np.where(np.abs(x) <= 0.5, 0, x),  # (NaN is not ≤ 0.5: it stays NaN)
    "soft_shrink": lambda x: np.where(np.abs(x) <= 0.5, 0, x - np.sign(x) * 0.5),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "exponential": np.exp,
    "log_sigmoid": lambda x: -_softplus(-x),
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x < 1, (x + 1) ** 2 / 4, x)),
    "sparse_sigmoid": lambda x: np.clip((x + 1) / 2, 0, 1),
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
    "glu": _glu,
    "sparsemax": _sparsemax,
}
# vocabulary.AXIS_WISE names those that read the whole last axis at once; the others work element by element.


def activation_function(name: str | None) -> Callable[[Array], Array] | None:
    """The NumPy function of a Keras activation name (None for none)."""
    if name is None or name == "linear":
        return None
    if name not in ACTIVATIONS:
        raise SpecError(f"activation {name!r} cannot be computed here", "use one of: " + ", ".join(ACTIVATIONS))
    function = ACTIVATIONS[name]

    def typed(x: Array) -> Array:
        # inf and NaN go through as in the frameworks, which warn of nothing
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return np.asarray(function(x), dtype=x.dtype)

    return typed
