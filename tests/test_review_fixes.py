"""What an independent new-user pass broke after the first round of fixes, each now an answer or a refusal."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pexpect

from helpers import ROOT, run


def test_a_negative_precision_is_a_usage_error_not_a_traceback() -> None:
    result = run(["trace", "--input", "10x3", "-f", "2", "-k", "3", "--precision", "-1", "--compact"])
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and "--precision" in result.stderr and "Traceback" not in result.stderr


def test_tracing_an_empty_batch_says_there_is_no_example(tmp_path: Path) -> None:
    np.save(tmp_path / "empty.npy", np.zeros((0, 20, 3), np.float32))
    result = run(["trace", "--data", str(tmp_path / "empty.npy"), "-f", "2", "-k", "3", "--compact"])
    assert result.code == 1 and result.stdout == ""
    error, hint = result.stderr.splitlines()
    assert "batch is 0" in error and hint.startswith("hint: ") and "--example" not in hint


def test_a_terminal_that_says_0x0_is_drawn_at_80x24() -> None:
    child = pexpect.spawn(sys.executable, ["-m", "conv1dexplain", "trace", "--input", "10x3", "-f", "2", "-k", "3"],
                          cwd=str(ROOT), dimensions=(0, 0), encoding="utf-8", timeout=30)  # fmt: skip
    child.expect(r"output\[0\](?:\x1b\[[0-9;]*m)* · step 1 of 8")  # nothing was drawn before the fix
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
