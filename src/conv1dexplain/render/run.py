"""Draw a RunReport: what went in, what came out, where it went, a peek at the numbers."""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from conv1dexplain.report.run import RunReport
from conv1dexplain.tensor import fmt_shape


def _facts(report: RunReport) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("input", f"{fmt_shape(tuple(report.input_shape))} from {report.data_source}")
    facts = report.facts
    grid.add_row("weights", f"{fmt_shape(tuple(facts.kernel_shape))}: {report.weights_source}")
    left, right, mode = facts.padding.left, facts.padding.right, facts.padding.padding_mode
    pad = f"{left} left, {right} right ({report.padding}"
    pad += f", {mode})" if mode != "zeros" else ")"
    if report.padding_equivalent is not None:  # an explicit (left, right): say it in PyTorch's terms
        pad = f"{left} left, {right} right: {report.padding_equivalent}"
    grid.add_row("padding", pad)
    if facts.activation:
        grid.add_row("activation", facts.activation)
    grid.add_row("output", f"{fmt_shape(tuple(report.output_shape))} {report.dtype}")
    if report.min is None or report.max is None or report.mean is None:
        grid.add_row("range", "none: the output holds no values (a batch of 0)")
    else:
        grid.add_row("range", f"min {report.min:.6g}, max {report.max:.6g}, mean {report.mean:.6g}")
    if report.output_file is not None:
        grid.add_row("written", f"{report.output_file} ({report.output_bytes:,} bytes)")
    return grid


def _preview(report: RunReport) -> Table:
    table = Table(box=None, padding=(0, 1))
    table.add_column("t", justify="right", style="dim")
    for channel in range(len(report.preview[0]) if report.preview else 0):
        table.add_column(f"ch {channel}", justify="right")
    for position, row in enumerate(report.preview):
        table.add_row(str(position), *(f"{v:.4g}" for v in row))
    return table


def render_run(report: RunReport, console: Console) -> None:
    """Print the run summary."""
    facts = report.facts
    console.print(Text(f"Conv1D run · {facts.labels.title} · {facts.data_format}", style="bold"))
    console.print(Padding(_facts(report), (0, 0, 1, 2), expand=False))
    if report.preview:
        console.print(Padding(Text("the first example's first positions and channels", style="dim"), (0, 0, 0, 2)))
        console.print(Padding(_preview(report), (0, 0, 0, 2), expand=False))
    if report.output_file is None:
        console.print(Text("(not written: add --output out.npy, .csv, .json or -)", style="dim"))
