"""trace --json at scale: windows per second, peak memory at 10,000 vs 1,000,000 steps, and `| head -n 3`.

Targets (issue 4): peak RSS at 1,000,000 steps within 1.2 × (that at 10,000) + 20 MiB.
Usage: python benchmarks/bench_trace.py
"""

from __future__ import annotations

import subprocess
import sys
import time

MIB = 1 << 20


def traced(steps: int) -> tuple[float, int, int]:
    """Seconds, peak RSS (bytes) and lines of `trace --input {steps+2}x4 -f 2 -k 3 --json`."""
    command = [sys.executable, "-c",
               "import resource, sys, subprocess;"
               f"p = subprocess.run([sys.executable, '-m', 'conv1dexplain', 'trace', '--input', '{steps + 2}x4',"
               " '-f', '2', '-k', '3', '--json'], stdout=subprocess.PIPE);"
               "print(p.stdout.count(b'\\n'), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"]  # fmt: skip
    start = time.perf_counter()
    lines, kib = map(int, subprocess.run(command, capture_output=True, text=True, check=True).stdout.split())
    return time.perf_counter() - start, kib * 1024, lines


def main() -> int:
    small_seconds, small_peak, small_lines = traced(10_000)
    big_seconds, big_peak, big_lines = traced(1_000_000)
    assert small_lines == 10_001 and big_lines == 1_000_001
    print(f"10,000 steps:    {small_seconds:6.2f} s, peak RSS {small_peak / MIB:6.1f} MiB")
    print(f"1,000,000 steps: {big_seconds:6.2f} s, peak RSS {big_peak / MIB:6.1f} MiB, "
          f"{1_000_000 / big_seconds:,.0f} windows/s (start-up included)")  # fmt: skip
    bound = 1.2 * small_peak + 20 * MIB
    print(f"memory bound 1.2 × {small_peak / MIB:.1f} + 20 MiB = {bound / MIB:.1f} MiB: "
          f"{'ok' if big_peak <= bound else 'OVER'}")  # fmt: skip
    pipeline = f"{sys.executable} -m conv1dexplain trace --input 1000002x4 -f 2 -k 3 --json | head -n 3"
    start = time.perf_counter()
    result = subprocess.run(["bash", "-c", pipeline], capture_output=True, text=True, check=False)
    head_seconds = time.perf_counter() - start
    print(f"| head -n 3: {head_seconds:.2f} s, {len(result.stdout.splitlines())} lines, "
          f"stderr {'empty' if not result.stderr else repr(result.stderr[:80])}")  # fmt: skip
    return 0 if big_peak <= bound and not result.stderr else 1


if __name__ == "__main__":
    sys.exit(main())
