"""Seeded random numbers: input data (whole, or drawn only as far as it is read) and initial weights
drawn like the frameworks' default initializers."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.budget import fits_in_memory
from conv1dexplain.layers.conv1d import Conv1DPlan as Plan

WEIGHT_BLOCK = 1 << 20  # values drawn at once: a huge kernel is never held in float64 as well
DRAW_VALUES = 1 << 18  # numbers of the input stream drawn at once (float64, then cast): 2 MiB


def random_input(shape: tuple[int, ...], seed: int, dtype: np.dtype[np.floating]) -> NDArray[np.floating]:
    """Standard-normal data, the same for the same seed."""
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


class LazyNormal:
    """Seeded standard-normal input, drawn only as far as it is read (the same numbers as a full draw)."""

    def __init__(self, shape: tuple[int, ...], seed: int, dtype: np.dtype[np.floating], max_bytes: int) -> None:
        self.shape, self.seed, self.dtype, self.ndim, self.max_bytes = shape, seed, dtype, len(shape), max_bytes

    def materialize(self) -> NDArray[np.floating]:
        """All of it at once, within the memory budget."""
        fits_in_memory("the random input", self.shape, self.dtype.itemsize, self.max_bytes)
        return random_input(self.shape, self.seed, self.dtype)

    def batched(self) -> LazyNormal:
        """The same numbers with a batch axis of 1 in front, if there was none."""
        return self if self.ndim == 3 else LazyNormal((1, *self.shape), self.seed, self.dtype, self.max_bytes)


class NormalStream:
    """The numbers of `default_rng(seed).standard_normal(shape)` in row-major order, read forward
    in windows [start, stop) that never go back before the last window's start."""

    def __init__(self, seed: int, dtype: np.dtype[np.floating]) -> None:
        self.generator, self.dtype = np.random.default_rng(seed), dtype
        self.kept, self.kept_start = np.empty(0, dtype), 0  # the last window, for the next one's overlap

    def read(self, start: int, stop: int) -> NDArray[np.floating]:
        """Numbers start … stop−1 of the stream, in the dtype (drawn as float64 and cast, as a full draw is)."""
        drawn_to = self.kept_start + self.kept.size
        assert start >= self.kept_start, "the stream only reads forward"
        for skip in range(drawn_to, start, DRAW_VALUES):  # a gap: drawn and dropped, in bounded blocks
            self.generator.standard_normal(min(DRAW_VALUES, start - skip))
        window = np.empty(stop - start, self.dtype)
        kept = max(0, min(stop, drawn_to) - start)  # the overlap with the last window
        window[:kept] = self.kept[start - self.kept_start : start - self.kept_start + kept] if kept else 0
        self.kept = window[:0]  # the last window is let go before more is drawn
        for at in range(start + kept, stop, DRAW_VALUES):
            end = min(stop, at + DRAW_VALUES)
            window[at - start : end - start] = self.generator.standard_normal(end - at)  # cast as astype casts
        self.kept, self.kept_start = window, start
        return window


def uniform_blocks(
    rng: np.random.Generator,
    bound: float,
    shape: tuple[int, ...],
    dtype: np.dtype[np.floating],
    block: int = WEIGHT_BLOCK,
) -> NDArray[np.floating]:
    """rng.uniform(-bound, bound, shape).astype(dtype), drawn `block` values at a time (the same numbers)."""
    out = np.empty(shape, dtype)
    flat = out.reshape(-1)
    for start in range(0, flat.size, block):
        stop = min(start + block, flat.size)
        flat[start:stop] = rng.uniform(-bound, bound, stop - start)
    return out


def initial_weights(
    plan: Plan, seed: int, dtype: np.dtype[np.floating]
) -> tuple[NDArray[np.floating], NDArray[np.floating] | None, str]:
    """Weights drawn like the framework's default initializer (not bit-identical to it), and how."""
    rng = np.random.default_rng(seed + 1)  # not the data's stream
    kernel, bias, how = _INITIALIZERS[plan.convention.name](plan, rng, dtype)
    return kernel, bias, f"{how}, seed {seed}"


Drawn = tuple[NDArray[np.floating], NDArray[np.floating] | None, str]


def _glorot(plan: Plan, rng: np.random.Generator, dtype: np.dtype[np.floating]) -> Drawn:
    """Keras' default: glorot_uniform kernel, zero bias."""
    spec = plan.config
    fan_in, fan_out = spec.kernel_size * plan.channels_per_group, spec.kernel_size * spec.filters
    limit = math.sqrt(6 / (fan_in + fan_out))
    kernel = uniform_blocks(rng, limit, plan.kernel_shape, dtype)
    bias = np.zeros(spec.filters, dtype) if spec.use_bias else None
    bias_words = "zero bias" if spec.use_bias else "no bias"
    return kernel, bias, f"glorot_uniform kernel (Keras' default, limit ±{limit:.4g}), {bias_words}"


def _kaiming(plan: Plan, rng: np.random.Generator, dtype: np.dtype[np.floating]) -> Drawn:
    """PyTorch's default: kaiming_uniform(a=√5) weight, and a bias of the same bound."""
    spec = plan.config
    bound = 1 / math.sqrt(spec.kernel_size * plan.channels_per_group)
    kernel = uniform_blocks(rng, bound, plan.kernel_shape, dtype)
    bias = rng.uniform(-bound, bound, spec.filters).astype(dtype) if spec.use_bias else None
    drawn = "weight and bias" if spec.use_bias else "weight, no bias"
    return kernel, bias, f"kaiming_uniform(a=√5) {drawn} (PyTorch's default, bound ±{bound:.4g})"


# Each framework's default initializers (drawn alike, not bit-identical to theirs).
_INITIALIZERS = {"keras": _glorot, "pytorch": _kaiming}
