"""Draw a ShapeReport as tables and short paragraphs that read well at 80 columns."""

from __future__ import annotations

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from conv1dexplain.report.shape import ShapeReport, Window
from conv1dexplain.tensor import fmt_shape
from conv1dexplain.vocabulary import counted


def _axes(report: ShapeReport, last: str) -> str:
    """'batch × length × channels' in the report's data format."""
    if report.facts.data_format == "channels_last":
        return f"batch × length × {last}"
    return f"batch × {last} × length"


def _facts(report: ShapeReport) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(style="dim")
    facts, labels = report.facts, report.facts.labels
    grid.add_row("input", fmt_shape(tuple(facts.input_shape)), _axes(report, "channels"))
    grid.add_row("output", fmt_shape(tuple(facts.output_shape)), _axes(report, labels.filters_name))
    grid.add_row(labels.kernel_name, fmt_shape(tuple(facts.kernel_shape)), labels.kernel_axes)
    grid.add_row("", fmt_shape(tuple(report.other_framework.kernel_shape)), labels.other_kernel)
    bias = "none" if facts.bias_shape is None else fmt_shape(tuple(facts.bias_shape))
    grid.add_row("bias", bias, "one per filter")
    grid.add_row("params", report.params_arithmetic, "")
    pad = facts.padding
    setting = pad.mode if pad.value is None else f"padding={pad.value}"
    grid.add_row(
        "padding",
        f"{pad.left} left, {pad.right} right",
        setting + (f", {pad.padding_mode}" if pad.padding_mode != "zeros" else ""),
    )
    grid.add_row("span", counted(facts.receptive_field, "position"), "input positions one output sees")
    grid.add_row("MACs", f"{facts.macs:,}", "multiply-adds per example, bias excluded")
    grid.add_row("FLOPs", f"{facts.flops:,}", "2 × MACs")
    return grid


# Sequence positions are the input's rows in (L, C) and its columns in (C, L).
_POSITIONS = {"channels_last": "rows", "channels_first": "columns"}


def _windows(windows: list[Window], positions: str) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, justify="right")
    grid.add_column()
    for window in windows:
        grid.add_row(f"output[{window.output_index}] ← {positions}", _window_line(window))
    return grid


def _window_line(window: Window) -> Text:
    if window.input_indices is None or window.padding_taps is None:
        reads_padding = window.padding_before + window.padding_after
        return Text(
            f"{window.first_input_index}, {window.first_input_index + window.step}, …, {window.last_input_index}"
            + (f"   ({reads_padding:,} taps read padding)" if reads_padding else "")
        )
    text = Text()
    for j, position in enumerate(window.input_indices):
        text.append(("" if j == 0 else " ") + str(position), style="dim italic" if j in window.padding_taps else "")
    padded = [window.input_indices[j] for j in window.padding_taps]
    if padded:
        text.append(f"   ({', '.join(map(str, padded))} {'is' if len(padded) == 1 else 'are'} padding)", style="dim")
    return text


def _indent(body: Text | Table | Group) -> Padding:
    return Padding(body, (0, 0, 1, 2), expand=False)


def _section(title: str, *body: Text | Table) -> Group:
    return Group(Text(title, style="bold underline"), _indent(Group(*body)))


def _bullets(items: list[str]) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for item in items:
        grid.add_row("•", item)
    return grid


def render_shape(report: ShapeReport, console: Console) -> None:
    """Print the whole answer for one layer."""
    facts = report.facts
    title = Text(f"Conv1D · {facts.labels.title} · {facts.data_format}", style="bold")
    console.print(title)
    console.print(_indent(Text(report.code, style="cyan")))
    console.print(_indent(_facts(report)))
    console.print(
        _section(
            "Output length",
            *(Text(line) for line in report.output_length_formula),
            Text(facts.padding.reason, style="dim"),
        )
    )
    console.print(_section(f"What {facts.labels.filters_name} and kernel_size do", Text(report.explanation)))
    positions = _POSITIONS[facts.data_format]
    console.print(_section(f"Which input {positions} each output position reads", _windows(report.windows, positions)))
    other = report.other_framework
    console.print(
        _section(f"In {facts.labels.other_title}", Text(other.code, style="cyan"), Text(other.layout, style="dim"))
    )
    console.print(_section("Notes", _bullets(report.notes)))
    if report.check is not None:
        ok = report.check.status.startswith("confirmed")
        mark = "✓ " if ok else ("– " if report.check.status == "skipped" else "✗ ")
        console.print(Text(mark + report.check.note, style="green" if ok else "yellow"))
