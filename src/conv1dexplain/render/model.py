"""Draw a ModelReport: a row per layer (as Keras' summary, plus what slides along the sequence),
the totals as Keras and torchinfo print them, and the layers that change the shape in words."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.text import Text

from conv1dexplain.render.fitted_table import Column, FittedGrid, FittedTable
from conv1dexplain.report.model import LayerRow, ModelReport, readable_size

if TYPE_CHECKING:
    from fractions import Fraction
from conv1dexplain.tensor import fmt_shape

_ORIGINS = {
    "Input(shape=…)": "code's Input(shape=…)",
    "Input(batch_shape=…)": "code's Input(batch_shape=…)",
    "input_shape=": "code's input_shape=",
    "input_length=": "code's input_length=",
}


def _jump(value: int | Fraction | None) -> str:
    return "" if value is None else str(value)


def _window(row: LayerRow) -> str:
    if row.window is None or row.padding is None:
        return ""
    stride: int | float | Fraction = row.window["stride"]
    if not float(stride).is_integer():  # after upsampling: 1/2, as the jump shows it
        from fractions import Fraction

        stride = Fraction(stride).limit_denominator()
    else:
        stride = int(stride)
    text = f"k{row.window['size']} s{stride}"
    if row.window["dilation"] != 1:
        text += f" d{row.window['dilation']}"
    return text + f" p{row.padding['left']}+{row.padding['right']}"


def _reads(row: LayerRow) -> str:
    return "" if row.reads is None else f"{row.reads[0]}…{row.reads[1]}"


COLUMNS = (
    Column("Layer (type)"),
    Column("Output shape"),
    Column("Params", "right"),
    Column("MACs", "right"),
    Column("Window"),
    Column("RF", "right", fold=False),
    Column("Jump", "right", fold=False),
    Column("out[0] reads"),
)


# The columns left out, one more each time, while the table is wider than the terminal (each row on
# one line reads better than rows folded over three); --json and a wider terminal have them all.
LEFT_OUT_FIRST = (7, 6, 3, 4)  # out[0] reads, Jump, MACs (the totals have them), Window


class LayerTable:
    """The layers' table at the terminal's width: all columns if they fit, else fewer (and a note
    saying which are left out); folded by rich if even those do not fit."""

    def __init__(self, table: FittedTable) -> None:
        self.full = table
        self.narrower = [table.without(LEFT_OUT_FIRST[:count]) for count in range(1, len(LEFT_OUT_FIRST) + 1)]

    def _fitting(self, width: int) -> tuple[FittedTable, int]:
        """The widest table that fits (the narrowest if none does), and how many columns it leaves out."""
        for count, table in enumerate([self.full, *self.narrower]):
            if table.width <= width:
                return table, count
        return self.narrower[-1], len(self.narrower)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table, count = self._fitting(options.max_width)
        yield table
        if count:
            names = ", ".join(self.full.columns[i].header for i in LEFT_OUT_FIRST[:count])
            yield Text(f"(left out to fit {options.max_width} columns: {names}; --json has them)", style="dim")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._fitting(options.max_width)[0])


def _table(report: ModelReport) -> FittedTable:
    rows = []
    for row in report.layers:
        params = f"{row.params:,}" + (f" ({row.non_trainable_params:,} fixed)" if row.non_trainable_params else "")
        rf = "" if row.receptive_field is None else str(row.receptive_field)
        cells = (
            f"{row.name} ({row.type})",
            fmt_shape(row.output_shape),
            params,
            "?" if row.macs is None else f"{row.macs:,}",
            _window(row),
            rf,
            _jump(row.jump),
            _reads(row),
        )
        rows.append([Text(cell) for cell in cells])  # (Text: a layer's name is never read as markup)
    if report.error is not None:
        failed = f"{report.error.name or report.error.layer} ({report.error.type})"
        said = "unsupported" if report.error.unsupported else "fails here"
        rows.append([Text(failed, style="bold red"), Text(said, style="bold red")])
    return FittedTable(COLUMNS, rows)


TOTALS_COLUMNS = (Column("", fold=False, style="bold"), Column("", "right", fold=False), Column("", style="dim"))


def _totals(report: ModelReport) -> FittedGrid:
    """The totals as Keras prints them, with torchinfo's mult-adds, the receptive field and the lengths."""
    rows = [
        ("Total params", f"{report.total_params:,}", readable_size(report.total_params)),
        ("Trainable params", f"{report.trainable_params:,}", readable_size(report.trainable_params)),
        ("Non-trainable params", f"{report.non_trainable_params:,}", readable_size(report.non_trainable_params)),
        (
            "Mult-adds",
            "? (the length is unknown)" if report.macs is None else f"{report.macs:,}",
            "per example, bias excluded (FLOPs = 2 × MACs)",
        ),
    ]
    if report.receptive_field is not None:
        rows.append(("Receptive field", f"{report.receptive_field:,}", "input positions one output position reads"))
    if report.min_input_length is not None:
        if report.lengths_that_work is not None:
            low, high = report.lengths_that_work
            if low == high:
                rows.append(("Input length", f"{low:,}", "the only one every layer takes"))
            else:
                rows.append(("Input lengths", f"{low:,}…{high:,}", "the only ones every layer takes"))
        else:
            rows.append(("Shortest input", f"{report.min_input_length:,}", "the shortest length every layer takes"))
    return FittedGrid(TOTALS_COLUMNS, [[Text(cell) for cell in row] for row in rows])


def model_view(report: ModelReport) -> Group:
    """The whole model, its totals and, when the chain breaks, where and why."""
    parts: list[RenderableType] = []
    parts.append(
        Text.assemble(
            (f"{report.framework_title} model", "bold"),
            f" on input {fmt_shape(report.input_shape)}"
            + (
                f" (from the {_ORIGINS.get(report.input_origin, report.input_origin)})"
                if report.input_origin != "given"
                else ""
            ),
        )
    )
    parts.append(LayerTable(_table(report)))
    parts.append(Text())
    parts.append(_totals(report))
    changes = report.shape_changes()
    if changes:  # (one Text of many lines draws as many Texts do, in half the time)
        parts.append(Text())
        parts.append(Text("\n".join("• " + line for line in changes)))
    notes = [f"note: {note}" for note in report.notes]
    notes += [f"note ({row.name}): {note}" for row in report.layers for note in row.notes]
    if notes:
        parts.append(Text("\n".join(notes), style="dim"))
    if report.error is not None:
        parts.append(Text())
        where = f"{report.error.type} (layer {report.error.layer})"
        said = "is not read" if report.error.unsupported else "fails"  # (unsupported: the framework may run it)
        parts.append(Text(f"{where} {said}: {report.error.message}", style="bold"))
        if report.error.framework_message:
            parts.append(Text(f"{report.framework_title} says: {report.error.framework_message}"))
        parts.append(Text(f"fix: {report.error.hint}"))
    return Group(*parts)


def render_model(report: ModelReport, console: Console) -> None:
    """Print the model's view."""
    console.print(model_view(report))


def model_text(report: ModelReport, width: int = 100) -> str:
    """The view as plain text (print(report), Jupyter's text)."""
    console = Console(width=width, record=True, force_terminal=False, color_system=None, file=io.StringIO())
    console.print(model_view(report))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())
