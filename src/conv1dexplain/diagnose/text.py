"""The error in pasted text: ANSI colours and wrapped lines undone, the last megabyte kept, the
exception lines and the source line a traceback shows for the failing call. Pure text work."""

from __future__ import annotations

import re
from typing import NamedTuple

MAX_BYTES = 1 << 20  # more than this: the last megabyte is read (a traceback ends with its error)
_ANSI = re.compile(r"\x1b\[[0-9;?]{0,40}[A-Za-z]|\x1b\][^\x07]{0,300}\x07")
_FRAME = re.compile(r'^\s*File "([^"]*)", line (\d+), in (\S+)\s*$')


class Text(NamedTuple):
    """What was read: the cleaned text, its lines, and the code lines a traceback shows (last first)."""

    text: str
    lines: tuple[str, ...]
    code_lines: tuple[str, ...]


def clean(raw: str) -> Text:
    """The text without colours or carriage returns, its last megabyte only."""
    text = raw[-MAX_BYTES:] if len(raw) > MAX_BYTES else raw
    text = _ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = tuple(line.rstrip() for line in text.split("\n"))
    code = []
    for i, line in enumerate(lines[:-1]):
        if _FRAME.match(line) and lines[i + 1].strip() and not _FRAME.match(lines[i + 1]):
            code.append(lines[i + 1].strip())
    return Text(text, lines, tuple(reversed(code)))


def candidates(text: Text) -> list[str]:
    """Where a message may be, most likely first: each line from the last (a traceback's error is
    its last line), then the whole text as one line (a message wrapped over several)."""
    lines = [line.strip() for line in reversed(text.lines) if line.strip()]
    joined = " ".join(lines[::-1])
    return [*lines, joined]


def ints(text: str) -> list[int]:
    """The integers written in a piece of a message: "[32, 50, 300]" → [32, 50, 300]."""
    return [int(part) for part in re.findall(r"-?\d+", text)]
