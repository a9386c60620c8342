"""One Conv1D layer's arguments as its caller gave them (`run`'s options, conv1d's keywords), and
the one place they become a plan."""

from __future__ import annotations

from conv1dexplain.conventions import Convention, convention
from conv1dexplain.layers import conv1d
from conv1dexplain.layers.conv1d import Conv1DPlan
from conv1dexplain.records import record
from conv1dexplain.tensor import Tensor
from conv1dexplain.vocabulary import DataFormat


@record(frozen=True)
class LayerArguments:
    """The layer's arguments, not yet validated; filters and kernel_size None when a kernel says them."""

    framework: str = "keras"
    filters: int | None = None
    kernel_size: int | None = None
    strides: int = 1
    padding: str | int | tuple[int, int] = "valid"  # as given: '1,2' from the command line is read by the convention
    dilation_rate: int = 1
    groups: int = 1
    use_bias: bool = True
    activation: str | None = None
    data_format: str | None = None
    padding_mode: str = "zeros"

    def layout(self) -> tuple[Convention, DataFormat]:
        """The framework's convention and the data layout its arrays use."""
        rules = convention(self.framework)
        return rules, rules.data_format(self.data_format)

    def plan(self, input_shape: Tensor, filters: int, kernel_size: int) -> Conv1DPlan:
        """The layer over an input of this shape (filters and kernel size as decided by the caller)."""
        return conv1d.build(
            self.framework,
            input_shape,
            filters=filters,
            kernel_size=kernel_size,
            strides=self.strides,
            padding=self.padding,
            dilation_rate=self.dilation_rate,
            groups=self.groups,
            use_bias=self.use_bias,
            activation=self.activation,
            data_format=self.data_format,
            padding_mode=self.padding_mode,
        )
