"""Each fix checked through `model`'s rules (`why model.py < error.txt`): the fix applied to the
failing layer of the user's model (an argument set) or to what reaches it (the input permuted,
reshaped, padded …), the message's input shape folded from that layer to the model's end. What it
gives replaces the message-only guess of `then`, and a later layer that would then refuse is named.
Parsed, never run; no NumPy."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from conv1dexplain import chain, model_input, records
from conv1dexplain.conventions import Convention
from conv1dexplain.diagnose.model_layer import Located
from conv1dexplain.errors import SpecError
from conv1dexplain.layers.node import Call, Dims
from conv1dexplain.layers.rules import rule_for
from conv1dexplain.report.diagnosis import Check, Finding, Fix
from conv1dexplain.tensor import fmt_shape


def checked(found: Finding, located: Located) -> Finding:
    """The finding with each fix it can apply checked, and `then` the layer's exact output."""
    shape = found.numbers.get("layer_input_shape", found.numbers.get("input_shape"))
    dims = _dims(shape) if isinstance(shape, list) else None
    fixes = [_checked(fix, dims, located) for fix in found.fixes]
    return found._replace(fixes=tuple(sorted(fixes, key=_rank)))


def _rank(fix: Fix) -> int:
    """A fix the whole model then takes first; then those not checked; then those a later layer
    refuses; last those the layer itself still refuses (stable: the message's order otherwise)."""
    check = fix.check
    if check is None:
        return 1
    if check.model_output is not None:
        return 0
    return 2 if check.layer_output is not None else 3


def _dims(shape: list[Any]) -> Dims | None:
    if not shape or any(not (size is None or (isinstance(size, int) and size >= 0)) for size in shape):
        return None
    return tuple(shape)


def _checked(fix: Fix, dims: Dims | None, located: Located) -> Fix:
    calls = _downstream(located)
    try:
        calls, dims = _applied(fix, calls, dims, located.rules)
    except (SpecError, KeyError, TypeError, ValueError, IndexError):
        return fix  # (a fix this check cannot apply: it keeps the message's own words)
    if dims is None:
        return fix
    try:
        start = model_input.start_value(dims, calls[0], located.rules)
        plan = chain.fold(calls, start, located.rules, reaches=False)
    except SpecError:
        return fix
    if plan.error is not None and plan.error_layer == 0:
        return fix._replace(check=Check(None, None, located.label, plan.error.message))
    output = plan.rows[0].step.output.dims
    then = fmt_shape(output)
    if plan.error is None:
        final = plan.output.dims if plan.output is not None else None
        return fix._replace(then=then, check=Check(output, final, None, None))
    assert plan.error_layer is not None
    index = located.position + plan.error_layer
    stops = f"{located.names[index]} ({located.calls[index].name})"
    return fix._replace(then=then, check=Check(output, None, stops, plan.error.message))


def _downstream(located: Located) -> tuple[Call, ...]:
    """The failing layer and the ones after it (in a graph of branches, the failing layer alone)."""
    calls = located.calls
    if all(call.inputs is None for call in calls):
        return calls[located.position :]
    return (records.replace(calls[located.position], inputs=None),)


def _applied(
    fix: Fix, calls: tuple[Call, ...], dims: Dims | None, rules: Convention
) -> tuple[tuple[Call, ...], Dims | None]:
    """The layers and their input with the fix applied."""
    kind, fields = fix.kind, fix.fields
    if kind in ("set_argument", "set_arguments"):
        call = calls[0]
        bound = rule_for(rules, call).bind(call)
        values = fields["arguments"] if kind == "set_arguments" else {fields["argument"]: fields["value"]}
        changed = records.replace(call, args=(), kwargs={**bound, **values})
        return (changed, *calls[1:]), dims
    if dims is None:
        return calls, None
    return calls, _reshaped(kind, fields, list(dims), rules.default_layout == "channels_last")


def _reshaped(kind: str, fields: dict[str, Any], dims: list[int | None], channels_last: bool) -> Dims:
    if kind in ("pad_input", "min_input_length"):
        return _lengthened(kind, fields, dims, 1 if channels_last else -1)
    if kind in ("cast_input", "to_tensor", "to_device"):
        return tuple(dims)
    return _RESHAPES[kind](fields, dims)


def _swapped(fields: dict[str, Any], dims: list[int | None]) -> Dims:
    first, second = fields["dims"]
    dims[first], dims[second] = dims[second], dims[first]
    return tuple(dims)


def _merged(fields: dict[str, Any], dims: list[int | None]) -> Dims:
    """Axes start … end (the last by default) made one."""
    start, end = fields.get("start_dim", 1), fields.get("end_dim", len(dims) - 1)
    merged = dims[start : end + 1]
    size = None if None in merged else math.prod(merged)  # type: ignore[arg-type]
    return (*dims[:start], size, *dims[end + 1 :])


def _unsqueezed(fields: dict[str, Any], dims: list[int | None]) -> Dims:
    at = fields["dim"] if fields["dim"] >= 0 else len(dims) + 1 + fields["dim"]
    return (*dims[:at], 1, *dims[at:])


def _lengthened(kind: str, fields: dict[str, Any], dims: list[int | None], axis: int) -> Dims:
    length = dims[axis]
    if length is None:
        raise ValueError("length")
    dims[axis] = length + fields["left"] + fields["right"] if kind == "pad_input" else max(length, fields["value"])
    return tuple(dims)


_RESHAPES: dict[str, Callable[[dict[str, Any], list[int | None]], Dims]] = {
    "permute_input": lambda fields, dims: tuple(dims[d] for d in fields["dims"]),
    "transpose_input": _swapped,
    "squeeze_input": lambda fields, dims: tuple(size for i, size in enumerate(dims) if i != fields["dim"]),
    "flatten_input": _merged,
    "unsqueeze_input": _unsqueezed,
    "reshape_input": lambda fields, dims: _reshape(dims, fields["shape"]),
}


def _reshape(dims: list[int | None], shape: list[int | None]) -> Dims:
    """x.reshape with one size left to fill (-1, null in the fix): the batch."""
    if None in dims:
        return tuple(shape)
    known = math.prod(size for size in shape if size is not None)
    filled = [math.prod(dims) // known if size is None else size for size in shape]  # type: ignore[arg-type]
    if math.prod(filled) != math.prod(dims):  # type: ignore[arg-type]
        raise ValueError("sizes")
    return tuple(filled)
