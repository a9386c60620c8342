"""Start-up cost of `why` against its floor: medians of interleaved runs, printed as ratios.

Target (issue 14): `why --json` on a PyTorch traceback's message ≤ 1.3 × `python -c "import typer"`;
neither NumPy nor rich is imported (checked here too). Usage: python benchmarks/bench_why.py [--rounds N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from bench_startup import CLI, PY, interleaved_medians, print_ratios

MESSAGE = (
    "RuntimeError: Given groups=1, weight of size [100, 300, 4], expected input[32, 50, 300] to have "
    "300 channels, but got 50 channels instead"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    args = parser.parse_args()
    cases: dict[str, tuple[list[str], dict[str, str]]] = {
        "import typer": ([PY, "-c", "import typer"], {}),
        "--version": ([*CLI, "--version"], {}),
        "why --json": ([*CLI, "why", MESSAGE, "--json"], {}),
    }
    probe = "import sys, runpy; sys.argv = ['conv1dexplain', 'why', sys.argv[1], '--json']\n"
    probe += "try:\n    runpy.run_module('conv1dexplain', run_name='__main__')\nexcept SystemExit:\n    pass\n"
    probe += "print(sorted(m for m in ('numpy', 'rich') if m in sys.modules), file=sys.stderr)"
    check = subprocess.run([PY, "-c", probe, MESSAGE], capture_output=True, text=True, check=False)
    loaded = check.stderr.strip().splitlines()[-1]
    medians = interleaved_medians(cases, args.rounds)
    print(f"loaded of numpy and rich: {loaded}")
    ok = print_ratios(medians, [("why --json", "import typer", 1.3)])
    return 0 if ok and loaded == "[]" else 1


if __name__ == "__main__":
    sys.exit(main())
