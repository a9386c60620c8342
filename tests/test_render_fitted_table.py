"""The model's table drawn line by line (FittedTable) is what rich's Table draws: the same
characters in the same styles, for random models of both frameworks, a refused layer, names that
look like markup, wide characters, at widths from the narrowest that fits to a wide terminal; and
where it does not fit, it is rich's Table (folded)."""

from __future__ import annotations

import random

import pytest
from rich.console import Console
from rich.style import Style
from rich.text import Text

from conv1dexplain import summary
from conv1dexplain.render.fitted_table import Column, FittedGrid, FittedTable
from conv1dexplain.render.model import TOTALS_COLUMNS, _table, _totals
from model_chains import KERAS, TORCH, State, draw_chain


def drawn(renderable: object, width: int, colour: bool) -> list[tuple[str, str]]:
    """Each character drawn, with its style ("none" for none), line ends included."""
    console = Console(width=width, force_terminal=colour, color_system="truecolor" if colour else None)
    console.begin_capture()
    out = []
    for segment in console.render(renderable):  # type: ignore[arg-type]
        if segment.control:
            continue
        style = str(segment.style or Style.null())
        out.extend((char, style) for char in segment.text)
    console.end_capture()
    return out


def both(table: FittedTable, width: int, colour: bool) -> None:
    assert drawn(table, width, colour) == drawn(table.table(), width, colour)


def _random_reports(count: int) -> list[object]:
    rng = random.Random(7)
    reports = []
    while len(reports) < count:
        framework = rng.choice(["keras", "pytorch"])
        state = State(channels=rng.randint(1, 8), length=rng.choice([1, 5, 40, 1000, 123456]))
        calls = draw_chain(KERAS if framework == "keras" else TORCH, rng, state, rng.randint(1, 8))
        shape = f"{state.length}x{state.channels}" if framework == "keras" else f"{state.channels}x{state.length}"
        try:
            reports.append(summary(", ".join(calls), input_shape=shape, framework=framework))
        except Exception:  # (a refusal the report cannot hold: nothing to draw)
            continue
    return reports


REPORTS = _random_reports(60)


@pytest.mark.parametrize("index", range(len(REPORTS)))
def test_random_models_draw_as_rich_draws_them(index: int) -> None:
    table = _table(REPORTS[index])  # type: ignore[arg-type]
    for width in (table.width, table.width + 1, 200):
        for colour in (False, True):
            both(table, width, colour)


def test_a_refused_layer_and_unusual_names() -> None:
    report = summary("Conv1D(4, 3, name='[bold]x[/bold]'), Conv1D(2, 30, name='宽字符:smile:')", input_shape="10x2")
    assert report.error is not None  # (a kernel longer than the sequence)
    table = _table(report)
    for width in (table.width, 150):
        for colour in (False, True):
            both(table, width, colour)
    plain = "".join(char for char, _ in drawn(table, 150, False))
    assert "[bold]x[/bold] (Conv1D)" in plain and "宽字符:smile:" in plain and "fails here" in plain


def test_a_table_too_wide_is_richs_folded_table() -> None:
    table = FittedTable([Column("a"), Column("b", "right")], [[Text("x" * 30), Text("y" * 30)]])
    narrow = table.width - 5
    assert drawn(table, narrow, False) == drawn(table.table(), narrow, False)
    lines = "".join(char for char, _ in drawn(table, narrow, False)).splitlines()
    assert len(lines) > 3 and max(len(line) for line in lines) <= narrow  # folded, not cropped


@pytest.mark.parametrize("index", range(0, len(REPORTS), 6))
def test_a_narrow_terminal_leaves_out_columns_in_order_and_says_so(index: int) -> None:
    """At each width, the layers' table keeps the most columns that fit (out[0] reads, then Jump,
    MACs and Window go first), draws them as rich would, and names what it left out."""
    from rich.console import Group

    from conv1dexplain.render.model import LEFT_OUT_FIRST, LayerTable

    full = _table(REPORTS[index])  # type: ignore[arg-type]
    for width in range(30, full.width + 2):
        count = next((n for n in range(len(LEFT_OUT_FIRST) + 1) if full.without(LEFT_OUT_FIRST[:n]).width <= width), 4)
        kept = full.without(LEFT_OUT_FIRST[:count])
        expected: object = kept.table()
        if count:
            names = ", ".join(full.columns[i].header for i in LEFT_OUT_FIRST[:count])
            note = Text(f"(left out to fit {width} columns: {names}; --json has them)", style="dim")
            expected = Group(expected, note)  # type: ignore[arg-type]
        assert drawn(LayerTable(full), width, True) == drawn(expected, width, True), width
        plain = "".join(char for char, _ in drawn(LayerTable(full), width, False))
        assert ("left out" in plain) == (full.width > width)


@pytest.mark.parametrize("index", range(0, len(REPORTS), 3))
def test_the_totals_draw_as_richs_grid(index: int) -> None:
    """The totals (FittedGrid) are rich's Table.grid(padding=(0, 2)) with the same columns: the
    same characters in the same styles where they fit, and that grid (wrapped) where they do not."""
    grid = _totals(REPORTS[index])  # type: ignore[arg-type]
    for width in (grid.width - 7, grid.width - 1, grid.width, grid.width + 1, 200):
        for colour in (False, True):
            assert drawn(grid, width, colour) == drawn(grid.table(), width, colour), width


def test_a_grid_with_short_rows_wide_characters_and_styled_cells() -> None:
    rows = [
        [Text("宽字符"), Text("1"), Text("x", style="red")],
        [Text("a")],
        [Text("bb"), Text("22,222", style="bold")],
    ]
    grid = FittedGrid(TOTALS_COLUMNS, rows)
    assert grid.width == 6 + 2 + 6 + 2 + 1
    for width in (grid.width, grid.width + 5, grid.width - 2):
        for colour in (False, True):
            assert drawn(grid, width, colour) == drawn(grid.table(), width, colour), width
    lines = "".join(char for char, _ in drawn(grid, 40, False)).splitlines()
    assert lines[0] == "宽字符       1  x" and lines[2].rstrip() == "bb      22,222"
