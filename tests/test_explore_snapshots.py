"""explore's screens as text (no colour, 80×24): the start and after each kind of key, the keys'
list, a refused setting and a terminal too small. Each was read for how it reads; a change to the
view shows here (regenerate with CONV1DEXPLAIN_UPDATE_SNAPSHOTS=1, then read them again)."""

from __future__ import annotations

import pytest
from rich.console import Console

from conv1dexplain.explore.keys import press
from conv1dexplain.explore.knobs import Knobs
from conv1dexplain.explore.screen import screen
from conv1dexplain.render.explore import frame, strip_width
from helpers import ROOT, assert_snapshot

SCREENS = {
    "start": "",
    "kernel": "K",
    "strides": "S",
    "dilation": "D",
    "padding": "p",
    "filters": "F",
    "length": "l",
    "channels": "C",
    "groups": "GG",
    "bias": "b",
    "framework": "pt",  # causal, then PyTorch: no causal there
    "window": "\x1b[C\x1b[C\x1b[C",
    "last": "\x1b[F",
    "refused": "SD",  # Keras: strides with dilation
}


def _text(keys: str, width: int = 80, height: int = 24, help_shown: bool = False) -> str:
    console = Console(width=width, no_color=True, color_system=None, highlight=False, emoji=False)
    knobs, said = Knobs(), ""
    for key in keys if not keys.startswith("\x1b") else [keys[i : i + 3] for i in range(0, len(keys), 3)]:
        pressed = press(knobs, key)
        knobs, said = pressed.knobs, pressed.said or said
    lines = frame(screen(knobs, said, strip_width(width)), width, height, console, help_shown)
    return "\n".join(line.rstrip() for line in lines) + "\n"


@pytest.mark.parametrize("name", SCREENS)
def test_screen(name: str) -> None:
    assert_snapshot(f"explore_{name}", _text(SCREENS[name]))


def test_keys_list_and_a_small_terminal() -> None:
    assert_snapshot("explore_keys", _text("", help_shown=True))
    assert_snapshot("explore_small", _text("", width=50, height=15))


def test_the_readme_shows_the_start_screen_as_it_is() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "```text\n" + _text("") + "```" in readme
