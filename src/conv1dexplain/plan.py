"""Before layers/: the plan of a ConvSpec. Kept while its last users move to layers.conv1d."""

from __future__ import annotations

from conv1dexplain.conventions import convention
from conv1dexplain.layers.conv1d import Conv1DConfig, Conv1DPlan, plan
from conv1dexplain.spec import ConvSpec
from conv1dexplain.tensor import Shape, Tensor, layout_shape

Plan = Conv1DPlan
layout = layout_shape
__all__ = ["Plan", "Shape", "layout", "make_plan"]


def make_plan(spec: ConvSpec) -> Conv1DPlan:
    """Resolve padding and compute shapes; refuse inputs the framework refuses."""
    config = Conv1DConfig(
        spec.filters,
        spec.kernel_size,
        spec.strides,
        spec.padding,
        spec.dilation_rate,
        spec.groups,
        spec.use_bias,
        spec.activation,
        spec.padding_mode,
        spec.data_format,
    )
    tensor = Tensor(spec.input.batch, spec.input.length, spec.input.channels, spec.data_format)
    return plan(config, tensor, convention(spec.framework))
