"""The control flow a model's code may use, read without running it: a for loop over literals
unrolled, the branch of an if its literal test takes; a while loop, or an if whose test only
running tells, that builds layers is refused."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Any

from conv1dexplain.modelcode.literals import ModelCodeError, builds_layers, condition, dotted, literal, loop_hint

if TYPE_CHECKING:
    from conv1dexplain.modelcode.read import Reader

LOOP_LIMIT = 10_000  # iterations a for loop over a literal may unroll


def control(reader: Reader, node: ast.For | ast.While | ast.If | ast.With, depth: int) -> None:
    """A for loop unrolled; the branch of an if its literal test takes; the body of a with."""
    if isinstance(node, ast.For):
        loop(reader, node, depth)
    elif isinstance(node, ast.If):
        taken = condition(node.test, reader.names)
        if taken is None and builds_layers(node):
            raise ModelCodeError(
                node,
                f"if {ast.unparse(node.test)[:60]}: which branch builds the layers is known only by running it",
                "bind what the test reads to a literal earlier in the file (use_pool = True), or keep one branch",
            )
        if taken is not None:
            reader.statements(node.body if taken else node.orelse, depth + 1)
    elif isinstance(node, ast.While):
        if builds_layers(node):
            raise ModelCodeError(
                node,
                "a while loop builds layers: how often it runs is known only by running it",
                "use a for loop over a literal count instead: for i in range(3):",
            )
    else:
        reader.statements(node.body, depth + 1)


def loop(reader: Reader, node: ast.For, depth: int) -> None:
    items = iterable(reader, node.iter)
    if items is None:
        if builds_layers(node):  # skipping it would drop layers silently
            raise ModelCodeError(
                node,
                f"a loop over {ast.unparse(node.iter)} builds layers, and what it loops over is known only "
                "by running the code",
                loop_hint([name.id for name in ast.walk(node.iter) if isinstance(name, ast.Name)], reader.names),
            )
        if _freezes(node):  # (or the trainable counts silently)
            raise ModelCodeError(
                node,
                f"a loop over {ast.unparse(node.iter)} sets which weights train: known only by running the code",
                "give the live model to conv1dexplain.summary() (it reads requires_grad and trainable), or give "
                "Keras layers trainable=False",
            )
        return
    if len(items) > LOOP_LIMIT:
        raise ModelCodeError(node, f"a loop of {len(items):,} steps", f"loops of at most {LOOP_LIMIT:,} steps are read")
    for item in items:
        reader.bind(node.target, item)
        reader.statements(node.body, depth + 1)


def iterable(reader: Reader, node: ast.AST) -> list[Any] | None:
    if isinstance(node, ast.Call) and dotted(node.func) in ("range", "enumerate", "zip"):
        arguments = [reader.expression(argument, 0) for argument in node.args]
        if dotted(node.func) == "range" and all(isinstance(a, int) for a in arguments) and 1 <= len(arguments) <= 3:
            return list(range(*arguments)[: LOOP_LIMIT + 1])
        if dotted(node.func) == "enumerate" and len(arguments) == 1 and isinstance(arguments[0], tuple | list):
            return list(enumerate(arguments[0]))
        if dotted(node.func) == "zip" and all(isinstance(a, tuple | list) for a in arguments):
            return list(zip(*arguments, strict=False))
        return None
    value = literal(node, reader.names)
    return list(value) if isinstance(value, tuple | list) else None


_TRAINS = ("requires_grad", "trainable")


def _freezes(node: ast.AST) -> bool:
    """Whether a statement sets what trains (p.requires_grad = False, layer.trainable = False)."""
    return any(
        isinstance(inner, ast.Attribute) and isinstance(inner.ctx, ast.Store) and inner.attr in _TRAINS
        for inner in ast.walk(node)
    )
