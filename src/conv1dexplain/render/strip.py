"""The strips of a trace step: the input with the window's taps, and each output cell under the centre
of the window that makes it."""

from __future__ import annotations

from rich.text import Text

from conv1dexplain.geometry import Axis
from conv1dexplain.records import record

PAD_STYLE = "dim"
TAP_STYLE = "bold black on yellow"
DONE_STYLE = "green"
NOW_STYLE = "bold black on green"
EDGE = 3  # cells shown beyond the window when the sequence is too long to draw whole
LABEL = 7  # the row names' column: "output "
MORE = 2  # "… " before the cells, " …" after, when the strip is cut there


@record(frozen=True)
class Strip:
    """The input positions drawn (left … right−1) and the width of a cell's label."""

    left: int
    right: int
    cell: int  # a cell is `cell` characters and a space

    @property
    def columns(self) -> int:
        """Characters the cells take, the last one's space left out."""
        return (self.right - self.left) * (self.cell + 1) - 1

    def column(self, position: int) -> int:
        """Where the cell of an input position starts."""
        return (position - self.left) * (self.cell + 1)

    def output_column(self, axis: Axis, t: int) -> int:
        """Where output t's label starts: centred on its window, from first tap to last."""
        first = t * axis.strides - axis.pad_left
        last = first + axis.span - 1
        centre = (self.column(first) + self.column(last) + self.cell - 1) // 2
        return centre - (self.cell - 1) // 2


def cell_width(axis: Axis, output_length: int) -> int:
    """One width for every label: input positions (padding included), taps and outputs."""
    lo, hi = -axis.pad_left, axis.length + axis.pad_right - 1
    return max(len(str(lo)), len(str(hi)), len(str(axis.kernel_size - 1)), len(str(max(0, output_length - 1))))


def fit_strip(axis: Axis, t: int, cell: int, width: int) -> Strip:
    """The positions to draw at this width: all, the window with a few beyond, or the window's middle."""
    lo, hi = -axis.pad_left, axis.length + axis.pad_right
    room = max(1, (width - LABEL - 2 * MORE + 1) // (cell + 1))
    if hi - lo <= room:
        return Strip(lo, hi, cell)
    first = t * axis.strides - axis.pad_left
    # the window and a few cells beyond; wider than the screen: its middle, so the output still sits under it
    fits = axis.span <= room
    left = first - min(EDGE, (room - axis.span) // 2) if fits else first + (axis.span - 1) // 2 - room // 2
    left = min(max(lo, left), hi - room)
    return Strip(left, left + room, cell)


def _row(name: str, before: bool, body: Text, after: bool) -> Text:
    row = Text(name.ljust(LABEL), style="bold")
    row.append("… " if before else " " * MORE)
    row.append_text(body)
    if after:
        row.append(" …")
    row.rstrip()
    return row


def _placed(strip: Strip, pieces: list[tuple[int, str, str]]) -> Text:
    """Labels at given columns (in order, not overlapping), spaces between."""
    text, at = Text(), 0
    for column, label, style in pieces:
        text.append(" " * (column - at))
        text.append(label, style=style)
        at = column + len(label)
    return text


def _shown_outputs(strip: Strip, axis: Axis, output_length: int) -> list[tuple[int, int]]:
    """(t, column) of the outputs whose cells fit under the drawn input."""
    # candidates: outputs whose window centre lies within a cell of the drawn input, or next to one
    twice_centre = axis.span - 1 - 2 * axis.pad_left  # 2·centre(t) = 2·t·s + this
    lo_t = max(0, (2 * (strip.left - 1) - twice_centre) // (2 * axis.strides))
    hi_t = min(output_length - 1, (2 * (strip.right + 1) - twice_centre) // (2 * axis.strides) + 1)
    shown = []
    for t in range(lo_t, hi_t + 1):
        column = strip.output_column(axis, t)
        if column >= 0 and column + strip.cell <= strip.columns:
            shown.append((t, column))
    return shown


def _input_cells(strip: Strip, axis: Axis, tap_of: dict[int, int]) -> list[tuple[int, str, str]]:
    """The drawn input positions: padding as ░, the window's taps marked."""
    cells = []
    for position in range(strip.left, strip.right):
        is_pad = position < 0 or position >= axis.length
        label = "░" * strip.cell if is_pad else str(position).rjust(strip.cell)
        style = TAP_STYLE if position in tap_of else PAD_STYLE if is_pad else ""
        cells.append((strip.column(position), label, style))
    return cells


def _output_cells(outputs: list[tuple[int, int]], t: int, cell: int) -> list[tuple[int, str, str]]:
    """The drawn output cells: those before t done, t itself highlighted."""
    return [(c, str(o).rjust(cell), NOW_STYLE if o == t else DONE_STYLE if o < t else "") for o, c in outputs]


def sequence_picture(axis: Axis, output_length: int, t: int, taps: list[int], width: int) -> Text:
    """The input (padding included) with the window's taps (the positions it reads, tap j = 0 … k−1)
    marked, the outputs so far, and ▲ under output t."""
    cell = cell_width(axis, output_length)
    strip = fit_strip(axis, t, cell, width)
    lo, hi = -axis.pad_left, axis.length + axis.pad_right
    tap_of = {position: j for j, position in enumerate(taps)}
    marks = [(strip.column(p), str(j).rjust(cell), "") for p, j in tap_of.items() if strip.left <= p < strip.right]
    outputs = _shown_outputs(strip, axis, output_length)
    arrow = [(c + cell - 1, "▲", "bold") for o, c in outputs if o == t]
    before = bool(outputs) and outputs[0][0] > 0
    after = bool(outputs) and outputs[-1][0] < output_length - 1
    rows = [
        _row("input", strip.left > lo, _placed(strip, _input_cells(strip, axis, tap_of)), strip.right < hi),
        _row("tap j", False, _placed(strip, marks), False),
        _row("output", before, _placed(strip, _output_cells(outputs, t, cell)), after),
        _row("", False, _placed(strip, arrow), False),
    ]
    return Text("\n", no_wrap=True, overflow="crop").join(rows)
