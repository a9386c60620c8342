"""The live stepper in a real pseudo-terminal: keys move the window, q and Ctrl-C leave a sane terminal."""

from __future__ import annotations

import os
import shlex
import sys

import pytest

pexpect = pytest.importorskip("pexpect")

ARGS = ["trace", "--input", "10x3", "--filters", "2", "--kernel-size", "3", "--padding", "same", "--seed", "0"]
ENV = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "50"}
RESTORE = "\x1b[?25h\x1b[?1049l"  # cursor shown, normal screen back


def spawn(args: list[str]) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable, ["-m", "conv1dexplain", *args], dimensions=(50, 100), env=ENV, encoding="utf-8", timeout=30
    )


STYLE = r"(?:\x1b\[[0-9;]*m)*"  # colour codes between the words


def at(child: pexpect.spawn, t: int, filter_index: int = 0) -> None:
    child.expect(rf"output\[{t}\]{STYLE} · step {t + 1} of 10 · filter {filter_index}")


def test_keys_step_back_and_forth_and_change_filter() -> None:
    child = spawn(ARGS)  # a terminal on both ends: live by default
    at(child, 0)
    for key, t in (("\x1b[C", 1), (" ", 2), ("n", 3), ("\x1b[D", 2), ("p", 1), ("\x1b[F", 9), ("\x1b[H", 0)):
        child.send(key)
        at(child, t)
    child.send("\x1b[D")  # already at the first step: stays
    at(child, 0)
    child.send("f")
    at(child, 0, 1)
    child.send("f")  # two filters: wraps around
    at(child, 0, 0)
    child.send("F")
    at(child, 0, 1)
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert RESTORE in child.before and "Traceback" not in child.before


def test_ctrl_c_exits_130_and_restores_the_terminal() -> None:
    command = " ".join([shlex.quote(sys.executable), "-m", "conv1dexplain", *ARGS])
    child = pexpect.spawn(
        "bash", ["-c", f"{command}; echo EXIT=$?; stty -a"], dimensions=(50, 100), env=ENV, encoding="utf-8", timeout=30
    )
    at(child, 0)
    child.send("\x03")
    child.expect(r"EXIT=(\d+)")
    assert child.match.group(1) == "130"
    child.expect(pexpect.EOF)
    settings = child.before
    assert " icanon" in settings and " echo " in settings  # cooked mode and echo are back
    assert "Traceback" not in settings


def test_explicit_interactive_flag_works_in_a_terminal() -> None:
    child = spawn([*ARGS, "--interactive", "--steps", "5:8"])
    at(child, 5)
    child.send("\x1b[F")
    at(child, 7)
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_no_interactive_prints_the_static_view_in_a_terminal() -> None:
    child = spawn([*ARGS, "--no-interactive", "--compact"])
    child.expect_exact("t=9")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "\x1b[?1049h" not in child.before
