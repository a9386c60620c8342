"""Start-up cost of the CLI against its floor: medians of interleaved runs, printed as ratios.

Targets (issue 2): `shape … --json` ≤ 1.25 × `python -c "import typer, rich.console, rich.table, numpy"`;
tab completion ≤ 1.5 × `python -c "import typer"`.  Usage: python benchmarks/bench_startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

PY = sys.executable
SCRIPT = shutil.which("conv1dexplain") or ""
CLI = [SCRIPT] if SCRIPT else [PY, "-m", "conv1dexplain"]
SEED = ["shape", "--input", "50x300", "--filters", "100", "--kernel-size", "4", "--padding", "same", "--json"]
COMPLETE_ENV = {
    "_CONV1DEXPLAIN_COMPLETE": "complete_bash",
    "COMP_WORDS": "conv1dexplain shape --fram",
    "COMP_CWORD": "2",
}

CASES: dict[str, tuple[list[str], dict[str, str]]] = {
    "import typer+rich+numpy": ([PY, "-c", "import typer, rich.console, rich.table, numpy"], {}),
    "shape --json": ([*CLI, *SEED], {}),
    "import typer": ([PY, "-c", "import typer"], {}),
    "tab completion": (CLI, COMPLETE_ENV),
}
TARGETS = [("shape --json", "import typer+rich+numpy", 1.25), ("tab completion", "import typer", 1.5)]


def once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def compile_package() -> None:
    """Write the package's bytecode, as pip does when it installs: an editable install under
    PYTHONDONTWRITEBYTECODE (set on some machines) would otherwise compile every module on each start."""
    import compileall

    import conv1dexplain

    compileall.compile_dir(os.path.dirname(conv1dexplain.__file__), quiet=1)


def instructions(argv: list[str], env: dict[str, str]) -> int | None:
    """Instructions one run executes, counted by valgrind's callgrind (None without valgrind):
    unlike seconds, the same from run to run whatever else the machine does."""
    if shutil.which("valgrind") is None:
        return None
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv]
    run = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)
    counted = [line for line in run.stderr.splitlines() if "Collected" in line]
    return int(counted[-1].split()[-1]) if counted else None


def interleaved_medians(cases: dict[str, tuple[list[str], dict[str, str]]], rounds: int) -> dict[str, float]:
    """Each case's median time over interleaved rounds, after one run to warm the file cache."""
    compile_package()
    times: dict[str, list[float]] = {name: [] for name in cases}
    for argv, env in cases.values():  # warm the file cache once
        once(argv, env)
    for _ in range(rounds):  # interleaved, so machine noise hits every case alike
        for name, (argv, env) in cases.items():
            times[name].append(once(argv, env))
    return {name: statistics.median(values) for name, values in times.items()}


def print_ratios(medians: dict[str, float], targets: list[tuple[str, str, float]]) -> bool:
    """The medians, then each case over its floor against its target; whether all are met."""
    print(f"{'case':<26}{'median ms':>10}")
    for name, value in medians.items():
        print(f"{name:<26}{value * 1000:>10.1f}")
    ok = True
    for case, floor, target in targets:
        ratio = medians[case] / medians[floor]
        ok &= ratio <= target
        print(f"{case} / {floor}: {ratio:.2f}  (target ≤ {target})  {'ok' if ratio <= target else 'OVER'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    args = parser.parse_args()
    return 0 if print_ratios(interleaved_medians(CASES, args.rounds), TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())
