"""The layer of the user's model that a message is about (`why model.py < error.txt`): the model's
code is read as `model` reads it (parsed, never run), and the layer whose arguments produce the
message's numbers is named as the model names it (conv1d_1, or a Sequential's path)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from conv1dexplain.records import NamedTuple
from conv1dexplain.report.diagnosis import Finding

if TYPE_CHECKING:
    from conv1dexplain.conventions import Convention
    from conv1dexplain.layers.node import Call

Test = Callable[[dict[str, Any]], bool]


def _size(value: Any) -> Any:
    return value[0] if isinstance(value, tuple | list) and len(value) == 1 else value


Wanted = tuple[tuple[str, ...], Test]  # the layer classes a message can come from, and their test


def _channels(n: dict[str, Any]) -> Wanted:
    weight, groups = n["weight_shape"], n["groups"]
    if n.get("transposed"):  # nn.ConvTranspose1d's weight: (in_channels, out_channels / groups, k)
        return ("ConvTranspose1d",), lambda a: (a["in_channels"], _size(a["kernel_size"])) == (weight[0], weight[-1])
    wanted = (weight[0], weight[1] * groups, weight[-1], groups)
    return ("Conv1d",), lambda a: (a["out_channels"], a["in_channels"], _size(a["kernel_size"]), a["groups"]) == wanted


def _span(n: dict[str, Any]) -> Wanted:
    return ("Conv1d",), lambda a: _size(a["dilation"]) * (_size(a["kernel_size"]) - 1) + 1 == n["kernel_span"]


def _rank(n: dict[str, Any]) -> Wanted:
    weight = n.get("weight_shape")
    if weight is None or len(weight) != 3:
        return ("Conv1d",), lambda a: True  # (the model's only Conv1d, if it has one)
    return ("Conv1d",), lambda a: (a["out_channels"], _size(a["kernel_size"])) == (weight[0], weight[-1])


def _anything(a: dict[str, Any]) -> bool:
    return True


_TESTS: dict[str, Callable[[dict[str, Any]], Wanted]] = {
    "input_channels": _channels,
    "input_too_short": _span,
    "input_rank": _rank,
    "linear_features": lambda n: (
        ("Linear",),
        lambda a: (a["in_features"], a["out_features"]) == tuple(n["weight_t_shape"]),
    ),
    "kernel_rank": lambda n: (
        ("Conv1d",),
        lambda a: isinstance(a["kernel_size"], tuple | list) and len(a["kernel_size"]) == 2,
    ),
    "strided_same": lambda n: (("Conv1d",), lambda a: a["padding"] == "same" and _size(a["stride"]) != 1),
    "strides_with_dilation": lambda n: (
        ("Conv1D",),
        lambda a: _size(a["strides"]) > 1 and _size(a["dilation_rate"]) > 1,
    ),
    # Keras' message gives groups; PyTorch's, the channels that do not divide
    "groups": lambda n: (("Conv1D", "Conv1d"), _groups_test(n.get("groups"))),
    "recurrent_features": lambda n: (("LSTM", "GRU", "RNN"), lambda a: a["input_size"] == n["input_size"]),
    "norm_features": lambda n: (("BatchNorm1d",), lambda a: a["num_features"] == n["num_features"]),
    "pool_output_empty": lambda n: (("MaxPool1d", "AvgPool1d"), _anything),
}


def _groups_test(groups: Any) -> Test:
    def test(a: dict[str, Any]) -> bool:
        if "filters" in a:  # Keras' Conv1D
            return bool(a["groups"] == groups)
        return bool(a["in_channels"] % a["groups"] != 0 or a["out_channels"] % a["groups"] != 0)

    return test


class Located(NamedTuple):
    """The layer of the model a message is about."""

    position: int  # among the model's calls
    label: str  # 'conv1d_1 (Conv1D)' or '2.0 (Conv1d)': its name in the model, and its class
    calls: tuple[Call, ...]  # the model's layers
    names: tuple[str, ...]  # their names in the model
    rules: Convention


def locate(found: Finding, code: str) -> Located | None:
    """The one layer of the model the message fits, if one does; SpecError when the code is not a
    model conv1dexplain reads."""
    from conv1dexplain.conventions import convention
    from conv1dexplain.layer_names import layer_names
    from conv1dexplain.modelcode import read_model

    source = read_model(code)  # (a SpecError if the code cannot be read: the caller says so)
    rules = convention(source.framework or found.framework)
    names = layer_names(source.calls, rules)
    if found.layer is not None and found.layer.isidentifier():  # Keras names it: the model's name, or its class
        named = [i for i, name in enumerate(names) if name == found.layer]
        if not named:  # (Keras 3 names the layer's class: "when calling MaxPooling1D.call()")
            named = [i for i, call in enumerate(source.calls) if call.name == found.layer]
        return _located(named, names, source.calls, rules)
    return _located(_matching(found, source.calls, rules), names, source.calls, rules)


def _matching(found: Finding, calls: tuple[Call, ...], rules: Convention) -> list[int]:
    """The calls whose bound arguments give the message's numbers."""
    from conv1dexplain.errors import SpecError
    from conv1dexplain.layers.rules import rule_for

    tests = _TESTS.get(found.error_kind)
    if tests is None:
        return []
    try:
        classes, test = tests(found.numbers)
    except (KeyError, TypeError, IndexError):
        return []
    hits = []
    for index, call in enumerate(calls):
        if call.name not in classes:
            continue
        try:
            if test(rule_for(rules, call).bind(call)):
                hits.append(index)
        except (SpecError, TypeError, KeyError, IndexError):
            continue
    return hits


def _located(hits: list[int], names: list[str], calls: tuple[Call, ...], rules: Convention) -> Located | None:
    if len(hits) != 1:
        return None
    index = hits[0]
    return Located(index, f"{names[index]} ({calls[index].name})", calls, tuple(names), rules)
