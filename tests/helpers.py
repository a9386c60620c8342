"""Run the CLI the way users do: in-process for speed, or as a real process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from conv1dexplain.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED_ARGS = ["shape", "--input", "50x300", "--filters", "100", "--kernel-size", "4", "--padding", "same"]
# conv1dexplain.engine.strategy constants that make any layer take tap-stacked products
FORCED_TAP_STACK = {"TAP_STACK_CHANNELS": 1, "TAP_STACK_SHARE": float("inf"), "TAP_STACK_WASTE": float("inf")}
# … that make BLAS read undilated windows in place, however small the layer
IN_PLACE = {"INSIDE_SHARE": 0, "INSIDE_NUMBERS": 0, "EXAMPLE_ROWS": 0}
# … that make a layer in PyTorch's layout (not depthwise) unfold its taps along L, however short
UNFOLDED = {"UNFOLD_POSITIONS": 1, "UNFOLD_COPIES": float("inf")}


def force_engine_path(monkeypatch: pytest.MonkeyPatch, constants: dict[str, float]) -> None:
    """Set the engine's constants wherever the engine reads them (a name imported into another module too)."""
    from conv1dexplain.engine import products, strategy, unfold_first

    for name, value in constants.items():
        for module in (strategy, products, unfold_first):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, value)


@dataclass
class Result:
    """Exit code and the two streams of one run."""

    code: int
    stdout: str
    stderr: str


def run(args: list[str]) -> Result:
    """Call main() with captured stdout/stderr (not a terminal, so no colour)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    return Result(int(code), out.getvalue(), err.getvalue())


def run_process(
    args: list[str], env: dict[str, str] | None = None, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """`python -m conv1dexplain ARGS` as a separate process."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "conv1dexplain", *args], capture_output=True, text=True, env=full_env,
        timeout=60, check=False, **kwargs,  # type: ignore[call-overload]
    )  # fmt: skip


SNAPSHOTS = ROOT / "tests" / "snapshots"
UPDATE_SNAPSHOTS = os.environ.get("CONV1DEXPLAIN_UPDATE_SNAPSHOTS") == "1"


def human(args: list[str]) -> str:
    """The human view without colour, trailing spaces dropped (at 80 columns: use the eighty_columns fixture)."""
    result = run(args)
    assert result.code == 0 and result.stderr == "", result.stderr
    return "\n".join(line.rstrip() for line in result.stdout.splitlines()) + "\n"


def assert_snapshot(name: str, text: str) -> None:
    """text equals tests/snapshots/NAME.txt, fits 80 columns and has no colour codes."""
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "\x1b[" not in text
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE_SNAPSHOTS:
        path.write_text(text)
    assert path.exists(), f"no snapshot {path.name}: write it with CONV1DEXPLAIN_UPDATE_SNAPSHOTS=1, then read it"
    assert text == path.read_text()
