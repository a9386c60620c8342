"""`model` end to end, without NumPy: read the code (or take calls), pick the convention, build the
input, fold the layers, search the input lengths that work, and make the report."""

from __future__ import annotations

import functools
from collections.abc import Callable

from conv1dexplain import chain, model_input
from conv1dexplain.conventions import Convention, convention
from conv1dexplain.errors import SpecError, Voice, setting
from conv1dexplain.layers.node import Call, ChainError, Value
from conv1dexplain.modelcode import ModelSource, read_model
from conv1dexplain.records import NamedTuple
from conv1dexplain.report.model import ModelReport, failure, layer_row

_LONGEST = 2**40


class ModelRequest(NamedTuple):
    """What the caller gave: the model (code text or its calls), the input, the framework."""

    source: ModelSource
    input_text: str | None = None  # `--input`, in the first layer's terms
    input_dims: tuple[int | None, ...] | None = None  # summary(input_shape=…): batch included or not
    framework: str | None = None  # overrides what the names say
    voice: Voice = "python"  # how the failure names settings


def from_text(
    text: str, input_text: str | None = None, framework: str | None = None, voice: Voice = "python"
) -> ModelReport:
    """The report of a model given as code."""
    return build(ModelRequest(read_model(text), input_text, None, framework, voice))


def build(request: ModelRequest) -> ModelReport:
    """Fold the model over its input."""
    source = request.source
    rules = convention(request.framework or source.framework or "keras")
    calls = source.calls
    if not calls:
        raise SpecError("the model has no layers", 'give the layers, e.g. "Conv1D(100, 4), MaxPooling1D(2)"')
    start, origin = _start(request, calls[0], rules)
    prepared = chain.prepare(calls, rules)  # (once: the search for lengths folds the layers again)
    plan, shortest, working = _searched(chain.fold(calls, start, rules, prepared=prepared), prepared)
    rows = tuple(layer_row(row) for row in plan.rows)
    last = plan.rows[-1] if plan.rows and plan.error is None else None
    return ModelReport(
        framework=rules.name,
        framework_title=rules.title,
        input_shape=start.dims,
        input_origin=origin,
        layers=rows,
        output_shape=None if plan.output is None else plan.output.dims,
        receptive_field=None if last is None else last.receptive_field,
        min_input_length=shortest,
        lengths_that_work=working,
        notes=source.notes,
        error=failure(plan, request.voice),
    )


def _searched(
    plan: chain.ModelPlan, prepared: chain.Prepared
) -> tuple[chain.ModelPlan, int | None, tuple[int, int] | None]:
    """The plan with the lengths that work: the shortest, and the only range when longer ones fail
    again; a too-short layer's hint in the model's terms, and a failure where no length works."""
    calls, start, rules = plan.calls, plan.input, plan.convention
    shortest, working, never = _lengths(calls, start, rules, prepared, plan.error is None and start.length is not None)
    if never is not None and plan.error is None and start.length is None:  # (unknown: it fails whatever it is)
        plan = _no_length_works(plan, calls, start, rules, prepared, never)
    if plan.error is not None:
        plan.error.raw_hint = _model_hint(plan, shortest, working, never)
    return plan, shortest, working


def _model_hint(plan: chain.ModelPlan, shortest: int | None, working: tuple[int, int] | None, never: int | None) -> str:
    """The failing layer's hint in the model's terms: the input lengths that work, or why none does."""
    error, start = plan.error, plan.input
    assert error is not None
    too_short, too_long = getattr(error, "too_short", False), getattr(error, "too_long", False)
    if too_short and never is not None:  # (a longer input gets past this layer only to fail earlier, as too long)
        return (
            f"no input length gets through every layer (from length {never:,} one fails as too long): {error.raw_hint}"
        )
    if too_short and shortest and error.argument != "in_channels":  # (a channels mismatch keeps its hint: a permute)
        return _longer_input_hint(plan.error_layer, shortest, working)
    if too_short and start.sequence_axis is None:  # (Linear, then Unflatten: a length no input length changes)
        fixed = "the model's input has no length axis, so the layers before this one fix the length it gets"
        return f"{fixed}: {error.raw_hint}"
    if too_long and working:  # (a size the length fixes)
        low, high = working
        only = f"{low:,}, the only one" if low == high else f"{low:,} to {high:,}, the only ones"
        return f"give the model an input of length {only} every layer takes, or {error.raw_hint}"
    return error.raw_hint


def _longer_input_hint(failed: int | None, shortest: int, working: tuple[int, int] | None) -> str:
    """A too-short layer's hint in the model's terms (its own gives its input's need, not the model's)."""
    hint = (
        f"give the model an input of length ≥ {shortest:,}, the shortest every layer takes"
        if working is None
        else f"give the model an input of length {working[0]:,}, the only one every layer takes"
        if working[0] == working[1]
        else f"give the model an input of length {working[0]:,} to {working[1]:,}, the only ones every layer takes"
    )
    hint += ", or shrink it less before this layer" if failed else ", or shrink it less in the layers"
    return hint + " (more padding, smaller windows or strides)"


def _start(request: ModelRequest, first: Call, rules: Convention) -> tuple[Value, str]:
    if request.input_text is not None:
        return model_input.from_text(request.input_text, first, rules), "given"
    if request.input_dims is not None:
        return model_input.from_dims(request.input_dims, first, rules), "given"
    spec = request.source.input
    if spec is None:
        raise SpecError(
            "the model's input shape is not given, and the model declares none (an Input, input_shape=)",
            f"give {setting('input_shape', '500')} (an Embedding's sequence length) or "
            f"{setting('input_shape', '50x300')} (length × channels; PyTorch: channels × length)",
            argument="input_shape",
        )
    return model_input.start_value((spec.batch, *spec.dims), first, rules), spec.origin


def _lengths(
    calls: tuple[Call, ...], start: Value, rules: Convention, prepared: chain.Prepared, works_as_given: bool
) -> tuple[int | None, tuple[int, int] | None, int | None]:
    """The shortest input length every layer takes, and, when longer inputs fail again (a Dense
    after Flatten takes one number of features), the only range that works; or, when none works
    (too short below a length, too long from it), that length. Bisection over lengths, each tried
    by folding the layers (bound once, no receptive fields)."""
    if start.sequence_axis is None:
        return None, None, None

    @functools.cache  # (the search asks some lengths twice: each fold is the whole model)
    def verdict(length: int) -> int:  # −1 too short, 0 works, +1 too long (or fails otherwise)
        error = chain.fold(calls, _with_length(start, length), rules, prepared=prepared, reaches=False).error
        if error is None:
            return 0
        if getattr(error, "too_short", False):
            return -1
        return 1 if getattr(error, "too_long", False) else 2

    given = start.length if works_as_given else None
    first = _least(lambda length: verdict(length) >= 0, 1, given)
    if first is None or verdict(first) != 0:
        return None, None, first if first is not None and first > 1 and verdict(first) == 1 else None
    if verdict(_LONGEST) == 0:  # a longer input never fails again
        return first, None, None
    end = _least(lambda length: verdict(length) > 0, first, None)
    return first, None if end is None else (first, end - 1), None


def _no_length_works(
    plan: chain.ModelPlan,
    calls: tuple[Call, ...],
    start: Value,
    rules: Convention,
    prepared: chain.Prepared,
    length: int,
) -> chain.ModelPlan:
    """The model of unknown length, failing where no length gets past: too short below `length`,
    too long from it (a Dense after Flatten whose in_features no length gives)."""
    low, high = (
        chain.fold(calls, _with_length(start, n), rules, prepared=prepared, reaches=False) for n in (length - 1, length)
    )
    assert low.error is not None and high.error is not None and high.error_layer is not None
    error = ChainError(
        f"no input length works: at length {length - 1:,}, {low.error.raw_message}; "
        f"at {length:,}, {high.error.raw_message}",
        f"for inputs of length {length - 1:,}: {low.error.raw_hint}; of length {length:,}: {high.error.raw_hint}",
        high.error.framework_message if isinstance(high.error, ChainError) else "",
        argument=high.error.argument,
    )
    error.layer = high.error.layer
    failed = high.error_layer
    return plan._replace(rows=plan.rows[:failed], error=error, error_layer=failed, error_name=high.error_name)


def _least(passes: Callable[[int], bool], low: int, known: int | None) -> int | None:
    """The least length ≥ low for which a monotone test passes, given one that passes (if known):
    the low end first, then doubling, then bisection."""
    if passes(low):
        return low
    high = known
    if high is None:
        high = low
        while not passes(high):
            if high > _LONGEST:
                return None
            high *= 2
    while high - low > 1:  # passes(high), not passes(low)
        middle = (low + high) // 2
        if passes(middle):
            high = middle
        else:
            low = middle
    return high


def _with_length(value: Value, length: int) -> Value:
    assert value.sequence_axis is not None
    dims = list(value.dims)
    dims[value.sequence_axis] = length
    return Value(tuple(dims), value.sequence_axis, integer=value.integer)
