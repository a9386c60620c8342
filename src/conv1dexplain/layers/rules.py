"""The registry of model layer rules: every family module's RULES, by framework and class name."""

from __future__ import annotations

import functools

from conv1dexplain.conventions import Convention
from conv1dexplain.errors import SpecError, setting
from conv1dexplain.layers import (
    convolution,
    convolution_separable,
    convolution_variants,
    dense,
    merge,
    normalization,
    normalization_torch,
    pointwise,
    pooling,
    pooling_adaptive,
    pooling_torch,
    recurrent,
    reshaping,
    resize,
    upsample,
)
from conv1dexplain.layers.node import Call, LayerRule

FAMILIES = (
    convolution,
    pointwise,
    dense,
    reshaping,
    pooling,
    pooling_adaptive,
    pooling_torch,
    resize,
    upsample,
    normalization,
    normalization_torch,
    merge,
    convolution_variants,
    convolution_separable,
    recurrent,
)


# Keras 3's other names of the same classes (keras.layers.MaxPool1D is MaxPooling1D): the layer's
# auto-name is its class's (max_pooling1d).
ALIASES = {
    "keras": {
        "Convolution1D": "Conv1D",
        "Convolution1DTranspose": "Conv1DTranspose",
        "SeparableConvolution1D": "SeparableConv1D",
        "MaxPool1D": "MaxPooling1D",
        "AvgPool1D": "AveragePooling1D",
        "GlobalMaxPool1D": "GlobalMaxPooling1D",
        "GlobalAvgPool1D": "GlobalAveragePooling1D",
    }
}


@functools.cache
def _table() -> dict[tuple[str, str], LayerRule]:
    table = {(rule.framework, rule.name): rule for family in FAMILIES for rule in family.RULES}
    for framework, aliases in ALIASES.items():
        for alias, name in aliases.items():
            table.setdefault((framework, alias), table[(framework, name)])
    return table


def class_name(rules: Convention, name: str) -> str:
    """The class a layer name stands for in this framework (an alias's class)."""
    return ALIASES.get(rules.name, {}).get(name, name)


def supported(rules: Convention) -> list[str]:
    """The class names this framework's models may use, sorted."""
    return sorted(name for framework, name in _table() if framework == rules.name)


def known(name: str) -> set[str]:
    """The frameworks (convention names) that have a layer class of this name."""
    return {framework for framework, candidate in _table() if candidate == name}


def rule_for(rules: Convention, call: Call) -> LayerRule:
    """The rule of the call's layer class in this framework, or a SpecError listing what is supported."""
    rule = _table().get((rules.name, call.name))
    if rule is not None:
        return rule
    elsewhere = sorted(known(call.name) - {rules.name})
    hint = f"supported {rules.title} layers: {', '.join(supported(rules))}"
    if elsewhere:
        hint = f"{call.name} is a {' and '.join(elsewhere)} layer: give {setting('framework', elsewhere[0])}"
    raise SpecError(
        f"line {call.line}, column {call.column}: {call.name} is not a layer conv1dexplain knows in {rules.title}",
        hint,
        argument=None,
        value=call.name,
    )
