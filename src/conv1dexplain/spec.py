"""Before layers/: one Conv1D layer fused with its input. Kept while its last users move to
layers.conv1d (Conv1DConfig + Tensor + Convention)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from conv1dexplain.conventions import convention
from conv1dexplain.tensor import Tensor, parse_tensor
from conv1dexplain.vocabulary import DataFormat, Framework

if TYPE_CHECKING:
    from conv1dexplain.layers.conv1d import Conv1DPlan


@dataclass(frozen=True)
class InputShape:
    """One input: batch (None when unknown), sequence length, channels."""

    batch: int | None
    length: int
    channels: int


@dataclass(frozen=True)
class ConvSpec:
    """One validated Conv1D layer and its input, in one framework's terms."""

    framework: Framework
    input: InputShape
    filters: int
    kernel_size: int
    strides: int
    dilation_rate: int
    groups: int
    padding: str | int | tuple[int, int]
    padding_mode: str
    use_bias: bool
    activation: str | None
    data_format: DataFormat

    @property
    def channels_per_group(self) -> int:
        """Input channels each filter reads (C / groups)."""
        return self.input.channels // self.groups


def parse_input_shape(text: str, data_format: DataFormat) -> InputShape:
    """Read `--input` (`LxC`, `CxL` or with a leading batch) in the given layout."""
    tensor = parse_tensor(text, data_format)
    assert tensor.length is not None and tensor.channels is not None
    return InputShape(tensor.batch, tensor.length, tensor.channels)


def build_spec(*, framework: str, input_shape: str | InputShape, **arguments: Any) -> ConvSpec:
    """Validate the options of one layer the way the chosen framework does."""
    from conv1dexplain.layers import conv1d

    shape: str | Tensor
    if isinstance(input_shape, InputShape):
        layout = convention(framework).data_format(arguments.get("data_format"))
        shape = Tensor(input_shape.batch, input_shape.length, input_shape.channels, layout)
    else:
        shape = input_shape
    return spec_of(conv1d.build(framework, shape, **arguments))


def spec_of(plan: Conv1DPlan) -> ConvSpec:
    """The ConvSpec of a planned layer."""
    config = plan.config
    return ConvSpec(
        framework=plan.convention.name,
        input=InputShape(plan.input.batch, plan.axis.length, plan.input_channels),
        filters=config.filters,
        kernel_size=config.kernel_size,
        strides=config.strides,
        dilation_rate=config.dilation_rate,
        groups=config.groups,
        padding=config.padding,
        padding_mode=config.padding_mode,
        use_bias=config.use_bias,
        activation=config.activation,
        data_format=config.data_format,
    )


def resolve_layout(framework: str, data_format: str | None) -> tuple[Framework, DataFormat]:
    """The framework and the data layout its arrays use (Keras' default channels_last)."""
    rules = convention(framework)
    return rules.name, rules.data_format(data_format)
