"""From a validated spec to every number of the layer: shapes, paddings, parameters, MACs."""

from __future__ import annotations

from dataclasses import dataclass

from conv1dexplain.errors import SpecError
from conv1dexplain.geometry import Axis, check_fits, resolve_padding
from conv1dexplain.spec import ConvSpec
from conv1dexplain.vocabulary import DataFormat

Shape = tuple[int | None, ...]


def layout(batch: int | None, length: int, channels: int, data_format: DataFormat) -> Shape:
    """A (batch, …) shape in the data format's order."""
    if data_format == "channels_last":
        return (batch, length, channels)
    return (batch, channels, length)


def keras_kernel_shape(kernel_size: int, channels_per_group: int, filters: int) -> tuple[int, int, int]:
    """Keras Conv1D kernel: (kernel_size, C/groups, filters)."""
    return (kernel_size, channels_per_group, filters)


def torch_weight_shape(kernel_size: int, channels_per_group: int, filters: int) -> tuple[int, int, int]:
    """PyTorch nn.Conv1d weight: (out_channels, in_channels/groups, kernel_size)."""
    return (filters, channels_per_group, kernel_size)


@dataclass(frozen=True)
class Plan:
    """Everything about one layer that is pure integer arithmetic."""

    spec: ConvSpec
    axis: Axis
    input_shape: Shape
    output_shape: Shape
    kernel_shape: tuple[int, int, int]  # in the spec's framework layout
    other_kernel_shape: tuple[int, int, int]  # in the other framework's layout
    bias_shape: tuple[int] | None
    weights_per_filter: int
    params: int
    macs: int  # per example, bias excluded

    @property
    def flops(self) -> int:
        """Floating-point operations per example: 2 · MACs."""
        return 2 * self.macs

    @property
    def batch_macs(self) -> int | None:
        """MACs for the whole batch, when the batch is known."""
        batch = self.spec.input.batch
        return None if batch is None else batch * self.macs


def _after_activation(spec: ConvSpec, shape: Shape) -> Shape:
    """Keras' glu splits the last axis in two halves and keeps one: that axis halves."""
    if spec.activation != "glu" or shape[-1] is None:
        return shape
    return (*shape[:-1], shape[-1] // 2)


def make_plan(spec: ConvSpec) -> Plan:
    """Resolve padding and compute shapes; refuse inputs the framework refuses."""
    length = spec.input.length
    left, right = resolve_padding(
        spec.framework, spec.padding, length, spec.kernel_size, spec.strides, spec.dilation_rate
    )
    axis = Axis(length, spec.kernel_size, spec.strides, spec.dilation_rate, left, right)
    check_fits(spec.framework, axis, spec.padding_mode)
    before = layout(spec.input.batch, axis.output_length, spec.filters, spec.data_format)
    check_activation(spec, before[-1])
    return plan_for_axis(spec, axis)


def check_activation(spec: ConvSpec, last_axis: int | None) -> None:
    """Refuse what Keras refuses only when the activation runs (glu on an odd axis, bare threshold)."""
    if spec.activation == "threshold":
        raise SpecError(
            "activation='threshold' needs threshold and default_value arguments, which a name cannot give",
            "use --activation relu, or apply keras.activations.threshold(x, threshold, default_value) after the layer",
        )
    if spec.activation == "glu" and last_axis is not None and last_axis % 2:
        raise SpecError(
            f"activation='glu' halves the last axis, which has odd size {last_axis} here",
            "use an even number of --filters"
            if spec.data_format == "channels_last"
            else "use an input length that gives an even output length, or channels_last",
        )


def plan_for_axis(spec: ConvSpec, axis: Axis) -> Plan:
    """The plan of a spec whose axis is already resolved and accepted."""
    cg = spec.channels_per_group
    keras_kernel = keras_kernel_shape(spec.kernel_size, cg, spec.filters)
    torch_weight = torch_weight_shape(spec.kernel_size, cg, spec.filters)
    own, other = (keras_kernel, torch_weight) if spec.framework == "keras" else (torch_weight, keras_kernel)
    weights_per_filter = spec.kernel_size * cg
    bias = spec.filters if spec.use_bias else 0
    batch = spec.input.batch
    return Plan(
        spec=spec,
        axis=axis,
        input_shape=layout(batch, axis.length, spec.input.channels, spec.data_format),
        output_shape=_after_activation(spec, layout(batch, axis.output_length, spec.filters, spec.data_format)),
        kernel_shape=own,
        other_kernel_shape=other,
        bias_shape=(spec.filters,) if spec.use_bias else None,
        weights_per_filter=weights_per_filter,
        params=weights_per_filter * spec.filters + bias,
        macs=axis.output_length * spec.filters * weights_per_filter,
    )
