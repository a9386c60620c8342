"""Start-up cost of `model` on a 40-layer model against its floors: medians of interleaved runs,
printed as ratios.

Targets (issue 13): `model --json` ≤ 1.3 × `python -c "import typer"`; the table ≤ 1.3 ×
`python -c "import typer, rich.console, rich.table"`; NumPy is never imported (checked here too).
Usage: python benchmarks/bench_model.py [--rounds N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_startup import CLI, PY, instructions, interleaved_medians, print_ratios


def forty_layers() -> str:
    """A Keras file as users write it: an Input, then 10 blocks of 4 layers (40 layers)."""
    lines = [
        "import keras",
        "from keras import layers",
        "",
        "model = keras.Sequential([",
        "    keras.Input((16000, 1)),",
    ]
    for block in range(10):
        lines += [
            f"    layers.Conv1D({16 * (1 + block % 4)}, 3, padding='same'),",
            "    layers.ReLU(),",
            f"    layers.Conv1D({16 * (1 + block % 4)}, 3, strides={2 if block < 6 else 1}, padding='same'),",
            "    layers.Dropout(0.1),",
        ]
    return "\n".join([*lines, "])", ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--instructions", action="store_true", help="also count each case's instructions (valgrind)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.py"
        path.write_text(forty_layers())
        cases: dict[str, tuple[list[str], dict[str, str]]] = {
            "import typer": ([PY, "-c", "import typer"], {}),
            "--version": ([*CLI, "--version"], {}),  # the CLI's own floor: typer's app, no command
            "model --json": ([*CLI, "model", str(path), "--json"], {}),
            "import typer+rich": ([PY, "-c", "import typer, rich.console, rich.table"], {}),
            "model (table)": ([*CLI, "model", str(path)], {}),
        }
        probe = "import sys, runpy; sys.argv = ['conv1dexplain', 'model', sys.argv[1]]\n"
        probe += "try:\n    runpy.run_module('conv1dexplain', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        probe += "print('numpy' in sys.modules, file=sys.stderr)"
        check = subprocess.run([PY, "-c", probe, str(path)], capture_output=True, text=True, check=False)
        numpy_loaded = check.stderr.strip().splitlines()[-1] == "True"
        layers = subprocess.run(cases["model --json"][0], capture_output=True, text=True, check=False).stdout
        medians = interleaved_medians(cases, args.rounds)
        counts = {name: instructions(*case) for name, case in cases.items()} if args.instructions else {}
    count = layers.count('"index"')
    print(f"model: {count} layers; NumPy imported: {numpy_loaded}")
    print(f"--version / import typer: {medians['--version'] / medians['import typer']:.2f}  (the CLI with no command)")
    pairs = [("model --json", "import typer", 1.3), ("model (table)", "import typer+rich", 1.3)]
    ok = print_ratios(medians, pairs)
    for case, floor, _ in pairs if counts and all(counts.values()) else ():
        print(f"instructions {case} / {floor}: {counts[case] / 1e6:.0f} M / {counts[floor] / 1e6:.0f} M = ", end="")
        print(f"{counts[case] / counts[floor]:.2f}  (repeatable, but blind to cache misses and page faults)")
    return 0 if ok and not numpy_loaded else 1


if __name__ == "__main__":
    sys.exit(main())
