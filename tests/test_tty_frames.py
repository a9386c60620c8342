"""The stepper's frames and keys without a terminal: every frame fits any size, every key moves right."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from conv1dexplain.layer_arguments import LayerArguments
from conv1dexplain.render.interactive import frame
from conv1dexplain.render.keys import FOOTERS, PAGE, Stepper
from conv1dexplain.render.trace import View, header
from conv1dexplain.report.code import layer_code
from conv1dexplain.runner import RunRequest, prepare
from conv1dexplain.trace import Tracer

CODES = re.compile(r"\x1b\[[0-9;]*m")
LAYERS = [
    RunRequest(LayerArguments(filters=2, kernel_size=3, padding="same"), input_shape="30x3"),
    RunRequest(LayerArguments(filters=32, kernel_size=9, dilation_rate=4, padding="causal"), input_shape="100x16"),
    RunRequest(LayerArguments(filters=3, kernel_size=25, padding="same"), input_shape="60x2"),
    RunRequest(LayerArguments(filters=4, kernel_size=5, groups=2, padding="same"), input_shape="40x8"),
]
TRACERS: dict[int, tuple[View, Text]] = {}


def _view(index: int) -> tuple[View, Text]:
    if index not in TRACERS:
        ready = prepare(LAYERS[index], lazy=False)
        tracer = Tracer(ready, random_access=True)
        view = View(tracer, 0, 3, 80)
        heading = header(view, layer_code(ready.plan), 0, ready.data_source, ready.weights_source)
        TRACERS[index] = (view, heading)
    return TRACERS[index]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, len(LAYERS) - 1), st.integers(1, 70), st.integers(40, 230), st.integers(0, 200))
def test_every_frame_fits_the_terminal_and_keeps_the_title(layer: int, rows: int, columns: int, t: int) -> None:
    view, heading = _view(layer)
    t = min(t, view.tracer.output_length - 1)
    console = Console(width=columns, force_terminal=True, highlight=False, emoji=False)
    footer = Stepper(0, view.tracer.output_length, 2, t, 0).footer(columns)
    lines = frame(View(view.tracer, 0, 3, columns), view.tracer.step(t), heading, footer, console, rows)
    plain = [CODES.sub("", line).rstrip() for line in lines]
    assert len(lines) <= rows
    assert all(len(line) <= columns for line in plain), [line for line in plain if len(line) > columns]
    if rows >= 2:
        assert any(line.startswith(f"output[{t}] · step {t + 1} of") for line in plain), plain
        assert plain[-1].startswith(footer[: columns - 1].rstrip()), "the keys on the last line"
    if rows >= 16:  # room for the table: its header, and each tap listed or counted
        kernel_size = view.tracer.axis.kernel_size
        assert any(re.match(r"\s*tap\s+(?:position|column|pos|col)\s.*= Σ$", line) for line in plain)
        listed = [line for line in plain if re.match(r"\s*\d+\s+-?\d+\s.*\s-?\d+\.\d{3}$", line)]
        more = sum(int(m.group(1)) for m in (re.search(r"… (\d+) (?:taps? )?more", line) for line in plain) if m)
        assert len(listed) + more == kernel_size


@pytest.mark.parametrize("columns", range(6, 240))
def test_the_footer_is_one_line_that_fits(columns: int) -> None:
    text = Stepper(0, 10, 1, 0, 0).footer(columns)
    assert "\n" not in text and len(text) <= columns and text.endswith("quit")
    assert text == next(f for f in FOOTERS if len(f) <= columns), "the fullest that fits"


def _pressed(keys: list[str], start: int = 0, stop: int = 30, filters: int = 3) -> Stepper:
    stepper = Stepper(start, stop, filters, start, 0)
    for key in keys:
        assert stepper.press(key), key
    return stepper


@pytest.mark.parametrize(
    ("keys", "t"),
    [
        (["\x1b[C", " ", "n", "l", "\r", "\n", "\x1bOC"], 7),
        (["\x1b[F", "\x1b[D", "p", "h", "\x1bOD"], 25),
        (["\x1b[6~"], PAGE),
        (["\x1b[6~"] * 4, 29),
        (["\x1b[6~", "\x1b[6~", "\x1b[5~"], PAGE),
        (["\x1b[5~"], 0),
        (["G"], 29),
        (["G", "g"], 0),
        (["\x1b[4~"], 29),
        (["\x1b[8~", "\x1b[7~"], 0),
        (["\x1bOF", "\x1b[H"], 0),
        (["\x1b[F", "\x1bOH"], 0),
        (["\x1b[1~"], 0),
        (["1", "2", "\r"], 12),
        (["9", "9", "\r"], 29),
        (["1", "2", "\x7f", "\r"], 1),
        (["2", "\x1b"], 0),
        (["5", "\x1b[C"], 1),
        (["\x1b[C", "0", "\n"], 0),
    ],
)
def test_each_key_moves_where_it_says(keys: list[str], t: int) -> None:
    assert _pressed(keys).t == t


def test_a_number_is_clamped_to_the_steps_shown() -> None:
    assert _pressed(["3", "\r"], start=5, stop=8).t == 5
    assert _pressed(["6", "\r"], start=5, stop=8).t == 6
    assert _pressed(["\x1b[5~"], start=5, stop=8).t == 5 and _pressed(["\x1b[6~"], start=5, stop=8).t == 7


def test_filters_wrap_around() -> None:
    assert [_pressed(["f"] * n).filter_index for n in range(5)] == [0, 1, 2, 0, 1]
    assert _pressed(["F"]).filter_index == 2 and _pressed(["F", "F", "f"]).filter_index == 2


def test_quit_keys_and_the_number_typed() -> None:
    for key in ("q", "Q", "\x1b"):
        assert not Stepper(0, 10, 1, 3, 0).press(key)
    stepper = _pressed(["4"])
    assert "position 4" in stepper.footer(80)
    assert stepper.press("\x1b") and stepper.typed == "" and stepper.t == 0, "Esc takes the number back first"
    assert not stepper.press("\x1b")


def test_the_keys_are_documented_in_the_help_and_the_readme() -> None:
    from pathlib import Path

    import typer

    from conv1dexplain.cli import build_app

    command = typer.main.get_command(build_app("trace")).commands["trace"]  # type: ignore[attr-defined]
    (option,) = [p for p in command.params if p.name == "interactive"]
    readme = Path(__file__).parent.parent.joinpath("README.md").read_text()
    sentence = readme[readme.index("In a terminal it is interactive") :].split("; piped")[0]
    for text in (option.help, sentence):
        words = set(re.findall(r"[\w→←]+", text))
        for key in (
            "→",
            "space",
            "n",
            "l",
            "Enter",
            "←",
            "p",
            "h",
            "PgDn",
            "PgUp",
            "Home",
            "g",
            "End",
            "G",
            "f",
            "F",
            "number",
            "q",
            "Esc",
        ):
            assert key in words, (key, text)
        assert "resized" in sentence


@pytest.mark.parametrize("columns", ["40", "50", "60", "80"])
@pytest.mark.parametrize(
    "args",
    [
        ["trace", "--input", "10x3", "-f", "2", "-k", "3", "-p", "same", "--steps", "0:2"],
        ["trace", "--input", "40x8", "-f", "4", "-k", "5", "--groups", "2", "-p", "same", "--steps", "3:4"],
        ["trace", "--input", "100x300", "-f", "100", "-k", "4", "-p", "same", "--steps", "49:50"],
    ],
)
def test_the_printed_table_keeps_tap_row_and_sum_at_any_width(
    args: list[str], columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from helpers import human

    monkeypatch.setenv("COLUMNS", columns)
    text = human(args)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= int(columns)
    headers = [line for line in lines if re.match(r"\s*tap\s+(?:position|column|pos|col)\s.*= Σ$", line)]
    kernel_size = int(args[args.index("-k") + 1])
    steps = len(re.findall(r"^output\[\d+\] · step", text, flags=re.M))
    assert len(headers) == steps
    listed = [line for line in lines if re.match(r"\s*\d+\s+-?\d+\s.*\s-?\d+\.\d{3}$", line)]
    assert len(listed) == steps * kernel_size
