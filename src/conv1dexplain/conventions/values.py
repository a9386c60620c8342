"""Python argument values as the frameworks read them: integers (NumPy's too), sequences, bools."""

from __future__ import annotations

import operator
from typing import Any

from conv1dexplain.errors import SpecError


def shown(value: Any) -> str:
    """A value as the user wrote it: strings in single quotes."""
    return repr(value) if not isinstance(value, str) else f"'{value}'"


def kind(value: Any) -> str:
    """'a bool', 'a float', 'a string', 'a list' …"""
    if is_bool(value):
        return "a bool"
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        return "a float"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def is_bool(value: Any) -> bool:
    """A Python or NumPy bool."""
    return isinstance(value, bool) or type(value).__name__ in ("bool", "bool_")


def index_of(value: Any) -> int | None:
    """value as an int when it is an integer (a NumPy one too) and not a bool, else None."""
    if is_bool(value) or zero_dim(value):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def count_of(value: Any) -> int | None:
    """A count (groups) as both frameworks read one: index_of, or a 0-d integer array (which both
    take for groups, though not for a stride)."""
    if zero_dim(value) and not is_bool(value):
        try:
            return operator.index(value)
        except TypeError:
            return None
    return index_of(value)


def zero_dim(value: Any) -> bool:
    """A 0-d array: it has a length that it cannot give (NumPy's scalars have none)."""
    if not hasattr(value, "__len__"):
        return False
    try:
        len(value)
    except TypeError:
        return True
    return False


def sequence_of(value: Any) -> tuple[Any, ...] | None:
    """The items of a list, tuple or 1-d array (never of a string), else None."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__") or zero_dim(value):
        return None
    return tuple(value)


def whole_number(value: Any) -> int | None:
    """The whole number a float, NumPy scalar, bool or digit string stands for, to suggest it."""
    items = sequence_of(value)
    if items is not None and len(items) == 1:
        value = items[0]
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def refusal(name: str, value: Any, owner: str, wants: str) -> SpecError:
    """The error for an argument of a type the layer does not take."""
    whole = whole_number(value)
    example = f"{name}={whole}" if whole is not None else f"{name}=2"
    return SpecError(
        f"{name}={shown(value)} is {kind(value)}: {owner} takes {wants}",
        f"pass e.g. {example}",
        argument=name,
        value=value,
    )


def explicit_padding(padding: tuple[Any, ...]) -> tuple[int, int]:
    """An explicit (left, right) pair: F.pad / ZeroPadding1D then no padding (a library extension)."""
    if len(padding) != 2 or not all(isinstance(p, int) and p >= 0 for p in padding):
        raise SpecError(
            f"explicit padding must be two whole numbers ≥ 0 (left, right), not {padding!r}",
            "pass padding=(left, right), e.g. (1, 2)",
            argument="padding",
            value=padding,
        )
    return padding[0], padding[1]
