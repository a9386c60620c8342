"""The registry of model layer rules: every family module's RULES, by framework and class name."""

from __future__ import annotations

import functools
import importlib

from conv1dexplain.conventions import Convention
from conv1dexplain.errors import setting
from conv1dexplain.layers.node import Call, LayerRule, Unsupported

# Each family module and the classes its RULES hold, by framework. A model imports only the families
# it uses (all fifteen cost a tenth of `model`'s start-up); tests/test_model_registry.py holds this
# index to the modules' RULES, so a new rule that is not listed here fails there.
FAMILIES: dict[str, dict[str, str]] = {  # (names apart by spaces)
    "convolution": {"keras": "Conv1D", "pytorch": "Conv1d"},
    "pointwise": {
        "keras": "Dropout GaussianNoise GaussianDropout AlphaDropout Activation ReLU LeakyReLU ELU Softmax "
        "ActivityRegularization Identity SpatialDropout1D PReLU",
        "pytorch": "Dropout Dropout1d AlphaDropout FeatureAlphaDropout Identity ReLU ReLU6 LeakyReLU ELU SELU CELU "
        "GELU SiLU Mish Tanh Sigmoid Hardtanh Hardswish Hardsigmoid Softplus Softsign Tanhshrink Softmax LogSoftmax "
        "PReLU",
    },
    "dense": {"keras": "Dense Embedding TimeDistributed", "pytorch": "Linear Embedding"},
    "reshaping": {"keras": "Flatten Reshape Permute RepeatVector", "pytorch": "Flatten Unflatten"},
    "pooling": {
        "keras": "MaxPooling1D MaxPool1D AveragePooling1D AvgPool1D "
        "GlobalMaxPooling1D GlobalMaxPool1D GlobalAveragePooling1D GlobalAvgPool1D"
    },
    "pooling_adaptive": {"pytorch": "AdaptiveMaxPool1d AdaptiveAvgPool1d"},
    "pooling_torch": {"pytorch": "MaxPool1d AvgPool1d"},
    "resize": {
        "keras": "ZeroPadding1D Cropping1D",
        "pytorch": "ConstantPad1d ZeroPad1d ReflectionPad1d ReplicationPad1d CircularPad1d",
    },
    "upsample": {"keras": "UpSampling1D", "pytorch": "Upsample"},
    "normalization": {"keras": "BatchNormalization LayerNormalization GroupNormalization"},
    "normalization_torch": {"pytorch": "BatchNorm1d LayerNorm GroupNorm InstanceNorm1d"},
    "merge": {"keras": "Concatenate Subtract Add Multiply Average Maximum Minimum"},
    "convolution_variants": {"keras": "Conv1DTranspose", "pytorch": "ConvTranspose1d"},
    "convolution_separable": {"keras": "DepthwiseConv1D SeparableConv1D"},
    "recurrent": {"keras": "LSTM GRU SimpleRNN Bidirectional", "pytorch": "LSTM GRU RNN"},
}


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
def _index() -> dict[tuple[str, str], str]:
    """(framework, class name) → the family module that holds its rule, aliases included."""
    index = {
        (framework, name): family
        for family, classes in FAMILIES.items()
        for framework, names in classes.items()
        for name in names.split()
    }
    for framework, aliases in ALIASES.items():
        for alias, name in aliases.items():
            index.setdefault((framework, alias), index[(framework, name)])
    return index


@functools.cache
def _family_rules(family: str) -> dict[tuple[str, str], LayerRule]:
    module = importlib.import_module(f"conv1dexplain.layers.{family}")
    return {(rule.framework, rule.name): rule for rule in module.RULES}


def _rule(framework: str, name: str) -> LayerRule | None:
    family = _index().get((framework, name))
    if family is None:
        return None
    rules = _family_rules(family)
    return rules.get((framework, name)) or rules[(framework, ALIASES[framework][name])]


def class_name(rules: Convention, name: str) -> str:
    """The class a layer name stands for in this framework (an alias's class)."""
    return ALIASES.get(rules.name, {}).get(name, name)


def supported(rules: Convention) -> list[str]:
    """The class names this framework's models may use, sorted."""
    return sorted(name for framework, name in _index() if framework == rules.name)


def known(name: str) -> set[str]:
    """The frameworks (convention names) that have a layer class of this name."""
    return {framework for framework, candidate in _index() if candidate == name}


def rule_for(rules: Convention, call: Call) -> LayerRule:
    """The rule of the call's layer class in this framework, or a SpecError listing what is supported."""
    rule = _rule(rules.name, call.name)
    if rule is not None:
        return rule
    elsewhere = sorted(known(call.name) - {rules.name})
    hint = f"supported {rules.title} layers: {', '.join(supported(rules))}"
    if elsewhere:
        hint = f"{call.name} is a {' and '.join(elsewhere)} layer: give {setting('framework', elsewhere[0])}"
    raise Unsupported(
        f"{call.place}{call.name} is not a layer conv1dexplain knows in {rules.title}",
        hint,
        argument=None,
        value=call.name,
    )
