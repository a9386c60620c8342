"""`run` end to end: every input and output format, stdin, dtypes, and the drawn weights."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import conv1dexplain
from conv1dexplain.layers import conv1d
from conv1dexplain.random_data import initial_weights
from helpers import assert_snapshot, human, run


def test_seed_layer_on_random_data_keeps_the_inputs_rank() -> None:
    result = run(["run", "--input", "50x300", "-f", "100", "-k", "4", "-p", "same", "--json"])
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["type"] == "run" and report["schema_version"] == 1
    assert report["input_shape"] == [50, 300] and report["output_shape"] == [50, 100]
    assert report["kernel_shape"] == [4, 300, 100] and report["dtype"] == "float32"
    assert "glorot_uniform" in report["weights_source"] and report["output"] is None
    assert report["pad_left"] == 1 and report["pad_right"] == 2
    assert report["min"] <= report["mean"] <= report["max"]


def _files(tmp_path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((12, 3)).astype(np.float32)  # PyTorch (C, L) unbatched? no: used per test
    weight = rng.standard_normal((8, 3, 3)).astype(np.float32)
    bias = rng.standard_normal(8).astype(np.float32)
    np.save(tmp_path / "weight.npy", weight)
    np.save(tmp_path / "bias.npy", bias)
    return x, weight, bias


def test_the_issues_stdin_example(tmp_path: Path) -> None:
    """cat x.json | conv1dexplain run --data - --framework pytorch --kernel weight.npy … --output -"""
    _, weight, bias = _files(tmp_path)
    x = np.random.default_rng(2).standard_normal((3, 10))  # PyTorch (C, L)
    command = [sys.executable, "-m", "conv1dexplain", "run", "--data", "-", "--framework", "pytorch"]
    command += ["--kernel", str(tmp_path / "weight.npy"), "--bias", str(tmp_path / "bias.npy")]
    command += ["--filters", "8", "--kernel-size", "3", "--padding", "1", "--output", "-"]
    result = subprocess.run(command, input=json.dumps(x.tolist()), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    expected = conv1dexplain.conv1d(x.astype(np.float32), weight, bias, padding=1, framework="pytorch")
    assert report["output_shape"] == [8, 10]
    np.testing.assert_allclose(np.array(report["output"]), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fmt", ["npy", "csv", "tsv", "json", "stdin-csv", "stdin-npy", "stdin-json"])
def test_every_input_format_gives_the_same_answer(fmt: str, tmp_path: Path) -> None:
    # 2-D, so PyTorch's unbatched (C, L): Keras refuses 2-D input
    x = np.random.default_rng(3).standard_normal((4, 15)).astype(np.float32)
    weight = np.random.default_rng(4).standard_normal((5, 4, 3)).astype(np.float32)
    np.save(tmp_path / "k.npy", weight)
    expected = conv1dexplain.conv1d(x, weight, np.zeros(5, np.float32), padding=(2, 0), framework="pytorch")
    stdin = None
    if fmt == "npy":
        np.save(tmp_path / "x.npy", x)
    elif fmt in ("csv", "tsv"):
        np.savetxt(tmp_path / f"x.{fmt}", x, delimiter="," if fmt == "csv" else "\t", fmt="%.9g")
    elif fmt == "json":
        (tmp_path / "x.json").write_text(json.dumps(x.tolist()))
    elif fmt == "stdin-csv":
        buffer = __import__("io").StringIO()
        np.savetxt(buffer, x, delimiter=",", fmt="%.9g")
        stdin = buffer.getvalue().encode()
    elif fmt == "stdin-npy":
        buffer = __import__("io").BytesIO()
        np.save(buffer, x)
        stdin = buffer.getvalue()
    else:
        stdin = json.dumps(x.tolist()).encode()
    source = "-" if stdin is not None else str(tmp_path / f"x.{fmt}")
    command = [sys.executable, "-m", "conv1dexplain", "run", "--data", source, "--kernel", str(tmp_path / "k.npy")]
    command += ["--framework", "pytorch", "--padding", "2,0", "--output", str(tmp_path / "y.npy")]
    result = subprocess.run(command, input=stdin, capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("suffix", ["npy", "csv", "tsv", "json"])
def test_every_output_format_reads_back(suffix: str, tmp_path: Path) -> None:
    args = ["run", "--input", "30x2", "-f", "3", "-k", "5", "--seed", "7", "-p", "same"]
    reference = json.loads(run([*args, "--output", "-"]).stdout)["output"]
    target = tmp_path / f"y.{suffix}"
    result = run([*args, "--output", str(target), "--json"])
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["output_file"] == str(target)
    if suffix == "npy":
        back = np.load(target)
    elif suffix == "json":
        back = np.array(json.loads(target.read_text())["data"])
    else:
        back = np.loadtxt(target, delimiter="," if suffix == "csv" else "\t")
    assert back.shape == (30, 3)
    np.testing.assert_allclose(back, np.array(reference), rtol=1e-6, atol=1e-7)


def test_batched_npy_output_is_the_same_as_conv1d(tmp_path: Path) -> None:
    x = np.random.default_rng(8).standard_normal((4, 3, 40)).astype(np.float32)  # PyTorch (N, C, L)
    np.save(tmp_path / "x.npy", x)
    weight = np.random.default_rng(9).standard_normal((6, 1, 5)).astype(np.float32)  # depthwise ×2
    np.save(tmp_path / "w.npy", weight)
    args = ["run", "-F", "pytorch", "--data", str(tmp_path / "x.npy"), "--weight", str(tmp_path / "w.npy")]
    args += ["--groups", "3", "--stride", "2", "--padding", "2", "--padding-mode", "circular", "--no-bias"]
    args += ["--output", str(tmp_path / "y.npy")]
    assert run(args).code == 0
    expected = conv1dexplain.conv1d(
        x, weight, groups=3, strides=2, padding=2, padding_mode="circular", framework="pytorch"
    )
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), expected, rtol=1e-6)


def test_float64_data_stays_float64_unless_asked(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.random.default_rng(0).standard_normal((1, 9, 2)))
    base = ["run", "--data", str(tmp_path / "x.npy"), "-f", "2", "-k", "3", "--json"]
    assert json.loads(run(base).stdout)["dtype"] == "float64"
    assert json.loads(run([*base, "--dtype", "float32"]).stdout)["dtype"] == "float32"


@pytest.mark.parametrize("fmt", ["csv", "json", "stdin-json"])
def test_text_data_holds_no_dtype_and_computes_in_float32(tmp_path: Path, fmt: str) -> None:
    """CSV and JSON hold no dtype: float32, the frameworks' default (torch.tensor(list) and Keras
    make float32), unless --dtype float64 or a float64 .npy kernel says otherwise."""
    x = np.random.default_rng(3).standard_normal((1, 9, 2))  # float64 values, not float32 ones
    stdin = None
    if fmt == "csv":
        np.savetxt(tmp_path / "x.csv", x[0].T, delimiter=",", fmt="%.17g")  # PyTorch's unbatched (C, L)
        data = str(tmp_path / "x.csv")
    else:
        (tmp_path / "x.json").write_text(json.dumps(x.tolist()))
        data = str(tmp_path / "x.json")
        if fmt == "stdin-json":
            stdin, data = (tmp_path / "x.json").read_text(), "-"
    kernel = np.random.default_rng(4).standard_normal((3, 2, 2))
    np.save(tmp_path / "k32.npy", kernel.astype(np.float32))
    np.save(tmp_path / "k64.npy", kernel)
    base = ["run", "--data", data, "--json", "--output", "-"]
    if fmt == "csv":
        base += ["--framework", "pytorch"]  # (Keras refuses a 2-D input)
    cases = [
        ([*base, "-f", "2", "-k", "3"], "float32"),
        ([*base, "-f", "2", "-k", "3", "--dtype", "float64"], "float64"),
        ([*base, "--kernel", str(tmp_path / "k32.npy"), "--no-bias"], "float32"),
        ([*base, "--kernel", str(tmp_path / "k64.npy"), "--no-bias"], "float64"),
    ]
    for args, dtype in cases:
        if fmt == "csv" and "--kernel" in args:
            continue  # (a Keras-layout kernel; the PyTorch run above covers the dtype)
        result = subprocess.run(
            [sys.executable, "-m", "conv1dexplain", *args], input=stdin, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["dtype"] == dtype, args
    if fmt != "csv":  # the values too: those of the float32 input, as the frameworks compute them
        args = [*base, "--kernel", str(tmp_path / "k32.npy"), "--no-bias"]
        result = subprocess.run(
            [sys.executable, "-m", "conv1dexplain", *args], input=stdin, capture_output=True, text=True, check=False
        )
        expected = conv1dexplain.conv1d(x.astype(np.float32), kernel.astype(np.float32))
        np.testing.assert_allclose(np.array(json.loads(result.stdout)["output"]), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_drawn_weights_follow_the_frameworks_default_initializer(framework: str) -> None:
    shape = "50x64" if framework == "keras" else "64x50"
    plan = conv1d.build(framework, shape, filters=128, kernel_size=5)
    kernel, bias, how = initial_weights(plan, seed=0, dtype=np.dtype(np.float32))
    assert kernel.shape == plan.kernel_shape and bias is not None
    fan_in = 5 * 64
    if framework == "keras":
        limit = math.sqrt(6 / (fan_in + 5 * 128))
        assert "glorot_uniform" in how and not bias.any()
    else:
        limit = 1 / math.sqrt(fan_in)
        assert "kaiming_uniform" in how and np.abs(bias).max() <= limit and bias.std() > limit / 3
    assert np.abs(kernel).max() <= limit and abs(kernel.max() - limit) < limit * 0.01  # uniform on ±limit
    assert abs(kernel.var() - limit**2 / 3) < 0.05 * limit**2 / 3


def test_human_summary_says_where_nothing_was_written() -> None:
    result = run(["run", "--input", "20x3", "-f", "2", "-k", "3", "--no-color"])
    assert result.code == 0 and "(18, 2) float32" in result.stdout and "not written" in result.stdout


@pytest.mark.usefixtures("eighty_columns")
def test_human_summary_snapshot() -> None:
    layer = ["-F", "pytorch", "--input", "2x3x16", "-f", "4", "-k", "3", "-p", "1", "--padding-mode", "reflect"]
    text = human(["run", *layer, "--seed", "3"])
    assert_snapshot("run_pytorch_reflect", text)
    assert "(2, 4, 16) float32" in text and "kaiming_uniform" in text and "1 left, 1 right (1, reflect)" in text
