"""The `model` answer as one plain object: a row per layer, the totals as Keras' summary and
torchinfo print them, the receptive field, the input lengths that work, and the first layer the
framework would refuse. The single source of the table and the JSON; no NumPy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conv1dexplain.chain import ModelPlan, Row
from conv1dexplain.errors import Voice
from conv1dexplain.layers.node import ChainError, Unsupported
from conv1dexplain.records import record
from conv1dexplain.tensor import fmt_shape
from conv1dexplain.vocabulary import SCHEMA_VERSION

if TYPE_CHECKING:
    from fractions import Fraction

BYTES_PER_PARAM = 4  # float32, as Keras' summary sizes them


@record(frozen=True)
class LayerRow:
    """One layer as the table and the JSON show it."""

    index: int
    name: str
    type: str
    output_shape: tuple[int | None, ...]
    trainable_params: int
    non_trainable_params: int
    macs: int | None  # None when the length is unknown
    window: dict[str, int | float] | None  # size, stride (a fraction after upsampling), dilation
    padding: dict[str, int] | None  # left, right
    receptive_field: int | None
    jump: int | Fraction | None
    reads: tuple[int, int] | None  # the model-input positions output 0 reads (negative: padding)
    inputs: tuple[int, ...]  # the layers feeding it; () for the model's input
    notes: tuple[str, ...]
    reach_first: int | Fraction | None = None  # the model-input position output 0 starts at (exact)

    @property
    def params(self) -> int:
        return self.trainable_params + self.non_trainable_params


@record(frozen=True)
class ModelFailure:
    """Where the chain breaks: the layer, our words, and the framework's own message."""

    layer: int
    name: str
    type: str
    message: str
    hint: str
    framework_message: str | None
    unsupported: bool = False  # a layer (or a use of one) conv1dexplain does not read: not a refusal


@record(frozen=True)
class ModelReport:
    """A whole model on its input."""

    framework: str
    framework_title: str
    input_shape: tuple[int | None, ...]
    input_origin: str  # "--input", "Input(shape=…)", "input_shape=", …
    layers: tuple[LayerRow, ...]
    output_shape: tuple[int | None, ...] | None
    receptive_field: int | None
    min_input_length: int | None
    lengths_that_work: tuple[int, int] | None  # only these (a Flatten → Dense fixes them)
    notes: tuple[str, ...]
    error: ModelFailure | None

    @property
    def trainable_params(self) -> int:
        return sum(row.trainable_params for row in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return sum(row.non_trainable_params for row in self.layers)

    @property
    def total_params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    @property
    def macs(self) -> int | None:
        counts = [row.macs for row in self.layers]
        return None if None in counts else sum(count or 0 for count in counts)

    def __rich__(self) -> Any:
        from conv1dexplain.render.model import model_view

        return model_view(self)

    def __str__(self) -> str:
        from conv1dexplain.render.model import model_text

        return model_text(self)

    def _repr_mimebundle_(self, **_: Any) -> dict[str, str]:  # Jupyter
        return {"text/plain": str(self)}

    def shape_changes(self) -> list[str]:
        """The layers that change the shape, in the user's numbers."""
        lines: list[str] = []
        shapes = {row.index: row.output_shape for row in self.layers}
        for row in self.layers:
            before = shapes[row.inputs[0]] if row.inputs else self.input_shape
            if row.output_shape == before:
                continue
            merged = " + ".join(fmt_shape(shapes[i]) for i in row.inputs) if len(row.inputs) > 1 else fmt_shape(before)
            line = f"{row.name} ({row.type}): {merged} → {fmt_shape(row.output_shape)}"
            lines.append(line + _window_words(row))
        return lines

    def to_dict(self) -> dict[str, Any]:
        """The JSON object (`"type": "model"`): keys always present, null where unknown."""
        return {
            "type": "model",
            "schema_version": SCHEMA_VERSION,
            "framework": self.framework,
            "input_shape": list(self.input_shape),
            "input_from": self.input_origin,
            "layers": [_row_dict(row) for row in self.layers],
            "output_shape": None if self.output_shape is None else list(self.output_shape),
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "params_bytes": self.total_params * BYTES_PER_PARAM,
            "macs": self.macs,
            "flops": None if self.macs is None else 2 * self.macs,
            "receptive_field": self.receptive_field,
            "min_input_length": self.min_input_length,
            "input_lengths_that_work": None if self.lengths_that_work is None else list(self.lengths_that_work),
            "notes": list(self.notes),
            "error": None if self.error is None else _error_dict(self.error),
        }


def _window_words(row: LayerRow) -> str:
    if row.window is None or row.padding is None:
        return ""
    size, stride, dilation = row.window["size"], row.window["stride"], row.window["dilation"]
    words = f": a window of {size} positions" + (f" {dilation} apart" if dilation > 1 else "") + f", every {stride}"
    if row.padding["left"] or row.padding["right"]:
        words += f", padded {row.padding['left']} left and {row.padding['right']} right"
    return words


def _number(value: int | Fraction | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value.denominator == 1 else float(value)


def _row_dict(row: LayerRow) -> dict[str, Any]:
    return {
        "index": row.index,
        "name": row.name,
        "type": row.type,
        "output_shape": list(row.output_shape),
        "params": row.params,
        "trainable_params": row.trainable_params,
        "non_trainable_params": row.non_trainable_params,
        "macs": row.macs,
        "window": row.window,
        "padding": row.padding,
        "receptive_field": row.receptive_field,
        "jump": _number(row.jump),
        "reads": None if row.reads is None else list(row.reads),
        "inputs": list(row.inputs),
        "notes": list(row.notes),
    }


def _error_dict(failure: ModelFailure) -> dict[str, Any]:
    return {
        "layer": failure.layer,
        "name": failure.name,
        "type": failure.type,
        "message": failure.message,
        "hint": failure.hint,
        "framework_message": failure.framework_message,
        "unsupported": failure.unsupported,
    }


def readable_size(params: int) -> str:
    """Keras' summary size of float32 weights: 469.14 KB (1024 to a KB)."""
    size = float(params * BYTES_PER_PARAM)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def layer_row(row: Row) -> LayerRow:
    """A chain row as the report shows it."""
    step = row.step
    slide = step.slide if step.windowed else None
    window = None
    padding = None
    if slide is not None:
        stride = _number(slide.stride)
        assert stride is not None
        window = {"size": slide.size, "stride": stride, "dilation": slide.dilation}
        padding = {"left": slide.pad_left, "right": slide.pad_right}
    return LayerRow(
        row.index,
        row.name,
        row.call.name,
        step.output.dims,
        step.trainable_params,
        step.non_trainable_params,
        step.macs,
        window,
        padding,
        row.receptive_field,
        None if row.reach is None else row.reach.jump,
        row.reads,
        tuple(i for i in row.inputs if i >= 0),
        step.notes,
        None if row.reach is None else row.reach.first,
    )


def failure(plan: ModelPlan, voice: Voice) -> ModelFailure | None:
    """The chain's first refusal, named by its layer, its settings phrased for the voice."""
    error = plan.error
    if error is None or plan.error_layer is None:
        return None
    error.voice = voice
    call = plan.calls[plan.error_layer]
    framework_message = error.framework_message if isinstance(error, ChainError) else None
    name = plan.error_name or ""
    unsupported = isinstance(error, Unsupported)
    return ModelFailure(plan.error_layer, name, call.name, error.message, error.hint, framework_message, unsupported)
