"""strict_json.dumps writes what json.dumps(obj, ensure_ascii=False, allow_nan=False) writes (it
calls the same C encoder without importing json), non-finite floats as null, and falls back to
json.dumps itself where that encoder is missing."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conv1dexplain import strict_json

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=5) | st.integers(-9, 9), inner, max_size=4)
    ),
    max_leaves=30,
)


@given(values)
def test_it_writes_what_json_writes(obj: Any) -> None:
    assert strict_json.dumps(obj) == json.dumps(obj, ensure_ascii=False, allow_nan=False)


@given(st.lists(st.floats() | st.integers(), max_size=6), st.floats(allow_nan=True))
def test_non_finite_floats_are_null(numbers: list[Any], extra: float) -> None:
    obj = {"numbers": numbers, "extra": extra, "nested": [{"x": extra}]}
    expected = json.loads(json.dumps(obj).replace("NaN", "null").replace("-Infinity", "null"))
    expected = json.loads(json.dumps(expected).replace("Infinity", "null"))
    assert json.loads(strict_json.dumps(obj)) == expected
    assert "NaN" not in strict_json.dumps(obj) and "Infinity" not in strict_json.dumps(obj)
    assert strict_json.number(extra) == ("null" if not math.isfinite(extra) else repr(extra))


def test_what_json_cannot_write_is_refused_in_its_words() -> None:
    with pytest.raises(TypeError, match="Object of type set is not JSON serializable"):
        strict_json.dumps({"a": {1, 2}})


def test_without_the_c_encoder_json_itself_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    strict_json._writer.cache_clear()
    monkeypatch.setitem(sys.modules, "_json", None)  # (import _json now raises ImportError)
    try:
        obj = {"a": [1, 2.5, None, "é"], "b": float("nan")}
        assert strict_json.dumps(obj) == '{"a": [1, 2.5, null, "é"], "b": null}'
        assert strict_json._writer().func is json.dumps  # type: ignore[attr-defined]
    finally:
        strict_json._writer.cache_clear()
