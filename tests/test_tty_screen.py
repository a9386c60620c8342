"""The live stepper as a terminal shows it: a real pseudo-terminal, its screen read by a terminal
emulator (pyte) that is larger than the terminal, so that anything drawn past its right or bottom
edge shows up instead of being clipped."""

from __future__ import annotations

import os
import re
import shlex
import signal
import sys
import time
from collections.abc import Callable

import pytest

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

SIZES = [(20, 60), (24, 80), (50, 200)]  # rows, columns
BEYOND = 30  # rows and columns the emulator has past the terminal's edges
RESTORE = "\x1b[?25h\x1b[?1049l"  # cursor shown, normal screen back
SMALL = ["trace", "--input", "30x3", "-f", "2", "-k", "3", "-p", "same", "--seed", "0"]
LAYERS = {
    "small": SMALL,
    "causal dilated": ["trace", "--input", "100x16", "-f", "32", "-k", "9", "-d", "4", "-p", "causal"],
    "grouped": ["trace", "--input", "40x8", "-f", "4", "-k", "5", "--groups", "2", "-p", "same"],
    "long kernel": ["trace", "--input", "60x2", "-f", "3", "-k", "25", "-p", "same"],
    "pytorch strided": ["trace", "-F", "pytorch", "--input", "4x50", "-f", "3", "-k", "4", "-s", "3", "-p", "2"],
}
TITLE = re.compile(r"output\[(?::, )?(\d+)\] · step (\d+) of (\d+) · filter (\d+)")
ENV = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES", "NO_COLOR")}


class Terminal:
    """A child in a pseudo-terminal of rows × columns, and the screen it has drawn."""

    def __init__(self, args: list[str], rows: int, columns: int, shell: bool = False) -> None:
        env = {**ENV, "TERM": "xterm-256color"}
        if shell:  # the exit code and the terminal's modes, printed once the stepper is gone
            command = " ".join([shlex.quote(sys.executable), "-m", "conv1dexplain", *map(shlex.quote, args)])
            self.child = pexpect.spawn(
                "bash",
                ["--norc", "-c", f"{command}; echo EXIT=$?; stty -a"],
                dimensions=(rows, columns),
                env=env,
                encoding="utf-8",
                timeout=30,
            )
        else:
            self.child = pexpect.spawn(
                sys.executable,
                ["-m", "conv1dexplain", *args],
                dimensions=(rows, columns),
                env=env,
                encoding="utf-8",
                timeout=30,
            )
        self.rows, self.columns = rows, columns
        self.screen = pyte.Screen(columns + BEYOND, rows + BEYOND)
        self.stream = pyte.Stream(self.screen)
        self.raw = ""

    def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                chunk = self.child.read_nonblocking(65536, timeout=0.05)
            except pexpect.TIMEOUT:
                continue
            except pexpect.EOF:
                return
            self.raw += chunk
            self.stream.feed(chunk)

    def wait(self, check: Callable[[list[str]], bool], what: str, seconds: float = 20) -> list[str]:
        """The screen once `check` holds for it (and stays so for a moment: the frame is complete)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.pump(0.1)
            if check(self.lines()):
                self.pump(0.2)
                if check(self.lines()):
                    return self.lines()
        raise AssertionError(f"never saw {what}; the screen:\n" + "\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def title(self) -> tuple[int, int, int, int] | None:
        found = [TITLE.search(line) for line in self.lines()]
        matches = [m for m in found if m]
        if len(matches) != 1:
            return None
        t, step, total, filter_index = map(int, matches[0].groups())
        return t, step, total, filter_index

    def at(self, t: int, filter_index: int = 0) -> list[str]:
        return self.wait(
            lambda _: (self.title() or (-1,))[0::3] == (t, filter_index), f"output[{t}], filter {filter_index}"
        )

    def resize(self, rows: int, columns: int) -> None:
        self.child.setwinsize(rows, columns)
        self.child.kill(signal.SIGWINCH)  # the kernel sends it too; twice does no harm
        self.screen.resize(rows, columns)  # a terminal drops what lies past its new edges
        self.screen.resize(rows + BEYOND, columns + BEYOND)
        self.rows, self.columns = rows, columns

    def fits(self) -> None:
        """Nothing drawn past the terminal's right or bottom edge."""
        lines = self.lines()
        assert all(line == "" for line in lines[self.rows :]), "drawn below the terminal:\n" + "\n".join(lines)
        wide = [line for line in lines if len(line) > self.columns]
        assert not wide, f"wider than {self.columns} columns: {wide}"

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.raw += self.child.before or ""
        self.child.close()
        return int(self.child.exitstatus)


@pytest.mark.parametrize(("rows", "columns"), SIZES)
@pytest.mark.parametrize("layer", LAYERS)
def test_every_frame_fits_and_keeps_the_title_and_the_small_columns(layer: str, rows: int, columns: int) -> None:
    terminal = Terminal(LAYERS[layer], rows, columns)
    for key, t in (("", 0), ("\x1b[F", None), ("\x1b[D", None), ("\x1b[H", 0)):
        terminal.child.send(key)
        if t is None:
            lines = terminal.wait(lambda _: (terminal.title() or (0,))[0] > 0, "a later step")
        else:
            lines = terminal.at(t)
        terminal.fits()
        header = next((line for line in lines if re.match(r"\s*tap\s+(?:position|column|pos|col)\b", line)), None)
        assert header is not None and header.rstrip().endswith("= Σ"), "the table's header, tap … = Σ"
        below = lines[lines.index(header) + 1 :]
        rows_shown = [line for line in below if re.match(r"\s*\d+\s+-?\d+\s.*\s-?\d+\.\d{3}$", line)]
        assert rows_shown, "tap rows with their tap, row and Σ"
        more = [re.search(r"… (\d+) taps? more", line) for line in below]
        hidden = sum(int(m.group(1)) for m in more if m)
        kernel_size = int(LAYERS[layer][LAYERS[layer].index("-k") + 1])
        assert len(rows_shown) + hidden == kernel_size, "every tap listed or counted"
        assert any(line.startswith("input") for line in lines) and any(line.startswith("output") for line in lines)
    terminal.child.send("q")
    assert terminal.finish() == 0


def test_rows_are_cut_visibly_when_the_taps_do_not_fit() -> None:
    terminal = Terminal(LAYERS["long kernel"], 20, 60)
    lines = terminal.at(0)
    (more,) = [m for m in (re.search(r"… (\d+) taps more", line) for line in lines) if m]
    assert int(more.group(1)) > 0
    terminal.child.send("q")
    assert terminal.finish() == 0


def test_each_key_does_what_it_says() -> None:
    terminal = Terminal(SMALL, 24, 80)
    terminal.at(0)
    moves = [
        ("\x1b[C", 1),
        (" ", 2),
        ("n", 3),
        ("l", 4),
        ("\r", 5),
        ("\x1b[D", 4),
        ("p", 3),
        ("h", 2),
        ("\x1b[6~", 12),
        ("\x1b[6~", 22),
        ("\x1b[6~", 29),
        ("\x1b[5~", 19),
        ("\x1b[H", 0),
        ("\x1b[5~", 0),
        ("G", 29),
        ("g", 0),
        ("\x1b[F", 29),
        ("\x1b[C", 29),
        ("\x1bOH", 0),
        ("\x1b[D", 0),
        ("7\r", 7),
        ("12\r", 12),
        ("99\r", 29),
        ("3\x7f5\r", 5),
        ("1", 5),
        ("\x1b", 5),
        ("\x1b[1~", 0),
        ("\x1b[4~", 29),
    ]
    for keys, t in moves:
        for key in keys if not keys.startswith("\x1b") else [keys]:
            terminal.child.send(key)
            time.sleep(0.08)  # Esc alone is told from an escape sequence by a pause
        terminal.at(t)
    for key, filter_index in (("f", 1), ("f", 0), ("F", 1), ("F", 0)):
        terminal.child.send(key)
        terminal.at(29, filter_index)
    terminal.child.send("4")
    terminal.wait(lambda lines: any("go to position 4" in line for line in lines), "the number typed")
    terminal.child.send("\x1b")
    terminal.wait(lambda lines: not any("go to position 4" in line for line in lines), "the number taken back")
    time.sleep(0.1)
    terminal.child.send("\x1b")  # Esc with nothing typed quits
    assert terminal.finish() == 0
    assert terminal.raw.endswith(RESTORE) or RESTORE in terminal.raw[-200:]


def test_the_footer_names_the_keys_on_one_line() -> None:
    for rows, columns in SIZES:
        terminal = Terminal(SMALL, rows, columns)
        lines = terminal.at(0)
        footer = [line for line in lines[:rows] if "q quit" in line or "q Esc: quit" in line]
        assert len(footer) == 1 and len(footer[0]) <= columns, footer
        words = {
            60: ["→ next", "← back", "PgUp/Dn", "f/F", "Enter", "q quit"],
            80: ["→ next", "← back", "PgDn/PgUp", "g/G", "f/F", "Enter", "q quit"],
            200: [
                "→ space n l Enter: next",
                "← p h: previous",
                "PgDn/PgUp",
                "Home g / End G",
                "f/F",
                "a number + Enter",
                "q Esc: quit",
            ],
        }[columns]
        assert all(word in footer[0] for word in words), (words, footer[0])
        terminal.child.send("q")
        assert terminal.finish() == 0


@pytest.mark.parametrize(("first", "second"), [((24, 80), (20, 60)), ((20, 60), (50, 200)), ((50, 200), (24, 80))])
def test_a_resize_is_redrawn_without_a_key(first: tuple[int, int], second: tuple[int, int]) -> None:
    terminal = Terminal(LAYERS["causal dilated"], *first)
    terminal.at(0)
    terminal.child.send("\x1b[C")
    terminal.at(1)
    terminal.fits()
    terminal.resize(*second)
    rows, columns = second

    def redrawn(lines: list[str]) -> bool:
        footer = [line for line in lines if line.endswith("quit")]
        return (
            terminal.title() is not None
            and bool(footer)
            and lines.index(footer[-1]) < rows
            and all(len(line) <= columns for line in lines)
            and all(line == "" for line in lines[rows:])
        )

    terminal.wait(redrawn, f"a frame for {rows}×{columns}")
    terminal.fits()
    assert terminal.title()[:1] == (1,), "still at the same step"
    terminal.child.send("q")
    assert terminal.finish() == 0


@pytest.mark.parametrize("key", ["q", "\x1b", "\x03"])
def test_leaving_restores_the_terminal(key: str) -> None:
    terminal = Terminal(SMALL, 24, 80, shell=True)
    terminal.at(0)
    terminal.child.send(key)
    terminal.child.expect(r"EXIT=(\d+)")
    assert terminal.child.match.group(1) == ("130" if key == "\x03" else "0")
    terminal.raw += terminal.child.before
    terminal.child.expect(pexpect.EOF)
    settings = terminal.child.before
    assert " icanon" in settings and " echo " in settings  # cooked mode and echo are back
    assert RESTORE in terminal.raw and "Traceback" not in terminal.raw + settings
