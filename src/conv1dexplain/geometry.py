"""Pure integer arithmetic of one convolution axis: paddings, output length, windows."""

from __future__ import annotations

from dataclasses import dataclass

from conv1dexplain.errors import SpecError


def span(kernel_size: int, dilation_rate: int) -> int:
    """Input positions one window covers from its first tap to its last: d·(k−1)+1."""
    return dilation_rate * (kernel_size - 1) + 1


def ceil_div(a: int, b: int) -> int:
    """Ceiling of a / b for non-negative ints, without floats."""
    return -(-a // b)


def keras_same_padding(length: int, kernel_size: int, strides: int, dilation_rate: int) -> tuple[int, int]:
    """Keras/TensorFlow 'same': enough zeros for ceil(L/s) outputs, the odd one on the right."""
    output_length = ceil_div(length, strides)
    total = max(0, (output_length - 1) * strides + span(kernel_size, dilation_rate) - length)
    return total // 2, total - total // 2


def torch_same_padding(kernel_size: int, dilation_rate: int) -> tuple[int, int]:
    """PyTorch 'same' (stride 1 only): d·(k−1) in all, the odd one on the right."""
    total = dilation_rate * (kernel_size - 1)
    return total // 2, total - total // 2


def causal_padding(kernel_size: int, dilation_rate: int) -> tuple[int, int]:
    """Keras 'causal': d·(k−1) zeros before the sequence, none after."""
    return dilation_rate * (kernel_size - 1), 0


@dataclass(frozen=True)
class Axis:
    """One convolution axis with its padding resolved to (left, right)."""

    length: int
    kernel_size: int
    strides: int
    dilation_rate: int
    pad_left: int
    pad_right: int

    @property
    def span(self) -> int:
        """Receptive span of one output position, in input positions."""
        return span(self.kernel_size, self.dilation_rate)

    @property
    def padded_length(self) -> int:
        """Length after padding: L + left + right."""
        return self.length + self.pad_left + self.pad_right

    @property
    def output_length(self) -> int:
        """floor((L + left + right − span) / s) + 1, or 0 when the window does not fit."""
        if self.padded_length < self.span:
            return 0
        return (self.padded_length - self.span) // self.strides + 1

    def input_positions(self, output_index: int) -> list[int]:
        """Input positions output t reads: t·s + j·d − left; < 0 or ≥ L are padding."""
        start = output_index * self.strides - self.pad_left
        return [start + j * self.dilation_rate for j in range(self.kernel_size)]

    def padding_counts(self, output_index: int) -> tuple[int, int]:
        """How many taps of output t read left padding, and how many read right padding."""
        start = output_index * self.strides - self.pad_left
        k, d = self.kernel_size, self.dilation_rate
        first_real = min(max(ceil_div(-start, d), 0), k)  # first tap j with position ≥ 0
        first_after = min(max(ceil_div(self.length - start, d), 0), k)  # first tap with position ≥ L
        return first_real, k - first_after

    def padding_taps(self, output_index: int) -> list[int]:
        """Tap numbers j of output t that fall on padding."""
        positions = self.input_positions(output_index)
        return [j for j, p in enumerate(positions) if p < 0 or p >= self.length]


def resolve_padding(
    framework: str,
    padding: str | int | tuple[int, int],
    length: int,
    kernel_size: int,
    strides: int,
    dilation_rate: int,
) -> tuple[int, int]:
    """(left, right) zeros a framework adds for this padding setting."""
    if isinstance(padding, tuple):
        return padding
    if isinstance(padding, int):
        return padding, padding
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return causal_padding(kernel_size, dilation_rate)
    if framework == "keras":
        return keras_same_padding(length, kernel_size, strides, dilation_rate)
    return torch_same_padding(kernel_size, dilation_rate)


def check_fits(framework: str, axis: Axis, padding_mode: str) -> None:
    """Refuse, as the framework does, an input the window does not fit or cannot pad."""
    if padding_mode == "reflect" and max(axis.pad_left, axis.pad_right) >= axis.length:
        raise SpecError(
            f"reflect padding of {max(axis.pad_left, axis.pad_right)} needs an input longer "
            f"than that; the input has length {axis.length}",
            f"use a padding below {axis.length}, or --padding-mode replicate or zeros",
        )
    if padding_mode == "circular" and max(axis.pad_left, axis.pad_right) > axis.length:
        raise SpecError(
            f"circular padding of {max(axis.pad_left, axis.pad_right)} would wrap around the "
            f"length-{axis.length} input more than once",
            f"use a padding of at most {axis.length}",
        )
    if axis.output_length > 0:
        return
    need = axis.span - axis.pad_left - axis.pad_right
    if framework == "keras":
        raise SpecError(
            f"output size would be zero or negative: length {axis.length} is shorter than the "
            f"window span {axis.span} = dilation_rate·(kernel_size−1)+1",
            f"use an input of length ≥ {need}, a smaller --kernel-size or --dilation-rate, or --padding same / causal",
        )
    raise SpecError(
        f"kernel size can't be greater than actual input size: padded length "
        f"{axis.padded_length} < window span {axis.span}",
        f"use an input of length ≥ {need}, more --padding, or a smaller --kernel-size",
    )
