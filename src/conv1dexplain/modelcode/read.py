"""Read a model from its code (parsed with ast, never run): a bare list of layer calls,
Sequential([...]), model.add(...), nn.Sequential(...) with an OrderedDict or nested Sequentials, and
the Keras functional API. Statements that build no model (imports, compile, fit, print) are skipped.
"""

from __future__ import annotations

import ast
from typing import Any

from conv1dexplain.layers.node import Opaque
from conv1dexplain.modelcode.control import control
from conv1dexplain.modelcode.literals import BUILTINS, ModelCodeError, dotted, literal
from conv1dexplain.modelcode.values import (
    Functional,
    InputSpec,
    Layer,
    Output,
    Sequence,
    is_loose,
    sequence_of,
    tensor_index,
    wrap,
)

_SEQUENTIAL = {"Sequential"}
_INPUT = {"Input", "InputLayer"}
_MODEL = {"Model", "Functional"}
_IGNORED_METHODS = {"compile", "fit", "summary", "build", "evaluate", "predict", "to", "eval", "train", "cuda", "cpu"}
_IGNORED_METHODS |= {"apply", "save", "save_weights", "load_weights", "load_state_dict", "float", "double", "half"}
_CHANGED = "build the model as it is used: its layers, and their arguments (trainable=False too), where it is made"
MAX_DEPTH = 60  # nesting of calls and Sequentials


class Reader:
    """Walks the module's statements, binding names to literals, layers, tensors and models."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {}
        self.functions: dict[str, ast.FunctionDef] = {}  # the file's own (def): followed when called without arguments
        self.returned: Any = None  # what the function being followed returns
        self.aliases: dict[str, str] = {}  # import names: C1 → keras.layers.Conv1D, nn → torch.nn
        self.graph: list[tuple[Layer, tuple[int, ...]]] = []
        self.inputs: list[InputSpec] = []
        self.models: list[Sequence | Functional] = []
        self.module_classes: list[ast.ClassDef] = []
        self.loose: list[Layer | Output] = []  # layers (and an Input) as bare expressions: the layer-list form

    def statements(self, body: list[ast.stmt], depth: int = 0) -> None:
        for statement in body:
            self.statement(statement, depth)

    def statement(self, node: ast.stmt, depth: int) -> None:
        self.refuse_change(node)
        if isinstance(node, ast.Assign | ast.AnnAssign):
            value = None if node.value is None else self.expression(node.value, depth)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                self.bind(target, value)
        elif isinstance(node, ast.Expr):
            self.expression_statement(node.value, depth)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            self.augment(node, depth)
        elif isinstance(node, ast.For | ast.While | ast.If | ast.With):
            control(self, node, depth)
        elif isinstance(node, ast.FunctionDef):
            self.function(node, depth)
        elif isinstance(node, ast.ClassDef):
            self.module_classes.append(node)
        elif isinstance(node, ast.Import | ast.ImportFrom):  # (the names it binds: the layers' real names)
            self.imported(node)
        elif isinstance(node, ast.Return) and node.value is not None:
            self.returned = self.expression(node.value, depth)
            self.remember(self.returned)

    def imported(self, node: ast.Import | ast.ImportFrom) -> None:
        """What an import binds: C1 for keras.layers.Conv1D, nn for torch.nn (relative imports: nothing)."""
        for alias in node.names:
            if isinstance(node, ast.ImportFrom) and node.module:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import) and alias.asname:
                self.aliases[alias.asname] = alias.name

    def refuse_change(self, node: ast.stmt) -> None:
        """A model, or a layer of it, changed after it is built (model[0] = …, del model[1], conv.stride = 2,
        model += …, model = model[:2]): the reader does not follow that, so it refuses it."""
        targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
        values = [getattr(node, "value", None)] if isinstance(node, ast.Assign | ast.AnnAssign) else []
        for part in [*targets, *values]:
            root = part
            while isinstance(root, ast.Subscript | ast.Attribute):
                root = root.value
            direct = part is root and isinstance(node, ast.AugAssign)  # (model += …)
            model = isinstance(root, ast.Name) and isinstance(self.names.get(root.id), Sequence | Functional | Layer)
            if model and (part is not root or direct) and isinstance(root, ast.Name):
                raise ModelCodeError(
                    node,
                    f"{ast.unparse(node)[:60]} changes {root.id} after it is built: that is not followed",
                    _CHANGED,
                )

    def bind(self, target: ast.AST, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
            self.remember(value)
        elif isinstance(target, ast.Tuple | ast.List) and isinstance(value, tuple | list):
            for item, part in zip(target.elts, value, strict=False):
                self.bind(item, part)

    def augment(self, node: ast.AugAssign, depth: int) -> None:
        """layers += [...] on a list of layers (in place, as Python does); else arithmetic."""
        assert isinstance(node.target, ast.Name)
        owner = self.names.get(node.target.id)
        value = self.expression(node.value, depth)
        if isinstance(owner, list) and isinstance(node.op, ast.Add) and isinstance(value, list | tuple):
            owner.extend(value)
        else:
            self.names[node.target.id] = literal(ast.BinOp(node.target, node.op, node.value), self.names)

    def remember(self, value: Any) -> None:
        if isinstance(value, Sequence | Functional) and value not in self.models:
            self.models.append(value)

    def function(self, node: ast.FunctionDef, depth: int) -> None:
        """A builder function: its defaults are constants, its body is read once."""
        self.functions[node.name] = node
        defaults = node.args.defaults
        positional = node.args.args[len(node.args.args) - len(defaults) :]
        for argument, default in zip(positional, defaults, strict=True):
            self.names.setdefault(argument.arg, literal(default, self.names))
        for argument, keyword_default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
            if keyword_default is not None:
                self.names.setdefault(argument.arg, literal(keyword_default, self.names))
        self.statements(node.body, depth + 1)

    def expression_statement(self, node: ast.AST, depth: int) -> None:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and self.method(node, depth):
            return
        value = self.expression(node, depth)
        if isinstance(value, Layer):
            self.loose.append(value)
        elif isinstance(value, tuple | list) and value and all(is_loose(item) for item in value):
            self.loose.extend(value)
        self.remember(value)

    def method(self, node: ast.Call, depth: int) -> bool:
        """model.add(layer), nn.Sequential's append / add_module, a list's append; compile() and the like."""
        assert isinstance(node.func, ast.Attribute)
        owner = self.expression(node.func.value, depth) if isinstance(node.func.value, ast.Name) else None
        method = node.func.attr
        arguments = [self.expression(argument, depth + 1) for argument in node.args]
        if isinstance(owner, Sequence) and method in ("add", "append") and len(arguments) == 1:
            owner.items.append((None, arguments[0]))
            return True
        if isinstance(owner, Sequence) and method == "add_module" and len(arguments) == 2:
            owner.items.append((str(arguments[0]), arguments[1]))
            return True
        if isinstance(owner, list) and method in ("append", "extend") and len(arguments) == 1:
            owner.append(arguments[0]) if method == "append" else owner.extend(arguments[0])
            return True
        return _ignored(owner, method, node)

    def expression(self, node: ast.AST, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ModelCodeError(node, f"the code nests more than {MAX_DEPTH} levels deep", "flatten the model")
        if isinstance(node, ast.Call):
            return self.call(node, depth + 1)
        if isinstance(node, ast.Name) and node.id in self.names:
            return self.names[node.id]
        if isinstance(node, ast.List | ast.Tuple):
            items = self.items(node.elts, depth + 1)
            return items if isinstance(node, ast.List) else tuple(items)
        return literal(node, self.names)

    def items(self, nodes: list[ast.expr], depth: int) -> list[Any]:
        """The values of a list's items or a call's arguments, *unpacked where starred."""
        values: list[Any] = []
        for node in nodes:
            if isinstance(node, ast.Starred):
                value = self.expression(node.value, depth)
                if not isinstance(value, list | tuple):
                    raise ModelCodeError(
                        node, f"*{ast.unparse(node.value)} is not a list read earlier", "list the layers"
                    )
                values.extend(value)
            else:
                values.append(self.expression(node, depth))
        return values

    def call(self, node: ast.Call, depth: int) -> Any:
        if isinstance(node.func, ast.Call) or (
            isinstance(node.func, ast.Name) and isinstance(self.names.get(node.func.id), Layer | Sequence)
        ):
            return self.apply(self.expression(node.func, depth), node, depth)
        if isinstance(node.func, ast.Name) and node.func.id in BUILTINS:  # len(filters) and the like
            return literal(node, self.names)
        if isinstance(node.func, ast.Name) and node.func.id == "dict" and not node.args:  # dict(stride=2)
            return self.keywords(node, depth)
        name = dotted(node.func)
        if name is None:
            return Opaque(ast.unparse(node), node)
        head, dot, rest = name.partition(".")
        name = self.aliases.get(head, head) + dot + rest
        if name in self.functions and (node.args or node.keywords):  # its body was read with its defaults
            raise ModelCodeError(
                node,
                f"{ast.unparse(node)[:80]} calls {name}, a function of the file, with arguments: its body is read "
                "once, with its defaults (the code is read, never run)",
                f"write the values as {name}'s defaults and call it without arguments, or build the model inline",
            )
        if name in self.functions:  # called without arguments: its body read again (its own layers), what it returns
            before, self.returned = self.returned, None
            self.statements(self.functions[name].body, depth + 1)
            value, self.returned = self.returned, before
            return value
        prefix, _, short = name.rpartition(".")
        arguments = tuple(self.items(node.args, depth))
        return self.construct(short, prefix, arguments, self.keywords(node, depth), node)

    def keywords(self, node: ast.Call, depth: int) -> dict[str, Any]:
        """A call's keyword arguments, a **dict read earlier merged in (Python refuses a key twice)."""
        keywords: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.expression(keyword.value, depth)
            if keyword.arg is not None:
                added = {keyword.arg: value}
            elif isinstance(value, dict) and all(isinstance(key, str) for key in value):
                added = value
            else:
                raise ModelCodeError(
                    keyword.value,
                    f"**{ast.unparse(keyword.value)[:60]} is not a dict of literals read earlier",
                    "write the arguments in the call, or bind a dict literal to a name before it",
                )
            for key, item in added.items():
                if key in keywords:
                    raise ModelCodeError(node, f"{ast.unparse(node.func)} gets {key} twice", f"give {key} once")
                keywords[key] = item
        return keywords

    def construct(self, short: str, prefix: str, args: tuple[Any, ...], kwargs: dict[str, Any], node: ast.Call) -> Any:
        if short in _SEQUENTIAL:
            return sequence_of(args, kwargs, node)
        if short in _INPUT:
            return self.input(args, kwargs, node)
        if short in _MODEL:
            return self.functional(args, kwargs, node)
        if short == "OrderedDict":
            return [tuple(pair) for pair in args[0]] if args and isinstance(args[0], list) else list(kwargs.items())
        if short[:1].isupper():
            return Layer(short, prefix, args, kwargs, node)
        return Opaque(ast.unparse(node), node)

    def input(self, args: tuple[Any, ...], kwargs: dict[str, Any], node: ast.Call) -> Any:
        shape = kwargs.get("shape", kwargs.get("input_shape", args[0] if args else None))  # (InputLayer: either)
        batch_shape = kwargs.get("batch_shape")
        if isinstance(batch_shape, tuple | list) and batch_shape:
            spec = InputSpec(tuple(batch_shape[1:]), batch_shape[0], "Input(batch_shape=…)", node)
        elif isinstance(shape, tuple | list):
            spec = InputSpec(tuple(shape), kwargs.get("batch_size"), "Input(shape=…)", node)
        else:
            raise ModelCodeError(node, "Input needs a literal shape", "write it as Input(shape=(500,))")
        if any(d is not None and not isinstance(d, int) for d in spec.dims):
            raise ModelCodeError(
                node, f"Input's shape {spec.dims} is not made of whole numbers and None", "use numbers"
            )
        self.inputs.append(spec)
        return Output(-len(self.inputs))  # the tensor an Input() gives: −1 for the first

    def apply(self, layer: Any, node: ast.Call, depth: int) -> Any:
        """A layer called on tensors (the functional API): one graph node."""
        if not isinstance(layer, Layer):
            raise ModelCodeError(node, "only a single layer can be called on a tensor here", "call each layer in turn")
        argument = self.expression(node.args[0], depth) if node.args else None
        tensors = argument if isinstance(argument, list | tuple) else [argument]
        indices = tuple(tensor_index(tensor, node) for tensor in tensors)
        self.graph.append((layer, indices))
        return Output(len(self.graph) - 1)

    def functional(self, args: tuple[Any, ...], kwargs: dict[str, Any], node: ast.Call) -> Functional:
        inputs = kwargs.get("inputs", args[0] if args else None)
        outputs = kwargs.get("outputs", args[1] if len(args) > 1 else None)
        if outputs is None:
            raise ModelCodeError(node, "Model(...) without outputs", "write keras.Model(inputs, outputs)")
        model_outputs = [Output(tensor_index(item, node)) for item in wrap(outputs)]
        return Functional([Output(tensor_index(item, node)) for item in wrap(inputs)], model_outputs, node)


def _ignored(owner: Any, method: str, node: ast.Call) -> bool:
    """A method call that changes no shape (compile, fit, eval, to …); one that changes a model: refused."""
    if isinstance(owner, Sequence | Functional | Layer) and method not in _IGNORED_METHODS:
        raise ModelCodeError(node, f"{ast.unparse(node)[:60]} changes the model after it is built", _CHANGED)
    return method in _IGNORED_METHODS
