"""Run the explorer in the terminal: the alternate screen, keys one by one, a redraw on each key
and on a resize; the terminal restored on q, Esc, Ctrl-C or a crash."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
from collections.abc import Callable, Iterator

from rich.console import Console

from conv1dexplain.explore.keys import QUIT, press
from conv1dexplain.explore.knobs import Knobs
from conv1dexplain.explore.screen import screen
from conv1dexplain.render.explore import frame, strip_width
from conv1dexplain.render.interactive import draw, read_key, resizes


def explore(knobs: Knobs, no_color: bool) -> Knobs:
    """Show the layer and change it key by key until q or Esc; the last knobs. Ctrl-C propagates
    (the CLI exits 130)."""
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    out = sys.stdout
    said, help_shown = "", False

    def enter() -> None:
        tty.setcbreak(fd, termios.TCSANOW)  # keys one by one, no echo; Ctrl-C interrupts
        out.write("\x1b[?1049h\x1b[?25l")  # the alternate screen, cursor hidden
        out.flush()

    def leave() -> None:
        out.write("\x1b[?25h\x1b[?1049l")  # cursor back, the normal screen back
        out.flush()
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)

    try:
        enter()
        with resizes() as resized, _suspends(enter, leave), _terminations():
            while True:
                size = os.get_terminal_size(out.fileno())
                width, height = size.columns or 80, size.lines or 24
                console = Console(
                    width=width, force_terminal=True, no_color=no_color or None, highlight=False, emoji=False
                )
                lines = frame(screen(knobs, said, strip_width(width)), width, height, console, help_shown)
                draw(out, lines, height)
                ready = select.select([fd, resized], [], [])[0]
                if resized in ready:
                    with contextlib.suppress(BlockingIOError):
                        os.read(resized, 512)
                if fd not in ready:
                    continue
                key = read_key(fd)
                if not key:  # the terminal is gone
                    return knobs
                if help_shown and key not in QUIT:  # any other key closes the keys' list
                    help_shown = False
                    continue
                pressed = press(knobs, key)
                if pressed.quit:
                    return knobs
                knobs, said, help_shown = pressed.knobs, pressed.said or said, pressed.help
    finally:
        leave()


@contextlib.contextmanager
def _suspends(enter: Callable[[], None], leave: Callable[[], None]) -> Iterator[None]:
    """Ctrl-Z gives the terminal back before the process stops; `fg` takes it again (and the loop,
    woken by the signal, redraws)."""

    def stop(signum: int, frame: object) -> None:
        leave()
        signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stopped here until SIGCONT

    def resume(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTSTP, stop)
        enter()

    previous = signal.signal(signal.SIGTSTP, stop), signal.signal(signal.SIGCONT, resume)
    try:
        yield
    finally:
        signal.signal(signal.SIGTSTP, previous[0])
        signal.signal(signal.SIGCONT, previous[1])


class Terminated(Exception):
    """SIGTERM or SIGHUP: the terminal is restored, then the process ends with 128 + the signal."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _terminations() -> Iterator[None]:
    def ended(signum: int, frame: object) -> None:
        raise Terminated(signum)

    previous = {signum: signal.signal(signum, ended) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
