"""Piped human output: no line ends with a space (rich pads table cells; a pipe gets them trimmed)."""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

from helpers import run_process

CODES = re.compile(r"\x1b\[[0-9;]*m")

VIEWS = {
    "shape": ["shape", "--input", "50x300", "-f", "100", "-k", "4", "-p", "same"],
    "shape pytorch": ["shape", "-F", "pytorch", "--input", "8x3x40", "-f", "4", "-k", "4", "-p", "2", "-d", "2"],
    "shape groups causal": ["shape", "--input", "20x8", "-f", "4", "-k", "3", "-p", "causal", "--groups", "2"],
    "trace": ["trace", "--input", "10x3", "-f", "2", "-k", "3", "-p", "same", "--steps", "0:3"],
    "trace compact": ["trace", "--input", "10x3", "-f", "2", "-k", "3", "-p", "same", "--compact"],
    "trace wide": ["trace", "--input", "100x300", "-f", "100", "-k", "4", "-p", "same", "--steps", "49:50"],
    "trace long": ["trace", "--input", "100x16", "-f", "32", "-k", "9", "-d", "4", "-p", "causal", "--steps", "50:52"],
    "run": ["run", "--input", "50x300", "-f", "100", "-k", "4", "-p", "same"],
    "run pytorch": shlex.split("run -F pytorch --input 3x12 -f 2 -k 3 -p 1 --padding-mode reflect"),
}


@pytest.mark.parametrize("columns", ["80", "200"])
@pytest.mark.parametrize("name", VIEWS)
def test_piped_human_views_have_no_trailing_spaces(name: str, columns: str) -> None:
    result = run_process(VIEWS[name], env={"COLUMNS": columns, "NO_COLOR": "", "FORCE_COLOR": ""})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    assert len(lines) > 3 and lines[-1] == "", "the output ends with a newline"
    assert sum(1 for line in lines if line.strip()) > 3, "real text came through"
    padded = [line for line in lines if line.endswith(" ")]
    assert padded == [], padded[:3]
    assert max(len(line) for line in lines) <= int(columns)


def test_forced_colour_on_a_pipe_trims_before_the_closing_codes() -> None:
    result = run_process(VIEWS["trace"], env={"COLUMNS": "80", "FORCE_COLOR": "1", "NO_COLOR": ""})
    assert result.returncode == 0, result.stderr
    assert CODES.search(result.stdout), "colour was forced"
    padded = [line for line in result.stdout.splitlines() if CODES.sub("", line).endswith(" ")]
    assert padded == [], padded[:3]


def test_data_file_views_have_no_trailing_spaces(tmp_path: Path) -> None:
    # trace reads one example, an (L, C) array; run takes Keras' batched (N, L, C), as Conv1D does
    np.save(tmp_path / "x.npy", np.random.default_rng(0).standard_normal((20, 3)))
    np.save(tmp_path / "xs.npy", np.random.default_rng(0).standard_normal((2, 20, 3)))
    for command, data in (("trace", "x.npy"), ("run", "xs.npy")):
        result = run_process(
            [command, "--data", str(tmp_path / data), "-f", "4", "-k", "3", "-d", "2"], env={"COLUMNS": "80"}
        )
        assert result.returncode == 0, result.stderr
        assert not [line for line in result.stdout.splitlines() if line.endswith(" ")]


def test_trimming_keeps_inner_spaces_and_spaces_a_line_goes_on_after() -> None:
    from conv1dexplain.render.console import TrimmedLines

    sink = io.StringIO()
    stream = TrimmedLines(sink)
    stream.write("a  b   ")
    stream.flush()  # rich flushes after each print: the spaces wait, the line may go on
    assert sink.getvalue() == "a  b"
    stream.write("c  \n\x1b[1mbold \x1b[0m\n   \n")
    stream.write("end ")
    stream.flush()
    assert sink.getvalue() == "a  b   c\n\x1b[1mbold\x1b[0m\n\nend"
