"""One layer's facts: the block that shape, run, trace's layer line and (later) model rows share."""

from __future__ import annotations

from conv1dexplain.conventions import other
from conv1dexplain.layers.conv1d import Conv1DPlan
from conv1dexplain.records import record
from conv1dexplain.report.padding import padding_reason


@record(frozen=True)
class Padding:
    """How the sequence is padded: the setting, the zeros on each side, and why."""

    mode: str  # valid | same | causal | explicit (an int in PyTorch)
    value: int | None  # PyTorch's int padding, else None
    left: int
    right: int
    padding_mode: str
    reason: str


@record(frozen=True)
class Labels:
    """The framework's words for the human view (not in the JSON: the framework key says it)."""

    title: str  # "Keras"
    other_title: str
    other_kernel: str  # "as a PyTorch weight"
    kernel_name: str  # "kernel" | "weight"
    kernel_axes: str  # the kernel's axes in words
    filters_name: str  # "filters" | "out_channels"


@record(frozen=True)
class LayerFacts:
    """What one layer is and does, in the framework's layout: the same in every command's report."""

    kind: str
    framework: str
    data_format: str
    input_shape: list[int | None]
    output_shape: list[int | None]
    kernel_shape: list[int]
    bias_shape: list[int] | None
    params: int
    padding: Padding
    strides: int
    dilation_rate: int
    groups: int
    use_bias: bool
    activation: str | None
    receptive_field: int
    macs: int
    flops: int
    batch_macs: int | None
    labels: Labels


def _padding(plan: Conv1DPlan) -> Padding:
    config, axis = plan.config, plan.axis
    value = config.padding if isinstance(config.padding, int) else None
    mode = "explicit" if value is not None or isinstance(config.padding, tuple) else str(config.padding)
    return Padding(mode, value, axis.pad_left, axis.pad_right, config.padding_mode, padding_reason(plan))


def _labels(plan: Conv1DPlan) -> Labels:
    rules, there = plan.convention, other(plan.convention)
    return Labels(
        rules.title,
        there.title,
        f"as a {there.title} {there.kernel_name}",
        rules.kernel_name,
        rules.kernel_axes,
        rules.arg("filters"),
    )


def layer_facts(plan: Conv1DPlan) -> LayerFacts:
    """The facts block of one planned layer."""
    config = plan.config
    return LayerFacts(
        kind=plan.kind,
        framework=plan.convention.name,
        data_format=config.data_format,
        input_shape=list(plan.input_shape),
        output_shape=list(plan.output_shape),
        kernel_shape=list(plan.kernel_shape),
        bias_shape=None if plan.bias_shape is None else list(plan.bias_shape),
        params=plan.params,
        padding=_padding(plan),
        strides=config.strides,
        dilation_rate=config.dilation_rate,
        groups=config.groups,
        use_bias=config.use_bias,
        activation=config.activation,
        receptive_field=plan.axis.span,
        macs=plan.macs,
        flops=plan.flops,
        batch_macs=plan.batch_macs,
        labels=_labels(plan),
    )
