"""--input: what it accepts (any separator's spelling, an empty batch), what it refuses and how."""

from __future__ import annotations

import json
import math
import re
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conv1dexplain.errors import SpecError
from conv1dexplain.layers.conv1d import build
from conv1dexplain.tensor import parse_tensor as parse_input_shape
from helpers import run

SEPARATORS = ["x", "X", "×", "*", ",", " x ", ", ", " "]
FORMATS = ["channels_last", "channels_first"]


def _write(dims: list[str], separators: list[str], brackets: str) -> str:
    text = dims[0] + "".join(sep + dim for sep, dim in zip(separators, dims[1:], strict=False))
    return f"{brackets[0]}{text}{brackets[1]}" if brackets else text


@settings(max_examples=300, deadline=None)
@given(
    batch=st.one_of(st.none(), st.integers(0, 2**63 - 1)),
    length=st.integers(1, 2**63 - 1),
    channels=st.integers(1, 2**63 - 1),
    separators=st.lists(st.sampled_from(SEPARATORS), min_size=2, max_size=2),
    brackets=st.sampled_from(["", "()", "[]"]),
    data_format=st.sampled_from(FORMATS),
)
def test_any_spelling_of_a_shape_reads_the_same(
    batch: int | None, length: int, channels: int, separators: list[str], brackets: str, data_format: str
) -> None:
    pair = [length, channels] if data_format == "channels_last" else [channels, length]
    dims = [str(d) for d in ([] if batch is None else [batch]) + pair]
    shape = parse_input_shape(_write(dims, separators, brackets), data_format)  # type: ignore[arg-type]
    assert (shape.batch, shape.length, shape.channels) == (batch, length, channels)


@pytest.mark.parametrize("text", ["x50x300", "50xx300", "50x300x", "50x300,", ",50,300", "50  x x 300", "x", "()", ""])
def test_an_empty_dimension_is_refused(text: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_input_shape(text, "channels_last")
    assert "empty dimension" in raised.value.message or "0 dimension" in raised.value.message


_NON_ASCII_DIGITS = st.characters(categories=["Nd"]).filter(lambda c: not ("0" <= c <= "9"))


@settings(max_examples=200, deadline=None)
@given(digit=_NON_ASCII_DIGITS, where=st.integers(0, 2), data_format=st.sampled_from(FORMATS))
def test_digits_of_other_scripts_are_refused(digit: str, where: int, data_format: str) -> None:
    """int() reads '٣' as 3; a shape written so is a typo, not a size."""
    dims = ["8", "50", "300"]
    dims[where] = dims[where][:1] + digit
    with pytest.raises(SpecError) as raised:
        parse_input_shape("x".join(dims), data_format)  # type: ignore[arg-type]
    assert repr(dims[where]) in raised.value.message and "digits 0-9" in raised.value.message


@pytest.mark.parametrize("token", ["+5", "-5", "5.0", "1e3", "five", "5_", "_5"])
def test_what_is_not_a_size_is_refused_quoting_it(token: str) -> None:
    with pytest.raises(SpecError) as raised:
        parse_input_shape(f"{token}x300", "channels_last")
    assert repr(token) in raised.value.message


def test_zero_length_or_channels_is_refused_but_not_a_zero_batch() -> None:
    for text, word in (("0x300", "length"), ("50x0", "channels"), ("4x0x300", "length")):
        with pytest.raises(SpecError, match=f"the {word} must be at least 1"):
            parse_input_shape(text, "channels_last")
    assert parse_input_shape("0x50x300", "channels_last").batch == 0


@pytest.mark.parametrize("text", ["50x?", "(50, None)", "8x50xNone"])
def test_unknown_channels_are_refused(text: str) -> None:
    with pytest.raises(SpecError, match="channels must be known"):
        parse_input_shape(text, "channels_last")


# --- an unknown length: refused, with the layer's output length as a formula in L ---------------


def _evaluate(rule: str, length: int) -> int:
    """Apply a hint's 'L_out = …' to a length, reading it as arithmetic (floor/ceil of a fraction)."""
    expression = rule.replace("−", "-").replace("L", str(length))
    expression = re.sub(r"floor\(\((.*?)\) / (\d+)\)", r"((\1) // \2)", expression)
    expression = re.sub(r"ceil\((\d+) / (\d+)\)", r"(-(-\1 // \2))", expression)
    assert re.fullmatch(r"[\d\s+\-*/()]+", expression), expression
    return int(eval(expression))


@settings(max_examples=300, deadline=None)
@given(
    framework=st.sampled_from(["keras", "pytorch"]),
    kernel_size=st.integers(1, 9),
    strides=st.integers(1, 5),
    dilation_rate=st.integers(1, 4),
    padding=st.sampled_from(["valid", "same", "causal", "SAME", "0", "1", "3"]),
    batch=st.sampled_from(["", "None", "8"]),
    length=st.integers(1, 200),
)
def test_an_unknown_length_is_refused_with_the_layers_formula_for_any_length(
    framework: str, kernel_size: int, strides: int, dilation_rate: int, padding: str, batch: str, length: int
) -> None:
    layer = dict(framework=framework, filters=4, kernel_size=kernel_size, strides=strides, padding=padding,
                 dilation_rate=dilation_rate)  # fmt: skip
    dims = ["None", "6"] if framework == "keras" else ["6", "None"]
    unknown = (
        "(" + ", ".join([batch, *dims] if batch else dims) + ")"
        if framework == "keras"
        else "x".join([batch, *dims] if batch else dims)
    )
    try:  # what the layer gives for a known length (the formula in L must give it too)
        plan = build(input_shape="50x6" if framework == "keras" else "6x50", **layer)  # type: ignore[arg-type]
    except SpecError as refused:  # refused whatever the length: the unknown one is refused too, as before
        with pytest.raises(SpecError):
            build(input_shape=unknown, **layer)  # type: ignore[arg-type]
        assert "length" not in refused.message or "shorter" in refused.message
        return
    with pytest.raises(SpecError) as raised:
        build(input_shape=unknown, **layer)  # type: ignore[arg-type]
    assert "leaves the length unknown" in raised.value.message and "needs a length" in raised.value.message
    assert "input_shape=" in raised.value.hint  # the library names the argument; the CLI its flag:
    raised.value.voice = "cli"
    hint = raised.value.hint
    example = "50x6" if framework == "keras" else "6x50"
    assert f"--input {'8x' if batch == '8' else '32x' if batch else ''}{example}" in hint
    rule = hint.split("this layer gives ", 1)[1]
    formula = rule.split(", for L ≥ ")[0].removeprefix("L_out = ")
    least = int(rule.split(", for L ≥ ")[1]) if ", for L ≥ " in rule else 1
    for trial in {length, least, least + 1, 50}:
        trial = max(trial, least)
        known = build(input_shape=f"{trial}x6" if framework == "keras" else f"6x{trial}", **layer)  # type: ignore[arg-type]
        assert _evaluate(formula, trial) == known.axis.output_length, (rule, trial)
    if least > 1:  # below the bound, the layer refuses that length
        with pytest.raises(SpecError):
            build(input_shape=f"{least - 1}x6" if framework == "keras" else f"6x{least - 1}", **layer)  # type: ignore[arg-type]
    assert plan.config.strides == strides


def test_the_unknown_length_refusal_on_the_command_line() -> None:
    result = run(["shape", "--input", "(None, 300)", "-f", "100", "-k", "4", "-s", "2"])
    assert result.code == 2 and result.stdout == ""
    assert result.stderr == (
        "error: --input '(None, 300)' leaves the length unknown: an output shape needs a length\n"
        "hint: give one, e.g. --input 50x300; for any length L this layer gives "
        "L_out = floor((L − 4) / 2) + 1, for L ≥ 4\n"
    )


# --- an empty batch ---------------------------------------------------------------------------


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_an_empty_batch_gets_an_answer_with_zero_batch_macs(framework: str) -> None:
    shape = "0x50x300" if framework == "keras" else "0x300x50"
    result = run(["shape", "-F", framework, "--input", shape, "-f", "100", "-k", "4", "-s", "2", "--json"])
    assert result.code == 0, result.stderr
    answer = json.loads(result.stdout)
    l_out = (50 - 4) // 2 + 1
    assert answer["output_shape"] == ([0, l_out, 100] if framework == "keras" else [0, 100, l_out])
    assert answer["macs"] == l_out * 100 * 4 * 300  # per example, as for any batch
    assert answer["batch_macs"] == 0
    assert answer["check"]["status"] == "confirmed"


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_run_on_an_empty_batch_writes_an_empty_output(framework: str, tmp_path: object) -> None:
    from pathlib import Path

    import numpy as np

    out = Path(str(tmp_path)) / "out.npy"
    shape = "0x50x3" if framework == "keras" else "0x3x50"
    result = run(["run", "-F", framework, "--input", shape, "-f", "4", "-k", "3", "--output", str(out)])
    assert result.code == 0, result.stderr
    assert np.load(out).shape == ((0, 48, 4) if framework == "keras" else (0, 4, 48))


@pytest.mark.oracle
def test_both_frameworks_run_an_empty_batch(torch: ModuleType, keras: ModuleType) -> None:
    import numpy as np

    for strides, padding in ((1, "valid"), (2, "same"), (1, "causal")):
        got = tuple(
            keras.layers.Conv1D(100, 4, strides=strides, padding=padding)(np.zeros((0, 50, 300), "float32")).shape
        )
        ours = json.loads(run(["shape", "--input", "0x50x300", "-f", "100", "-k", "4", "-s", str(strides),
                               "--padding", padding, "--json"]).stdout)["output_shape"]  # fmt: skip
        assert list(got) == ours
    for strides, padding in ((1, 0), (2, 3), (1, "same")):
        got = tuple(torch.nn.Conv1d(300, 100, 4, stride=strides, padding=padding)(torch.zeros(0, 300, 50)).shape)
        ours = json.loads(run(["shape", "-F", "pytorch", "--input", "0x300x50", "-f", "100", "-k", "4", "-s",
                               str(strides), "--padding", str(padding), "--json"]).stdout)["output_shape"]  # fmt: skip
        assert list(got) == ours
    assert math.prod(got) == 0
