"""`NamedTuple` as typing.NamedTuple gives it, made without compiling anything at run time.

typing.NamedTuple compiles each field's annotation (a string, under `from __future__ import
annotations`): 1.6 M instructions a class of six fields. collections.namedtuple, which it calls,
compiles the class's `__new__` with eval: 0.26 M of its 0.45 M. Here `__new__` is a template of the
same arity, written below (so compiled once, with the package), its parameters renamed to the
fields (code.replace): Python binds a call to it, keywords and errors included, as to
namedtuple's. The rest of the class is namedtuple's. tests/test_records.py holds it to typing's.
"""

from __future__ import annotations

import collections
import types
from operator import itemgetter
from typing import Any

_new = tuple.__new__

# `__new__` of each arity, its parameters renamed per class (a…p stand for the fields).
_TEMPLATES = (
    lambda _cls: _new(_cls, ()),
    lambda _cls, a: _new(_cls, (a,)),
    lambda _cls, a, b: _new(_cls, (a, b)),
    lambda _cls, a, b, c: _new(_cls, (a, b, c)),
    lambda _cls, a, b, c, d: _new(_cls, (a, b, c, d)),
    lambda _cls, a, b, c, d, e: _new(_cls, (a, b, c, d, e)),
    lambda _cls, a, b, c, d, e, f: _new(_cls, (a, b, c, d, e, f)),
    lambda _cls, a, b, c, d, e, f, g: _new(_cls, (a, b, c, d, e, f, g)),
    lambda _cls, a, b, c, d, e, f, g, h: _new(_cls, (a, b, c, d, e, f, g, h)),
    lambda _cls, a, b, c, d, e, f, g, h, i: _new(_cls, (a, b, c, d, e, f, g, h, i)),
    lambda _cls, a, b, c, d, e, f, g, h, i, j: _new(_cls, (a, b, c, d, e, f, g, h, i, j)),
    lambda _cls, a, b, c, d, e, f, g, h, i, j, k: _new(_cls, (a, b, c, d, e, f, g, h, i, j, k)),
    lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l: _new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l)),  # noqa: E741
    lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m: _new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m)),  # noqa: E741
    lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n: _new(_cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n)),  # noqa: E741
    lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o: _new(  # noqa: E741
        _cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o)
    ),
    lambda _cls, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p: _new(  # noqa: E741
        _cls, (a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)
    ),
)


def _property(index: int, doc: str) -> Any:
    return property(itemgetter(index), doc=doc)


_field_getter = getattr(collections, "_tuplegetter", _property)  # (namedtuple's fields: a C descriptor)

# What typing.NamedTuple's metaclass refuses to take from a class body, and what it does not copy.
_PROHIBITED = frozenset(
    {"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make", "_replace", "_asdict"}
)
_SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})


def first_after_default(names: list[str], defaulted: set[str]) -> str | None:
    """The first field without a default that follows one with (Python cannot call that __init__)."""
    seen = False
    for name in names:
        if name in defaulted:
            seen = True
        elif seen:
            return name
    return None


def _make(cls: type, iterable: Any) -> Any:
    made: tuple[Any, ...] = _new(cls, iterable)
    if len(made) != len(cls._fields):  # type: ignore[attr-defined]
        raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(made)}")  # type: ignore[attr-defined]
    return made


def _replace(self: Any, /, **changes: Any) -> Any:
    made = self._make(map(changes.pop, self._fields, self))
    if changes:
        raise ValueError(f"Got unexpected field names: {list(changes)!r}")
    return made


def _repr(self: Any) -> str:
    return f"{self.__class__.__name__}({', '.join(map('{}={!r}'.format, self._fields, self))})"


def _asdict(self: Any) -> dict[str, Any]:
    return dict(zip(self._fields, self, strict=True))


def _getnewargs(self: Any) -> tuple[Any, ...]:
    return tuple(self)


def tuple_class(name: str, fields: list[str], defaults: list[Any], module: str) -> type:
    """The class collections.namedtuple(name, fields, defaults=defaults, module=module) makes."""
    names = tuple(fields)
    if len(names) >= len(_TEMPLATES):  # (more fields than templates: namedtuple itself)
        made: type = collections.namedtuple(name, names, defaults=defaults, module=module)  # type: ignore[misc]
        return made
    template = _TEMPLATES[len(names)]
    code = template.__code__.replace(co_name="__new__", co_varnames=("_cls", *names))
    new = types.FunctionType(code, template.__globals__, "__new__", tuple(defaults) or None)
    new.__qualname__ = f"{name}.__new__"
    new.__doc__ = f"Create new instance of {name}({', '.join(names)})"
    namespace: dict[str, Any] = {
        "__doc__": f"{name}({', '.join(names)})",
        "__slots__": (),
        "__module__": module,
        "_fields": names,
        "_field_defaults": dict(zip(names[len(names) - len(defaults) :], defaults, strict=True)),
        "__match_args__": names,
        "__new__": new,
        "_make": classmethod(_make),
        "_replace": _replace,
        "__repr__": _repr,
        "_asdict": _asdict,
        "__getnewargs__": _getnewargs,
    }
    for index, field_name in enumerate(names):
        namespace[field_name] = _field_getter(index, f"Alias for field number {index}")
    return type(name, (tuple,), namespace)


class _NamedTupleMeta(type):
    """typing.NamedTuple's metaclass, less its check of each annotation (which compiles it)."""

    def __new__(cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> type:
        if not bases:  # the base class itself
            return super().__new__(cls, name, bases, namespace)
        annotations = namespace.get("__annotations__", {})
        follows = first_after_default(list(annotations), set(annotations) & set(namespace))
        if follows is not None:  # (in typing's words)
            raise TypeError(f"Non-default namedtuple field {follows} cannot follow default field")
        defaults = [namespace[field_name] for field_name in annotations if field_name in namespace]
        made = tuple_class(name, list(annotations), defaults, namespace["__module__"])
        made.__annotations__ = dict(annotations)
        for key, value in namespace.items():  # (the docstring, the qualified name and the methods too)
            if key in _PROHIBITED:
                raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in annotations:
                setattr(made, key, value)
        return made


class NamedTuple(metaclass=_NamedTupleMeta):
    """Subclass it as typing.NamedTuple: `class Point(NamedTuple): x: int; y: int = 0`."""
