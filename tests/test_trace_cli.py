"""trace as users meet it: the drawings (snapshots), JSON Lines, refusals, pipes, and the live stepper."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time

import numpy as np
import pytest

from helpers import assert_snapshot, human, run, run_process

SEED = ["trace", "--input", "10x3", "--filters", "2", "--kernel-size", "3", "--padding", "same", "--seed", "0"]


pytestmark = pytest.mark.usefixtures("eighty_columns")


VIEWS = {
    "trace_default": [*SEED, "--steps", "0:3"],
    "trace_compact": [*SEED, "--compact"],
    "trace_causal": ["trace", "--input", "8x2", "-f", "2", "-k", "3", "-p", "causal", "--steps", "0:2", "--no-bias"],
    "trace_dilated_strided": shlex.split(
        "trace -F pytorch --input 4x30 -f 3 -k 3 -d 2 -s 3 -p 2 --steps 3:5 --filter 2"
    ),
    "trace_wide": ["trace", "--input", "100x300", "-f", "100", "-k", "4", "-p", "same", "--steps", "49:50"],
}


@pytest.mark.parametrize("name", VIEWS)
def test_human_view_snapshot(name: str) -> None:
    text = human(VIEWS[name])
    assert_snapshot(name, text)


def test_default_view_shows_every_part() -> None:
    text = human([*SEED, "--steps", "0:1"])
    for part in (
        "output[0]",
        "input",
        "tap j",
        "reads positions -1, 0, 1",
        "taps 0 read padding",
        "× kernel",
        "sum",
        "output[0, 0] =",
        "all 2 output channels",
    ):
        assert part in text, part


def test_causal_view_says_the_future_is_never_read() -> None:
    text = human(VIEWS["trace_causal"])
    assert "never a later one" in text and "reads positions -2, -1, 0" in text


def test_json_lines_contract() -> None:
    result = run([*SEED, "--json"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    layer, windows = lines[0], lines[1:]
    assert layer["type"] == "layer" and layer["output_shape"] == [None, 10, 2] and layer["padding"]["left"] == 1
    assert {"framework", "kernel_shape", "params", "receptive_field", "macs"} <= layer.keys()
    assert len(windows) == 10 and all(w["type"] == "window" and w["schema_version"] == 1 for w in windows)
    assert windows[0]["input_indices"] == [-1, 0, 1] and windows[0]["padding_taps"] == [0]
    assert windows[9]["padding_taps"] == [2] and windows[3]["filters"] == [0, 1] and len(windows[3]["output"]) == 2
    one = [json.loads(line) for line in run([*SEED, "--json", "--filter", "1", "--steps", "2:4"]).stdout.splitlines()]
    assert [w["output_index"] for w in one[1:]] == [2, 3] and one[1]["filters"] == [1]
    assert one[1]["output"] == windows[2]["output"][1:]


def test_trace_shows_the_numbers_run_computes() -> None:
    windows = [json.loads(line) for line in run([*SEED, "--json"]).stdout.splitlines()[1:]]
    output = json.loads(run(["run", *SEED[1:], "--output", "-"]).stdout)["output"]
    # products of other shapes (trace's chunks, run's whole input): equal to float32 rounding, not bit for bit
    np.testing.assert_allclose([w["output"] for w in windows], output, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([*SEED, "--interactive"], "terminal"),
        ([*SEED, "--steps", "20:30"], "no step"),
        ([*SEED, "--steps", "a:b"], "START:STOP"),
        ([*SEED, "--filter", "2"], "out of range"),
        ([*SEED, "--example", "1"], "out of range"),
        (
            [
                "trace",
                "--input",
                "3x10",
                "-f",
                "2",
                "-k",
                "3",
                "--data-format",
                "channels_first",
                "--activation",
                "glu",
            ],
            "window t + L_out/2",
        ),
    ],
)
def test_refusals(args: list[str], words: str) -> None:
    result = run(args)
    assert result.code == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and words in lines[0] and lines[1].startswith("hint: ")


def test_interactive_with_json_is_a_json_usage_error() -> None:
    result = run([*SEED, "--interactive", "--json"])
    assert result.code == 2 and result.stdout == ""
    assert "terminal" in json.loads(result.stderr)["error"]["message"]


def test_head_ends_at_once_and_quietly() -> None:
    command = f"{sys.executable} -m conv1dexplain trace --input 1000000x4 -f 2 -k 3 --json | head -n 3"
    start = time.perf_counter()
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    assert time.perf_counter() - start < 20  # not the 1,000,000 steps (a correctness guard, not a benchmark)
    assert len(result.stdout.splitlines()) == 3 and result.stderr == ""


def test_streaming_the_issue_example_through_jq_like_filtering() -> None:
    result = run_process(["trace", "--input", "5000x4", "-f", "2", "-k", "3", "--json"])
    windows = [json.loads(line) for line in result.stdout.splitlines()[1:]]
    picked = [w for w in windows if w["output_index"] % 1000 == 0]
    assert [w["output_index"] for w in picked] == [0, 1000, 2000, 3000, 4000]
