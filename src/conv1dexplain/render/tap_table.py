"""The tap-by-tap table of a trace step, fitted to the width: fewer channels before any column goes,
and the middle taps left out (said so) when there are more taps than lines."""

from __future__ import annotations

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from conv1dexplain.vocabulary import counted

Row = tuple[str, str, Text, str, str]  # tap, input position, input values, kernel values, Σ
SMALL = ("tap", "position", "= Σ")  # the columns that always stay whole (the 2nd named by the layout)
SHORT = ("input", "× kernel")  # the other two headers, when the full ones do not fit


def tap_rows(taps: int, max_rows: int | None) -> list[int | None]:
    """The taps to list, None where the left-out ones go: all, or the first and last few."""
    if max_rows is None or taps <= max(1, max_rows):
        return list(range(taps))
    listed = max(0, max_rows - 1)  # one line says how many are left out
    head = (listed + 1) // 2
    return [*range(head), None, *range(taps - (listed - head), taps)]


def _width(headers: tuple[str, str], more: str, rows: list[Row], unit: str) -> int:
    """Columns plus their padding (one space each side) for these rows."""
    columns = [
        max([len(SMALL[0]), *(len(r[0]) for r in rows)]),
        max([len(unit), *(len(r[1]) for r in rows)]),
        max([cell_len(headers[0]), cell_len(more), *(r[2].cell_len for r in rows)]),
        max([cell_len(headers[1]), *(len(r[3]) for r in rows)]),
        max([len(SMALL[2]), *(len(r[4]) for r in rows)]),
    ]
    return sum(columns) + 2 * len(columns)


def tap_table(
    headers: tuple[str, str],
    choices: list[list[Row]],
    taps: list[int | None],
    total: int,
    width: int,
    unit: str = SMALL[1],
) -> Table:
    """The table for the first choice of channels that fits in `width` (else the last one); `taps` as
    tap_rows gives them, of `total`; `unit` names an input position (a column of (C, L) data)."""
    hidden = total - (len(taps) - 1) if None in taps else 0
    says = [f"… {counted(hidden, 'tap')} more", f"… {hidden} more"] if hidden else [""]
    # the most channels that fit, with the full words if they fit too: words go before values
    units = (unit, unit[:3])  # "position" takes 5 columns more than "pos": narrow frames need them
    tries = [
        (names, more, rows, name) for rows in choices for name in units for names in (headers, SHORT) for more in says
    ]
    headers, more, rows, unit = next((c for c in tries if _width(*c) <= width), tries[-1])
    fits = _width(headers, more, rows, unit) <= width
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
    table.add_column(SMALL[0], justify="right", no_wrap=True)
    table.add_column(unit, justify="right", no_wrap=True)
    # when even the fewest channels do not fit, the values give way, never tap, position or Σ
    table.add_column(headers[0], justify="right", no_wrap=fits, overflow="ellipsis")
    table.add_column(headers[1], justify="right", no_wrap=fits, overflow="ellipsis")
    table.add_column(SMALL[2], justify="right", no_wrap=True)
    listed = iter(rows)
    for tap in taps:
        if tap is None:
            table.add_row("…", "…", Text(more, style="dim"), "", "…")
        else:
            table.add_row(*next(listed))
    return table
