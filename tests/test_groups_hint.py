"""A refused groups count gets a hint whose every suggestion the framework then accepts."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conv1dexplain.errors import SpecError
from conv1dexplain.layers import conv1d


def _layer(channels: int, filters: int, groups: int, framework: str) -> None:
    shape = f"10x{channels}" if framework == "keras" else f"{channels}x10"
    conv1d.build(framework, shape, filters=filters, kernel_size=1, groups=groups)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 64), st.integers(1, 64), st.integers(1, 16), st.sampled_from(["keras", "pytorch"]))
def test_every_suggested_groups_count_is_accepted(channels: int, filters: int, groups: int, framework: str) -> None:
    try:
        _layer(channels, filters, groups, framework)
    except SpecError as error:
        assert "groups=" in error.hint and "--" not in error.hint  # the library names arguments, not flags
        error.voice = "cli"
        suggested = re.search(r"--groups ([\d, …or]+?) \(", error.hint)
        assert suggested, error.hint
        counts = [int(n) for n in re.findall(r"\d+", suggested.group(1))]
        assert counts and 1 in counts
        for count in counts:
            _layer(channels, filters, count, framework)  # raises if a suggestion is refused
        if (filters_hint := re.search(r"--filters (\d+)", error.hint)) and channels % groups == 0:
            _layer(channels, int(filters_hint.group(1)), groups, framework)
    else:
        assert channels % groups == 0 and filters % groups == 0
