"""The `shape` answer as one plain object: the single source of the human view and the JSON."""

from __future__ import annotations

from typing import Any

from conv1dexplain.layers.conv1d import Conv1DPlan
from conv1dexplain.records import asdict, record
from conv1dexplain.report import words
from conv1dexplain.report.code import layer_code, port
from conv1dexplain.report.facts import LayerFacts, layer_facts
from conv1dexplain.report.notes import framework_notes
from conv1dexplain.tensor import Shape
from conv1dexplain.vocabulary import SCHEMA_VERSION

WINDOWS_SHOWN = 3
MAX_LISTED_TAPS = 64


@record(frozen=True)
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


@record(frozen=True)
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


@record(frozen=True)
class OtherFramework:
    """The same layer in the other framework, for porting: code that runs there, and its shapes."""

    framework: str
    kernel_shape: list[int]
    code: str  # statements: `conv = …` (weights: kernel_shape), then `y = …` from `x` in input_shape
    input_shape: list[int | None]  # in the other framework's own layout
    output_shape: list[int | None]
    layout: str  # the permutes there and back


# The keys of the JSON object, in order: the layer's facts and this command's own.
_FACT_KEYS = ("framework", "data_format", "input_shape", "output_shape")
_OWN_KEYS = ("filters", "kernel_size")
_MORE_FACTS = ("kernel_shape", "bias_shape", "params")
_AXIS_FACTS = (
    "padding",
    "strides",
    "dilation_rate",
    "groups",
    "use_bias",
    "activation",
    "receptive_field",
    "macs",
    "flops",
    "batch_macs",
)


@record(frozen=True)
class ShapeReport:
    """Everything `shape` says about one layer: its facts, and the words and checks of a convolution."""

    facts: LayerFacts
    filters: int
    kernel_size: int
    params_arithmetic: str
    output_length_formula: list[str]
    explanation: str
    windows: list[Window]
    code: str
    other_framework: OtherFramework
    notes: list[str]
    check: Check | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the CLI contract (snake_case, every key present)."""
        facts = asdict(self.facts)
        own = asdict(self)
        body = {key: facts[key] for key in _FACT_KEYS} | {key: own[key] for key in _OWN_KEYS}
        body |= {key: facts[key] for key in _MORE_FACTS} | {"params_arithmetic": self.params_arithmetic}
        body |= {key: facts[key] for key in _AXIS_FACTS}
        rest = ("output_length_formula", "explanation", "windows", "code", "other_framework", "notes", "check")
        return {"type": "shape", "schema_version": SCHEMA_VERSION, **body, **{key: own[key] for key in rest}}


def _shape(shape: Shape) -> list[int | None]:
    return list(shape)


def shown_windows(output_length: int) -> list[int]:
    """The output positions whose windows are shown: the first, the second and the last."""
    return sorted({0, min(1, output_length - 1), output_length - 1})[:WINDOWS_SHOWN] if output_length else []


def _windows(plan: Conv1DPlan) -> list[Window]:
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


def _other_framework(plan: Conv1DPlan) -> OtherFramework:
    ported = port(plan)
    return OtherFramework(
        ported.framework,
        list(plan.other_kernel_shape),
        ported.code,
        _shape(ported.input_shape),
        _shape(ported.output_shape),
        ported.layout,
    )


def params_arithmetic(plan: Conv1DPlan) -> str:
    """'4 × 300 × 100 + 100 = 120,100' (kernel_size × C/groups × filters + bias)."""
    spec = plan.config
    text = f"{spec.kernel_size} × {plan.channels_per_group} × {spec.filters}"
    if spec.use_bias:
        text += f" + {spec.filters}"
    return f"{text} = {plan.params:,}"


def build_shape_report(plan: Conv1DPlan, check: Check | None) -> ShapeReport:
    """Assemble the report of one planned (and possibly checked) layer."""
    return ShapeReport(
        facts=layer_facts(plan),
        filters=plan.config.filters,
        kernel_size=plan.config.kernel_size,
        params_arithmetic=params_arithmetic(plan),
        output_length_formula=words.output_length_formula(plan),
        explanation=words.explanation(plan),
        windows=_windows(plan),
        code=layer_code(plan),
        other_framework=_other_framework(plan),
        notes=framework_notes(plan),
        check=check,
    )
