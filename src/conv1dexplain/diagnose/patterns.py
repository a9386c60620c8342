"""A message's pattern, compiled only when a line holds the words every match of it must contain:
`why` knows some hundred patterns, and compiling them all cost more than the rest of its start-up.
The words are read off the pattern itself (its longest run of literal text outside groups, classes
and quantifiers), so a pattern and its filter cannot disagree."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conv1dexplain.diagnose.text import Text
    from conv1dexplain.report.diagnosis import Finding

_SPECIAL = frozenset(".^$")
_QUANTIFIERS = frozenset("*+?{")


class Pattern:
    """re.compile(source), deferred: search() is None at once for a line without the key."""

    __slots__ = ("_compiled", "key", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self.key = required_text(source)
        self._compiled: re.Pattern[str] | None = None

    def search(self, line: str) -> re.Match[str] | None:
        if self.key is not None and self.key not in line:
            return None
        if self._compiled is None:
            self._compiled = re.compile(self.source)
        return self._compiled.search(line)


Read = Callable[[re.Match[str], "Text"], "Finding"]
Matcher = tuple[Pattern, Read]


def lazy(source: str) -> Pattern:
    return Pattern(source)


def required_text(source: str) -> str | None:
    """The longest literal text every match contains (None when the pattern has none of 6 characters
    or more, or an alternation at its top level)."""
    runs: list[str] = []
    run: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "|":
            return None
        if char == "\\":
            escaped = source[i + 1 : i + 2]
            step, literal = 2, escaped if escaped and not escaped.isalnum() else None
        elif char in "([":
            step, literal = _skip(source, i) - i, None
        elif char in _QUANTIFIERS:  # (after a group or class: a literal before one never joins a run)
            step, literal = (source.index("}", i) + 1 - i if char == "{" else 1), None
            step += source[i + step : i + step + 1] == "?"  # (a lazy quantifier)
        else:
            step, literal = 1, None if char in _SPECIAL else char
        if literal is None:
            runs.append("".join(run))
            run = []
        elif i + step < len(source) and source[i + step] in _QUANTIFIERS:
            runs.append("".join(run))  # (this character is quantified: it ends the run, unsure)
            run = []
        else:
            run.append(literal)
        i += step
    runs.append("".join(run))
    best = max(runs, key=len)
    return best if len(best) >= 6 else None


def _skip(source: str, start: int) -> int:
    """The index after the group or class that opens at start."""
    if source[start] == "[":
        return _class_end(source, start)
    depth, i = 0, start
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(source, i)
            continue
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return i + 1
        i += 1
    return len(source)


def _class_end(source: str, start: int) -> int:
    i = start + 1
    i += source[i : i + 1] == "^"
    i += source[i : i + 1] == "]"  # (a ] first is a literal)
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source[i] == "]":
            return i + 1
        i += 1
    return len(source)
