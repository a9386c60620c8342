"""What names in a model's code stand for while it is read (never run): layers not yet called,
outputs of called layers, inputs, Sequential models, functional models."""

from __future__ import annotations

import ast
from typing import Any

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
