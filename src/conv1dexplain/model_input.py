"""A model's input as a Value: from `--input` text (`500`, `50x300`, `32x50x300`, `?x300`) or from
the code (Input(shape=…), Keras 2's input_shape= / input_length=), read in the first layer's terms:
token ids for an Embedding, else (length, channels) in the convention's layout, an optional batch
first. Pure: no NumPy."""

from __future__ import annotations

from conv1dexplain.conventions import Convention
from conv1dexplain.errors import SpecError, setting
from conv1dexplain.layers.node import Call, Dims, Value
from conv1dexplain.layers.rules import rule_for
from conv1dexplain.tensor import INT64_MAX, split_dims

_TOKENS = {"Embedding"}  # first layers that read (batch, length) token ids


def parse_dims(text: str) -> Dims:
    """`50x300` → (50, 300); `?`, `None`, `n` are an unknown size; 1 to 4 dimensions."""
    tokens = split_dims(text)
    hint = f"write it as {setting('input_shape', '500')} (an Embedding's length) or LxC, e.g. 50x300"
    if not 1 <= len(tokens) <= 4:
        raise SpecError(f"{setting('input_shape')} {text!r} has {len(tokens)} dimension(s), not 1 to 4", hint)
    dims: list[int | None] = []
    for token in tokens:
        if token is None:
            dims.append(None)
        elif not 0 <= token <= INT64_MAX:
            raise SpecError(f"{setting('input_shape')} {text!r}: {token} is not a size a tensor can have", hint)
        else:
            dims.append(token)
    return tuple(dims)


def start_value(dims: Dims, first: Call, rules: Convention) -> Value:
    """The model's input value (batch first) for the first layer: where its sequence axis is."""
    order = _order(first, rules)
    if order == "time_distributed":  # (batch, time, …): the wrapped layer runs on each step of time
        return Value(dims, 1 if len(dims) >= 3 else None)
    if order == "tokens":
        return Value(dims, 1 if len(dims) == 2 else None, integer=True)
    if len(dims) != 3:
        return Value(dims, None)  # (batch, features): no sequence axis (or a rank the layer refuses)
    if order == "time_major":  # PyTorch's RNNs without batch_first read (L, N, H)
        return Value((dims[1], dims[0], dims[2]), 0)
    return Value(dims, 1 if order == "channels_last" else 2)


def from_text(text: str, first: Call, rules: Convention) -> Value:
    """`--input` text: one more dimension than the first layer reads is a leading batch."""
    return from_dims(parse_dims(text), first, rules)


def from_dims(dims: Dims, first: Call, rules: Convention) -> Value:
    """A shape with or without its batch: one more dimension than the first layer reads is a batch."""
    return start_value(dims if len(dims) == _rank(first, rules) + 1 else (None, *dims), first, rules)


def _rank(first: Call, rules: Convention) -> int:
    """The dimensions the first layer reads without the batch: TimeDistributed's one more than its layer's."""
    order = _order(first, rules)
    if order == "time_distributed":  # a time axis before the wrapped layer's own (a Dense's: features)
        inner = _wrapped(first)
        return 1 + (1 if inner is None or inner.name == "Dense" else _rank(inner, rules))
    return 1 if order == "tokens" else 2


def _wrapped(call: Call) -> Call | None:
    """The layer a TimeDistributed call wraps, if it is one."""
    inner = call.args[0] if call.args else call.kwargs.get("layer")
    return inner if isinstance(inner, Call) else None


def _order(first: Call, rules: Convention) -> str:
    if first.name in _TOKENS:
        return "tokens"
    if first.name == "TimeDistributed" and _wrapped(first) is not None:
        return "time_distributed"
    try:
        bound = rule_for(rules, first).bind(first)
    except SpecError:
        return rules.default_layout  # the chain reports the first layer's own error
    if bound.get("batch_first") is False:
        return "time_major"
    try:
        return rules.data_format(bound.get("data_format"))
    except SpecError:
        return rules.default_layout
