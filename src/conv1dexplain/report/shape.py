"""The `shape` answer as one plain object: the single source of the human view and the JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from conv1dexplain import explain
from conv1dexplain.padding_words import padding_reason
from conv1dexplain.plan import Plan, Shape
from conv1dexplain.port import port
from conv1dexplain.vocabulary import SCHEMA_VERSION

WINDOWS_SHOWN = 3
MAX_LISTED_TAPS = 64


@dataclass(frozen=True, repr=False, eq=False)  # built once, written once: no need for more methods
class Padding:
    """How the sequence is padded: the setting, the zeros on each side, and why."""

    mode: str  # valid | same | causal | explicit (an int in PyTorch)
    value: int | None  # PyTorch's int padding, else None
    left: int
    right: int
    padding_mode: str
    reason: str


@dataclass(frozen=True, repr=False, eq=False)  # built once, written once: no need for more methods
class Window:
    """The input positions one output position reads (listed in full for kernels up to 64 taps)."""

    output_index: int
    first_input_index: int
    last_input_index: int
    step: int  # the dilation between taps
    padding_before: int  # taps reading the left padding (positions < 0)
    padding_after: int  # taps reading the right padding (positions ≥ L)
    input_indices: list[int] | None
    padding_taps: list[int] | None


@dataclass(frozen=True, repr=False, eq=False)  # built once, written once: no need for more methods
class Check:
    """The engine on a seeded example against the convolution computed from the settings alone."""

    status: str
    input_length: int | None
    expected_output_length: int | None  # the plan's
    output_length: int | None  # the engine's, run with the plan's padding
    reference_output_length: int | None  # the definition's, from the layer's settings alone
    reference_padding: list[int] | None  # [before, after] by the framework's rule, apart from geometry.py
    windows_checked: int
    checked_windows: list[int]  # output positions whose listed input positions were compared
    seed: int
    note: str


@dataclass(frozen=True, repr=False, eq=False)  # built once, written once: no need for more methods
class OtherFramework:
    """The same layer in the other framework, for porting: code that runs there, and its shapes."""

    framework: str
    kernel_shape: list[int]
    code: str  # statements: `conv = …` (weights: kernel_shape), then `y = …` from `x` in input_shape
    input_shape: list[int | None]  # in the other framework's own layout
    output_shape: list[int | None]
    layout: str  # the permutes there and back


@dataclass(frozen=True, repr=False, eq=False)  # built once, written once: no need for more methods
class ShapeReport:
    """Everything `shape` says about one layer."""

    framework: str
    data_format: str
    input_shape: list[int | None]
    output_shape: list[int | None]
    filters: int
    kernel_size: int
    kernel_shape: list[int]
    bias_shape: list[int] | None
    params: int
    params_arithmetic: str
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
    output_length_formula: list[str]
    explanation: str
    windows: list[Window]
    code: str
    other_framework: OtherFramework
    notes: list[str]
    check: Check | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the CLI contract (snake_case, every key present)."""
        return {"type": "shape", "schema_version": SCHEMA_VERSION, **asdict(self)}


def _shape(shape: Shape) -> list[int | None]:
    return list(shape)


def _padding(plan: Plan) -> Padding:
    spec, axis = plan.spec, plan.axis
    value = spec.padding if isinstance(spec.padding, int) else None
    mode = "explicit" if value is not None or isinstance(spec.padding, tuple) else str(spec.padding)
    return Padding(mode, value, axis.pad_left, axis.pad_right, spec.padding_mode, padding_reason(plan))


def shown_windows(output_length: int) -> list[int]:
    """The output positions whose windows are shown: the first, the second and the last."""
    return sorted({0, min(1, output_length - 1), output_length - 1})[:WINDOWS_SHOWN] if output_length else []


def _windows(plan: Plan) -> list[Window]:
    axis = plan.axis
    windows = []
    for t in shown_windows(axis.output_length):
        first = t * axis.strides - axis.pad_left
        listed = axis.kernel_size <= MAX_LISTED_TAPS
        windows.append(
            Window(
                t,
                first,
                first + (axis.kernel_size - 1) * axis.dilation_rate,
                axis.dilation_rate,
                *axis.padding_counts(t),
                axis.input_positions(t) if listed else None,
                axis.padding_taps(t) if listed else None,
            )
        )
    return windows


def _other_framework(plan: Plan) -> OtherFramework:
    ported = port(plan)
    return OtherFramework(
        ported.framework, list(plan.other_kernel_shape), ported.code,
        _shape(ported.input_shape), _shape(ported.output_shape), ported.layout,
    )  # fmt: skip


def params_arithmetic(plan: Plan) -> str:
    """'4 × 300 × 100 + 100 = 120,100' (kernel_size × C/groups × filters + bias)."""
    spec = plan.spec
    text = f"{spec.kernel_size} × {spec.channels_per_group} × {spec.filters}"
    if spec.use_bias:
        text += f" + {spec.filters}"
    return f"{text} = {plan.params:,}"


def build_shape_report(plan: Plan, check: Check | None) -> ShapeReport:
    """Assemble the report of one planned (and possibly checked) layer."""
    spec = plan.spec
    return ShapeReport(
        framework=spec.framework,
        data_format=spec.data_format,
        input_shape=_shape(plan.input_shape),
        output_shape=_shape(plan.output_shape),
        filters=spec.filters,
        kernel_size=spec.kernel_size,
        kernel_shape=list(plan.kernel_shape),
        bias_shape=None if plan.bias_shape is None else list(plan.bias_shape),
        params=plan.params,
        params_arithmetic=params_arithmetic(plan),
        padding=_padding(plan),
        strides=spec.strides,
        dilation_rate=spec.dilation_rate,
        groups=spec.groups,
        use_bias=spec.use_bias,
        activation=spec.activation,
        receptive_field=plan.axis.span,
        macs=plan.macs,
        flops=plan.flops,
        batch_macs=plan.batch_macs,
        output_length_formula=explain.output_length_formula(plan),
        explanation=explain.explanation(plan),
        windows=_windows(plan),
        code=explain.layer_code(plan, spec.framework),
        other_framework=_other_framework(plan),
        notes=explain.framework_notes(plan),
        check=check,
    )
