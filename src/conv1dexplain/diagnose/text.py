"""The error in pasted text: ANSI colours and wrapped lines undone, the last megabyte kept, the
exception lines and the source line a traceback shows for the failing call. Pure text work."""

from __future__ import annotations

import re

from conv1dexplain.records import NamedTuple

MAX_BYTES = 1 << 20  # more than this: the last megabyte is read (a traceback ends with its error)
_ANSI = re.compile(r"\x1b\[[0-9;?]{0,40}[A-Za-z]|\x1b\][^\x07]{0,300}\x07")
_FRAME = re.compile(r'^\s*File "([^"]*)", line (\d+), in (\S+)\s*$')


class Frame(NamedTuple):
    """One frame of a traceback: its file, line and the code it shows."""

    path: str
    line: int
    code: str


class Text(NamedTuple):
    """What was read: the cleaned text, its lines, and the frames a traceback shows (last first)."""

    text: str
    lines: tuple[str, ...]
    frames: tuple[Frame, ...] = ()  # last first

    @property
    def code_lines(self) -> tuple[str, ...]:
        """The code each frame shows, last first."""
        return tuple(frame.code for frame in self.frames)


def clean(raw: str) -> Text:
    """The text without colours or carriage returns, its last megabyte only."""
    text = raw[-MAX_BYTES:] if len(raw) > MAX_BYTES else raw
    text = _ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = tuple(line.rstrip() for line in text.split("\n"))
    frames = []
    for i, line in enumerate(lines[:-1]):
        found = _FRAME.match(line)
        if found and lines[i + 1].strip() and not _FRAME.match(lines[i + 1]):
            frames.append(Frame(found[1], int(found[2]), lines[i + 1].strip()))
    frames.reverse()
    return Text(text, lines, tuple(frames))


_MARGIN = re.compile(r"^(?:E   |> |\s*\|\s?)")  # pytest's "E   ", a quote's "> ", a log's "| "


def candidates(text: Text) -> list[str]:
    """Where a message may be, most likely first: each line from the last (a traceback's error is
    its last line); then the lines as one: as they are (a terminal's hard wrap cuts words and
    numbers, and its line ends keep their spaces), then joined with spaces (a message wrapped at
    its words, where a glued join reads "tohave"), each also without pytest's or a quote's margin,
    and with every line's indentation dropped (a hard-wrapped paste indented four spaces)."""
    lines = [line.strip() for line in reversed(text.lines) if line.strip()]
    raw = text.text.split("\n")
    bare = [_MARGIN.sub("", line) for line in raw]
    dedented = "".join(_dedent(bare))
    return [
        *lines,
        dedented,
        "".join(bare),
        "".join(raw),
        " ".join(part.strip() for part in bare),
        " ".join(lines[::-1]),
    ]


def _dedent(lines: list[str]) -> list[str]:
    """The lines without their common indentation of 2 or more (a paste indented on every line); a
    line's own leading space past it (a hard wrap cuts before a space too) stays."""
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min((indent for indent in indents if indent >= 2), default=0)
    return [line[cut:] if not line[:cut].strip() else line for line in lines]


def ints(text: str) -> list[int]:
    """The integers written in a piece of a message: "[32, 50, 300]" → [32, 50, 300]."""
    return [int(part) for part in re.findall(r"-?\d+", text)]
