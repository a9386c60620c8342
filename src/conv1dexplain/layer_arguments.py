"""One Conv1D layer's arguments as its caller gave them (`run`'s options, conv1d's keywords), and
the one place they become a plan."""

from __future__ import annotations

from dataclasses import dataclass

from conv1dexplain.plan import Plan, make_plan
from conv1dexplain.spec import InputShape, build_spec, resolve_layout
from conv1dexplain.vocabulary import DataFormat, Framework


@dataclass(frozen=True)
class LayerArguments:
    """The layer's arguments, not yet validated; filters and kernel_size None when a kernel says them."""

    framework: str = "keras"
    filters: int | None = None
    kernel_size: int | None = None
    strides: int = 1
    padding: str | int | tuple[int, int] = "valid"  # as given: '1,2' from the command line is read by the spec
    dilation_rate: int = 1
    groups: int = 1
    use_bias: bool = True
    activation: str | None = None
    data_format: str | None = None
    padding_mode: str = "zeros"

    def layout(self) -> tuple[Framework, DataFormat]:
        """The framework and the data layout its arrays use."""
        return resolve_layout(self.framework, self.data_format)

    def plan(self, input_shape: InputShape, filters: int, kernel_size: int) -> Plan:
        """The layer over an input of this shape (filters and kernel size as decided by the caller)."""
        spec = build_spec(
            framework=self.framework,
            input_shape=input_shape,
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
        return make_plan(spec)
