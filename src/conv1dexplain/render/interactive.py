"""Step through a trace in the terminal: redraw in place, keys to move, the terminal always restored."""

from __future__ import annotations

import io
import os
import select
import sys
from collections.abc import Callable
from dataclasses import replace

from rich.console import Console, RenderableType

from conv1dexplain.render.trace import View, step_view

KEYS = {
    "\x1b[C": "next", "\x1bOC": "next", " ": "next", "n": "next", "l": "next",
    "\x1b[D": "previous", "\x1bOD": "previous", "p": "previous", "h": "previous",
    "\x1b[H": "first", "\x1bOH": "first", "\x1b[1~": "first", "\x1b[7~": "first", "g": "first",
    "\x1b[F": "last", "\x1bOF": "last", "\x1b[4~": "last", "\x1b[8~": "last", "G": "last",
    "f": "next filter", "F": "previous filter", "q": "quit", "Q": "quit",
}  # fmt: skip
HELP = "→ space n: next · ← p: previous · Home/End · f / F: next / previous filter · q: quit"


def read_key(fd: int) -> str:
    """One key press; escape sequences (arrows, Home, End) read whole."""
    key = os.read(fd, 1).decode(errors="replace")
    if key != "\x1b":
        return key
    while select.select([fd], [], [], 0.05)[0]:
        key += os.read(fd, 1).decode(errors="replace")
        if key[-1].isalpha() or key[-1] == "~":
            break
    return key


def interact(view: View, start: int, stop: int, heading: RenderableType, no_color: bool,
             key_source: Callable[[int], str] = read_key) -> int:  # fmt: skip
    """Show step `start`, move on key presses until q (0); Ctrl-C propagates (the CLI exits 130)."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    out = sys.stdout
    t, filters = start, view.tracer.step(start).outputs.shape[0]
    try:
        tty.setcbreak(fd)  # keys one by one, no echo; Ctrl-C still interrupts
        out.write("\x1b[?1049h\x1b[?25l")  # the alternate screen, cursor hidden
        while True:
            width = os.get_terminal_size(out.fileno()).columns
            buffer = io.StringIO()
            console = Console(file=buffer, width=width, force_terminal=True, no_color=no_color or None,
                              highlight=False, emoji=False)  # fmt: skip
            console.print(heading)
            console.print(step_view(replace(view, width=width), view.tracer.step(t)))
            console.print(f"\n{HELP}", style="dim")
            out.write("\x1b[H\x1b[2J" + buffer.getvalue())
            out.flush()
            action = KEYS.get(key_source(fd))
            if action == "quit":
                return 0
            if action == "next":
                t = min(t + 1, stop - 1)
            elif action == "previous":
                t = max(t - 1, start)
            elif action == "first":
                t = start
            elif action == "last":
                t = stop - 1
            elif action in ("next filter", "previous filter"):
                step = 1 if action == "next filter" else -1
                view = replace(view, filter_index=(view.filter_index + step) % filters)
    finally:
        out.write("\x1b[?25h\x1b[?1049l")  # cursor back, the normal screen back
        out.flush()
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
