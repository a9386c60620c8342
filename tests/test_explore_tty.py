"""`explore` in a real pseudo-terminal, its screen read by a terminal emulator (pyte) larger than
the terminal: each kind of key changes what the screen says, frames fit 60×20, 80×24 and 200×50,
q and Esc exit 0 and print the layer's `shape` command (which reproduces the shapes shown after 200
random keys), Ctrl-C exits 130, the terminal's modes are restored, a small terminal is told so,
and without a terminal it refuses with a hint."""

from __future__ import annotations

import json
import random
import re
import shlex
import signal
import sys
import time

import pytest

from helpers import run, run_process
from test_tty_screen import ENV, Terminal

pexpect = pytest.importorskip("pexpect")
pytest.importorskip("pyte")

SIZES = [(20, 60), (24, 80), (50, 200)]
TITLE = "conv1dexplain explore"
SHAPES = re.compile(r"input (\(.*?\)) → output (\(.*?\))")


def _said(terminal: Terminal, start: str) -> list[str]:
    return terminal.wait(lambda lines: any(line.startswith(f"> {start}") for line in lines), f"> {start}…")


def _command(raw: str) -> str:
    found = re.findall(r"conv1dexplain shape [^\r\n]*", raw)
    assert found, raw[-500:]
    return found[-1].strip()


def _send(terminal: Terminal, key: str) -> None:
    terminal.child.send(key)
    time.sleep(0.08 if key.startswith("\x1b") else 0.01)  # Esc alone is told from a sequence by a pause


@pytest.mark.parametrize(("rows", "columns"), SIZES)
def test_each_kind_of_key_says_what_it_changed_and_the_frame_fits(rows: int, columns: int) -> None:
    terminal = Terminal(["explore"], rows, columns)
    terminal.wait(lambda lines: TITLE in lines[0], "the title")
    terminal.fits()
    for key, said in (
        ("K", "kernel_size 4 → 5: each window reads 5 positions"),
        ("k", "kernel_size 5 → 4"),
        ("S", "strides 1 → 2: windows start 2 positions apart"),
        ("s", "strides 2 → 1"),
        ("D", "dilation 1 → 2: taps 2 apart: a window spans 7 positions"),
        ("d", "dilation 2 → 1"),
        ("p", "padding 'same' → 'causal'"),
        ("F", "filters 100 → 101"),
        ("f", "filters 101 → 100"),
        ("L", "length 50 → 51"),
        ("l", "length 51 → 50"),
        ("C", "channels 300 → 301"),
        ("c", "channels 301 → 300"),
        ("G", "groups 1 → 2: each filter reads 150 of the 300 channels"),
        ("g", "groups 2 → 1"),
        ("b", "bias on → off"),
        ("b", "bias off → on"),
        ("\x1b[C", "output 1 reads input positions"),
        ("\x1b[F", "output 49 reads"),
        ("\x1b[H", "output 0 reads"),
        ("t", "framework → PyTorch: the input is 300x50"),
        ("t", "framework → Keras: the input is 50x300"),
    ):
        _send(terminal, key)
        _said(terminal, said)
        terminal.fits()
    _send(terminal, "?")
    terminal.wait(lambda lines: any("The keys" in line for line in lines), "the keys' list")
    terminal.fits()
    _send(terminal, "x")  # any key closes it
    terminal.wait(lambda lines: TITLE in lines[0], "the view again")
    _send(terminal, "q")
    assert terminal.finish() == 0
    assert _command(terminal.raw) == (
        "conv1dexplain shape --input 50x300 --filters 100 --kernel-size 4 --padding causal --framework keras"
    )


def test_a_refused_setting_shows_the_framework_s_error() -> None:
    terminal = Terminal(["explore", "--input", "12x3", "-f", "2", "-k", "3", "--padding", "causal"], 24, 80)
    terminal.wait(lambda lines: TITLE in lines[0], "the title")
    for key in "SD":
        _send(terminal, key)
    lines = _said(terminal, "dilation 1 → 2")
    assert any(line.startswith("refused: ") for line in lines) and any(line.startswith("hint: ") for line in lines)
    _send(terminal, "\x1b")
    assert terminal.finish() == 0


def test_200_random_keys_then_the_printed_command_gives_the_shapes_shown() -> None:
    rng = random.Random(7)
    keys = [*list("kKsSdDpfFlLcCgGbt "), "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F"]
    args = ["explore", "--framework", "pytorch", "--input", "3x16", "-f", "4", "-k", "5", "--stride", "2", "-p", "2"]
    terminal = Terminal(args, 50, 200)
    terminal.wait(lambda lines: TITLE in lines[0], "the title")
    for _ in range(200):
        _send(terminal, rng.choice(keys))
    terminal.pump(1.0)
    last = terminal.wait(lambda lines: TITLE in lines[0], "the last frame")
    shown = [SHAPES.search(line) for line in last]
    _send(terminal, "q")
    assert terminal.finish() == 0
    result = run([*_command(terminal.raw).split()[1:], "--json"])
    found = [m for m in shown if m]
    if not found:  # the framework refused the last layer: so does shape
        assert result.code == 2 and any(line.startswith("refused: ") for line in last)
        return
    report = json.loads(result.stdout)
    fmt = lambda dims: "(" + ", ".join("None" if d is None else str(d) for d in dims) + ")"  # noqa: E731
    assert (found[0][1], found[0][2]) == (fmt(report["input_shape"]), fmt(report["output_shape"]))


def _modes_around(keys: str, rows: int, columns: int) -> tuple[str, str, str]:
    """`stty -a` before and after explore in one pseudo-terminal, and what was printed in between."""
    command = " ".join([shlex.quote(sys.executable), "-m", "conv1dexplain", "explore"])
    child = pexpect.spawn(
        "bash",
        ["--norc", "-c", f"stty -a; echo START; {command}; echo EXIT=$?; stty -a"],
        dimensions=(rows, columns),
        env={**ENV, "TERM": "xterm-256color"},
        encoding="utf-8",
        timeout=30,
    )
    child.expect("START")
    before = child.before
    child.expect(TITLE)
    time.sleep(0.5)
    child.send(keys)
    child.expect(pexpect.EOF)
    out = child.before
    child.close()
    code, after = out.rsplit("EXIT=", 1)
    return before.strip(), after, code


@pytest.mark.parametrize(("rows", "columns"), SIZES)
@pytest.mark.parametrize(("keys", "code"), [("q", "0"), ("\x1b", "0"), ("\x03", "130")])
def test_q_esc_and_ctrl_c_exit_and_restore_the_terminal(keys: str, code: str, rows: int, columns: int) -> None:
    before, after, printed = _modes_around(keys, rows, columns)
    exit_code, modes = after.split("\n", 1)
    assert exit_code.strip() == code
    assert modes.strip() == before  # echo, canonical mode and the rest, as they were
    assert "\x1b[?1049l" in printed and "\x1b[?25h" in printed  # the normal screen and the cursor back
    assert ("conv1dexplain shape --input 50x300" in printed) == (code == "0")


def test_a_small_terminal_is_told_and_a_resize_redraws() -> None:
    terminal = Terminal(["explore"], 15, 50)
    terminal.wait(lambda lines: any("explore needs 60×20" in line for line in lines), "the size it needs")
    terminal.resize(24, 80)
    terminal.wait(lambda lines: TITLE in lines[0], "the view after the resize")
    terminal.fits()
    _send(terminal, "q")
    assert terminal.finish() == 0


def test_without_a_terminal_it_refuses_with_a_hint() -> None:
    result = run_process(["explore"])
    assert result.returncode == 2 and result.stdout == ""
    error, hint = result.stderr.splitlines()
    assert error == "error: explore needs a terminal on stdin and stdout"
    assert hint.startswith("hint: ") and "conv1dexplain shape" in hint


def test_sigterm_restores_the_screen_and_exits_143() -> None:
    terminal = Terminal(["explore"], 24, 80)
    terminal.wait(lambda lines: TITLE in lines[0], "the title")
    terminal.raw = ""
    terminal.child.kill(signal.SIGTERM)
    terminal.child.expect(pexpect.EOF)
    terminal.raw += terminal.child.before or ""
    terminal.child.close()
    assert terminal.child.exitstatus == 143, "ended by the signal itself, not through the restoring handler"
    assert "\x1b[?25h\x1b[?1049l" in terminal.raw  # the cursor and the normal screen back


def test_ctrl_z_gives_the_terminal_back_and_fg_takes_it_again() -> None:
    command = " ".join([shlex.quote(sys.executable), "-m", "conv1dexplain", "explore"])
    shell = pexpect.spawn(
        "bash",
        ["--norc", "--noprofile", "-i"],
        dimensions=(24, 80),
        env={**ENV, "TERM": "xterm-256color", "PS1": "PROMPT$ "},
        encoding="utf-8",
        timeout=30,
    )
    shell.delaybeforesend = None
    shell.expect_exact("PROMPT$ ")
    shell.sendline(command)
    shell.expect_exact(TITLE)
    time.sleep(0.5)
    shell.send("\x1a")  # Ctrl-Z
    shell.expect_exact("\x1b[?1049l")  # the normal screen back before it stops
    shell.expect_exact("PROMPT$ ")
    shell.sendline("fg")
    shell.expect_exact(TITLE)  # drawn again
    time.sleep(0.5)
    shell.send("K")  # keys one by one again: no Enter needed
    shell.expect_exact("kernel_size 4 → 5")
    shell.send("q")
    shell.expect_exact("conv1dexplain shape --input 50x300 --filters 100 --kernel-size 5")
    shell.sendline("exit")
    shell.expect(pexpect.EOF)
