"""Records behave as the dataclasses they stand in for: the same classes, built once by
`dataclasses` and once by `conv1dexplain.records`, give the same results."""

from __future__ import annotations

import dataclasses
import pickle
import types
from typing import Any, ClassVar, NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conv1dexplain import records

Maker = Any


def family(make: Maker, field: Any) -> dict[str, Any]:
    """A base, a subclass that adds and overrides fields, a mutable one with a factory, a
    __post_init__ that checks, a ClassVar — built by one maker (dataclass or record)."""

    @make(frozen=True)
    class Base:
        a: int
        b: str = "b"
        shared: ClassVar[int] = 7

        @property
        def double(self) -> int:
            return 2 * self.a

    @make(frozen=True)
    class Child(Base):
        c: tuple[int, ...] = ()
        b: str = "child"  # an override keeps its place, with the new default

    @make(frozen=True)
    class GrandChild(Child):
        d: int = 0

    @make(frozen=True)
    class Twin:  # Base's fields, another class
        a: int
        b: str = "b"

    @make
    class Bag:
        items: list[int] = field(default_factory=list)
        label: str | None = None

    @make(frozen=True)
    class Checked:
        n: int

        def __post_init__(self) -> None:
            if self.n < 0:
                raise ValueError("n < 0")

    return {"Base": Base, "Child": Child, "GrandChild": GrandChild, "Twin": Twin, "Bag": Bag, "Checked": Checked}


DATA = family(dataclasses.dataclass, dataclasses.field)
OURS = family(records.record, records.field)
ints = st.integers(-5, 5)


def both(name: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    return DATA[name](*args, **kwargs), OURS[name](*args, **kwargs)


def shown(value: Any) -> str:
    return repr(value).replace("family.<locals>.", "")


@given(ints, st.text(max_size=3), st.lists(ints, max_size=3).map(tuple))
def test_init_fields_repr_eq_hash(a: int, b: str, c: tuple[int, ...]) -> None:
    for args, kwargs in (((a,), {}), ((a, b), {}), ((a,), {"b": b}), ((a, b, c), {}), ((), {"a": a, "c": c})):
        data, ours = both("Child", *args, **kwargs)
        assert shown(data) == shown(ours)
        assert vars(data) == vars(ours)
        assert ours == OURS["Child"](*args, **kwargs) and hash(ours) == hash(OURS["Child"](*args, **kwargs))
        assert (ours == OURS["Child"](a + 1, b, c)) is (data == DATA["Child"](a + 1, b, c)) is False
        assert ours != OURS["Base"](a, ours.b)  # another class: never equal, as dataclasses
        assert OURS["Base"](a, b) != OURS["Twin"](a, b) and DATA["Base"](a, b) != DATA["Twin"](a, b)
    for args in ((a, b, c, 1), (a,)):  # (the nearest class's default wins: b is "child")
        data, ours = both("GrandChild", *args)
        assert shown(data) == shown(ours) and vars(data) == vars(ours)
    assert ours.double == data.double == 2 * a and OURS["Child"].shared == 7


def test_defaults_factories_and_mutability() -> None:
    data, ours = both("Bag")
    assert shown(data) == shown(ours) == "Bag(items=[], label=None)"
    ours.items.append(1)
    assert OURS["Bag"]().items == []  # a fresh list each time
    ours.label = "x"  # not frozen: fields may change
    assert ours == OURS["Bag"]([1], "x")
    with pytest.raises(TypeError):
        hash(ours)  # eq without frozen: unhashable, as dataclasses make it
    with pytest.raises(TypeError):
        hash(data)


def test_frozen_records_refuse_assignment_and_deletion() -> None:
    ours = OURS["Base"](1)
    with pytest.raises(records.FrozenInstanceError, match="'a'"):
        ours.a = 2  # type: ignore[misc]
    with pytest.raises(records.FrozenInstanceError):
        del ours.b
    with pytest.raises(AttributeError):
        ours.new = 1  # type: ignore[attr-defined]
    assert ours.a == 1


def test_post_init_runs() -> None:
    assert both("Checked", 3)[1].n == 3
    for maker in (DATA, OURS):
        with pytest.raises(ValueError, match="n < 0"):
            maker["Checked"](-1)


def test_wrong_calls_fail_as_they_do_for_dataclasses() -> None:
    for call in (lambda cls: cls(), lambda cls: cls(1, "b", (), 4), lambda cls: cls(1, d=2)):
        with pytest.raises(TypeError):
            call(DATA["Child"])
        with pytest.raises(TypeError):
            call(OURS["Child"])
    with pytest.raises(TypeError, match="non-default argument 'y'"):

        @records.record
        class Wrong:
            x: int = 0
            y: int  # type: ignore[misc]


@given(ints, st.lists(ints, max_size=3).map(tuple))
def test_replace_and_asdict(a: int, c: tuple[int, ...]) -> None:
    data, ours = both("Child", a, c=c)
    assert vars(records.replace(ours, b="z")) == vars(dataclasses.replace(data, b="z"))
    assert records.replace(ours, b="z") != ours and records.replace(ours) == ours
    with pytest.raises(TypeError):
        records.replace(ours, nothing=1)
    nested = OURS["Bag"]([a], label=None)
    outer = OURS["Child"](a, c=(ours, [nested], {"k": ours}))  # type: ignore[arg-type]
    data_outer = DATA["Child"](a, c=(data, [DATA["Bag"]([a])], {"k": data}))
    assert records.asdict(outer) == dataclasses.asdict(data_outer)


def test_pattern_matching_and_introspection() -> None:
    child = OURS["Child"]
    ours = child(1, "b", (2,))
    match ours:
        case child(a, b, c):  # positional patterns need __match_args__
            assert (a, b, c) == (1, "b", (2,))
        case _:
            pytest.fail("no match")
    for name in OURS:
        assert records.field_names(OURS[name]) == tuple(f.name for f in dataclasses.fields(DATA[name]))
    assert records.is_record(ours) and records.is_record(OURS["Child"]) and not records.is_record(DATA["Child"](1))


def test_every_value_class_of_the_package_is_a_record() -> None:
    """No dataclass is left in src/: one way to write a value class (the start-up cost is why)."""
    from pathlib import Path

    source = Path(records.__file__).parent
    users = [
        path.name for path in source.rglob("*.py") if "dataclass" in path.read_text() and path != Path(records.__file__)
    ]
    assert users == []


def tuples(base: Any) -> dict[str, Any]:
    """The same named tuples on typing.NamedTuple and on records.NamedTuple."""

    class Point(base):  # type: ignore[misc, valid-type]
        """A point."""

        x: int
        y: int | None = None
        tags: tuple[str, ...] = ()

        @property
        def total(self) -> int:
            return self.x + (self.y or 0)

        def moved(self, by: int) -> Any:
            return self._replace(x=self.x + by)

    return {"Point": Point}


TYPING = tuples(NamedTuple)
OUR_TUPLES = tuples(records.NamedTuple)


@given(ints, st.none() | ints, st.lists(st.text(max_size=2), max_size=2).map(tuple))
def test_named_tuples_are_typings(x: int, y: int | None, tags: tuple[str, ...]) -> None:
    theirs, ours = TYPING["Point"], OUR_TUPLES["Point"]
    for args, kwargs in (((x,), {}), ((x, y), {}), ((x,), {"tags": tags}), ((), {"x": x, "y": y, "tags": tags})):
        a, b = theirs(*args, **kwargs), ours(*args, **kwargs)
        assert shown(a) == shown(b) and a == b and tuple(a) == tuple(b) and hash(a) == hash(b)
        assert b.total == a.total and b.moved(2) == a.moved(2) and type(b.moved(2)) is ours
        assert b._asdict() == a._asdict() and ours._make(list(b)) == b
    for attribute in ("_fields", "_field_defaults", "__doc__", "__qualname__", "__module__", "__name__"):
        assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
    assert list(ours.__annotations__) == list(theirs.__annotations__) == ["x", "y", "tags"]
    assert isinstance(ours(1), tuple)
    from conv1dexplain.layers.node import Slide  # (one of ours at module level: pickle finds it by name)

    assert pickle.loads(pickle.dumps(Slide(3, 2))) == Slide(3, 2) and type(Slide(3)) is Slide


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    ((), {}),  # x missing
    ((1, 2, (), 4), {}),  # one too many
    ((1,), {"x": 2}),  # x twice
    ((1,), {"z": 2}),  # no such field
    ((), {"y": 2}),  # x missing, y given
    ((1, 2), {"tags": ("a",)}),
    ((), {"tags": (), "x": 3}),
    ((1,), {"y": None, "tags": ()}),
]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_named_tuples_bind_or_refuse_a_call_as_typing_does(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    theirs, ours = TYPING["Point"], OUR_TUPLES["Point"]
    try:
        expected: Any = theirs(*args, **kwargs)
    except TypeError as error:
        with pytest.raises(TypeError) as caught:
            ours(*args, **kwargs)
        assert str(caught.value) == str(error)
        return
    made = ours(*args, **kwargs)
    assert tuple(made) == tuple(expected) and shown(made) == shown(expected) and type(made) is ours


def wide(base: Any, count: int) -> Any:
    """A named tuple of `count` int fields, the second half with defaults."""

    def body(namespace: dict[str, Any]) -> None:
        namespace["__annotations__"] = {f"f{index}": "int" for index in range(count)}
        namespace.update({f"f{index}": index for index in range(count // 2, count)})
        namespace["__module__"] = __name__

    return types.new_class("Wide", (base,), exec_body=body)


@pytest.mark.parametrize("count", [0, 1, 2, 7, 15, 16, 17, 20])  # 16 fields: the last template; 17: namedtuple's
def test_named_tuples_of_any_size_are_typings(count: int) -> None:
    theirs, ours = wide(NamedTuple, count), wide(records.NamedTuple, count)
    values = list(range(100, 100 + count // 2))
    assert ours(*values) == theirs(*values) and repr(ours(*values)) == repr(theirs(*values))
    assert ours(**{f"f{index}": value for index, value in enumerate(values)}) == theirs(*values)
    assert ours._field_defaults == theirs._field_defaults and ours._fields == theirs._fields
    for wrong in (
        ((), tuple(range(count + 1))) if count // 2 else (tuple(range(count + 1)),)
    ):  # none given, one too many
        with pytest.raises(TypeError) as caught:
            ours(*wrong)
        with pytest.raises(TypeError) as expected:
            theirs(*wrong)
        assert str(caught.value) == str(expected.value)


def test_named_tuples_make_replace_and_match_as_typing_does() -> None:
    for cls in (TYPING["Point"], OUR_TUPLES["Point"]):
        point = cls(1, 2)
        with pytest.raises(TypeError, match="Expected 3 arguments, got 2"):
            cls._make([1, 2])
        with pytest.raises(ValueError, match="Got unexpected field names: \\['z'\\]"):
            point._replace(z=1)
        assert point._replace(y=5) == cls(1, 5) and type(point._replace(y=5)) is cls
        match point:
            case cls(x, y, tags):
                assert (x, y, tags) == (1, 2, ())
        assert cls.x.__doc__ == "Alias for field number 0" and point[0] == 1 and point[-1] == ()
        assert cls.__match_args__ == ("x", "y", "tags") and cls._field_defaults == {"y": None, "tags": ()}
        assert cls.__new__.__doc__ == "Create new instance of Point(x, y, tags)"
        with pytest.raises(AttributeError):
            point.x = 3  # type: ignore[misc]


def test_named_tuples_refuse_what_typing_refuses() -> None:
    for base in (NamedTuple, records.NamedTuple):
        with pytest.raises(TypeError, match="Non-default namedtuple field y cannot follow default field"):

            class Wrong(base):  # type: ignore[misc, valid-type]
                x: int = 0
                y: int  # type: ignore[misc]

        with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):

            class Overwrites(base):  # type: ignore[misc, valid-type]
                x: int

                def _replace(self) -> None:  # type: ignore[override]
                    pass


def test_a_class_keeps_its_own_methods_as_dataclasses_keep_them() -> None:
    for make in (dataclasses.dataclass(frozen=True), records.record(frozen=True)):

        @make
        class Shown:
            text: str
            other: int = 0

            def __repr__(self) -> str:
                return self.text

            def __hash__(self) -> int:
                return 7

        assert repr(Shown("x")) == "x" and hash(Shown("y")) == 7 and Shown("a") == Shown("a")

        @make
        class Compared:
            n: int

            def __eq__(self, other: object) -> bool:
                return True

        assert Compared(1) == Compared(2)
