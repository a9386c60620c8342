"""A layer's arguments read from the source line a traceback shows (parsed with ast, never run):
where a message names no numbers ("in_channels must be divisible by groups"), the call has them."""

from __future__ import annotations

import ast
import builtins
from typing import Any

from conv1dexplain.diagnose.text import Frame
from conv1dexplain.errors import SpecError

_MAX_LINE = 2000


def layer_arguments(code_lines: tuple[str, ...], framework: str, names: tuple[str, ...]) -> dict[str, Any] | None:
    """The bound arguments (defaults filled, as the framework binds them) of the first call of one
    of these layer classes on the traceback's code lines, last frame first; None if none is read.
    (The layer rules are imported here: most messages carry their numbers, and `why` starts fast.)"""
    from conv1dexplain.conventions import convention
    from conv1dexplain.layers.node import Call
    from conv1dexplain.layers.rules import rule_for

    for line in code_lines:
        if len(line) > _MAX_LINE:
            continue
        try:
            tree = ast.parse(line.strip())
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name not in names:
                continue
            try:
                args = tuple(ast.literal_eval(arg) for arg in node.args)
                kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg is not None}
                return rule_for(convention(framework), Call(name, args, kwargs)).bind(Call(name, args, kwargs))
            except (ValueError, TypeError, SyntaxError, SpecError, MemoryError, RecursionError):
                continue
    return None


_LIBRARY = ("site-packages", "dist-packages", "<frozen", "/lib/python3")
_FUNCTIONS = ("F.", "torch.", "nn.functional.", "np.", "numpy.", "keras.ops.", "ops.", "tf.")


def failing_call(frames: tuple[Frame, ...]) -> str | None:
    """The layer call on the user's own line where the traceback leaves their code ("self.conv2,
    train.py line 9"): the last frame outside the installed libraries, if it calls one module."""
    mine = next((frame for frame in frames if not any(part in frame.path for part in _LIBRARY)), None)
    if mine is None or len(mine.code) > _MAX_LINE:
        return None
    try:
        tree = ast.parse(mine.code.strip())
    except (SyntaxError, ValueError):
        return None
    callees = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    layers = sorted(name for name in callees if not name.startswith(_FUNCTIONS) and name not in dir(builtins))
    if len(layers) != 1:
        return None
    return f"{layers[0]} ({mine.path.rsplit('/', 1)[-1]}, line {mine.line})"
