"""`run` on data the frameworks settle: empty batches, 2-D and integer files, data in the other
layout, PyTorch's explicit (left, right) padding; and the CSV and stdin mistakes it names."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from helpers import run

BASE = ["run", "--filters", "2", "--kernel-size", "3"]


def refusal(args: list[str], code: int = 1) -> tuple[str, str]:
    """The error and hint lines of a refused run."""
    result = run(args)
    assert result.code == code and result.stdout == "", result
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: ") and hint.startswith("hint: ")
    return error, hint


@pytest.mark.oracle
@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_an_empty_batch_runs_as_in_the_frameworks(torch: ModuleType, framework: str, tmp_path: Path) -> None:
    dims = (10, 3) if framework == "keras" else (3, 10)
    np.save(tmp_path / "x.npy", np.zeros((0, *dims), np.float32))
    padding = "1" if framework == "pytorch" else "same"
    args = [*BASE, "-F", framework, "--data", str(tmp_path / "x.npy"), "--padding", padding]
    report = json.loads(run([*args, "--json"]).stdout)
    real = torch.nn.Conv1d(3, 2, 3, padding=1)(torch.zeros(0, 3, 10)).shape  # (0, 2, 10) in either layout's order
    expected = [0, real[2], real[1]] if framework == "keras" else list(real)
    assert report["output_shape"] == expected and report["input_shape"] == [0, *dims]
    assert report["min"] is None and report["max"] is None and report["mean"] is None and report["preview"] == []
    human = run([*args, "--output", str(tmp_path / "y.npy"), "--no-color"])
    assert human.code == 0 and "no values" in human.stdout, human.stderr
    assert list(np.load(tmp_path / "y.npy").shape) == expected
    assert json.loads(run([*args, "--output", "-"]).stdout)["output"] == []


def test_a_2d_file_is_refused_in_keras_with_both_likely_intents(tmp_path: Path) -> None:
    np.save(tmp_path / "feat.npy", np.ones((32, 300), np.float32))
    error, hint = refusal([*BASE, "--data", str(tmp_path / "feat.npy")])
    assert "min_ndim=3" in error and "(32, 300)" in error
    assert "(1, 32, 300)" in hint and "(32, 300, 1)" in hint
    pytorch = run([*BASE, "-F", "pytorch", "--data", str(tmp_path / "feat.npy"), "--json"])  # (C, L) unbatched
    assert json.loads(pytorch.stdout)["output_shape"] == [2, 298]
    trace = run(["trace", "-f", "2", "-k", "3", "--data", str(tmp_path / "feat.npy"), "--json", "--steps", "0:1"])
    assert trace.code == 0 and json.loads(trace.stdout.splitlines()[0])["input_shape"] == [None, 32, 300]


def test_integer_data_is_refused_with_the_cast(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.ones((1, 10, 3), np.int64))
    error, hint = refusal([*BASE, "--data", str(tmp_path / "x.npy")])
    assert "int64" in error and "x.astype(np.float32)" in hint


def test_pytorch_data_in_keras_layout_names_the_datas_layout(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.ones((2, 50, 300), np.float32))
    np.save(tmp_path / "w.npy", np.ones((100, 300, 4), np.float32))
    error, hint = refusal(
        ["run", "-F", "pytorch", "--data", str(tmp_path / "x.npy"), "--weight", str(tmp_path / "w.npy")]
    )
    assert "(N, L, C)" in error and "np.save(path, x.transpose(0, 2, 1))" in hint
    np.save(tmp_path / "x.npy", np.ones((2, 300, 50), np.float32))  # and Keras given (N, C, L)
    np.save(tmp_path / "k.npy", np.ones((4, 300, 100), np.float32))
    error, hint = refusal(["run", "--data", str(tmp_path / "x.npy"), "--kernel", str(tmp_path / "k.npy")])
    assert "(N, C, L)" in error and "x.transpose(0, 2, 1)" in hint and "--data-format channels_first" in hint


def test_a_semicolon_separated_csv_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("1;2;3\n4;5;6\n")
    _, hint = refusal([*BASE, "-F", "pytorch", "--data", str(tmp_path / "x.csv")])
    assert "separated by ';'" in hint
    (tmp_path / "y.csv").write_text("x,y,z\n4,5,6\n")  # a header is still a header
    _, hint = refusal([*BASE, "-F", "pytorch", "--data", str(tmp_path / "y.csv")])
    assert "header" in hint


def test_stdin_at_a_terminal_says_nothing_was_piped() -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable, ["-m", "conv1dexplain", *BASE, "--data", "-"], env={**os.environ}, encoding="utf-8", timeout=30
    )
    child.expect("nothing was piped in")  # at once: it does not wait for typing
    child.expect("pipe the data in")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1


@pytest.mark.oracle
@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "circular"])
def test_pytorch_explicit_left_right_padding_is_f_pad_then_padding_0(
    torch: ModuleType, padding_mode: str, tmp_path: Path
) -> None:
    rng = np.random.default_rng(4)
    x, weight = rng.standard_normal((2, 3, 12)).astype(np.float32), rng.standard_normal((4, 3, 3)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "w.npy", weight)
    args = ["run", "-F", "pytorch", "--data", str(tmp_path / "x.npy"), "--weight", str(tmp_path / "w.npy")]
    args += ["--no-bias", "--padding", "1,2", "--padding-mode", padding_mode]
    report = json.loads(run([*args, "--output", "-"]).stdout)
    mode = {"zeros": "constant"}.get(padding_mode, padding_mode)
    with torch.no_grad():
        padded = torch.nn.functional.pad(torch.from_numpy(x), (1, 2), mode=mode)
        real = torch.nn.functional.conv1d(padded, torch.from_numpy(weight), padding=0).numpy()
    np.testing.assert_allclose(np.array(report["output"]), real, rtol=2e-5, atol=2e-5)
    said = "F.pad(x, (1, 2)" + ("" if padding_mode == "zeros" else f", mode='{padding_mode}'") + ") then padding=0"
    assert report["padding_equivalent"] == said and report["padding"] == [1, 2]
    assert "".join(said.split()) in "".join(run([*args, "--no-color"]).stdout.split())  # however it wraps
    keras = run(["run", "--input", "12x3", "-f", "2", "-k", "3", "--padding", "1,2"])
    assert keras.code == 2  # Keras' Conv1D has no explicit padding: ZeroPadding1D is another layer


@pytest.mark.parametrize(
    ("name", "text", "renamed"), [("x.tsv", "1,2,3\n4,5,6\n", "x.csv"), ("t.csv", "1\t2\t3\n4\t5\t6\n", "t.tsv")]
)
def test_commas_in_a_tsv_and_tabs_in_a_csv_say_which_name_reads_them(
    tmp_path: Path, name: str, text: str, renamed: str
) -> None:
    (tmp_path / name).write_text(text)
    _, hint = refusal([*BASE, "-F", "pytorch", "--data", str(tmp_path / name)])
    assert f"name the file {renamed[-4:]}" in hint
    (tmp_path / name).rename(tmp_path / renamed)  # the hint followed: it reads
    result = run([*BASE, "-F", "pytorch", "--data", str(tmp_path / renamed), "--json"])
    assert result.code == 0, result.stderr
