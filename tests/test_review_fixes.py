"""What an independent new-user pass broke after the first round of fixes, each now an answer or a refusal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pexpect
import pytest

from helpers import ROOT, run


def test_a_negative_precision_is_a_usage_error_not_a_traceback() -> None:
    result = run(["trace", "--input", "10x3", "-f", "2", "-k", "3", "--precision", "-1", "--compact"])
    assert result.code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: ") and "--precision" in result.stderr and "Traceback" not in result.stderr


def test_tracing_an_empty_batch_says_there_is_no_example(tmp_path: Path) -> None:
    np.save(tmp_path / "empty.npy", np.zeros((0, 20, 3), np.float32))
    result = run(["trace", "--data", str(tmp_path / "empty.npy"), "-f", "2", "-k", "3", "--compact"])
    assert result.code == 1 and result.stdout == ""
    error, hint = result.stderr.splitlines()
    assert "batch is 0" in error and hint.startswith("hint: ") and "--example" not in hint


def test_a_terminal_that_says_0x0_is_drawn_at_80x24() -> None:
    child = pexpect.spawn(sys.executable, ["-m", "conv1dexplain", "trace", "--input", "10x3", "-f", "2", "-k", "3"],
                          cwd=str(ROOT), dimensions=(0, 0), encoding="utf-8", timeout=30)  # fmt: skip
    child.expect(r"output\[0\](?:\x1b\[[0-9;]*m)* · step 1 of 8")  # nothing was drawn before the fix
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_negative_seeds_and_budgets_are_usage_errors() -> None:
    for args in (["shape", "--input", "10x3", "-f", "2", "-k", "3", "--seed", "-5"],
                 ["run", "--input", "10x3", "-f", "2", "-k", "3", "--seed", "-5"],
                 ["trace", "--input", "10x3", "-f", "2", "-k", "3", "--seed", "-5", "--compact"],
                 ["run", "--input", "10x3", "-f", "2", "-k", "3", "--max-bytes", "-1"]):  # fmt: skip
        result = run(args)
        assert result.code == 2 and result.stdout == "", args
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr, args


def _strict(text: str) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_json_is_strict_json_when_outputs_overflow(tmp_path: Path) -> None:
    np.save(tmp_path / "big.npy", np.full((1, 10, 3), 3e38, np.float32))  # 9 · 3e38 overflows float32: inf
    np.save(tmp_path / "k.npy", np.ones((3, 3, 2), np.float32))
    common = ["--data", str(tmp_path / "big.npy"), "--kernel", str(tmp_path / "k.npy"), "-f", "2", "-k", "3"]
    answer = _strict(run(["run", *common, "--output", "-"]).stdout)
    assert isinstance(answer, dict) and answer["output"][0][0] == [None, None] and answer["max"] is None
    for line in run(["trace", *common, "--json"]).stdout.splitlines():
        _strict(line)
    assert run(["run", *common, "--output", str(tmp_path / "y.json")]).code == 0
    _strict((tmp_path / "y.json").read_text())
    softmax = _strict(run(["run", *common, "--activation", "softmax", "--json"]).stdout)
    assert isinstance(softmax, dict) and softmax["min"] is None and softmax["max"] is None  # NaN, not ±inf


def test_trace_refuses_a_kernel_too_long_to_list_at_the_limit() -> None:
    from conv1dexplain.trace_steps import MAX_TAPS

    at_limit = run(["trace", "--input", f"{MAX_TAPS}x1", "-f", "1", "-k", str(MAX_TAPS), "--compact"])
    assert at_limit.code == 0, at_limit.stderr  # one window of 65,536 taps, 'valid': one output, shown
    step = "t=0 " + " ".join(at_limit.stdout.split("\nt=0", 1)[1].split())  # the one step, wrapped at 80 columns
    # one line a step: the first and last five positions the window reads, then its output
    last_five = " ".join(map(str, range(MAX_TAPS - 5, MAX_TAPS)))
    assert re.fullmatch(rf"t=0 +positions 0 1 2 3 4 … {last_five} → output\[0, 0\] = -?\d+\.\d+", step), step
    over = run(["trace", "--input", "20x3", "-f", "2", "-k", str(MAX_TAPS + 1), "--padding", "same", "--json"])
    assert over.code == 2 and over.stdout == "" and "kernel_size=65,537" in over.stderr


def test_running_out_of_memory_is_one_line_not_a_traceback() -> None:
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1500 * 2**20, 1500 * 2**20)); "
        "from conv1dexplain.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run([sys.executable, "-c", code, "run", "--input", "1x10x3", "-f", "50000000", "-k", "3",
                             "--json"], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-500:]
    assert json.loads(result.stderr)["error"]["message"].startswith("out of memory")


def test_a_bias_as_long_as_the_kernel_is_not_called_a_transposed_kernel() -> None:
    from conv1dexplain import DataError, conv1d

    x = np.ones((2, 4, 20), np.float32)
    weight = np.ones((8, 4, 3), np.float32)  # a right PyTorch weight: 8 filters of 4 channels × 3 taps
    try:
        conv1d(x, weight, np.zeros(3, np.float32), framework="pytorch")  # a bias of kernel_size values
    except DataError as error:
        assert error.message.startswith("bias has shape (3,)"), error.message
        assert error.hint.startswith("give a bias of shape (8,)"), error.hint  # the bias first: PyTorch's own words
    else:
        raise AssertionError("a bias of 3 for 8 filters was accepted")
    assert conv1d(x, weight, np.zeros(8, np.float32), framework="pytorch").shape == (2, 8, 18)


def test_pytorch_hints_use_pytorchs_keywords() -> None:
    from conv1dexplain import SpecError, conv1d

    x, weight = np.ones((1, 4, 20), np.float32), np.ones((8, 4, 3), np.float32)
    for keyword, word in (("stride", "stride=1"), ("dilation", "dilation=1")):
        try:
            conv1d(x, weight, framework="pytorch", **{keyword: 0})
        except SpecError as error:
            assert word in error.hint and "strides=" not in error.hint and "dilation_rate" not in error.hint
        else:
            raise AssertionError(f"{keyword}=0 was accepted")
    try:
        conv1d(x.transpose(0, 2, 1), weight.transpose(2, 1, 0), strides=0)
    except SpecError as error:
        assert "strides=1" in error.hint  # Keras keeps its own names
    else:
        raise AssertionError("strides=0 was accepted")


@pytest.mark.oracle
def test_a_parameter_that_requires_grad_is_read_as_its_values(torch: ModuleType) -> None:
    from conv1dexplain import conv1d

    conv = torch.nn.Conv1d(4, 8, 3)
    x = torch.randn(2, 4, 20)
    ours = conv1d(x, conv.weight, conv.bias, framework="pytorch")  # conv.weight requires grad
    np.testing.assert_allclose(ours, conv(x).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_bias_false_and_boolean_data_say_what_they_are() -> None:
    from conv1dexplain import DataError, conv1d

    x, weight = np.ones((1, 4, 20), np.float32), np.ones((8, 4, 3), np.float32)
    for call, words in ((lambda: conv1d(x, weight, False, framework="pytorch"), "bias=None"),
                        (lambda: conv1d(x > 0, weight, framework="pytorch"), "boolean")):  # fmt: skip
        try:
            call()
        except DataError as error:
            assert words in error.hint + error.message
        else:
            raise AssertionError(words)


def test_a_csv_whose_rows_end_with_a_separator_says_so(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("1,2,3,\n4,5,6,\n")
    result = run(["run", "--data", str(tmp_path / "x.csv"), "-F", "pytorch", "-f", "2", "-k", "1"])
    assert result.code == 1 and "end of each row" in result.stderr.splitlines()[1]


def test_pytorchs_padding_hint_offers_the_pair_it_takes() -> None:
    result = run(["shape", "-F", "pytorch", "--input", "3x20", "-f", "4", "-k", "3", "--padding", "(1,2)"])
    assert result.code == 2 and "1,2" in result.stderr.splitlines()[1]
    pair = json.loads(run(["shape", "-F", "pytorch", "--input", "3x20", "-f", "4", "-k", "3", "--padding", "1,2",
                           "--json"]).stdout)  # fmt: skip
    assert [pair["padding"]["left"], pair["padding"]["right"]] == [1, 2]
    assert pair["output_shape"] == [None, 4, 21]  # 20 + 1 + 2 − 3 + 1


def test_a_framework_that_is_not_a_name_is_a_spec_error() -> None:
    from conv1dexplain import SpecError, conv1d

    with pytest.raises(SpecError):  # an AttributeError ('int' has no .lower) before
        conv1d(np.ones((1, 3, 10), np.float32), np.ones((2, 3, 3), np.float32), framework=1)  # type: ignore[arg-type]
