"""trace at scale: windows per second, peak memory at 10,000 vs 1,000,000 steps, and `| head -n 3`.

Targets (issue 4): peak RSS at 1,000,000 steps within 1.2 × (that at 10,000) + 20 MiB.
With --against SRC, each case also runs with another source tree (e.g. the code before a change)
and the two alternate, so that both see the same machine; the ratios are printed.
Usage: python benchmarks/bench_trace.py [--against /path/to/other/src] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

MIB = 1 << 20
HERE = Path(__file__).resolve().parent.parent / "src"
LAYER = ["-f", "2", "-k", "3"]
# (name, trace's arguments after --input, steps): JSON Lines, and the human pages piped
CASES = [
    ("--json, 1,000,000 steps", ["--json"], 1_000_000),
    ("--compact, 100,000 steps", ["--compact", "--no-interactive"], 100_000),
    ("full page, 5,000 steps", ["--no-interactive"], 5_000),
]


def _env(source: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(source), "COLUMNS": "100"}


def traced(steps: int, args: list[str] | None = None, source: Path = HERE) -> tuple[float, int, int]:
    """Seconds, peak RSS (bytes) and lines of `trace --input {steps+2}x4 -f 2 -k 3 ARGS` (ARGS: --json)."""
    argv = ["-m", "conv1dexplain", "trace", "--input", f"{steps + 2}x4", *LAYER, *(args or ["--json"])]
    command = [
        sys.executable,
        "-c",
        "import resource, sys, subprocess;"
        f"p = subprocess.run([sys.executable, *{argv!r}], stdout=subprocess.PIPE);"
        "print(p.stdout.count(b'\\n'), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)",
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=True, env=_env(source))
    lines, kib = map(int, result.stdout.split())
    return time.perf_counter() - start, kib * 1024, lines


def compare(other: Path, rounds: int) -> int:
    """Each case with this tree and the other, alternating; the median seconds and their ratio."""
    worst = 0.0
    for name, args, steps in CASES:
        mine, theirs = [], []
        for _ in range(rounds):
            theirs.append(traced(steps, args, other)[0])
            mine.append(traced(steps, args, HERE)[0])
        ratio = statistics.median(mine) / statistics.median(theirs)
        worst = max(worst, ratio)
        print(
            f"{name:28} this tree {statistics.median(mine):6.2f} s, other {statistics.median(theirs):6.2f} s: "
            f"× {ratio:.3f} (medians of {rounds})"
        )
    return 0 if worst <= 1.1 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, help="another source tree to time against")
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    if options.against is not None:
        return compare(options.against, options.rounds)
    small_seconds, small_peak, small_lines = traced(10_000)
    big_seconds, big_peak, big_lines = traced(1_000_000)
    assert small_lines == 10_001 and big_lines == 1_000_001
    print(f"10,000 steps:    {small_seconds:6.2f} s, peak RSS {small_peak / MIB:6.1f} MiB")
    rate = f"{1_000_000 / big_seconds:,.0f} windows/s (start-up included)"
    print(f"1,000,000 steps: {big_seconds:6.2f} s, peak RSS {big_peak / MIB:6.1f} MiB, {rate}")
    bound = 1.2 * small_peak + 20 * MIB
    verdict = "ok" if big_peak <= bound else "OVER"
    print(f"memory bound 1.2 × {small_peak / MIB:.1f} + 20 MiB = {bound / MIB:.1f} MiB: {verdict}")
    pipeline = f"{sys.executable} -m conv1dexplain trace --input 1000002x4 -f 2 -k 3 --json | head -n 3"
    start = time.perf_counter()
    result = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True, check=False, env=_env(HERE))
    head_seconds = time.perf_counter() - start
    stderr = "empty" if not result.stderr else repr(result.stderr[:80])
    print(f"| head -n 3: {head_seconds:.2f} s, {len(result.stdout.splitlines())} lines, stderr {stderr}")
    return 0 if big_peak <= bound and not result.stderr else 1


if __name__ == "__main__":
    sys.exit(main())
