"""The stdout console: colour only on a terminal, never with NO_COLOR or --no-color."""

from __future__ import annotations

import re
import sys
from typing import IO

from rich.console import Console

# A line's end made of spaces and colour codes (FORCE_COLOR styles a pipe too): the codes stay.
_TRAILING = re.compile(r"(?: |\x1b\[[0-9;]*m)+$")
_CODE = re.compile(r"\x1b\[[0-9;]*m")


def _trim(line: str) -> str:
    return _TRAILING.sub(lambda end: "".join(_CODE.findall(end.group())), line)


class TrimmedLines:
    """A text stream that drops the spaces rich pads lines with (tables pad every cell)."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.pending = ""  # the unfinished line: its trailing spaces wait for what follows

    def write(self, text: str) -> int:
        *lines, self.pending = (self.pending + text).split("\n")
        if lines:
            self.stream.write("".join(_trim(line) + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        # Write the unfinished line up to its trailing spaces: they are kept until the line goes on.
        body = self.pending.rstrip(" ")
        self.stream.write(body)
        self.pending = self.pending[len(body) :]
        self.stream.flush()

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", None) or "utf-8"


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # rich would exit 1 here; the CLI ends a closed pipe quietly with exit 0 (`| head`).
        self.quiet = True
        raise BrokenPipeError


def make_console(*, no_color: bool = False) -> Console:
    """A console for data on stdout (rich itself honours NO_COLOR and COLUMNS); off a terminal, no
    line ends with a space."""
    terminal = sys.stdout.isatty()
    stream = sys.stdout if terminal else TrimmedLines(sys.stdout)
    return _Console(file=stream, no_color=no_color or None, highlight=False, emoji=False)  # type: ignore[arg-type]
