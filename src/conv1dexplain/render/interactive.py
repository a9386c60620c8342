"""Step through a trace in the terminal: each frame fitted to the terminal, redrawn on a key or a
resize, the terminal always restored."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
from collections.abc import Iterator
from typing import TextIO

from rich.console import Console, RenderableType
from rich.text import Text

from conv1dexplain.records import replace
from conv1dexplain.render.keys import Stepper
from conv1dexplain.render.trace import View, arithmetic, step_parts
from conv1dexplain.report.trace import Step

FEW_TAPS = 3  # taps kept in the table before the lines above it give way


def read_key(fd: int) -> str:
    """One key press; escape sequences (arrows, Home, End, PgUp, PgDn) read whole, Esc alone by a pause."""
    key = os.read(fd, 1).decode(errors="replace")
    if key != "\x1b":
        return key
    while select.select([fd], [], [], 0.05)[0]:
        key += os.read(fd, 1).decode(errors="replace")
        # ESC [ … final byte (CSI), ESC O x (SS3), or ESC and one key
        if key[1] not in "[O" or (key[1] == "O" and len(key) == 3) or (len(key) > 2 and "@" <= key[-1] <= "~"):
            break
    return key


def _lines(console: Console, part: RenderableType) -> list[str]:
    with console.capture() as capture:
        console.print(part)
    return capture.get().split("\n")[:-1]


def frame(view: View, step: Step, heading: RenderableType, footer: str, console: Console, height: int) -> list[str]:
    """The lines of one frame, never more than `height`: the heading, blank lines, the table's middle
    taps (said so) and the less needed lines give way, the step's title and the footer stay."""
    full = step_parts(view, step, 0)  # its table is drawn below, fitted to the room left
    head = _lines(console, heading)
    title, picture, reads, result = (
        _lines(console, part) for part in (full.title, full.picture, full.reads, full.result)
    )
    extra = _lines(console, full.all_outputs) if full.all_outputs is not None else []
    last = _lines(console, Text(footer, style="dim"))[:1]
    taps = len(step.input_indices)
    # From the most to the least: what goes with the step's drawing, and the fewest taps it must keep.
    layouts = [
        (head, [""], reads, extra, taps),
        ([line for line in head if line.strip()], [], reads, extra, taps),
        (head[:1], [], reads, extra, taps),
        ([], [], reads, extra, FEW_TAPS),
        ([], [], reads[:1], [], FEW_TAPS),
        ([], [], [], [], 0),
    ]
    for top, gap, words, more, fewest in layouts:
        room = height - len(top) - len(title) - len(picture) - len(words) - len(result) - len(more) - len(gap) - 1
        if room - 1 >= min(taps, fewest) or fewest == 0:  # a line for the table's header
            table = _lines(console, arithmetic(view, step, max(1, room - 1)))
            lines = [*top, *title, *picture, *words, *table, *result, *more, *gap]
            break
    return [*lines[: max(0, height - 1)], *last][-height:] if height > 0 else []


@contextlib.contextmanager
def resizes() -> Iterator[int]:
    """A file descriptor that becomes readable when the terminal is resized (SIGWINCH)."""
    wake_read, wake_write = os.pipe()
    for fd in (wake_read, wake_write):
        os.set_blocking(fd, False)
    previous_fd = signal.set_wakeup_fd(wake_write, warn_on_full_buffer=False)
    previous = signal.signal(signal.SIGWINCH, lambda *_: None)  # a Python handler, so the wakeup fd is written
    try:
        yield wake_read
    finally:
        signal.signal(signal.SIGWINCH, previous)
        signal.set_wakeup_fd(previous_fd)
        os.close(wake_read)
        os.close(wake_write)


def draw(out: TextIO, lines: list[str], height: int) -> None:
    # Each line at its own row, cleared first (clearing after a full-width line would eat its last
    # character); no newline after the last, which would scroll a full frame up by one.
    text = "".join(f"\x1b[{row};1H\x1b[2K{line}" for row, line in enumerate(lines, 1))
    if len(lines) < height:
        text += f"\x1b[{len(lines) + 1};1H\x1b[J"
    out.write(text)
    out.flush()


def interact(view: View, start: int, stop: int, heading: RenderableType, no_color: bool) -> int:
    """Show step `start`, move on key presses until q or Esc (0); Ctrl-C propagates (the CLI exits 130)."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    out = sys.stdout
    stepper = Stepper(start, stop, len(view.tracer.step(start, view.filter_index).outputs), start, view.filter_index)
    try:
        tty.setcbreak(fd, termios.TCSANOW)  # keys one by one, no echo, keys typed ahead kept; Ctrl-C interrupts
        out.write("\x1b[?1049h\x1b[?25l")  # the alternate screen, cursor hidden
        with resizes() as resized:
            while True:
                size = os.get_terminal_size(out.fileno())
                if not (size.columns and size.lines):  # a terminal that says 0×0 (serial lines, some ptys)
                    size = os.terminal_size((size.columns or 80, size.lines or 24))
                console = Console(
                    width=size.columns, force_terminal=True, no_color=no_color or None, highlight=False, emoji=False
                )
                shown = replace(view, width=size.columns, filter_index=stepper.filter_index)
                lines = frame(
                    shown,
                    view.tracer.step(stepper.t, stepper.filter_index),
                    heading,
                    stepper.footer(size.columns),
                    console,
                    size.lines,
                )
                draw(out, lines, size.lines)
                ready = select.select([fd, resized], [], [])[0]
                if resized in ready:
                    with contextlib.suppress(BlockingIOError):
                        os.read(resized, 512)
                if fd in ready:
                    key = read_key(fd)
                    if not key or not stepper.press(key):  # (no key: the terminal is gone)
                        return 0
    finally:
        out.write("\x1b[?25h\x1b[?1049l")  # cursor back, the normal screen back
        out.flush()
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
