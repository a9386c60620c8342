"""Integer options at any size: an exact answer or a one-line refusal with the size, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import run

INT64_MAX = 2**63 - 1
# Every range where the code changes path: zero and negatives, small, around 2^31, 2^62, 2^63, far beyond.
_EDGES = [0, -1, 1, 2, 3, 2**31 - 1, 2**31, 2**62, INT64_MAX, 2**63, 2**64, 10**20, 10**40]
_SIZES = st.one_of(st.sampled_from(_EDGES), st.integers(-(10**30), 10**30), st.integers(-3, 12))
OPTIONS = ["--filters", "--kernel-size", "--strides", "--dilation-rate", "--groups", "--padding", "length", "channels",
           "batch"]  # fmt: skip


def _args(command: str, framework: str, option: str, value: int) -> list[str]:
    dims = {"batch": 2, "length": 10, "channels": 4} | (
        {option: value} if option in ("batch", "length", "channels") else {}
    )
    pair = [dims["length"], dims["channels"]] if framework == "keras" else [dims["channels"], dims["length"]]
    layer = {
        "--filters": 2,
        "--kernel-size": 3,
        "--strides": 1,
        "--dilation-rate": 1,
        "--groups": 1,
        "--padding": "valid",
    } | ({option: value} if option.startswith("-") else {})
    args = [command, "-F", framework, "--input", "x".join(map(str, [dims["batch"], *pair]))]
    for name, setting in layer.items():
        args.append(f"{name}={setting}")
    return [*args, "--json"] + (["--steps", "0:2"] if command == "trace" else [])


def _expected_length(framework: str, option: str, value: int) -> int | None:
    """floor((L + 2p − d·(k−1) − 1) / s) + 1 with this option changed: the frameworks' formula, in Python ints."""
    length, k, s, d, p = 10, 3, 1, 1, 0
    if option == "length":
        length = value
    k, s, d = (value if option == o else v for o, v in (("--kernel-size", k), ("--strides", s), ("--dilation-rate", d)))
    if option == "--padding" and framework == "pytorch":
        p = value
    out = (length + 2 * p - d * (k - 1) - 1) // s + 1
    return out if out > 0 else None


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    command=st.sampled_from(["shape", "shape", "run", "trace"]),
    framework=st.sampled_from(["keras", "pytorch"]),
    option=st.sampled_from(OPTIONS),
    value=_SIZES,
)
def test_any_size_of_any_integer_option_answers_exactly_or_refuses_in_one_line(
    command: str, framework: str, option: str, value: int
) -> None:
    # trace in PyTorch's layout draws a long random row whole (minutes at 2^31): reported, not this test's subject.
    assume(not (command == "trace" and framework == "pytorch" and option == "length" and 10**6 < value <= INT64_MAX))
    # run and trace really compute: sizes that fit in memory yet take minutes are not this test's subject.
    assume(command == "shape" or not 10**4 < value <= 2**31)
    result = run(_args(command, framework, option, value))
    assert "Traceback" not in result.stderr
    assert result.code in (0, 1, 2), result
    if result.code:
        assert result.stdout == ""
        error = json.loads(result.stderr)["error"]
        assert error["message"] and error["hint"]
        keras_int_padding = option == "--padding" and framework == "keras"  # refused whatever its size
        if value > INT64_MAX and not keras_int_padding:  # refused, saying the size and the limit
            assert f"{value:,}" in error["message"] and f"{INT64_MAX:,}" in error["message"], error
        return
    assert abs(value) <= INT64_MAX, "the frameworks refuse integers over 64 bits, so must we"
    answer = json.loads(result.stdout.splitlines()[0])
    layout_length = answer["output_shape"][-2 if framework == "keras" else -1]
    if command in ("shape", "trace") and option != "--groups":
        assert layout_length == _expected_length(framework, option, value)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("-s", 99999999999999999999, "strides=99,999,999,999,999,999,999 is over what Keras and PyTorch take"),
        ("-f", 2**63, "filters=9,223,372,036,854,775,808 is over"),
        ("-d", -(2**64), "dilation_rate must be at least 1"),
    ],
)
def test_the_issues_example_and_its_neighbours(option: str, value: int, message: str) -> None:
    result = run(["shape", "--input", "10x4", "-f", "2", "-k", "3", option, str(value)])
    assert result.code == 2
    first, hint = result.stderr.splitlines()
    assert first.startswith(f"error: {message}") and hint.startswith("hint: use ")


def test_the_largest_stride_the_frameworks_take_gets_an_exact_answer_confirmed_by_numpy() -> None:
    for command in ("shape", "run"):
        answer = json.loads(
            run([command, "--input", "10x4", "-f", "2", "-k", "3", "-s", str(INT64_MAX), "--json"]).stdout
        )
        assert answer["output_shape"][-2:] == [1, 2]
        assert answer["strides"] == INT64_MAX
    assert answer["min"] == answer["min"]  # a number, not NaN: the one window was computed


def test_a_padding_far_longer_than_the_input_costs_what_the_output_needs(tmp_path: Path) -> None:
    # span = 2^62·(3 − 1) + 1: every window's taps 0 and 1 read the causal padding, tap 2 reads position t
    rng = np.random.default_rng(0)
    x, kernel = rng.standard_normal((1, 10, 4)).astype(np.float32), rng.standard_normal((3, 4, 2)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "k.npy", kernel)
    result = run(["run", "--data", str(tmp_path / "x.npy"), "--kernel", str(tmp_path / "k.npy"), "-f", "2", "-k", "3",
                  "-d", str(2**62), "--padding", "causal", "--output", str(tmp_path / "y.npy")])  # fmt: skip
    assert result.code == 0, result.stderr
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), x @ kernel[2], rtol=1e-6, atol=1e-6)


@pytest.mark.oracle
def test_pytorch_takes_64_bit_integers_and_refuses_larger(torch: ModuleType) -> None:
    x = torch.zeros(1, 4, 10)
    weight = torch.zeros(2, 4, 3)
    assert tuple(torch.nn.functional.conv1d(x, weight, stride=INT64_MAX).shape) == (1, 2, 1)
    ours = json.loads(run(["shape", "-F", "pytorch", "--input", "1x4x10", "-f", "2", "-k", "3", "-s", str(INT64_MAX),
                           "--json"]).stdout)["output_shape"]  # fmt: skip
    assert ours == [1, 2, 1]
    for setting in ({"stride": 2**63}, {"padding": 2**63}, {"dilation": 2**63}, {"groups": 2**63}):
        with pytest.raises((TypeError, RuntimeError, ValueError), match=r"(?i)overflow"):
            torch.nn.functional.conv1d(x, weight, **setting)
    for size in ((2**63, 4, 3), (2, 4, 2**63)):  # out_channels, kernel_size
        with pytest.raises((TypeError, RuntimeError, ValueError), match=r"(?i)overflow"):
            torch.zeros(size)
    with pytest.raises((TypeError, RuntimeError, ValueError), match=r"(?i)overflow"):
        torch.zeros(1, 4, 2**63)  # an input length


@pytest.mark.oracle
def test_keras_on_torch_takes_64_bit_strides_and_refuses_larger(keras: ModuleType) -> None:
    import numpy as np

    x = np.zeros((1, 10, 4), "float32")
    assert tuple(keras.layers.Conv1D(2, 3, strides=INT64_MAX)(x).shape) == (1, 1, 2)
    with pytest.raises(TypeError, match=r"(?i)overflow"):
        keras.layers.Conv1D(2, 3, strides=2**63)(x)
