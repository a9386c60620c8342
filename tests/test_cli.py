"""The shape command as users meet it: answers, errors, JSON, colour, snapshots."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import SEED_ARGS, assert_snapshot, human, run, run_process

pytestmark = pytest.mark.usefixtures("eighty_columns")  # the human views as the snapshots hold them

CONTRACT_KEYS = {
    "framework", "data_format", "input_shape", "output_shape", "kernel_shape", "bias_shape", "params",
    "padding", "strides", "dilation_rate", "groups", "receptive_field", "macs", "flops", "schema_version",
}  # fmt: skip


def test_seed_question_json_answers_the_classic_question() -> None:
    result = run([*SEED_ARGS, "--json"])
    assert result.code == 0 and result.stderr == ""
    answer = json.loads(result.stdout)
    assert answer.keys() >= CONTRACT_KEYS
    assert answer["schema_version"] == 1 and answer["type"] == "shape"
    assert answer["output_shape"] == [None, 50, 100]
    assert answer["kernel_shape"] == [4, 300, 100]
    assert answer["bias_shape"] == [100]
    assert answer["params"] == 120_100
    assert answer["params_arithmetic"] == "4 × 300 × 100 + 100 = 120,100"
    assert answer["padding"] | {"reason": None} == {
        "mode": "same", "value": None, "left": 1, "right": 2, "padding_mode": "zeros", "reason": None,
    }  # fmt: skip
    assert answer["receptive_field"] == 4
    assert answer["macs"] == 50 * 100 * 4 * 300 and answer["flops"] == 2 * answer["macs"]
    assert answer["other_framework"]["kernel_shape"] == [100, 300, 4]
    assert answer["windows"][0]["input_indices"] == [-1, 0, 1, 2] and answer["windows"][0]["padding_taps"] == [0]
    assert answer["windows"][-1]["input_indices"] == [48, 49, 50, 51]
    assert answer["check"]["status"] == "confirmed" and answer["check"]["output_length"] == 50


def test_pytorch_layout_and_known_batch() -> None:
    answer = json.loads(
        run(["shape", "-F", "pytorch", "-i", "8x300x50", "-f", "100", "-k", "4", "-p", "same", "--json"]).stdout
    )
    assert answer["input_shape"] == [8, 300, 50] and answer["output_shape"] == [8, 100, 50]
    assert answer["kernel_shape"] == [100, 300, 4] and answer["other_framework"]["kernel_shape"] == [4, 300, 100]
    assert answer["batch_macs"] == 8 * answer["macs"]
    assert answer["padding"]["left"] == 1 and answer["padding"]["right"] == 2


def test_every_key_is_present_even_when_null() -> None:
    answer = json.loads(run(["shape", "-i", "10x2", "-f", "1", "-k", "1", "--no-bias", "--json"]).stdout)
    assert answer["bias_shape"] is None and answer["activation"] is None and answer["batch_macs"] is None
    assert answer["params"] == 2


BAD_INPUTS = [
    (["shape", "-i", "50x300", "-f", "0", "-k", "4"], "filters"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "0"], "kernel_size"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "-s", "0"], "strides"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "-d", "0"], "dilation"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "-g", "0"], "groups"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "-g", "7"], "divisible"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "-g", "3"], "divisible"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "51"], "zero or negative"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "-p", "full"], "padding"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "-p", "2"], "padding"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "-s", "2", "-d", "2"], "dilation_rate"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "--activation", "RELU"], "activation"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "--activation", "threshold"], "threshold"),
    (["shape", "-i", "50x300", "-f", "3", "-k", "4", "--activation", "glu"], "glu"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "--padding-mode", "reflect"], "zeros only"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "--data-format", "nlc"], "data_format"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "--framework", "jax"], "framework"),
    (["shape", "-i", "50x", "-f", "100", "-k", "4"], "dimension"),
    (["shape", "-i", "50x300x2x2", "-f", "100", "-k", "4"], "dimension"),
    (["shape", "-i", "fifty x 300", "-f", "100", "-k", "4"], "whole number"),
    (["shape", "-i", "0x300", "-f", "100", "-k", "4"], "at least 1"),
    (["shape", "-F", "pytorch", "-i", "300x50", "-f", "100", "-k", "4", "-p", "same", "-s", "2"], "strided"),
    (["shape", "-F", "pytorch", "-i", "300x50", "-f", "100", "-k", "4", "-p", "causal"], "causal"),
    (["shape", "-F", "pytorch", "-i", "300x50", "-f", "100", "-k", "4", "-p", "SAME"], "lowercase"),
    (["shape", "-F", "pytorch", "-i", "300x50", "-f", "100", "-k", "4", "-p", "-1"], "negative"),
    (["shape", "-F", "pytorch", "-i", "300x50", "-f", "100", "-k", "60"], "kernel size"),
    (["shape", "-F", "pytorch", "-i", "3x5", "-f", "1", "-k", "3", "-p", "5", "--padding-mode", "reflect"], "reflect"),
    (["shape", "-F", "pytorch", "-i", "3x5", "-f", "1", "-k", "3", "-p", "6", "--padding-mode", "circular"], "wrap"),
    (["shape", "-F", "pytorch", "-i", "3x5", "-f", "1", "-k", "3", "--padding-mode", "zero"], "padding_mode"),
    (["shape", "-F", "pytorch", "-i", "3x5", "-f", "1", "-k", "3", "--activation", "relu"], "activation"),
    (["shape", "-F", "pytorch", "-i", "3x5", "-f", "1", "-k", "3", "--data-format", "channels_last"], "data_format"),
    (["shape", "-i", "50x300", "-f", "100"], "kernel-size"),
    (["shape", "-i", "50x300", "-f", "abc", "-k", "4"], "--filters"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4", "--fliters", "3"], "--fliters"),
    (["shapes"], "shapes"),
]


@pytest.mark.parametrize(("args", "words"), BAD_INPUTS, ids=[" ".join(a[1:]) for a, _ in BAD_INPUTS])
def test_errors_are_one_line_plus_hint(args: list[str], words: str) -> None:
    result = run(args)
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("error: ") and words.lower() in lines[0].lower()
    assert lines[1].startswith("hint: ") and len(lines[1]) > len("hint: ") + 10
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("args", "words"), BAD_INPUTS[::4], ids=[" ".join(a[1:]) for a, _ in BAD_INPUTS[::4]])
def test_json_errors_are_json_on_stderr(args: list[str], words: str) -> None:
    result = run([*args, "--json"])
    assert result.code == 2 and result.stdout == ""
    payload = json.loads(result.stderr)
    assert payload["schema_version"] == 1
    assert payload["error"]["code"] in ("spec_error", "usage_error")
    assert words.lower() in payload["error"]["message"].lower() and payload["error"]["hint"]


def test_absurd_numbers_answer_without_allocating() -> None:
    result = run(["shape", "-i", "4x3", "-f", str(10**17), "-k", str(10**8), "-p", "same", "-d", "5", "--json"])
    answer = json.loads(result.stdout)
    assert answer["output_shape"] == [None, 4, 10**17]
    assert answer["params"] == 10**8 * 3 * 10**17 + 10**17
    assert answer["windows"][0]["input_indices"] is None  # not 10**8 numbers
    assert answer["check"]["status"] == "skipped"


def test_huge_input_is_checked_on_a_shorter_input_with_the_same_padding() -> None:
    answer = json.loads(
        run(["shape", "-i", f"{10**9 + 1}x8", "-f", "4", "-k", "5", "-s", "3", "-p", "same", "--json"]).stdout
    )
    assert answer["output_shape"] == [None, -(-(10**9 + 1) // 3), 4]
    check = answer["check"]
    assert check["status"] == "confirmed_shorter"
    assert check["input_length"] % 3 == (10**9 + 1) % 3  # same stride phase, so the same split
    assert check["output_length"] == check["expected_output_length"] == -(-check["input_length"] // 3)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("shape_seed", SEED_ARGS),
        ("shape_pytorch_even_padding", ["shape", "-F", "pytorch", "-i", "16x3x20", "-f", "8", "-k", "4", "-p", "2"]),
        ("shape_causal_dilated", ["shape", "-i", "12x2", "-f", "3", "-k", "3", "-d", "2", "-p", "causal"]),
        ("shape_relu_port", [*SEED_ARGS, "--activation", "relu"]),
        ("shape_strided_same_port", ["shape", "-s", "2", "-p", "same", "-i", "1000x16", "-f", "64", "-k", "5"]),
        (
            "shape_pytorch_reflect",
            ["shape", "-F", "pytorch", "-i", "2x40", "-f", "4", "-k", "3", "-p", "3", "--padding-mode", "reflect"],
        ),
        (
            "shape_pytorch_strided_dilated",
            ["shape", "-F", "pytorch", "-i", "1x23", "-f", "1", "-k", "2", "-s", "2", "-d", "3"],
        ),
    ],
)
def test_human_output_snapshot(name: str, args: list[str]) -> None:
    text = human(args)
    assert_snapshot(name, text)


def test_the_port_gives_the_other_frameworks_shapes_and_the_way_back() -> None:
    args = ["shape", "-s", "2", "-p", "same", "-i", "1000x16", "-f", "64", "-k", "5", "--json"]
    other = json.loads(run(args).stdout)["other_framework"]
    # (N, C, L) in PyTorch: 16 channels of 1000 positions; ceil(1000 / 2) = 500 outputs of 64 channels
    assert other["input_shape"] == [None, 16, 1000] and other["output_shape"] == [None, 64, 500]
    assert "y.permute(0, 2, 1) is Keras' (None, 500, 64)" in other["layout"]
    relu = json.loads(run([*SEED_ARGS, "--activation", "relu", "--json"]).stdout)
    assert "relu" in relu["other_framework"]["code"] and "relu" in relu["explanation"]


def test_seed_snapshot_invariants() -> None:
    text = human(SEED_ARGS)
    assert "(None, 50, 100)" in text and "(4, 300, 100)" in text and "(100, 300, 4)" in text
    assert "4 × 300 × 100 + 100 = 120,100" in text
    assert "1 left, 2 right" in text
    assert f"{50 * 100 * 4 * 300:,}" in text
    assert "confirmed on a seeded example" in text


_COLOUR_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _colours(text: str) -> set[int]:
    codes = {int(c) for params in _COLOUR_SGR.findall(text) for c in params.split(";") if c}
    return {c for c in codes if 30 <= c <= 38 or 90 <= c <= 97}


def test_colour_on_a_terminal_only_and_never_with_no_color() -> None:
    forced = {"FORCE_COLOR": "1", "COLUMNS": "80"}
    assert _colours(run_process(SEED_ARGS, env=forced).stdout), "a terminal gets colour"
    assert not _colours(run_process(SEED_ARGS, env={"COLUMNS": "80"}).stdout), "a pipe gets none"
    assert not _colours(run_process([*SEED_ARGS, "--no-color"], env=forced).stdout)
    assert not _colours(run_process(SEED_ARGS, env={**forced, "NO_COLOR": "1"}).stdout)


def test_piping_into_head_ends_quietly() -> None:
    import subprocess
    import sys

    pipeline = f"{sys.executable} -m conv1dexplain {' '.join(SEED_ARGS)} | head -n 1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", pipeline], capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("Conv1D")
    assert result.stderr == ""


def test_version_and_help() -> None:
    from conv1dexplain import __version__

    assert run(["--version"]).stdout == f"conv1dexplain {__version__}\n"
    help_text = run_process(["shape", "--help"], env={"COLUMNS": "100"}).stdout
    for option in ("--filters", "--out-channels", "--kernel-size", "--strides", "--stride", "--padding",
                   "--dilation-rate", "--dilation", "--groups", "--use-bias", "--no-bias", "--activation",
                   "--data-format", "--framework", "--padding-mode", "--input", "--json", "--no-color"):  # fmt: skip
        assert option in help_text, option
    assert "Example" in help_text


def test_entry_point_runs_as_a_process() -> None:
    result = run_process([*SEED_ARGS, "--json"])
    assert result.returncode == 0 and json.loads(result.stdout)["params"] == 120_100
    bad = run_process(["shape", "-i", "50x300", "-f", "100", "-k", "0"])
    assert bad.returncode == 2 and bad.stdout == "" and bad.stderr.startswith("error: ")


_numbers = st.one_of(st.integers(-3, 12), st.integers(-(10**30), 10**30))


@settings(max_examples=400, deadline=None)
@given(
    framework=st.sampled_from(["keras", "pytorch", "torch", "Keras", "tf", ""]),
    dims=st.lists(_numbers, min_size=1, max_size=4),
    filters=_numbers, kernel_size=_numbers, strides=_numbers, dilation=_numbers, groups=_numbers,
    padding=st.one_of(st.sampled_from(["valid", "same", "causal", "SAME", "full", "-1", "0", "3"]),
                      _numbers.map(str), st.text(max_size=5)),
    padding_mode=st.sampled_from(["zeros", "reflect", "replicate", "circular", "zero"]),
    data_format=st.sampled_from([None, "channels_last", "channels_first", "NCL"]),
    activation=st.sampled_from([None, "relu", "glu", "threshold", "Relu"]),
)  # fmt: skip
def test_any_input_answers_or_refuses_without_a_traceback(
    framework: str, dims: list[int], filters: int, kernel_size: int, strides: int, dilation: int, groups: int,
    padding: str, padding_mode: str, data_format: str | None, activation: str | None,
) -> None:  # fmt: skip
    args = ["shape", "--framework", framework, "--input", "x".join(map(str, dims)), "-f", str(filters),
            "-k", str(kernel_size), "-s", str(strides), "-d", str(dilation), "-g", str(groups),
            f"--padding={padding}", "--padding-mode", padding_mode, "--json"]  # fmt: skip
    args += ["--data-format", data_format] if data_format else []
    args += ["--activation", activation] if activation else []
    result = run(args)
    assert result.code in (0, 2), result
    if result.code == 0:
        answer = json.loads(result.stdout)
        assert answer["check"]["status"] != "mismatch", answer["check"]
    else:
        assert result.stdout == "" and json.loads(result.stderr)["error"]["hint"]


def test_softmax_over_one_filter_is_flagged() -> None:
    notes = json.loads(run(["shape", "-i", "10x3", "-f", "1", "-k", "3", "-a", "softmax", "--json"]).stdout)["notes"]
    assert any("size 1" in note for note in notes)
    notes = json.loads(run(["shape", "-i", "10x3", "-f", "4", "-k", "3", "-a", "softmax", "--json"]).stdout)["notes"]
    assert not any("size 1" in note for note in notes)


@pytest.mark.parametrize(
    "args",
    [
        ["shape", "-i", "50x1", "-f", "1", "-k", "1"],  # one filter, one channel, a pointwise kernel
        ["shape", "-i", "1x3", "-f", "2", "-k", "1"],  # one position in, one out
        ["shape", "-i", "10x4", "-f", "4", "-k", "3", "--groups", "4"],  # one channel and one filter a group
        ["trace", "-i", "3x2", "-f", "1", "-k", "3"],  # one output position, one output channel
    ],
)
def test_counts_of_one_read_in_the_singular(args: list[str]) -> None:
    """Learners try the smallest layers first: '1 filters', 'all 1 input channels' or '1 output
    positions' would be the first thing they read."""
    text = " ".join(human(args).split())  # (the paragraph's line breaks undone)
    assert not re.search(r"\b1 (\w+ )?(filters|channels|positions|numbers|windows)\b", text), text
    assert "all 1 " not in text and "the 1 filters" not in text


def test_every_command_and_option_has_help() -> None:
    import typer

    from conv1dexplain.cli import build_app

    group = typer.main.get_command(build_app())
    assert set(group.commands) == {"shape", "run", "trace", "model", "why", "explore"}  # type: ignore[attr-defined]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help and "Example: conv1dexplain" in command.help, name
        for param in command.params:
            assert getattr(param, "help", None), f"{name} {param.name} has no help"


INT_OPTIONS = [  # (a command, one of its int options, a value it takes)
    (["shape", "-i", "50x300", "-k", "4"], "-f", "10"),
    (["shape", "-i", "50x300", "-f", "100"], "-k", "3"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4"], "-s", "2"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4"], "-d", "2"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4"], "-g", "2"),
    (["shape", "-i", "50x300", "-f", "100", "-k", "4"], "--seed", "7"),
    (["run", "-i", "5x2", "-f", "1", "-k", "2"], "--seed", "7"),
    (["run", "-i", "5x2", "-f", "1", "-k", "2"], "--max-bytes", "1000000"),
    (["trace", "-i", "5x2x2", "-f", "1", "-k", "2"], "--example", "1"),
    (["trace", "-i", "5x2", "-f", "2", "-k", "2"], "--filter", "1"),
    (["trace", "-i", "5x2", "-f", "1", "-k", "2"], "--precision", "3"),
]
DIGITS = {"full-width": "０１２３４５６７８９", "arabic-indic": "٠١٢٣٤٥٦٧٨٩"}


@pytest.mark.parametrize("script", DIGITS)
@pytest.mark.parametrize(("args", "option", "value"), INT_OPTIONS, ids=[f"{a[0]} {o}" for a, o, _ in INT_OPTIONS])
def test_int_options_take_ascii_digits_only(args: list[str], option: str, value: str, script: str) -> None:
    """int() reads '１０' (and '١٠') as 10; a count on the command line is written in ASCII, as
    --input's are. The same value in ASCII works, so the refusal is the digits', not the value's."""
    refused = run([*args, option, value.translate(str.maketrans("0123456789", DIGITS[script]))])
    assert refused.code == 2 and "ASCII" in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
    taken = run([*args, option, value])
    assert taken.code == 0, taken.stderr
