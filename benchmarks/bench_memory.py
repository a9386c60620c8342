"""Peak memory of `run` on a large .npy input: it must stay within 1.25 × (input + output) + 200 MiB.

The input is memory-mapped and the .npy output is filled chunk by chunk through a memory map, so
neither is ever copied whole. Usage: python benchmarks/bench_memory.py [--mib 420] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHANNELS = 16
FILTERS = 16
KERNEL_SIZE = 9
MIB = 1 << 20


def make_input(path: Path, mib: int) -> tuple[int, ...]:
    """A (1, L, 16) float32 .npy of about `mib` MiB, written in blocks (this process stays small)."""
    length = mib * MIB // (CHANNELS * 4)
    array = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(1, length, CHANNELS))
    rng = np.random.default_rng(0)
    block = 1 << 20
    for start in range(0, length, block):
        stop = min(start + block, length)
        array[0, start:stop] = rng.standard_normal((stop - start, CHANNELS), dtype=np.float32)
    array.flush()
    del array
    return (1, length, CHANNELS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=420, help="input size in MiB (default 420)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data, out = Path(folder) / "big.npy", Path(folder) / "out.npy"
        shape = make_input(data, args.mib)
        command = [sys.executable, "-m", "conv1dexplain", "run", "--data", str(data), "--filters", str(FILTERS),
                   "--kernel-size", str(KERNEL_SIZE), "--padding", "same", "--output", str(out), "--json"]  # fmt: skip
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
        in_bytes, out_bytes = os.path.getsize(data), os.path.getsize(out)
        bound = 1.25 * (in_bytes + out_bytes) + 200 * MIB
        print(f"input  {shape} float32: {in_bytes / MIB:8.1f} MiB")
        print(f"output k={KERNEL_SIZE}, F={FILTERS}, same:  {out_bytes / MIB:8.1f} MiB")
        print(f"peak RSS of run:             {peak / MIB:8.1f} MiB   ({seconds:.1f} s)")
        print(f"bound 1.25·(in+out)+200 MiB: {bound / MIB:8.1f} MiB   {'ok' if peak <= bound else 'OVER'}")
        return 0 if peak <= bound else 1


if __name__ == "__main__":
    sys.exit(main())
