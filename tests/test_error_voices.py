"""Errors name the framework's arguments; whoever shows one phrases it: the CLI says --strides 1,
Python says strides=1 (PyTorch: stride=1). The argument and its value travel with the error."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conv1dexplain import conv1d
from conv1dexplain.errors import SpecError, phrase, setting
from conv1dexplain.layers.conv1d import build
from helpers import run

# (framework, layer arguments, the argument the error concerns, a word its message has)
REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    ("keras", {"strides": 0}, "strides", "at least 1"),
    ("pytorch", {"strides": 0}, "stride", "at least 1"),
    ("keras", {"dilation_rate": 0}, "dilation_rate", "at least 1"),
    ("pytorch", {"dilation_rate": -2}, "dilation", "at least 1"),
    ("keras", {"groups": 7}, "groups", "divisible"),
    ("pytorch", {"groups": 0}, "groups", "at least 1"),
    ("keras", {"padding": "full"}, "padding", "valid, same or causal"),
    ("keras", {"padding": "2"}, "padding", "valid, same or causal"),
    ("pytorch", {"padding": "causal"}, "padding", "causal"),
    ("pytorch", {"padding": "same", "strides": 2}, "padding", "strided"),
    ("pytorch", {"padding": "SAME"}, "padding", "lowercase"),
    ("pytorch", {"padding_mode": "mirror"}, "padding_mode", "padding_mode"),
    ("keras", {"padding_mode": "reflect"}, "padding_mode", "zeros only"),
    ("keras", {"activation": "Relu"}, "activation", "no activation"),
    ("pytorch", {"activation": "relu"}, "activation", "no activation"),
    ("keras", {"strides": 2, "dilation_rate": 2}, "strides", "dilation_rate"),
    ("keras", {"activation": "threshold"}, "activation", "threshold"),
    ("pytorch", {"data_format": "channels_last"}, "data_format", "data_format"),
]


@pytest.mark.parametrize(("framework", "arguments", "argument", "word"), REFUSED)
def test_the_core_names_the_argument_and_python_words_it(
    framework: str, arguments: dict[str, Any], argument: str, word: str
) -> None:
    shape = "12x8" if framework == "keras" else "8x12"
    with pytest.raises(SpecError) as raised:
        build(framework, shape, **{"filters": 4, "kernel_size": 3, **arguments})
    error = raised.value
    assert error.argument == argument and word in error.message and error.layer == "Conv1D"
    assert error.value in arguments.values() or error.value is None
    for text in (error.message, error.hint):
        assert "⟦" not in text and "--" not in text, text  # Python's voice: arguments, never flags
    error.voice = "cli"
    assert "⟦" not in error.hint + error.message


def test_one_refusal_in_each_voice() -> None:
    with pytest.raises(SpecError) as raised:
        build("pytorch", "8x12", filters=4, kernel_size=3, strides=0)
    assert raised.value.hint == "use stride=1 or more"
    raised.value.voice = "cli"
    assert raised.value.hint == "use --strides 1 or more"
    result = run(["shape", "-F", "pytorch", "-i", "8x12", "-f", "4", "-k", "3", "--stride", "0"])
    assert result.code == 2 and "hint: use --strides 1 or more" in result.stderr


@pytest.mark.parametrize(("framework", "name"), [("keras", "strides"), ("pytorch", "stride")])
def test_conv1d_says_the_argument_it_was_given(framework: str, name: str) -> None:
    x = np.zeros((1, 12, 8) if framework == "keras" else (1, 8, 12), np.float32)
    kernel = np.zeros((3, 8, 4) if framework == "keras" else (4, 8, 3), np.float32)
    with pytest.raises(SpecError) as raised:
        conv1d(x, kernel, framework=framework, **{name: 0})
    assert raised.value.hint == f"use {name}=1 or more" and raised.value.argument == name
    assert raised.value.value == 0


def test_settings_are_spoken_for_each_voice() -> None:
    text = f"use {setting('padding', 'same')}, {setting('use_bias', False)} or {setting('filters')}"
    assert phrase(text, "python") == "use padding='same', use_bias=False or filters"
    assert phrase(text, "cli") == "use --padding same, --no-bias or --filters"
