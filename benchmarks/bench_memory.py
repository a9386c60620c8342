"""Peak memory of `run` on a large .npy input: it must stay within 1.25 × (input + output) + 200 MiB.

The input is memory-mapped and the .npy output is filled chunk by chunk through a memory map, so
neither is ever copied whole. Usage:
    python benchmarks/bench_memory.py [--mib 420] [--channels 16] [--layout keras|pytorch]
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

KERNEL_SIZE = 9
MIB = 1 << 20


def make_input(path: Path, mib: int, channels: int, layout: str) -> tuple[int, ...]:
    """A (1, L, C) float32 .npy (Keras' layout) or (1, C, L) (PyTorch's) of about `mib` MiB,
    written in blocks (this process stays small)."""
    length = mib * MIB // (channels * 4)
    shape = (1, length, channels) if layout == "keras" else (1, channels, length)
    array = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=shape)
    rows = array[0] if layout == "keras" else array[0].T  # (L, C) either way
    rng = np.random.default_rng(0)
    block = 1 << 20
    for start in range(0, length, block):
        stop = min(start + block, length)
        rows[start:stop] = rng.standard_normal((stop - start, channels), dtype=np.float32)
    array.flush()
    del array, rows
    return shape


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=420, help="input size in MiB (default 420)")
    parser.add_argument("--channels", type=int, default=16, help="channels, and filters (default 16)")
    parser.add_argument("--layout", choices=["keras", "pytorch"], default="keras", help="the .npy's layout")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data, out = Path(folder) / "big.npy", Path(folder) / "out.npy"
        shape = make_input(data, args.mib, args.channels, args.layout)
        command = [
            sys.executable,
            "-m",
            "conv1dexplain",
            "run",
            "--data",
            str(data),
            "--framework",
            "keras" if args.layout == "keras" else "pytorch",
            "--filters",
            str(args.channels),
            "--kernel-size",
            str(KERNEL_SIZE),
            "--padding",
            "same",
            "--output",
            str(out),
            "--json",
        ]
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
        print(f"output k={KERNEL_SIZE}, F={args.channels}, same:  {out_bytes / MIB:8.1f} MiB")
        print(f"peak RSS of run:             {peak / MIB:8.1f} MiB   ({seconds:.1f} s)")
        print(f"bound 1.25·(in+out)+200 MiB: {bound / MIB:8.1f} MiB   {'ok' if peak <= bound else 'OVER'}")
        return 0 if peak <= bound else 1


if __name__ == "__main__":
    sys.exit(main())
