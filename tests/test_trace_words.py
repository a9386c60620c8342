"""trace's words: outputs named as the output array indexes them, positions as the data lays them
out, whole-axis activations with the sums they read, and a --help that says what trace takes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import human, run, run_process

pytestmark = pytest.mark.usefixtures("eighty_columns")

NAMED = re.compile(r"output\[(\d+), (\d+)\] = (-?\d+\.\d+)")
LAYOUTS = {
    "keras": ["--input", "1x12x3", "-f", "3", "-k", "3", "-p", "same"],
    "keras channels_first": [
        "--input",
        "1x3x12",
        "-f",
        "3",
        "-k",
        "3",
        "-p",
        "same",
        "--data-format",
        "channels_first",
    ],
    "pytorch": ["-F", "pytorch", "--input", "1x3x12", "-f", "3", "-k", "3", "-p", "1"],
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("compact", [False, True])
def test_an_output_named_in_either_view_is_that_element_of_runs_output(layout: str, compact: bool) -> None:
    """`output[a, b]` in the full and the compact view: the element [a][b] of the array `run` writes."""
    options = [*LAYOUTS[layout], "--seed", "4", "--filter", "2", "--steps", "5:8"]
    text = human(["trace", *options, *(["--compact"] if compact else [])])
    array = json.loads(run(["run", *LAYOUTS[layout], "--seed", "4", "--output", "-"]).stdout)["output"][0]
    named = NAMED.findall(text)
    assert len(named) == 3, text
    first = "channels_first" in layout or layout == "pytorch"
    for step, (a, b, value) in zip(range(5, 8), named, strict=True):
        assert (int(a), int(b)) == ((2, step) if first else (step, 2))
        assert abs(array[int(a)][int(b)] - float(value)) <= 0.0005 + 1e-6


def test_the_views_name_positions_as_the_data_lays_them_out() -> None:
    rows = " ".join(human(["trace", *LAYOUTS["keras"], "--steps", "0:1"]).split())
    columns = " ".join(human(["trace", *LAYOUTS["pytorch"], "--steps", "0:1"]).split())
    assert "reads positions -1, 0, 1" in rows and "the window steps 1 position" in rows and " rows " not in rows
    assert "reads columns -1, 0, 1" in columns and "the window steps 1 column" in columns and "row" not in columns
    assert "output[:, 0] · step 1" in columns and "output[0] · step 1" in rows
    compact = human(["trace", *LAYOUTS["pytorch"], "--compact", "--steps", "0:1"])
    assert "t=0 columns -1 0 1" in " ".join(compact.split())


@pytest.mark.parametrize(
    ("layout", "words"),
    [
        (["--input", "12x3"], "→ softmax over the 4 filters' sums here → output[2, 1] ="),
        (
            ["--input", "3x12", "--data-format", "channels_first"],
            "→ softmax over filter 1's 12 positions (every window's sum) → output[1, 2] =",
        ),
    ],
)
def test_softmax_says_which_sums_it_reads(layout: list[str], words: str) -> None:
    options = ["-f", "4", "-k", "3", "-p", "same", "--activation", "softmax", "--filter", "1", "--steps", "2:3"]
    text = human(["trace", *layout, *options])
    assert words in " ".join(text.split())


def test_glu_says_which_filter_gates_this_one() -> None:
    text = human(
        ["trace", "--input", "12x3", "-f", "4", "-k", "3", "--activation", "glu", "--filter", "1", "--steps", "0:1"]
    )
    assert "→ glu: × sigmoid(filter 3's sum + bias) → output[0, 1] =" in " ".join(text.split())


def help_text(command: list[str]) -> str:
    result = run_process([*command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    return " ".join(result.stdout.replace("│", " ").split())


def test_trace_help_says_json_is_json_lines_with_a_jq_line_that_works() -> None:
    text = help_text(["trace"])
    assert "JSON Lines" in text and '"type": "layer"' in text and '"type": "window"' in text
    assert "jq .output_shape" not in text
    command = re.search(r"(--json \| jq -c '[^']*')", text)
    assert command is not None, text
    jq = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m conv1dexplain trace --input 10x3 -f 2 -k 3 {command.group(1)}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert jq.returncode == 0 and jq.stderr == "", jq.stderr
    values = [json.loads(line) for line in jq.stdout.splitlines()]
    assert len(values) == 8 and all(len(v) == 2 and all(isinstance(n, float) for n in v) for v in values)


def test_trace_help_says_one_example_in_l_c_is_taken(tmp_path: Path) -> None:
    text = help_text(["trace"])
    assert "(L, C)" in text and "one example" in text
    np.save(tmp_path / "x.npy", np.arange(30, dtype=np.float32).reshape(10, 3))  # an (L, C) file, Keras' layout
    result = run(["trace", "--data", str(tmp_path / "x.npy"), "-f", "2", "-k", "3", "--json"])
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[0])["input_shape"] == [None, 10, 3]
