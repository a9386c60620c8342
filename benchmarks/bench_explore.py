"""explore's response: from a key press to the finished redraw, through a pseudo-terminal of
120×40 on the classic layer (50 × 300, 100 filters, k=4, 'same').

Target (issue 15): median ≤ 50 ms. Each key's time runs from writing it to the pty to reading the
frame's last line (the footer: a frame is written in one piece, footer last). The keys cycle
through the kinds (sizes, padding, groups, bias, framework, the window). Prints the median, the
90th percentile and the worst. Usage: python benchmarks/bench_explore.py [--keys N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import pexpect

KEYS = ["K", "k", "S", "s", "D", "d", "p", "F", "f", "L", "l", "C", "c", "G", "g", "b", "b", "t", "t", "\x1b[C"]
END = "q quit"  # the footer's end: the last thing a frame writes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=100)
    args = parser.parse_args()
    child = pexpect.spawn(
        sys.executable, ["-m", "conv1dexplain", "explore"], dimensions=(40, 120), encoding="utf-8", timeout=10
    )
    child.delaybeforesend = None  # (pexpect waits 50 ms before each send by default)
    child.expect_exact(END)  # the first frame
    times = []
    for i in range(args.keys):
        time.sleep(0.03)  # (no key typed ahead: each is timed alone)
        start = time.perf_counter()
        child.send(KEYS[i % len(KEYS)])
        child.expect_exact(END)
        times.append((time.perf_counter() - start) * 1000)
    child.send("q")
    child.expect(pexpect.EOF)
    times.sort()
    median, p90 = statistics.median(times), times[int(0.9 * (len(times) - 1))]
    verdict = "ok" if median <= 50 else "OVER"
    print(
        f"explore at 120×40, {len(times)} keys: median {median:.1f} ms, 90th percentile {p90:.1f} ms, "
        f"worst {times[-1]:.1f} ms (target: median ≤ 50 ms) {verdict}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
