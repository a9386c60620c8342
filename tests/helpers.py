"""Run the CLI the way users do: in-process for speed, or as a real process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from conv1dexplain import records
from conv1dexplain.cli import main
from conv1dexplain.engine.limits import DEFAULT_LIMITS, Limits

ROOT = Path(__file__).resolve().parent.parent
SEED_ARGS = ["shape", "--input", "50x300", "--filters", "100", "--kernel-size", "4", "--padding", "same"]
# Limits (conv1dexplain.engine.Limits fields) that make any layer take tap-stacked products
FORCED_TAP_STACK = {"tap_stack_channels": 1, "tap_stack_share": float("inf"), "tap_stack_waste": float("inf")}
# … that make BLAS read undilated windows in place, however small the layer
IN_PLACE = {"inside_share": 0, "inside_numbers": 0, "example_rows": 0}
# … that make a layer in PyTorch's layout (not depthwise) unfold its taps along L, however short
UNFOLDED = {"unfold_positions": 1, "unfold_copies": float("inf")}


def engine_limits(fields: dict[str, float]) -> Limits:
    """The engine's default Limits with these fields changed: pass them to convolve(limits=…), or
    around calls that reach the engine through conv1d() with engine.using_limits(…)."""
    return records.replace(DEFAULT_LIMITS, **fields)


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
