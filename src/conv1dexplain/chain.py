"""Fold the layers' rules over a model's input: per-layer steps, totals, receptive fields, the
shortest input that works, and the first layer the framework would refuse."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from conv1dexplain.conventions import Convention
from conv1dexplain.errors import SpecError
from conv1dexplain.layer_names import layer_names, name_clash
from conv1dexplain.layers.input_spec import check_spec, same_features
from conv1dexplain.layers.node import Call, ChainError, Context, LayerRule, Step, Value
from conv1dexplain.layers.rules import rule_for
from conv1dexplain.records import NamedTuple, record, replace

if TYPE_CHECKING:
    from fractions import Fraction

    from conv1dexplain.uneven_reach import Tracer


class Reach(NamedTuple):
    """Which model-input positions a value's position 0 reads, and the step between positions."""

    field: int | Fraction  # receptive field, in model-input positions
    jump: int | Fraction  # model-input positions between neighbouring positions
    first: int | Fraction  # the first model-input position position 0 reads (negative: padding)

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


START = Reach(1, 1, 0)  # (exact: a Fraction comes in only with a layer that divides, as upsampling)


@record(frozen=True)
class Row:  # (a record, not a NamedTuple: its field `index` would hide tuple.index)
    """One layer of the model on its input."""

    index: int
    name: str  # the framework's own name: conv1d_1 (Keras) or 2.0 (PyTorch's Sequential)
    call: Call
    inputs: tuple[int, ...]  # rows feeding it (-1: the model's input)
    step: Step
    reach: Reach | None
    uneven: tuple[int, tuple[int, int]] | None = None  # traced (uneven_reach.py): the field, output 0's reads

    @property
    def receptive_field(self) -> int | None:
        """Model-input positions one output position reads (the most, where they vary)."""
        if self.uneven is not None:
            return self.uneven[0]
        return None if self.reach is None else math.ceil(self.reach.field)

    @property
    def reads(self) -> tuple[int, int] | None:
        """The first and last model-input positions output 0 reads, padding included."""
        if self.uneven is not None:
            return self.uneven[1]
        if self.reach is None:
            return None
        first = math.floor(self.reach.first)  # after upsampling, taps fall between input positions
        return first, math.floor(self.reach.first + self.reach.field - 1)


class ModelPlan(NamedTuple):
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


class Prepared(NamedTuple):
    """Each call's rule and bound arguments, or why the framework refuses to construct it: neither
    depends on the input, so a search over input lengths binds once."""

    rules: tuple[LayerRule | None, ...]
    bound: tuple[dict[str, Any] | None, ...]
    refusals: tuple[SpecError | None, ...]
    built_first: int | None  # a Sequential constructs every layer before it runs any: the first refusal
    names: tuple[str, ...]  # each layer's name in its model
    built: tuple[Any, ...]  # what each constructor made of its arguments (Context.built), or None
    scope: str  # Context.scope: Keras names a Sequential's variables sequential/<layer>/…


def prepare(calls: tuple[Call, ...], rules: Convention) -> Prepared:
    """Find each call's rule, bind its arguments, and run its constructor's own checks."""
    found: list[LayerRule | None] = []
    bound: list[dict[str, Any] | None] = []
    refusals: list[SpecError | None] = []
    built: list[Any] = []
    for call in calls:
        rule, arguments, refusal, made = None, None, None, None
        try:
            rule = rule_for(rules, call)
            arguments = rule.bind(call)
            if rule.construct is not None:
                made = rule.construct(arguments, rules)
        except SpecError as error:
            refusal = error
        found.append(rule)
        bound.append(arguments)
        refusals.append(refusal)
        built.append(made)
    sequential = all(call.inputs is None for call in calls)  # the functional API constructs as it calls
    clash = name_clash(calls, rules, sequential)
    if clash is not None and refusals[clash[0]] is None:
        refusals[clash[0]] = clash[1]
    first = next((i for i, refusal in enumerate(refusals) if refusal is not None and sequential), None)
    scope = "sequential/" if sequential and rules.auto_names_layers else ""  # (a fresh session's first model)
    return Prepared(
        tuple(found), tuple(bound), tuple(refusals), first, tuple(layer_names(calls, rules)), tuple(built), scope
    )


def fold(
    calls: tuple[Call, ...], start: Value, rules: Convention, *, prepared: Prepared | None = None, reaches: bool = True
) -> ModelPlan:
    """Run the layers' rules in order; stop at the first the framework would refuse (in a
    Sequential, a layer whose constructor refuses its arguments stops the model before any runs).
    `reaches` False skips the receptive fields (a search for lengths needs only the verdict)."""
    prepared = prepared or prepare(calls, rules)
    values: dict[int, tuple[Value, Reach | None]] = {-1: (start, START)}
    rows: list[Row] = []
    traces = _Traces(rows)
    names = prepared.names
    for index, call in enumerate(calls):
        feeds = call.inputs if call.inputs is not None else (index - 1,)
        name = names[index]
        try:
            inputs = _inputs(calls, index, feeds, values, names, rules)
            step = _apply(
                calls, index, inputs, prepared, Context(call, name, rules, prepared.built[index], prepared.scope)
            )
        except SpecError as caught:
            failed, error = index, caught
            if prepared.built_first is not None and prepared.built_first > index:
                failed, error = prepared.built_first, _refusal(prepared, prepared.built_first)
            error.layer = error.layer or f"layer {failed} ({calls[failed].name})"
            return ModelPlan(rules, start, tuple(rows), calls, error, failed, names[failed])
        step = _owned(step, call, rules, names)
        reach = _merge([values[i][1] for i in feeds], step) if reaches else None
        rows.append(Row(index, name, call, feeds, step, reach))  # (first: the tracer reads the row itself)
        if reach is not None:
            rows[-1] = _traced(traces, rows[-1])
        values[index] = (step.output, rows[-1].reach)
    return ModelPlan(rules, start, tuple(rows), calls, None, None)


class _Traces:
    """The rows' reaches known exact (`even`), and the Tracer that follows positions through the
    uneven ones (uneven_reach.py: imported only for a model that upsamples or transposes)."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.even: dict[int, Reach | None] = {-1: START}
        self.tracer: Tracer | None = None

    def exact(self, index: int) -> tuple[int, tuple[int, int], tuple[int, int, int] | None] | None:
        if self.tracer is None:
            from conv1dexplain.uneven_reach import Tracer

            self.tracer = Tracer(self.rows, self.even)
        return self.tracer.exact(index)


def _traced(traces: _Traces, row: Row) -> Row:
    """The row, with its field and reads traced where its positions map unevenly onto the input."""
    slide = row.step.slide
    if all(i in traces.even for i in row.inputs) and not (slide is not None and slide.uneven):
        traces.even[row.index] = row.reach  # (its inputs' reaches are exact: so is the one made from them)
        return row
    traced = traces.exact(row.index)
    if traced is None:  # (a model of thousands of layers after an upsampling: the even estimate)
        return row
    field, reads, even = traced
    if even is None:
        return replace(row, uneven=(field, reads))
    traces.even[row.index] = Reach(*even)  # even again (a stride undid the upsampling)
    return replace(row, reach=Reach(*even))


def _owned(step: Step, call: Call, rules: Convention, names: tuple[str, ...]) -> Step:
    """The step's parameters as the model counts them: a shared layer's once, a frozen one's as
    non-trainable (Keras' trainable=False; a live PyTorch module's weights without requires_grad)."""
    if call.shares is not None:
        note = f"the same layer as {names[call.shares]}: its weights are counted there"
        return step._replace(trainable_params=0, non_trainable_params=0, notes=(*step.notes, note))
    if rules.frozen(call.kwargs):
        return step._replace(trainable_params=0, non_trainable_params=step.trainable_params + step.non_trainable_params)
    if call.untrained:  # (a live PyTorch module: requires_grad_(False) on some or all of its weights)
        moved = min(call.untrained, step.trainable_params)
        return step._replace(
            trainable_params=step.trainable_params - moved, non_trainable_params=step.non_trainable_params + moved
        )
    return step


def _inputs(
    calls: tuple[Call, ...],
    index: int,
    feeds: tuple[int, ...],
    values: dict[int, Any],
    names: tuple[str, ...],
    rules: Convention,
) -> tuple[Value, ...]:
    """The values a call gets, once a layer built already (shared, or live) has checked them as Keras does."""
    call = calls[index]
    inputs = (values[feeds[0]][0],) if len(feeds) == 1 else tuple(values[i][0] for i in feeds)
    if call.shares is not None and rules.auto_names_layers:
        same_features(calls, call.shares, inputs, values, names[call.shares])
    if call.built_features is not None and len(inputs) == 1:  # (a live Keras layer, built already)
        check_spec(call.built_features, inputs[0].dims, names[index], call.name)
    return inputs


def _refusal(prepared: Prepared, index: int) -> SpecError:
    refusal = prepared.refusals[index]
    assert refusal is not None
    return refusal


def _apply(calls: tuple[Call, ...], index: int, inputs: tuple[Value, ...], prepared: Prepared, where: Context) -> Step:
    """One layer's step, or the SpecError that refuses it (a wrong-typed argument included)."""
    call, rule, bound = calls[index], prepared.rules[index], prepared.bound[index]
    if rule is None or bound is None or prepared.refusals[index] is not None:
        raise _refusal(prepared, index)  # the constructor refuses before any input arrives
    if inputs[0].is_tuple if len(inputs) == 1 else any(value.is_tuple for value in inputs):
        feed = call.inputs[0] if call.inputs is not None else index - 1
        refusal = where.rules.tuple_input_error(calls[feed].name, call.name)
        if refusal is not None:
            raise refusal
    try:
        return rule.apply(bound, inputs, where)
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:  # an argument of a type no rule expects
        raise SpecError(
            f"{call.place}{call.name}'s arguments are not of the types it takes ({error})",
            f"write {call.name}'s arguments as its documentation gives them",
        ) from None


def _merge(reaches: list[Reach | None], step: Step) -> Reach | None:
    if len(reaches) == 1:  # (one input, as in a Sequential: its reach is the union)
        return None if reaches[0] is None else reaches[0].after(step)
    known = [reach for reach in reaches if reach is not None]
    if len(known) < len(reaches) or not known:
        return None
    first = min(reach.first for reach in known)  # the union of the branches' windows
    field = max(reach.first + reach.field for reach in known) - first
    return Reach(field, max(reach.jump for reach in known), first).after(step)
