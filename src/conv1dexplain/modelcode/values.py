"""What names in a model's code stand for while it is read (never run): layers not yet called,
outputs of called layers, inputs, Sequential models, functional models."""

from __future__ import annotations

import ast
from typing import Any

from conv1dexplain.modelcode.literals import ModelCodeError
from conv1dexplain.records import field, record


@record
class Layer:
    """A layer object as constructed: `Conv1D(100, 4)` before it is called on a tensor."""

    name: str  # class name without prefixes
    prefix: str  # "nn", "layers", "keras.layers", "" ...
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    node: ast.AST
    label: str | None = None


@record
class Sequence:
    """A Sequential model: its layers in order (nested Sequentials stay nested until flattened)."""

    items: list[tuple[str | None, Any]] = field(default_factory=list)  # (label, Layer | Sequence | InputSpec)
    node: ast.AST | None = None


@record(frozen=True)
class InputSpec:
    """A model input as the code gives it: Input(shape=(500,)) or a first layer's input_shape=."""

    dims: tuple[int | None, ...]  # without the batch
    batch: int | None
    origin: str  # "Input(shape=…)", "input_shape=", "input_length="
    node: ast.AST | None = None


@record(frozen=True)
class Output:
    """A tensor in the functional API: the output of graph node `index` (-1: the model's input)."""

    index: int


@record
class Functional:
    """keras.Model(inputs, outputs): the graph nodes that lead to the outputs."""

    inputs: list[Output]
    outputs: list[Output]
    node: ast.AST


def is_loose(item: Any) -> bool:
    """A layer, or an Input() (a model input: its Output index is negative), in a bare list."""
    return isinstance(item, Layer) or (isinstance(item, Output) and item.index < 0)


def wrap(value: Any) -> list[Any]:
    """A tensor or a list of them, as a list."""
    return list(value) if isinstance(value, list | tuple) else [value]


def tensor_index(tensor: Any, node: ast.AST) -> int:
    """The graph node a tensor of the functional API is the output of."""
    if isinstance(tensor, Output):
        return tensor.index
    raise ModelCodeError(
        node,
        f"a layer is called on {getattr(tensor, 'text', None) or 'something'}, which is not a tensor of the model "
        "read so far (the code is read, never run: a function's tensor arguments are not followed)",
        "pass the output of Input() or of another layer; write a block built by a function inline",
    )


def sequence_of(args: tuple[Any, ...], kwargs: dict[str, Any], node: ast.Call) -> Sequence:
    """A Sequential's items from its call: a list, the layers one by one, or an OrderedDict."""
    items: list[tuple[str | None, Any]] = []
    layers = kwargs.get("layers", args[0] if len(args) == 1 and isinstance(args[0], list | tuple) else None)
    if layers is None:  # nn.Sequential(a, b, c), or an OrderedDict
        layers = list(args)
        if len(layers) == 1 and isinstance(layers[0], list) and all(isinstance(p, tuple) for p in layers[0]):
            layers = layers[0]
    for item in layers:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            items.append((item[0], item[1]))
        else:
            items.append((None, item))
    return Sequence(items, node)
