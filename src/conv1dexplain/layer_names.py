"""Each layer's name in its model, as the framework gives it (Keras' auto-names conv1d, conv1d_1 …;
PyTorch's Sequential paths), and the clash Keras refuses: two layers given the same name."""

from __future__ import annotations

import functools
import re

from conv1dexplain.conventions import Convention
from conv1dexplain.layers.node import Call, ChainError
from conv1dexplain.layers.rules import class_name


def layer_names(calls: tuple[Call, ...], rules: Convention) -> list[str]:
    """Each layer's name in its model; a shared layer keeps its one name (Keras)."""
    counts: dict[str, int] = {}
    names: list[str] = []
    for index, call in enumerate(calls):
        shared = call.shares is not None and rules.auto_names_layers and call.label is None
        names.append(names[call.shares] if shared and call.shares is not None else _name(call, rules, counts, index))
    return names


def name_clash(calls: tuple[Call, ...], rules: Convention, sequential: bool) -> tuple[int, ChainError] | None:
    """The second layer given a name an earlier one has (Keras refuses it), and Keras' refusal."""
    seen: set[str] = set()
    for index, call in enumerate(calls):
        if not rules.auto_names_layers or call.label is None or call.shares is not None:
            continue
        if call.label in seen:
            said = (
                "ValueError: All layers added to a Sequential model should have unique names. Name "
                f"'{call.label}' is already the name of a layer in this model. Update the `name` argument to pass "
                "a unique name."
                if sequential
                else f'ValueError: The name "{call.label}" is used 2 times in the model. All operation names should '
                "be unique."
            )
            return index, ChainError(
                f"two layers are named {call.label!r}", f"give layer {index} another name= (or none)", said
            )
        seen.add(call.label)
    return None


def _name(call: Call, rules: Convention, counts: dict[str, int], index: int) -> str:
    if not rules.auto_names_layers:
        return call.path or call.label or str(index)
    if call.label is not None:
        return call.label
    base = snake_case(class_name(rules, call.name))
    seen = counts.get(base, 0)
    counts[base] = seen + 1
    return base if seen == 0 else f"{base}_{seen}"


@functools.cache  # (a model names many layers of few classes)
def snake_case(name: str) -> str:
    """Keras' to_snake_case: Conv1D → conv1d, MaxPooling1D → max_pooling1d."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()
