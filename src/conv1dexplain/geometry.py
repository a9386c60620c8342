"""Pure integer arithmetic of one sliding axis: paddings, output length, windows (any layer kind
that slides a window along the sequence: convolutions now, pooling later)."""

from __future__ import annotations

from conv1dexplain.records import record


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


@record(frozen=True)
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
        padded, reach = self.length + self.pad_left + self.pad_right, span(self.kernel_size, self.dilation_rate)
        return 0 if padded < reach else (padded - reach) // self.strides + 1

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
