"""diagnose.patterns: a pattern is compiled only when a line holds the literal text every match of
it must contain. The text read off each pattern is checked on crafted patterns, and the deferred
search is checked to find exactly what re.compile(...).search finds, for every known pattern, on
the fixtures here and (from test_oracle_why) on every real traceback the frameworks print."""

from __future__ import annotations

import random
import re

import pytest

from conv1dexplain.diagnose import keras_messages, torch_messages
from conv1dexplain.diagnose.patterns import required_text
from conv1dexplain.diagnose.text import candidates, clean
from test_why_fixtures import FIXTURES

PATTERNS = [pattern for pattern, _ in (*torch_messages.MATCHERS, *keras_messages.MATCHERS)]


@pytest.mark.parametrize(
    ("source", "required"),
    [
        (r"abc?defghij", "defghij"),  # c may be absent
        (r"abcdef+ghijkl", "ghijkl"),  # (f repeated: the run ends there)
        (r"(?:foo)?barbazqux", "barbazqux"),
        (r"(?P<n>\d+) channels, but got", " channels, but got"),
        (r"x{1,3}yyyyyy", "yyyyyy"),
        (r"[abc)]defghi", "defghi"),  # a ) inside a class does not close anything
        (r"[]x]defghi", "defghi"),  # a ] first in a class is a literal
        (r"a\.b\(cdefg", "a.b(cdefg"),
        (r"shape=(?:torch\.Size\()?\[abcdefgh", "[abcdefgh"),
        (r"foo|barbazqux", None),  # either side alone may match
        (r"ab.cd", None),  # nothing of six characters is sure
        (r"abcdefgh*?", "abcdefg"),
    ],
)
def test_the_text_every_match_contains(source: str, required: str | None) -> None:
    assert required_text(source) == required
    if required is not None:
        assert required in re.sub(r"\\(.)", r"\1", source)


def assert_same_as_compiled(text: str) -> None:
    """Every known pattern finds in each line of the text what its compiled regex finds."""
    for line in candidates(clean(text)):
        for pattern in PATTERNS:
            deferred, compiled = pattern.search(line), re.compile(pattern.source).search(line)
            assert (deferred and deferred.span()) == (compiled and compiled.span()), (pattern.source, line)


def test_every_pattern_has_a_filter_or_says_why_not() -> None:
    unfiltered = [pattern.source for pattern in PATTERNS if pattern.key is None]
    assert len(unfiltered) <= 2, unfiltered  # (two alternate wordings in one pattern)


@pytest.mark.parametrize("index", range(len(FIXTURES)))
def test_deferred_search_finds_what_the_regex_finds(index: int) -> None:
    message = FIXTURES[index][0]
    rng = random.Random(index)
    assert_same_as_compiled(message)
    for _ in range(20):  # the message with a character dropped, doubled or changed
        at = rng.randrange(len(message))
        edited = message[:at] + rng.choice(["", message[at] * 2, rng.choice("x 1(,")]) + message[at + 1 :]
        assert_same_as_compiled(edited)
