"""Draw an explorer Screen as the lines of one frame, fitted to the terminal: the layer as code, its
shapes and counts, the input strip (padding ▒, the window's taps █, dilation gaps ░, other
positions ·) with each output ○ under its window (● the current one), what the last key changed,
and the keys. Every character has its meaning without colour. Nothing here computes."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from rich.console import Console
from rich.text import Text

from conv1dexplain.explore.keys import FOOTERS, HELP
from conv1dexplain.explore.screen import Column, Screen

LABEL = 12  # the row labels' column
MIN_WIDTH, MIN_HEIGHT = 60, 20


def strip_width(width: int) -> int:
    """The cells of the strip for a terminal this wide (the labels and the two cut marks aside)."""
    return max(1, width - LABEL - 2)


def frame(screen: Screen, width: int, height: int, console: Console, help_shown: bool = False) -> list[str]:
    """The frame's lines, none wider than `width`, at most `height` of them."""
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        lines = [
            Text(f"the terminal is {width}×{height}: explore needs {MIN_WIDTH}×{MIN_HEIGHT}", style="bold"),
            Text("make it larger (q quits)"),
        ]
    elif help_shown:
        lines = _help(width)
    else:
        lines = _view(screen, width, height, console)
    return _ansi(console, lines, width)[:height]


# What gives way when the terminal is short, first to last (0: never): blank lines, the strip's
# further rows, the counts, the weights, the code, the window's words, the strip's first rows.
_BLANK, _MORE_ROWS, _COUNTS, _WEIGHTS, _CODE, _WINDOW, _ROWS, _KEEP = 7, 6, 5, 4, 3, 2, 1, 0


Ranked = list[tuple[Text, int]]


def _view(screen: Screen, width: int, height: int, console: Console) -> list[Text]:
    def wrapped(text: str, rank: int, style: str = "") -> Ranked:  # (long lines: more lines)
        return [(line, rank) for line in Text(text, style=style).wrap(console, width)]

    lines = _content(screen, wrapped)
    footer = Text(next((f for f in FOOTERS if len(f) <= width), FOOTERS[-1]), style="dim")
    return [*_fit(lines, height - 1), footer] if height > 1 else [footer]


def _content(screen: Screen, wrapped: Callable[..., Ranked]) -> Ranked:
    lines = [(Text(screen.title, style="bold"), _KEEP)]
    if screen.code is not None:
        lines += wrapped(screen.code, _CODE, "green")
    if screen.error is not None:
        message, hint = screen.error
        lines += [*wrapped(f"refused: {message}", _KEEP, "bold red"), *wrapped(f"hint: {hint}", _WINDOW, "yellow")]
    else:
        lines += [*wrapped(screen.shapes or "", _KEEP), *wrapped(screen.weights or "", _WEIGHTS)]
        lines += [*wrapped(screen.counts or "", _COUNTS), (Text(), _BLANK)]
        lines += _strip(screen)
        lines += wrapped(screen.window or "", _WINDOW, "cyan")
    lines.append((Text(), _BLANK))
    return lines + wrapped(f"> {screen.said}" if screen.said else "> (press a key: ? lists them)", _KEEP, "bold")


def _fit(lines: Ranked, room: int) -> list[Text]:
    """The least needed lines give way until the frame fits (then the top is cut)."""
    for rank in range(_BLANK, _KEEP, -1):
        if len(lines) <= room:
            break
        lines = [(line, kept) for line, kept in lines if kept != rank]
    return [line for line, _ in lines][-room:]


def _strip(screen: Screen) -> list[tuple[Text, int]]:
    """The ruler, the channel rows and the filter rows (the first of each kept longest)."""
    left = "…" if screen.cut_left else " "
    right = "…" if screen.cut_right else ""
    rows = [(Text(" " * LABEL + " " + _ruler(screen.columns), style="dim"), _ROWS)]
    for n, (label, read) in enumerate(zip(screen.channel_rows, screen.read_rows, strict=True)):
        cells = [_cell(column, read) for column in screen.columns]
        rows.append((_row(("input " if n == 0 else "") + label, left, cells, right), _ROWS if n == 0 else _MORE_ROWS))
    for n, label in enumerate(screen.filter_rows):
        cells = [_output(column, screen.knobs.position) for column in screen.columns]
        rows.append((_row(("output " if n == 0 else "") + label, left, cells, right), _ROWS if n == 0 else _MORE_ROWS))
    return rows


def _row(name: str, left: str, cells: list[tuple[str, str]], right: str) -> Text:
    if "⋮" in name:  # the rows left out, counted
        return Text(f"{name:>{LABEL}}", style="dim")
    row = Text(f"{name:>{LABEL}}{left}")
    for char, style in cells:
        row.append(char, style=style)
    return row.append(right)


def _ruler(columns: tuple[Column, ...]) -> str:
    """Position numbers every 10, each where its position is (when it fits before the next)."""
    ruler = [" "] * len(columns)
    for i, column in enumerate(columns):
        number = str(column.tick) if column.tick is not None else ""
        fits = i + len(number) <= len(columns)  # (a number cut at the edge would read as another)
        if number and fits and all(c == " " for c in ruler[i : i + len(number) + 1]):
            ruler[i : i + len(number)] = number
    return "".join(ruler)


def _output(column: Column, position: int) -> tuple[str, str]:
    if column.output is None:
        return " ", ""
    return ("●", "bold yellow") if column.output == position else ("○", "")


def _cell(column: Column, read: bool) -> tuple[str, str]:
    if read and column.tap:
        return ("▓", "bold yellow") if column.padding else ("█", "bold yellow")
    if read and column.gap:
        return "░", "yellow"
    return ("▒", "dim") if column.padding else ("·", "")


def _help(width: int) -> list[Text]:
    """The keys, each with what it does, the words wrapped under themselves."""
    lines = [Text("The keys (any key closes this):", style="bold")]
    keys = max(len(key) for key, _ in HELP)
    room = max(10, width - keys - 4)
    for key, words in HELP:
        parts = textwrap.wrap(words, room) or [""]
        lines.append(Text(f"  {key:<{keys}}  {parts[0]}"))
        lines += [Text(f"  {'':<{keys}}  {part}") for part in parts[1:]]
    return lines


def _ansi(console: Console, lines: list[Text], width: int) -> list[str]:
    """Each line as the terminal shows it, cut to the width (never wrapped)."""
    out = []
    for line in lines:
        line.truncate(width, overflow="ellipsis")
        with console.capture() as capture:
            console.print(line, end="", no_wrap=True, overflow="ellipsis", crop=True)
        out.append(capture.get())
    return out
