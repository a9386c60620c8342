"""A table drawn line by line as rich's Table draws it (no edge, heavy head, cells padded by one),
when it fits the width; otherwise rich's Table itself, which folds the columns to fit.

rich measures, wraps and pads every cell as a renderable of its own: about 1.5 ms a row of eight
cells, so a model of 40 layers spent more on its table than on everything else. A table that fits
needs none of that: each column is as wide as its widest cell. tests/test_render_fitted_table.py
checks that the two draw the same characters in the same styles.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Literal

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

Justify = Literal["left", "right"]


class Column:
    """A column's header, its justification, whether rich may fold its cells (else it crops), and
    its style (a grid's)."""

    def __init__(self, header: str, justify: Justify = "left", fold: bool = True, style: str = "") -> None:
        self.header, self.justify, self.fold, self.style = header, justify, fold, style


class _Fitted:
    """Drawn line by line where every row fits on one line at the width; else rich's own table."""

    single_line: bool
    width: int

    def table(self) -> Table:
        raise NotImplementedError

    def lines(self, console: Console) -> Iterator[Segment]:
        raise NotImplementedError

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if not self.single_line or self.width > options.max_width:
            yield self.table()
        else:
            yield from self.lines(console)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        if self.single_line and self.width <= options.max_width:
            return Measurement(self.width, self.width)
        return Measurement.get(console, options, self.table())


class FittedTable(_Fitted):
    """Rows of Text cells under the columns' headers (a row may have fewer cells: the rest are empty;
    a cell is never left out before one that is kept)."""

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[Text]],
        header_style: str = "bold",
        measured: tuple[bool, list[int]] | None = None,  # (single_line, widths), when known already
    ) -> None:
        self.columns, self.rows, self.header_style = list(columns), [list(row) for row in rows], header_style
        if measured is None:
            cells = [[Text(column.header) for column in self.columns], *self.rows]
            single_line = all("\n" not in cell.plain for row in cells for cell in row)
            widths = [max(cell_len(row[i].plain) if i < len(row) else 0 for row in cells) for i in range(len(columns))]
            measured = single_line, widths
        self.single_line, self.widths = measured
        self.width = sum(self.widths) + 3 * (len(self.widths) - 1)  # " │ " between columns, no edge

    def without(self, left_out: Sequence[int]) -> FittedTable:
        """The same table without the columns at these indices (measured once: the widths are kept)."""
        kept = [i for i in range(len(self.columns)) if i not in left_out]
        rows = [[row[i] for i in kept if i < len(row)] for row in self.rows]
        widths = [self.widths[i] for i in kept]
        return FittedTable([self.columns[i] for i in kept], rows, self.header_style, (self.single_line, widths))

    def table(self) -> Table:
        """rich's Table of the same cells (for a width the table does not fit)."""
        table = Table(show_edge=False, header_style=self.header_style, pad_edge=False)
        for column in self.columns:
            if column.fold:
                table.add_column(column.header, justify=column.justify, overflow="fold")
            else:
                table.add_column(column.header, justify=column.justify, no_wrap=True)
        for row in self.rows:
            table.add_row(*row)
        return table

    def lines(self, console: Console) -> Iterator[Segment]:
        """The header, the rule under it, and a line a row."""
        headers = [Text(column.header) for column in self.columns]
        yield from Segment.simplify(self._line(console, headers, "┃", console.get_style(self.header_style)))
        last = len(self.widths) - 1
        rules = ("━" * (width + (1 if i in (0, last) else 2)) for i, width in enumerate(self.widths))
        yield Segment("╇".join(rules))
        yield Segment.line()
        for row in self.rows:
            plain = self._plain_line(row)
            if plain is None:
                yield from Segment.simplify(self._line(console, row, "│", None))
            else:  # (what simplify makes of a row whose cells have no style: one segment, at a fraction of the cost)
                yield Segment(plain)
                yield Segment.line()

    def _plain_line(self, cells: list[Text]) -> str | None:
        """A row whose cells have no style of their own, as one string; None for any other row."""
        parts = []
        for i, width in enumerate(self.widths):
            cell = cells[i] if i < len(cells) else None
            if cell is not None and (cell.style or cell.spans):
                return None
            text = "" if cell is None else cell.plain
            gap = " " * (width - cell_len(text))
            parts.append(gap + text if self.columns[i].justify == "right" else text + gap)
        return " │ ".join(parts)

    def _line(self, console: Console, cells: list[Text], bar: str, style: Style | None) -> Iterator[Segment]:
        """One row: each cell justified in its column's width, padded by one but at the edges."""
        last = len(self.widths) - 1
        for i, width in enumerate(self.widths):
            if i > 0:
                yield Segment(" ", style)
            cell = cells[i] if i < len(cells) else Text()
            yield from _justified(console, cell, width, self.columns[i].justify, style)
            if i < last:
                yield Segment(" ", style)
                yield Segment(bar)
        yield Segment.line()


def _justified(console: Console, cell: Text, width: int, justify: Justify, style: Style | None) -> Iterator[Segment]:
    """A cell's segments filled to its column's width, as rich fills them: the fill in the cell's style."""
    gap = " " * (width - cell_len(cell.plain))
    own = console.get_style(cell.style) if cell.style else None  # (Text.render leaves it out)
    base = style + own if style and own else style or own
    if justify == "right" and gap:
        yield Segment(gap, base)
    for segment in cell.render(console, ""):
        yield Segment(segment.text, base + segment.style if base and segment.style else base or segment.style)
    if justify != "right" and gap:
        yield Segment(gap, base)


class FittedGrid(_Fitted):
    """Rows of Text cells in columns two spaces apart, drawn line by line as rich's
    `Table.grid(padding=(0, 2))` draws them (each column as wide as its widest cell) when every row
    fits on one line; otherwise that grid itself, which wraps the cells to fit."""

    def __init__(self, columns: Sequence[Column], rows: Sequence[Sequence[Text]]) -> None:
        self.columns, self.rows = list(columns), [list(row) for row in rows]
        self.single_line = all("\n" not in cell.plain for row in self.rows for cell in row)
        count = len(self.columns)
        self.widths = [
            max((cell_len(row[i].plain) for row in self.rows if i < len(row)), default=0) for i in range(count)
        ]
        self.width = sum(self.widths) + 2 * (count - 1)

    def table(self) -> Table:
        """rich's grid of the same cells."""
        grid = Table.grid(padding=(0, 2))
        for column in self.columns:
            grid.add_column(justify=column.justify, style=column.style or None, no_wrap=not column.fold)
        for row in self.rows:
            grid.add_row(*row)
        return grid

    def lines(self, console: Console) -> Iterator[Segment]:
        """A line a row, the columns two spaces apart (the gap in the left column's style, as rich pads)."""
        styles = [console.get_style(column.style) if column.style else None for column in self.columns]
        last = len(self.widths) - 1
        for row in self.rows:
            segments: list[Segment] = []
            for i, width in enumerate(self.widths):
                cell = row[i] if i < len(row) else Text()
                segments.extend(_justified(console, cell, width, self.columns[i].justify, styles[i]))
                if i < last:
                    segments.append(Segment("  ", styles[i]))
            segments.append(Segment.line())
            yield from Segment.simplify(segments)
