"""A live Keras or PyTorch model (or a list of its layers) read into layer calls through its
configuration — Keras' get_config(), PyTorch's module attributes — without a forward pass and
without importing either framework: the objects are only looked at."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from conv1dexplain.conventions import convention
from conv1dexplain.errors import SpecError
from conv1dexplain.layers.node import Call
from conv1dexplain.layers.rules import rule_for
from conv1dexplain.modelcode import ModelSource
from conv1dexplain.modelcode.values import InputSpec

_CONTAINERS = {"Sequential", "ModuleList"}


def framework_of(obj: Any) -> str | None:
    """keras or pytorch, by the package its class comes from."""
    return _PACKAGES.get(type(obj).__module__.split(".")[0])


def read_live(obj: Any) -> ModelSource:
    """The calls of a keras.Sequential, an nn.Sequential, or a list of either framework's layers."""
    items = list(obj) if isinstance(obj, list | tuple) else [obj]
    frameworks = {framework_of(item) for item in items}
    if len(frameworks) != 1 or None in frameworks:
        raise SpecError(
            "summary() takes a model's code as text, or a live keras.Sequential / torch.nn.Sequential "
            "(or a list of one framework's layers)",
            "pass the model itself, its layers in a list, or its code as a string",
            argument="obj",
        )
    framework = frameworks.pop()
    assert framework is not None
    calls: list[Call] = []
    spec: InputSpec | None = None
    input_of, calls_of = _READERS[framework]
    for position, item in enumerate(items):
        spec = spec or input_of(item)
        calls.extend(calls_of(item, None if len(items) == 1 else str(position)))
    return ModelSource(tuple(calls), spec, framework, ())


def _keras_input(item: Any) -> InputSpec | None:
    try:
        shape = item.input_shape if type(item).__name__ in _CONTAINERS or hasattr(item, "layers") else None
    except (AttributeError, ValueError):
        return None
    if isinstance(shape, tuple) and shape and all(d is None or isinstance(d, int) for d in shape):
        return InputSpec(tuple(shape[1:]), shape[0], "live model's input")
    return None


def _keras_calls(item: Any, path: str | None = None) -> Iterable[Call]:
    if hasattr(item, "layers") and type(item).__name__ != "Bidirectional":
        for layer in item.layers:
            yield from _keras_calls(layer)
        return
    name = type(item).__name__
    if name == "InputLayer":
        return
    config = dict(item.get_config())
    kwargs = {key: _keras_value(value) for key, value in config.items() if _keras_wanted(name, key)}
    for wrapped, kept_as in (("layer", ("layer", "forward_layer")), ("backward_layer", ("backward_layer",))):
        inner = next((getattr(item, key) for key in kept_as if getattr(item, key, None) is not None), None)
        if inner is not None and hasattr(inner, "get_config"):  # (Keras 3's Bidirectional: forward_layer)
            kwargs[wrapped] = next(iter(_keras_calls(inner)))
    yield Call(name, (), kwargs, label=config.get("name"), built_features=_built_features(item))


def _built_features(layer: Any) -> int | None:
    """The last axis a built Keras layer's InputSpec takes (its kernel's), or None."""
    axes = getattr(getattr(layer, "input_spec", None), "axes", None) or {}
    built = axes.get(-1) if getattr(layer, "built", False) and isinstance(axes, dict) else None
    return built if isinstance(built, int) and not isinstance(built, bool) else None


def _keras_wanted(name: str, key: str) -> bool:
    try:
        rule = rule_for(convention("keras"), Call(name))
    except SpecError:
        return key != "name"  # the chain names the unknown layer
    return key == "trainable" or key in {param.name for param in rule.params}  # trainable=False freezes


def _keras_value(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict) and "class_name" in value:  # a serialised object (initializer, regularizer)
        return value.get("class_name")
    return value


def _torch_calls(module: Any, path: str | None) -> Iterable[Call]:
    name = type(module).__name__
    if name in _CONTAINERS:
        for key, child in module.named_children():
            yield from _torch_calls(child, key if path is None else f"{path}.{key}")
        return
    try:
        rule = rule_for(convention("pytorch"), Call(name))
    except SpecError:
        yield Call(name, path=path)
        return
    kwargs = {}
    for param in rule.params:
        if hasattr(module, param.name):
            kwargs[param.name] = _torch_value(param.name, getattr(module, param.name))
    untrained = sum(p.numel() for p in module.parameters() if not p.requires_grad)  # torchinfo's non-trainable
    yield Call(name, (), kwargs, path=path, untrained=untrained)


def _torch_value(name: str, value: Any) -> Any:
    if name == "bias" and not isinstance(value, bool):
        return value is not None  # the module keeps the bias tensor, or None
    if isinstance(value, list):
        return tuple(value)
    if hasattr(value, "shape") and hasattr(value, "dtype"):  # a tensor or parameter: not a setting
        return None
    return value


def _no_input(_: Any) -> InputSpec | None:
    return None  # a PyTorch module does not keep its input's shape


_PACKAGES = {"keras": "keras", "tf_keras": "keras", "tensorflow": "keras", "torch": "pytorch"}
_READERS: dict[str, tuple[Callable[[Any], InputSpec | None], Callable[[Any, str | None], Iterable[Call]]]] = {
    "keras": (_keras_input, _keras_calls),
    "pytorch": (_no_input, _torch_calls),
}
