"""A model's code (a layer list, Sequential, model.add, nn.Sequential, the functional API) read into
layer calls and an input, with ast: no line of it is ever run, imported or evaluated."""

from __future__ import annotations

import ast
from typing import Any

from conv1dexplain.layers.node import Call, Opaque
from conv1dexplain.modelcode.literals import ModelCodeError
from conv1dexplain.modelcode.read import Reader
from conv1dexplain.modelcode.values import Functional, InputSpec, Layer, Output, Sequence
from conv1dexplain.records import NamedTuple, replace

MAX_BYTES = 1 << 20  # a model's code longer than this is refused
_TORCH_PREFIXES = ("nn", "torch")
_KERAS_PREFIXES = ("layers", "keras", "tf")

__all__ = ["MAX_BYTES", "ModelCodeError", "ModelSource", "read_model"]


class ModelSource(NamedTuple):
    """What the code says: the layer calls in order, the input it gives (if any), the framework its
    names point to (None: nothing tells), and notes on what it uses that Keras 3 deprecates."""

    calls: tuple[Call, ...]
    input: InputSpec | None
    framework: str | None
    notes: tuple[str, ...]


def read_model(text: str) -> ModelSource:
    """The model in this code, or a ModelCodeError naming the line and column."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ModelCodeError(
            None, f"the model's code is over {MAX_BYTES >> 20} MB", "give the file with the model alone"
        )
    if "\x00" in text:
        raise ModelCodeError(None, "the model's code holds NUL bytes: is it a binary file?", "give Python source text")
    tree = _parse(text)
    reader = Reader()
    try:
        reader.statements(tree.body)
    except RecursionError:
        raise ModelCodeError(None, "the code nests too deeply to read", "flatten the model") from None
    return _source(reader)


def _parse(text: str) -> ast.Module:
    try:
        return ast.parse(text)
    except SyntaxError as error:
        where = f"line {error.lineno}, column {error.offset}: " if error.lineno else ""
        raise ModelCodeError(
            None, f"{where}not Python: {error.msg}", "give the model's Python code, or a list of layer calls"
        ) from None
    except (RecursionError, MemoryError, ValueError):
        raise ModelCodeError(None, "the code nests too deeply to read", "flatten the model") from None


def _source(reader: Reader) -> ModelSource:
    if reader.models:
        model = reader.models[-1]
    elif reader.loose:
        model = Sequence([(None, layer) for layer in reader.loose])
    elif reader.module_classes:
        name = reader.module_classes[0].name
        raise ModelCodeError(
            reader.module_classes[0],
            f"class {name} computes its output in forward(), which is code: models are read, not run",
            "write the layers as nn.Sequential(...) or as a list of layer calls",
        )
    else:
        raise ModelCodeError(
            None, "no model found: no layer calls, Sequential or Model", 'give e.g. "Conv1D(100, 4), MaxPooling1D(2)"'
        )
    flat = _Flattener(reader)
    calls = flat.functional(model) if isinstance(model, Functional) else tuple(flat.sequence(model, ()))
    calls = _shared(calls, flat.top)
    spec = flat.input or (reader.inputs[0] if reader.inputs else None)
    return ModelSource(calls, spec, _framework(flat.layers), tuple(flat.notes))


def _shared(calls: tuple[Call, ...], layers: list[Layer]) -> tuple[Call, ...]:
    """A layer object used twice (x = conv(conv(x)), nn.Sequential(c, relu, c)) has one set of weights."""
    first: dict[int, int] = {}
    marked = []
    for index, (call, layer) in enumerate(zip(calls, layers, strict=True)):
        marked.append(replace(call, shares=first[id(layer)]) if id(layer) in first else call)
        first.setdefault(id(layer), index)
    return tuple(marked)


class _Flattener:
    """Layers (and nested Sequentials) into calls, with their names and the input they declare."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.input: InputSpec | None = None
        self.layers: list[Layer] = []
        self.top: list[Layer] = []  # the layer object of each call of the model, in order
        self.notes: list[str] = []

    def sequence(self, model: Sequence, path: tuple[str, ...]) -> list[Call]:
        calls: list[Call] = []
        for position, (key, item) in enumerate(model.items):
            place = (*path, key if key is not None else str(position))
            if isinstance(item, Sequence):
                calls.extend(self.sequence(item, place))
            elif isinstance(item, Output) and item.index < 0:
                spec = self.reader.inputs[-1 - item.index]
                if self.input is not None:  # (Keras: after one, a Sequential takes no other)
                    shape = (self.input.batch, *self.input.dims)
                    raise ModelCodeError(
                        spec.node,
                        "a second Input in the Sequential: Keras refuses it (\"Sequential model 'sequential' has "
                        f"already been configured to use input shape {shape}. You cannot add a different Input "
                        'layer to it.")',
                        "keep one Input, the first",
                    )
                self.input = spec
            elif isinstance(item, Layer):
                calls.append(self.call(item, ".".join(place), None))
                self.top.append(item)
            elif isinstance(item, Opaque) and isinstance(item.node, ast.Call):  # a builder function's call
                raise ModelCodeError(
                    item.node,
                    f"item {position} of the Sequential, {item.text}, is a call whose layers are known only by "
                    "running it (the code is read, never run; the file's own functions are followed, when called "
                    "without arguments)",
                    "write its layers in the Sequential itself, e.g. nn.Sequential(nn.Conv1d(8, 8, 3), nn.ReLU())",
                )
            else:
                raise ModelCodeError(
                    model.node, f"item {position} of the Sequential is not a layer ({item!r})", "list layer calls only"
                )
        return calls

    def call(self, layer: Layer, path: str | None, inputs: tuple[int, ...] | None) -> Call:
        self.layers.append(layer)
        self._declared_input(layer)
        args = tuple(self._argument(value) for value in layer.args)
        kwargs = {key: self._argument(value) for key, value in layer.kwargs.items()}
        label = kwargs.get("name") if isinstance(kwargs.get("name"), str) else None
        node = layer.node
        return Call(
            layer.name,
            args,
            kwargs,
            getattr(node, "lineno", 0),
            getattr(node, "col_offset", 0) + 1,
            inputs,
            label,
            path,
        )

    def _argument(self, value: Any) -> Any:
        if isinstance(value, Layer):
            return self.call(value, None, None)
        if isinstance(value, Sequence):
            raise ModelCodeError(value.node, "a Sequential inside a layer's arguments", "write its layers in the model")
        return value

    def _declared_input(self, layer: Layer) -> None:
        """Keras 2's input_shape= / input_length= on a first layer (Keras 3 deprecates both)."""
        if self.input is not None or self.layers[0] is not layer:
            return
        shape = layer.kwargs.get("input_shape") or layer.kwargs.get("batch_input_shape")
        if isinstance(shape, tuple | list):
            batch = layer.kwargs.get("batch_input_shape")
            dims = tuple(shape[1:]) if batch else tuple(shape)
            self.input = InputSpec(dims, shape[0] if batch else None, "input_shape=", layer.node)
            self.notes.append("input_shape= on a layer is Keras 2's way; Keras 3 warns: use Input(shape=…) first")
        elif isinstance(layer.kwargs.get("input_length"), int):
            self.input = InputSpec((layer.kwargs["input_length"],), None, "input_length=", layer.node)
            self.notes.append(
                'Embedding\'s input_length= is deprecated in Keras 3 ("Just remove it"): use Input(shape=(length,))'
            )

    def functional(self, model: Functional) -> tuple[Call, ...]:
        if len(model.inputs) != 1 or model.inputs[0].index >= 0:
            raise ModelCodeError(model.node, "a model with several inputs (or none)", "give a model with one Input()")
        self.input = self.reader.inputs[-1 - model.inputs[0].index]
        needed = self._ancestors(model.outputs)
        renumber = {-1 - number: -1 for number in range(len(self.reader.inputs))}
        calls: list[Call] = []
        for index, (layer, feeds) in enumerate(self.reader.graph):
            if index in needed:
                renumber[index] = len(calls)
                calls.append(self.call(layer, None, tuple(renumber[feed] for feed in feeds)))
                self.top.append(layer)
        return tuple(calls)

    def _ancestors(self, outputs: list[Output]) -> set[int]:
        seen: set[int] = set()
        stack = [output.index for output in outputs]
        while stack:
            index = stack.pop()
            if index >= 0 and index not in seen:
                seen.add(index)
                stack.extend(self.reader.graph[index][1])
        return seen


def _framework(layers: list[Layer]) -> str | None:
    from conv1dexplain.layers.rules import known

    votes: set[str] = set()
    for layer in layers:
        head = layer.prefix.split(".")[0] if layer.prefix else ""
        last = layer.prefix.rsplit(".", 1)[-1] if layer.prefix else ""
        if head in _TORCH_PREFIXES or last == "nn":
            votes.add("pytorch")
        elif head in _KERAS_PREFIXES:
            votes.add("keras")
        elif len(frameworks := known(layer.name)) == 1:
            votes |= frameworks
    return votes.pop() if len(votes) == 1 else None
