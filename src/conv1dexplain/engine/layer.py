"""What the engine's choice of algorithm reads of one call: shapes, steps, padding and the memory
layout of the input and output, as plain numbers (no arrays), so that choose() is a pure function
that tests can call on made-up layers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.records import record

Array = NDArray[np.floating]
# Whether the kernel (and, asked with_data, the data too) holds finite numbers only.
Finite = Callable[[bool], bool]


def all_finite(with_data: bool) -> bool:
    """The look of a layer known to hold finite numbers only."""
    return True


@record(frozen=True)
class LayerShape:
    """One call: x (N, L, C) ⋆ kernel (k, C/g, F) into out (N, L_out, F), strides in bytes."""

    batch: int
    length: int
    channels: int
    filters: int
    kernel_size: int
    l_out: int
    strides: int = 1
    dilation: int = 1
    pad_left: int = 0
    pad_right: int = 0
    padding_mode: str = "zeros"
    groups: int = 1
    kernel_channels: int = 0  # C/g of the kernel (0: channels // groups)
    itemsize: int = 4  # of the computation's dtype
    x_itemsize: int = 4
    x_strides: tuple[int, int, int] = (0, 0, 0)  # (0, 0, 0): channels-last, contiguous
    out_itemsize: int = 4
    out_strides: tuple[int, int, int] = (0, 0, 0)
    finite: Finite = all_finite  # a look, taken lazily and remembered (look_once)

    def __post_init__(self) -> None:
        if self.kernel_channels == 0:
            object.__setattr__(self, "kernel_channels", self.channels // max(1, self.groups))
        if self.x_strides == (0, 0, 0):
            item = self.x_itemsize
            object.__setattr__(self, "x_strides", (self.length * self.channels * item, self.channels * item, item))
        if self.out_strides == (0, 0, 0):
            item = self.out_itemsize
            object.__setattr__(self, "out_strides", (self.l_out * self.filters * item, self.filters * item, item))

    @property
    def span(self) -> int:
        return self.dilation * (self.kernel_size - 1) + 1

    @property
    def depthwise(self) -> bool:
        """One input channel a group."""
        return self.kernel_channels == 1 and self.groups > 1

    @property
    def x_contiguous_rows(self) -> bool:
        return self.x_strides[2] == self.x_itemsize and self.x_strides[1] == self.channels * self.x_itemsize

    @property
    def x_rows_along_l(self) -> bool:
        """Whether x has L contiguous: PyTorch's layout, each channel a row along L."""
        return self.x_strides[1] == self.x_itemsize

    @property
    def out_rows_along_l(self) -> bool:
        return self.out_strides[1] == self.out_itemsize

    @property
    def out_contiguous_rows(self) -> bool:
        return self.out_strides[2] == self.out_itemsize and self.out_strides[1] == self.filters * self.out_itemsize

    def out_writable(self, phases: int) -> bool:
        """Whether BLAS can write rows of P positions side by side straight into out (with P = 1
        the rows may lie apart, as in a group's columns of the output)."""
        _, s1, s2 = self.out_strides
        return s2 == self.out_itemsize and (s1 == self.filters * s2 if phases > 1 else s1 >= self.filters * s2)

    @property
    def group_columns(self) -> bool:
        """Whether out is one group's columns of a channels-last output."""
        return self.out_strides[2] == self.out_itemsize and self.out_strides[1] > self.filters * self.out_itemsize

    def examples_back_to_back(self) -> bool:
        """Whether the examples of x and out lie one after another, rows contiguous in out."""
        x0, x1, _ = self.x_strides
        o0, o1, o2 = self.out_strides
        return x0 == self.length * x1 and o0 == self.l_out * o1 and o1 == self.filters * o2


def describe(
    x: Array,
    kernel: Array,
    out: Array,
    strides: int,
    dilation: int,
    pads: tuple[int, int],
    padding_mode: str,
    groups: int,
    finite: Finite,
) -> LayerShape:
    """The LayerShape of a call on these arrays."""
    batch, length, channels = x.shape
    k, kernel_channels, filters = kernel.shape
    return LayerShape(
        batch=batch,
        length=length,
        channels=channels,
        filters=filters,
        kernel_size=k,
        l_out=out.shape[1],
        strides=strides,
        dilation=dilation,
        pad_left=pads[0],
        pad_right=pads[1],
        padding_mode=padding_mode,
        groups=groups,
        kernel_channels=kernel_channels,
        itemsize=np.result_type(x.dtype, kernel.dtype).itemsize,
        x_itemsize=x.itemsize,
        x_strides=strides_of(x),
        out_itemsize=out.itemsize,
        out_strides=strides_of(out),
        finite=finite,
    )


def strides_of(a: Array) -> tuple[int, int, int]:
    s0, s1, s2 = a.strides
    return s0, s1, s2


def is_depthwise(kernel: Array, groups: int) -> bool:
    """One input channel a group (kernel (k, C/g, F))."""
    return kernel.shape[1] == 1 and groups > 1
