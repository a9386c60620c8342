"""Literal values in a model's code: constants, tuples, names bound to them, simple arithmetic.

Nothing here runs the user's code: an expression is read node by node, and anything that is not a
literal is an Opaque value (an error only where a layer's shape depends on it).
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any

from conv1dexplain.errors import SpecError
from conv1dexplain.layers.node import Opaque

_LARGEST = 2**64  # arithmetic on sizes: larger operands are refused, so 10**10**10 cannot hang
_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


class ModelCodeError(SpecError):
    """The model's code cannot be read: what, and where (line and column)."""

    def __init__(self, node: ast.AST | None, message: str, hint: str) -> None:
        where = (
            "" if node is None else f"line {getattr(node, 'lineno', 0)}, column {getattr(node, 'col_offset', 0) + 1}: "
        )
        super().__init__(where + message, hint, argument="model")


def literal(node: ast.AST, names: dict[str, Any]) -> Any:
    """The value of a literal expression, a name bound to one, or arithmetic on them; else Opaque."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id, Opaque(node.id, node))
    if isinstance(node, ast.Tuple | ast.List):
        items = [literal(item, names) for item in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
        return _unary(node, literal(node.operand, names))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _binary(node, literal(node.left, names), literal(node.right, names))
    return _compound(node, names)


def _compound(node: ast.AST, names: dict[str, Any]) -> Any:
    """A dict, a subscript, or a builtin (len, min, max …) of literals; else Opaque."""
    if isinstance(node, ast.Dict) and all(key is not None for key in node.keys):
        return {literal(key, names): literal(value, names) for key, value in zip(node.keys, node.values, strict=True)}  # type: ignore[arg-type]
    if isinstance(node, ast.Subscript):
        return _subscript(node, literal(node.value, names), names)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in BUILTINS
        and not node.keywords
    ):
        arguments = [literal(argument, names) for argument in node.args]
        if not any(isinstance(argument, Opaque) for argument in arguments):
            try:
                return BUILTINS[node.func.id](*arguments)
            except (TypeError, ValueError):
                pass
    return Opaque(ast.unparse(node), node)


BUILTINS: dict[str, Any] = {"len": len, "min": min, "max": max, "int": int, "abs": abs, "round": round}


def _subscript(node: ast.Subscript, value: Any, names: dict[str, Any]) -> Any:
    """x[i] and x[a:b:c] of a list, tuple or string read earlier."""
    if not isinstance(value, list | tuple | str):
        return Opaque(ast.unparse(node), node)
    index = node.slice
    try:
        if isinstance(index, ast.Slice):
            bounds = [None if part is None else literal(part, names) for part in (index.lower, index.upper, index.step)]
            if all(bound is None or (isinstance(bound, int) and not isinstance(bound, bool)) for bound in bounds):
                return value[slice(*bounds)]
            return Opaque(ast.unparse(node), node)
        position = literal(index, names)
        if isinstance(position, int) and not isinstance(position, bool):
            return value[position]
    except (IndexError, ValueError):
        pass
    return Opaque(ast.unparse(node), node)


def _number(value: Any) -> bool:
    return isinstance(value, int | float)  # bool is an int


def _unary(node: ast.UnaryOp, value: Any) -> Any:
    if isinstance(value, Opaque) or not _number(value):
        return Opaque(ast.unparse(node), node)
    if isinstance(node.op, ast.Not):
        return not value
    return -value if isinstance(node.op, ast.USub) else +value


def _binary(node: ast.BinOp, left: Any, right: Any) -> Any:
    if not (_number(left) and _number(right)):
        if isinstance(node.op, ast.Add | ast.Mult) and isinstance(left, tuple | list | str):
            return _sequence(node, left, right)
        return Opaque(ast.unparse(node), node)
    if abs(left) > _LARGEST or abs(right) > _LARGEST or (isinstance(node.op, ast.Pow) and abs(right) > 64):
        raise ModelCodeError(node, f"{ast.unparse(node)} is too large to be a size", "write the number itself")
    try:
        return _BINARY[type(node.op)](left, right)
    except ZeroDivisionError:
        raise ModelCodeError(node, f"{ast.unparse(node)} divides by zero", "check the constants it uses") from None


def _sequence(node: ast.BinOp, left: Any, right: Any) -> Any:
    if isinstance(node.op, ast.Add) and type(left) is type(right):
        return left + right
    if isinstance(node.op, ast.Mult) and isinstance(right, int) and 0 <= right * len(left) <= 10_000:
        return left * right
    return Opaque(ast.unparse(node), node)


def dotted(node: ast.AST) -> str | None:
    """`keras.layers.Conv1D` → "keras.layers.Conv1D"; None for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def builds_layers(node: ast.AST) -> bool:
    """Whether a statement constructs a layer (a call of a capitalised name) or adds to a model."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call):
            name = dotted(inner.func) or ""
            last = name.rsplit(".", 1)[-1]
            if last[:1].isupper() or last in ("add", "append", "extend", "add_module"):
                return True
    return False


def loop_hint(names: list[str], bound: dict[str, Any]) -> str:
    """How to write a loop whose count the reader cannot know (its names are not bound to literals)."""
    unknown = [name for name in dict.fromkeys(names) if name not in bound and name not in ("range", "zip", "enumerate")]
    literal_loop = "loop over a literal: range(3), a list, or zip of lists"
    if not unknown:
        return literal_loop + "; or write the layers out"
    first = unknown[0]
    default = f"a function's parameter: a default, def f({first}=3)"
    return f"bind {first} to a number earlier in the file ({default}), or {literal_loop}"


_COMPARE: dict[type, Any] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: operator.contains(b, a),
    ast.NotIn: lambda a, b: not operator.contains(b, a),
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


def condition(node: ast.AST, names: dict[str, Any]) -> bool | None:
    """An if's test on literals (and names bound to them): True or False; None when only running the
    code can tell. `__name__ == "__main__"` is True: the file is the program."""
    if isinstance(node, ast.BoolOp):
        values = [condition(value, names) for value in node.values]
        if isinstance(node.op, ast.And):
            return False if False in values else None if None in values else True
        return True if True in values else None if None in values else False
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = condition(node.operand, names)
        return None if inner is None else not inner
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        return _comparison(node, names)
    value = literal(node, names)
    return None if isinstance(value, Opaque) else bool(value)


def _comparison(node: ast.Compare, names: dict[str, Any]) -> bool | None:
    if isinstance(node.left, ast.Name) and node.left.id == "__name__":
        return literal(node.comparators[0], names) == "__main__" if isinstance(node.ops[0], ast.Eq) else None
    left, right = literal(node.left, names), literal(node.comparators[0], names)
    if isinstance(left, Opaque) or isinstance(right, Opaque):
        return None
    try:
        return bool(_COMPARE[type(node.ops[0])](left, right))
    except TypeError:
        return None
