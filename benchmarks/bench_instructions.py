"""Instructions per engine call, ours against a baseline tree, counted by valgrind's callgrind.

Timings on a shared machine vary ±20% between runs of the same code, so bench_engine.py cannot
tell a case 10% slower than the baseline from noise; instruction counts can (they hardly vary at
all from run to run, though they do not see cache misses or how well two threads overlap).

Method. Per case and per source tree (ours: this tree's src, or --source SRC; the baseline:
--baseline SRC), two fresh processes run under `valgrind --tool=callgrind`, with
OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=1, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset and
PYTHONHASHSEED=0. Each imports the engine from its tree, builds the case's data and call with
bench_engine.py's own code (CASES and contender(): the same sizes, the same calling code), makes
the call once untimed (warm-up: imports, caches, the engine's threads and buffers), then makes it
0 times in the first process and N (--calls) times in the second. Instructions per call = the
difference of the two processes' totals ÷ N. Everything but the N calls is the same work in
both, so it cancels, and the totals count every thread. That is why not --toggle-collect on a
marker function, nor --collect-atstart=no with callgrind_control: callgrind's collection state
is per thread, so a toggle in the main thread would miss the work of the engine's own threads
(depthwise chunks and groups run on them), and callgrind_control acts asynchronously, at some
point after it is asked. The ratio printed is ours ÷ baseline (above 1: more instructions than
before; target: no case above 1.10).

With --layout pytorch, ours is conv1d on (N, C, L) data with framework='pytorch', as in
bench_engine.py. --case NAME (repeatable, a part of a case's name) runs only those cases.
--keep DIR keeps the callgrind files (callgrind_annotate them, e.g. two of a case to compare).

Time here (2 shared cores, valgrind at nice 10, --calls 2): a case takes 3 to 24 minutes (seed
layer 3, long thin 6-9, wide 256→256 14, wide strided 24: each process starts Python and NumPy,
some 20 s, then makes 1 or 3 calls at valgrind's ~50× slowdown), so the 10 cases of one layout take
well over an hour; use --calls 1 and --case to keep a run short.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE nice -n 10 python benchmarks/bench_instructions.py \\
        --baseline /work/wt/base/src [--layout pytorch] [--calls 2] [--case NAME]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OURS = HERE.parent / "src"


def worker(kind: str, source: str, index: int, calls: int) -> None:
    """Build case `index`'s call (bench_engine's contender) from `source`, make it once, then `calls` times."""
    sys.path.insert(0, source)
    sys.path.insert(0, str(HERE))
    from bench_engine import CASES, contender

    import conv1dexplain

    imported = Path(conv1dexplain.__file__).resolve()
    assert imported.is_relative_to(Path(source).resolve()), f"conv1dexplain from {imported}, not {source}"
    function = contender(kind, CASES[index])
    function()  # warm-up
    for _ in range(calls):
        function()


def environment() -> dict[str, str]:
    """One thread for BLAS and OpenMP, no kernel overrides, the same hashes in every process."""
    env = {key: value for key, value in os.environ.items() if key not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0")
    return env


def instructions(kind: str, source: str, index: int, calls: int, out_file: Path) -> int:
    """The total instructions (every thread) of one worker process under callgrind."""
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}", sys.executable, __file__]
    command += ["--worker", kind, "--worker-source", source, "--worker-case", str(index), "--calls", str(calls)]
    done = subprocess.run(command, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    for line in out_file.read_text().splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {out_file}")


def per_call(kind: str, source: str, index: int, calls: int, directory: Path, label: str) -> float:
    """Instructions per call: (the process with `calls` calls − the one with none) ÷ calls."""
    without = instructions(kind, source, index, 0, directory / f"callgrind.{label}.case{index}.0")
    with_calls = instructions(kind, source, index, calls, directory / f"callgrind.{label}.case{index}.{calls}")
    return (with_calls - without) / calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2, help="calls counted per case and tree (after a warm-up)")
    layouts = "ours in Keras' layout (the engine), or in PyTorch's (conv1d with framework='pytorch')"
    parser.add_argument("--layout", choices=["keras", "pytorch"], default="keras", help=layouts)
    parser.add_argument("--source", metavar="SRC", default=str(OURS), help="our source tree (default: this tree's)")
    parser.add_argument("--baseline", metavar="SRC", help="the source tree to compare with (required)")
    parser.add_argument("--case", action="append", default=[], help="only the cases whose name contains this")
    parser.add_argument("--keep", metavar="DIR", help="keep the callgrind files in this directory")
    parser.add_argument("--worker", choices=["ours", "ours-pytorch"], help=argparse.SUPPRESS)
    parser.add_argument("--worker-source", help=argparse.SUPPRESS)
    parser.add_argument("--worker-case", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.worker_source, args.worker_case, args.calls)
        return 0
    if not args.baseline:
        parser.error("--baseline SRC is required")
    if args.calls < 1:
        parser.error("--calls must be at least 1")
    sys.path.insert(0, str(HERE))
    from bench_engine import CASES

    kind = "ours" if args.layout == "keras" else "ours-pytorch"
    indices = [i for i, case in enumerate(CASES) if not args.case or any(part in case.name for part in args.case)]
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(args.keep or temporary)
        directory.mkdir(parents=True, exist_ok=True)
        print(f"layout {args.layout}, {args.calls} calls a case; ours {args.source}, baseline {args.baseline}")
        print(f"{'case':<28}{'ours Ir/call':>15}{'base Ir/call':>15}{'÷base':>8}{'s':>6}")
        ratios = []
        for index in indices:
            start = time.monotonic()
            ours = per_call(kind, args.source, index, args.calls, directory, f"{args.layout}.ours")
            base = per_call(kind, args.baseline, index, args.calls, directory, f"{args.layout}.base")
            ratios.append(ours / base)
            line = f"{CASES[index].name:<28}{ours:>15,.0f}{base:>15,.0f}{ours / base:>8.3f}"
            print(f"{line}{time.monotonic() - start:>6.0f}", flush=True)
    worst = max(range(len(ratios)), key=ratios.__getitem__)
    print(f"worst ours/baseline: {ratios[worst]:.3f} ({CASES[indices[worst]].name}; target: no case above 1.10)")
    return 0 if ratios[worst] <= 1.10 else 1


if __name__ == "__main__":
    sys.exit(main())
