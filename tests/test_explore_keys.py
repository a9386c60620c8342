"""explore's keys, without a terminal: each key changes the setting it names and says so in the
layer's own numbers; refused settings are kept and shown as the framework's error; the framework
switch keeps the layer's padding; the printed command line is the layer `shape` reports; random
key sequences never break the view or draw wider than the terminal."""

from __future__ import annotations

import json
import random
import re

import pytest
from rich.console import Console

from conv1dexplain.explore.keys import FOOTERS, press
from conv1dexplain.explore.knobs import Knobs, command_line, divisors, outcome
from conv1dexplain.explore.screen import screen
from conv1dexplain.render.explore import frame, strip_width
from helpers import run

CLASSIC = Knobs()
KEYS = [*list("kKsSdDpfFlLcCgGbth?q "), "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F", "\r", "x"]


def _shape(knobs: Knobs) -> dict[str, object]:
    """`shape --json` of the layer's command line, run as the CLI runs it."""
    result = run([*command_line(knobs).split()[1:], "--json"])
    return {**(json.loads(result.stdout) if result.code == 0 else {}), "exit": result.code}


@pytest.mark.parametrize(
    ("key", "name", "before", "after"),
    [
        ("k", "kernel_size", 4, 3),
        ("K", "kernel_size", 4, 5),
        ("S", "strides", 1, 2),
        ("D", "dilation", 1, 2),
        ("f", "filters", 100, 99),
        ("F", "filters", 100, 101),
        ("l", "length", 50, 49),
        ("L", "length", 50, 51),
        ("c", "channels", 300, 299),
        ("C", "channels", 300, 301),
    ],
)
def test_each_size_key_changes_its_setting_and_says_so(key: str, name: str, before: int, after: int) -> None:
    pressed = press(CLASSIC, key)
    assert getattr(pressed.knobs, name) == after
    assert pressed.said is not None and pressed.said.startswith(f"{name} {before} → {after}: ")
    plan = outcome(pressed.knobs).plan
    assert plan is not None
    report = _shape(pressed.knobs)  # the sentence's output count is the layer's, as `shape` has it
    length = report["output_shape"][1]  # type: ignore[index]
    assert f"{length} outputs" in pressed.said and plan.axis.output_length == length


def test_the_issue_s_sentence_for_kernel_size() -> None:
    said = press(CLASSIC, "K").said
    assert said == (
        "kernel_size 4 → 5: each window reads 5 positions; 'same' keeps 50 outputs; padding now 2 left, 2 right"
    )


def test_sizes_stop_at_one() -> None:
    one = CLASSIC._replace(kernel_size=1)
    pressed = press(one, "k")
    assert pressed.knobs.kernel_size == 1 and pressed.said == "kernel_size stays 1: 1 is the least"


def test_padding_cycles_through_the_framework_s_settings() -> None:
    seen = []
    knobs = CLASSIC._replace(padding="valid")
    for _ in range(4):
        knobs = press(knobs, "p").knobs
        seen.append(knobs.padding)
    assert seen == ["same", "causal", "valid", "same"]
    torch = CLASSIC._replace(framework="pytorch", padding="valid", kernel_size=3, dilation=2)  # span 5
    seen = []
    for _ in range(8):
        torch = press(torch, "p").knobs
        seen.append(torch.padding)
    assert seen == ["same", "0", "1", "2", "3", "4", "valid", "same"]


def test_groups_step_through_the_counts_that_divide_channels_and_filters() -> None:
    assert divisors(CLASSIC) == [1, 2, 4, 5, 10, 20, 25, 50, 100]  # gcd(300, 100) = 100
    knobs, seen = CLASSIC, []
    for _ in range(3):
        knobs = press(knobs, "G").knobs
        seen.append(knobs.groups)
    assert seen == [2, 4, 5]
    assert press(knobs, "g").knobs.groups == 4
    said = press(CLASSIC, "G").said
    assert said is not None and said.startswith("groups 1 → 2: each filter reads 150 of the 300 channels")


def test_bias_toggles_and_counts() -> None:
    off = press(CLASSIC, "b")
    assert not off.knobs.use_bias and _shape(off.knobs)["params"] == 4 * 300 * 100
    assert press(off.knobs, "b").knobs.use_bias


def test_a_refused_setting_is_kept_and_shown_as_the_framework_s_error() -> None:
    strided = press(CLASSIC, "S").knobs
    refused = press(strided, "D")
    assert refused.knobs.dilation == 2 and outcome(refused.knobs).error is not None
    assert refused.said is not None and "Keras refuses it" in refused.said
    shown = screen(refused.knobs, refused.said, 80)
    assert shown.error is not None and "dilation" in shown.error[0]
    assert _shape(refused.knobs)["exit"] == 2  # shape refuses the same layer
    torch = CLASSIC._replace(framework="pytorch", strides=2)  # PyTorch: 'same' with stride 2
    assert outcome(torch).error is not None and screen(torch, "", 80).error is not None


@pytest.mark.parametrize(
    "knobs",
    [
        CLASSIC,
        CLASSIC._replace(padding="causal", kernel_size=3, dilation=2),
        CLASSIC._replace(strides=3, kernel_size=5),  # Keras 'same' with a stride: its split, explicit
        CLASSIC._replace(padding="valid"),
        CLASSIC._replace(framework="pytorch", padding="2", kernel_size=5),  # PyTorch 2 = Keras 'same' here
        CLASSIC._replace(framework="pytorch", padding="1", kernel_size=5),  # no Keras equivalent: refused
        # stride 4: the right-hand zeros are never read, so Keras' 'causal' reads what padding=2 reads
        Knobs("pytorch", 50, 6, 6, 3, strides=4, padding="2"),
    ],
)
def test_the_framework_switch_keeps_the_layer(knobs: Knobs) -> None:
    moved = press(knobs, "t")
    there, here = outcome(moved.knobs).plan, outcome(knobs).plan
    assert moved.knobs.framework != knobs.framework and here is not None
    if there is None:  # nothing there pads alike: the setting is kept, and refused
        assert moved.knobs.padding == knobs.padding and "refuses it" in (moved.said or "")
        return
    assert there.axis.output_length == here.axis.output_length
    for t in range(here.axis.output_length):  # every output reads the same input positions
        assert there.axis.input_positions(t) == here.axis.input_positions(t)
    back = _shape(moved.knobs)
    assert back["exit"] == 0 and back["params"] == _shape(knobs)["params"]


def test_the_window_moves_and_stops_at_the_ends() -> None:
    knobs = CLASSIC
    assert press(knobs, "\x1b[D").knobs.position == 0
    knobs = press(knobs, "\x1b[C").knobs
    assert knobs.position == 1
    last = press(knobs, "\x1b[F")
    assert last.knobs.position == 49 and last.said == "output 49 reads input positions 48, 49, 50, 51 (2 padding)"
    assert press(last.knobs, " ").knobs.position == 49
    assert press(last.knobs, "\x1b[H").knobs.position == 0
    shorter = press(last.knobs._replace(padding="valid"), "l").knobs  # 49 − 4 + 1 = 46 outputs: kept inside
    assert shorter.position == 45


def _shapes_shown(knobs: Knobs) -> tuple[str, str] | None:
    shown = screen(knobs, "", 200).shapes
    if shown is None:
        return None
    found = re.match(r"input (\(.*?\)) → output (\(.*?\))", shown)
    assert found is not None
    return found[1], found[2]


def _fmt(shape: list[int | None]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


@pytest.mark.parametrize("seed", range(12))
def test_after_200_random_keys_the_shapes_shown_are_shape_s(seed: int) -> None:
    rng = random.Random(seed)
    knobs = CLASSIC._replace(length=rng.randint(1, 40), channels=rng.randint(1, 12), filters=rng.randint(1, 12))
    for _ in range(200):
        knobs = press(knobs, rng.choice(KEYS[:-1])).knobs  # (q only says quit)
    report = _shape(knobs)
    shown = _shapes_shown(knobs)
    if shown is None:
        assert report["exit"] == 2  # refused here and by shape
        return
    assert report["exit"] == 0
    assert shown == (_fmt(report["input_shape"]), _fmt(report["output_shape"]))  # type: ignore[arg-type]


def test_random_key_sequences_never_break_the_view() -> None:
    rng = random.Random(2026)
    for _ in range(2000):
        width, height = rng.randint(20, 220), rng.randint(8, 60)
        console = Console(width=width, no_color=True, color_system=None, highlight=False, emoji=False)
        knobs, said, help_shown = (
            Knobs(
                framework=rng.choice(["keras", "pytorch"]),
                length=rng.randint(1, 3000),
                channels=rng.randint(1, 64),
                filters=rng.randint(1, 64),
                kernel_size=rng.randint(1, 9),
            ),
            "",
            False,
        )
        for _ in range(rng.randint(1, 12)):
            pressed = press(knobs, rng.choice(KEYS))
            knobs, said, help_shown = pressed.knobs, pressed.said or said, pressed.help
        lines = frame(screen(knobs, said, strip_width(width)), width, height, console, help_shown)
        assert len(lines) <= height
        assert all(len(line) <= width for line in lines), (width, [line for line in lines if len(line) > width])
        if width >= 60 and height >= 20 and not help_shown:  # what the key changed is never the line cut
            assert any(line.startswith("> ") for line in lines), lines
        if width >= 60 and height >= 20 and help_shown:  # every key listed, the last too
            assert any(line.lstrip().startswith("q, Esc") for line in lines), lines
        rulers = [lines[i - 1] for i, line in enumerate(lines) if i and line.lstrip().startswith("input c")]
        for ruler in rulers:  # position numbers only where they are, never cut at the edge
            assert all(int(number) % 10 == 0 for number in re.findall(r"\d+", ruler)), ruler


def test_the_footers_fit_eighty_and_sixty_columns() -> None:
    shown = {width: next(f for f in FOOTERS if len(f) <= width) for width in (60, 80)}
    assert "←→" in shown[80] and "? all keys" in shown[80] and "q quit" in shown[80]
    assert all(key in shown[60] for key in ("kK", "sS", "dD", "gG", " b ", " t ", "←→", "q quit"))


def test_padding_keys_work_out_the_next_one_whatever_the_span() -> None:
    huge = Knobs("pytorch", 50, 3, 4, 100_000, dilation=100_000, padding="1")  # span ~10^10: nothing is listed
    assert press(huge, "p").knobs.padding == "2"
    last = huge._replace(kernel_size=3, dilation=1, padding="2")  # span 3: 2 is the last int
    assert press(last, "p").knobs.padding == "valid"
    assert press(CLASSIC._replace(padding="SAME"), "p").knobs.padding == "causal"  # (any case, as Keras takes it)


def test_a_size_given_past_the_keys_limit_stays_and_groups_stay_when_none_is_next() -> None:
    big = CLASSIC._replace(filters=150_000)
    assert press(big, "F").knobs.filters == 150_000 and press(big, "f").knobs.filters == 149_999
    odd = CLASSIC._replace(channels=8, filters=4, groups=4)
    assert press(odd, "G").knobs.groups == 4  # (no count above 4 divides both: it stays)
