"""Fold the layers' rules over a model's input: per-layer steps, totals, receptive fields, the
shortest input that works, and the first layer the framework would refuse."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from conv1dexplain.conventions import Convention
from conv1dexplain.errors import SpecError
from conv1dexplain.layers.node import Call, ChainError, Context, LayerRule, Step, Value
from conv1dexplain.layers.rules import rule_for


@dataclass(frozen=True)
class Reach:
    """Which model-input positions a value's position 0 reads, and the step between positions."""

    field: Fraction  # receptive field, in model-input positions
    jump: Fraction  # model-input positions between neighbouring positions
    first: Fraction  # the first model-input position position 0 reads (negative: padding)

    def after(self, step: Step) -> Reach | None:
        """The reach of the step's output, or None when its positions read everything (or none are left)."""
        slide = step.slide
        if slide is None or step.output.sequence_axis is None:
            return None
        return Reach(
            self.field + (slide.span - 1) * self.jump,
            self.jump * slide.stride,
            self.first - slide.pad_left * self.jump,
        )


START = Reach(Fraction(1), Fraction(1), Fraction(0))


@dataclass(frozen=True)
class Row:
    """One layer of the model on its input."""

    index: int
    name: str  # the framework's own name: conv1d_1 (Keras) or 2.0 (PyTorch's Sequential)
    call: Call
    inputs: tuple[int, ...]  # rows feeding it (-1: the model's input)
    step: Step
    reach: Reach | None

    @property
    def receptive_field(self) -> int | None:
        """Model-input positions one output position reads (the most, where they vary)."""
        return None if self.reach is None else math.ceil(self.reach.field)

    @property
    def reads(self) -> tuple[int, int] | None:
        """The first and last model-input positions output 0 reads, padding included."""
        if self.reach is None:
            return None
        first = math.floor(self.reach.first)
        return first, first + math.ceil(self.reach.field) - 1


@dataclass(frozen=True)
class ModelPlan:
    """A model on its input: its rows up to the first failing layer, and that failure."""

    convention: Convention
    input: Value
    rows: tuple[Row, ...]
    calls: tuple[Call, ...]
    error: ChainError | SpecError | None
    error_layer: int | None  # the index of the failing call
    error_name: str | None = None  # its name in the model

    @property
    def trainable_params(self) -> int:
        """Trainable parameters of every layer shown."""
        return sum(row.step.trainable_params for row in self.rows)

    @property
    def non_trainable_params(self) -> int:
        """Non-trainable parameters (Keras' BatchNormalization statistics)."""
        return sum(row.step.non_trainable_params for row in self.rows)

    @property
    def params(self) -> int:
        """Every parameter."""
        return self.trainable_params + self.non_trainable_params

    @property
    def macs(self) -> int | None:
        """Multiply-adds per example, bias excluded."""
        counts = [row.step.macs for row in self.rows]
        return None if None in counts else sum(count or 0 for count in counts)

    @property
    def output(self) -> Value | None:
        """The last layer's output (None when the chain broke)."""
        return None if self.error is not None or not self.rows else self.rows[-1].step.output


Prepared = tuple[tuple[LayerRule | None, dict[str, Any] | None, SpecError | None], ...]


def prepare(calls: tuple[Call, ...], rules: Convention) -> Prepared:
    """Each call's rule and bound arguments (or why it has none): they do not depend on the input,
    so a search over input lengths binds once."""
    prepared: list[tuple[LayerRule | None, dict[str, Any] | None, SpecError | None]] = []
    for call in calls:
        try:
            rule = rule_for(rules, call)
        except SpecError as error:
            prepared.append((None, None, error))
            continue
        try:
            prepared.append((rule, rule.bind(call), None))
        except SpecError as error:
            prepared.append((rule, None, error))
    return tuple(prepared)


def fold(
    calls: tuple[Call, ...], start: Value, rules: Convention, *, prepared: Prepared | None = None, reaches: bool = True
) -> ModelPlan:
    """Run the layers' rules in order; stop at the first the framework would refuse. `reaches`
    False skips the receptive fields (a search for lengths needs only the verdict)."""
    values: dict[int, tuple[Value, Reach | None]] = {-1: (start, START)}
    rows: list[Row] = []
    counts: dict[str, int] = {}
    for index, (call, (rule, bound, unbound)) in enumerate(zip(calls, prepared or prepare(calls, rules), strict=True)):
        feeds = call.inputs if call.inputs is not None else (index - 1,)
        name = _name(call, rules, counts, index)
        inputs = tuple(values[i][0] for i in feeds)
        try:
            if unbound is not None and rule is None:
                raise unbound
            if any(value.is_tuple for value in inputs):
                raise rules.tuple_input_error(calls[feeds[0]].name, call.name)
            if unbound is not None:
                raise unbound
            assert rule is not None and bound is not None
            step = rule.apply(bound, inputs, Context(call, name, rules))
        except SpecError as error:
            error.layer = error.layer or f"layer {index} ({call.name})"
            return ModelPlan(rules, start, tuple(rows), calls, error, index, name)
        except (TypeError, ValueError, ArithmeticError, LookupError) as error:  # an argument of a type no rule expects
            wrong = SpecError(
                f"line {call.line}, column {call.column}: {call.name}'s arguments are not of the types "
                f"it takes ({error})",
                f"write {call.name}'s arguments as its documentation gives them",
                layer=f"layer {index} ({call.name})",
            )
            return ModelPlan(rules, start, tuple(rows), calls, wrong, index, name)
        reach = _merge([values[i][1] for i in feeds], step) if reaches else None
        values[index] = (step.output, reach)
        rows.append(Row(index, name, call, feeds, step, reach))
    return ModelPlan(rules, start, tuple(rows), calls, None, None)


def _merge(reaches: list[Reach | None], step: Step) -> Reach | None:
    known = [reach for reach in reaches if reach is not None]
    if len(known) < len(reaches) or not known:
        return None
    first = min(reach.first for reach in known)  # the union of the branches' windows
    field = max(reach.first + reach.field for reach in known) - first
    return Reach(field, max(reach.jump for reach in known), first).after(step)


def _name(call: Call, rules: Convention, counts: dict[str, int], index: int) -> str:
    if not rules.auto_names_layers:
        return call.path or call.label or str(index)
    if call.label is not None:
        return call.label
    base = snake_case(call.name)
    seen = counts.get(base, 0)
    counts[base] = seen + 1
    return base if seen == 0 else f"{base}_{seen}"


def snake_case(name: str) -> str:
    """Keras' to_snake_case: Conv1D → conv1d, MaxPooling1D → max_pooling1d."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
