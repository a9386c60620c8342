"""Records and named tuples: what `@dataclass` and `typing.NamedTuple` give our value classes, made
for a fraction of their start-up cost. A record has an `__init__` from the annotated fields and
their defaults, `==`, `repr`, a hash and read-only fields when frozen, `replace` and `asdict`.

Why not `dataclasses`: on Python 3.11 one frozen dataclass costs ~4.4 M instructions to define (it
compiles six methods); a model run defines sixteen, a third of `model --json`'s time over typer's
(benchmarks/bench_model.py). A record compiles nothing (~0.1 M to define): its `__init__` binds
the arguments itself. `typing.NamedTuple` compiles each field's annotation (a string, under `from __future__
import annotations`): 1.6 M instructions a class of six fields; `NamedTuple` here builds the same
class as `collections.namedtuple` does, without its eval (named_tuples.py), and keeps the annotations as text.
Type checkers see `dataclasses.dataclass` and `typing.NamedTuple` themselves (below), so they check
every call as before; tests/test_records.py holds each pair to the same behaviour.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from conv1dexplain.named_tuples import first_after_default

T = TypeVar("T")


class FrozenInstanceError(AttributeError):
    """A field of a frozen record was assigned or deleted."""


class _Factory:
    """A field's default made fresh for each record: `field(default_factory=list)`."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


_MISSING = object()


def _names(cls: type) -> tuple[str, ...]:
    return cls.__record_fields__  # type: ignore[attr-defined, no-any-return]


def _values(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name in _names(type(self)))


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _names(type(self)))
    return f"{type(self).__qualname__}({shown})"


def _refuse_set(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _refuse_delete(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _own_fields(cls: type) -> dict[str, Any]:
    """The fields this class annotates (ClassVars excepted), each with its default or _MISSING."""
    own: dict[str, Any] = {}
    for name, annotation in inspect.get_annotations(cls).items():
        if not str(annotation).startswith(("ClassVar", "typing.ClassVar")):
            own[name] = cls.__dict__.get(name, _MISSING)
    return own


def _fields(cls: type) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for base in reversed(cls.__mro__[1:]):
        if "__record_fields__" in base.__dict__:
            fields.update(base.__record_defaults__)  # type: ignore[attr-defined]
    fields.update(_own_fields(cls))
    return fields


def _bound(cls: type, fields: dict[str, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """The fields' values for a call, as Python binds `__init__(self, a, b=…)`; TypeError as it would."""
    names = tuple(fields)
    if len(args) > len(names):
        raise TypeError(f"{cls.__qualname__}() takes {len(names)} positional arguments but {len(args)} were given")
    values = dict(zip(names, args, strict=False))
    for key in kwargs:
        if key in values:
            raise TypeError(f"{cls.__qualname__}() got multiple values for argument {key!r}")
        if key not in fields:
            raise TypeError(f"{cls.__qualname__}() got an unexpected keyword argument {key!r}")
    values.update(kwargs)
    for name, default in fields.items():
        if name not in values:
            if default is _MISSING:
                raise TypeError(f"{cls.__qualname__}() missing required argument: {name!r}")
            values[name] = default.make() if isinstance(default, _Factory) else default
    return values


def _init(cls: type, fields: dict[str, Any]) -> Callable[..., None]:
    """The record's `__init__`: the values go into the instance's __dict__ at once (also past a
    frozen record's __setattr__, as dataclasses' object.__setattr__ does; faster than a compiled
    __init__ from about eight fields, and nothing to compile)."""
    names = tuple(fields)
    follows = first_after_default(list(names), {name for name, default in fields.items() if default is not _MISSING})
    if follows is not None:  # (as dataclasses refuse it)
        raise TypeError(f"non-default argument {follows!r} follows default argument")
    required = sum(default is _MISSING for default in fields.values())
    tail = tuple(fields[name] for name in names[required:])
    made = [index for index, default in enumerate(tail) if isinstance(default, _Factory)]
    positional = required + (made[-1] + 1 if made else 0)  # (from this many, no factory's default is needed)
    post_init = getattr(cls, "__post_init__", None)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if not kwargs and positional <= len(args) <= len(names):  # positional: the common call
            values = args if len(args) == len(names) else args + tail[len(args) - required :]
            self.__dict__.update(zip(names, values, strict=False))  # (as many values as names: see above)
        else:
            self.__dict__.update(_bound(cls, fields, args, kwargs))
        if post_init is not None:
            self.__post_init__()

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


def _make_record(cls: type[T], frozen: bool) -> type[T]:
    fields = _fields(cls)
    for name, default in fields.items():
        if isinstance(default, _Factory) and name in cls.__dict__:
            delattr(cls, name)
    methods: dict[str, Any] = {"__init__": _init(cls, fields), "__eq__": _eq, "__repr__": _repr}
    methods |= {"__record_fields__": tuple(fields), "__record_defaults__": fields, "__match_args__": tuple(fields)}
    methods |= {"__hash__": _hash, "__setattr__": _refuse_set, "__delattr__": _refuse_delete} if frozen else {}
    methods |= {} if frozen else {"__hash__": None}
    own = cls.__dict__
    explicit_hash = own.get("__hash__") is not None or ("__hash__" in own and "__eq__" not in own)
    for name, method in methods.items():  # the class's own __init__, __repr__, __eq__, __hash__ stay (dataclasses')
        if (name in ("__init__", "__repr__", "__eq__") and name in own) or (name == "__hash__" and explicit_hash):
            continue
        setattr(cls, name, method)
    return cls


def _record(cls: type[T] | None = None, /, *, frozen: bool = False) -> Any:
    """`@record` or `@record(frozen=True)`, as `@dataclass` is written."""
    if cls is None:
        return lambda later: _make_record(later, frozen)
    return _make_record(cls, frozen)


def _field(*, default_factory: Callable[[], Any]) -> Any:
    """A default made fresh for each record, as `dataclasses.field(default_factory=…)`."""
    return _Factory(default_factory)


def _replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record with some fields changed, as `dataclasses.replace`."""
    names = _names(type(obj))
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__qualname__} has no field {sorted(unknown)[0]!r}")
    return type(obj)(**{name: changes.get(name, getattr(obj, name)) for name in names})


def is_record(obj: Any) -> bool:
    """A record or a record class."""
    return hasattr(type(obj) if not isinstance(obj, type) else obj, "__record_fields__")


def _asdict_value(value: Any) -> Any:
    if is_record(value) and not isinstance(value, type):
        return {name: _asdict_value(getattr(value, name)) for name in _names(type(value))}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple keeps its type
        return type(value)(*[_asdict_value(item) for item in value])
    if isinstance(value, (list, tuple)):
        return type(value)(_asdict_value(item) for item in value)
    if isinstance(value, dict):
        return type(value)((_asdict_value(key), _asdict_value(item)) for key, item in value.items())
    return value


def _asdict(obj: Any) -> dict[str, Any]:
    """The record's fields as a dict, records within turned into dicts too, as `dataclasses.asdict`."""
    return _asdict_value(obj)  # type: ignore[no-any-return]


def field_names(cls: type) -> tuple[str, ...]:
    """A record class's fields, in order."""
    return _names(cls)


if TYPE_CHECKING:  # the type checker knows dataclasses and NamedTuple: let it check records as them
    from dataclasses import asdict, field, replace
    from dataclasses import dataclass as record
    from typing import NamedTuple
else:
    from conv1dexplain.named_tuples import NamedTuple

    record, field, replace, asdict = _record, _field, _replace, _asdict

__all__ = ["FrozenInstanceError", "NamedTuple", "asdict", "field", "field_names", "is_record", "record", "replace"]
