"""The layer of the user's model that a message is about (`why model.py < error.txt`): the model's
code is read as `model` reads it (parsed, never run), and the layer whose arguments produce the
message's numbers is named as the model names it (conv1d_1, or a Sequential's path)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conv1dexplain.report.diagnosis import Finding

Test = Callable[[dict[str, Any]], bool]


def _size(value: Any) -> Any:
    return value[0] if isinstance(value, tuple | list) and len(value) == 1 else value


def _tests(found: Finding) -> tuple[tuple[str, ...], Test] | None:
    """The layer classes the message can come from, and what their bound arguments must say."""
    numbers, kind = found.numbers, found.error_kind
    if kind == "input_channels":
        weight, groups = numbers["weight_shape"], numbers["groups"]
        return (
            ("Conv1d",),
            lambda a: (
                (a["out_channels"], a["in_channels"], _size(a["kernel_size"]), a["groups"])
                == (
                    weight[0],
                    weight[1] * groups,
                    weight[-1],
                    groups,
                )
            ),
        )
    if kind == "linear_features":
        wanted, out = numbers["weight_t_shape"]
        return ("Linear",), lambda a: (a["in_features"], a["out_features"]) == (wanted, out)
    if kind == "kernel_rank":
        return ("Conv1d",), lambda a: isinstance(a["kernel_size"], tuple | list) and len(a["kernel_size"]) == 2
    if kind == "strided_same":
        return ("Conv1d",), lambda a: a["padding"] == "same" and _size(a["stride"]) != 1
    if kind == "strides_with_dilation":
        return ("Conv1D",), lambda a: _size(a["strides"]) > 1 and _size(a["dilation_rate"]) > 1
    if kind == "groups":  # Keras' message gives groups; PyTorch's, the channels that do not divide
        return ("Conv1D", "Conv1d"), _groups_test(numbers.get("groups"))
    return None


def _groups_test(groups: Any) -> Test:
    def test(a: dict[str, Any]) -> bool:
        if "filters" in a:  # Keras' Conv1D
            return bool(a["groups"] == groups)
        return bool(a["in_channels"] % a["groups"] != 0 or a["out_channels"] % a["groups"] != 0)

    return test


def locate(found: Finding, code: str) -> str | None:
    """'conv1d_1 (Conv1D)' or '2.0 (Conv1d)': the one layer of the model the message fits, if one does."""
    from conv1dexplain.chain import layer_names
    from conv1dexplain.conventions import convention
    from conv1dexplain.errors import SpecError
    from conv1dexplain.layers.rules import rule_for
    from conv1dexplain.modelcode import read_model

    try:
        source = read_model(code)
    except SpecError:
        return None
    rules = convention(source.framework or found.framework)
    names = layer_names(source.calls, rules)
    if found.layer is not None:  # Keras names it: the model's own name, with its class
        named = [f"{name} ({call.name})" for name, call in zip(names, source.calls, strict=True) if name == found.layer]
        return named[0] if len(named) == 1 else None
    wanted = _tests(found)
    if wanted is None:
        return None
    classes, test = wanted
    hits = []
    for name, call in zip(names, source.calls, strict=True):
        if call.name not in classes:
            continue
        try:
            if test(rule_for(rules, call).bind(call)):
                hits.append(f"{name} ({call.name})")
        except (SpecError, TypeError, KeyError, IndexError):
            continue
    return hits[0] if len(hits) == 1 else None
