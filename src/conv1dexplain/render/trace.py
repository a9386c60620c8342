"""Draw trace steps: the input with the window on it, the arithmetic, and the output being filled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from conv1dexplain.records import record
from conv1dexplain.render import strip
from conv1dexplain.render.strip import PAD_STYLE
from conv1dexplain.render.tap_table import tap_rows, tap_table
from conv1dexplain.report.trace import Step
from conv1dexplain.vocabulary import counted

if TYPE_CHECKING:
    from conv1dexplain.trace import Tracer

WIDE = 3  # channels shown as first 2 … last when there are more than this


@record(frozen=True)
class View:
    """What every step's drawing needs besides the step."""

    tracer: Tracer
    filter_index: int  # the filter whose arithmetic is shown in detail
    precision: int
    width: int  # console columns


def _num(value: float, precision: int, width: int = 0) -> str:
    return f"{value:.{precision}f}".rjust(width)


def _first(view: View) -> bool:
    return view.tracer.config.data_format == "channels_first"


def _unit(view: View, count: int | None = None) -> str:
    """What an input position is in the data's layout: a column of (C, L), a position of (L, C)."""
    noun = "column" if _first(view) else "position"
    return noun if count is None else counted(count, noun)


def _output_at(view: View, t: int, f: int | None = None) -> str:
    """An output element as the output array indexes it: [t, f] in (L, F), [f, t] in (F, L)."""
    if f is None:
        return f"output[:, {t}]" if _first(view) else f"output[{t}]"
    return f"output[{f}, {t}]" if _first(view) else f"output[{t}, {f}]"


def _channels(count: int) -> list[int | None]:
    """Channel indices to show: all, or the first two and the last with None for '…'."""
    if count <= WIDE:
        return list(range(count))
    return [0, 1, None, count - 1]


def _channel_choices(count: int) -> list[list[int | None]]:
    """Channels to show, from the most to the fewest (the table takes the first that fits)."""
    choices = [_channels(count)]
    fewer: list[list[int | None]] = [[0, None, count - 1], [0, None], [None]]
    for shown in fewer:  # a '…' only where it hides a channel
        if len({c for c in shown if c is not None}) < count and shown not in choices:
            choices.append(shown)
    return choices


def sequence_picture(view: View, step: Step) -> Text:
    """The input with the window's taps marked, and the output cells, each under its window."""
    return strip.sequence_picture(
        view.tracer.axis, view.tracer.output_length, step.output_index, step.input_indices, view.width
    )


def _reads(view: View, step: Step) -> Text:
    axis = view.tracer.axis
    words = Text(f"reads {_unit(view)}s {', '.join(map(str, step.input_indices))}")
    formula = f"{step.output_index}·{axis.strides} + j·{axis.dilation_rate} − {axis.pad_left}"
    words.append(f"  = t·s + j·d − pad_left = {formula}", style="dim")
    if step.padding_taps:
        mode = view.tracer.config.padding_mode
        filled = "zeros" if mode == "zeros" else f"{mode} padding"
        words.append(f"\ntaps {', '.join(map(str, step.padding_taps))} read padding ({filled})", style="dim")
    if view.tracer.config.padding == "causal":
        words.append(
            f"\ncausal: the last tap reads {_unit(view)} {step.input_indices[-1]} = t, never a later one", style="dim"
        )
    return words


def _cells(values: list[float], shown: list[int | None], precision: int, width: int) -> str:
    return " ".join("…" if c is None else _num(values[c], precision, width) for c in shown)


def arithmetic(view: View, step: Step, max_taps: int | None = None) -> Table:
    """Tap by tap: the position read, its values, the kernel's, and their dot product (at most
    max_taps lines of taps, the middle ones left out)."""
    p, f, first, channels = view.precision, step.filter_index, step.first_channel, step.channels
    grouped = view.tracer.config.groups > 1
    headers = (f"input channels {first}…{first + channels - 1}" if grouped else "input", f"× kernel[j, :, {f}]")
    taps = tap_rows(len(step.input_indices), max_taps)
    rows = view.tracer.taps(step, [j for j in taps if j is not None])

    def table_of(shown: list[int | None]) -> list[tuple[str, str, Text, str, str]]:
        table = []
        for tap in rows:
            width = p + 3 + tap.integer_digits
            values = Text(_cells(tap.values, shown, p, width), style=PAD_STYLE if tap.padding else "")
            table.append(
                (str(tap.tap), str(tap.input_index), values, _cells(tap.weights, shown, p, width), _num(tap.product, p))
            )
        return table

    choices = [table_of(shown) for shown in _channel_choices(channels)]
    return tap_table(headers, choices, taps, len(step.input_indices), view.width, unit=_unit(view))


def _activation_words(view: View, f: int) -> str:
    """What the activation does to filter f's sum, and which other sums it reads (softmax & co.)."""
    tracer = view.tracer
    activation, filters = tracer.config.activation, tracer.config.filters
    if tracer.activation_axis == "length":  # softmax & co. over the length: every window's sum
        return f" → {activation} over filter {f}'s {tracer.output_length} positions (every window's sum)"
    if activation == "glu":  # over the filters (channels_first refuses it): filter f + F/2 gates filter f
        return f" → glu: × sigmoid(filter {f + filters // 2}'s sum + bias)"
    if tracer.activation_axis == "channels":
        return f" → {activation} over the {filters} filters' sums here"
    return "" if activation in (None, "linear") else f" → {activation}"


def _result(view: View, step: Step) -> Text:
    p = view.precision
    text = Text(f"sum {_num(step.sum, p)}")
    if step.bias is not None:
        text.append(f" + bias {_num(step.bias, p)} = {_num(step.sum_with_bias, p)}")
    text.append(_activation_words(view, step.filter_index))
    if step.output is not None:
        text.append(f" → {_output_at(view, step.output_index, step.filter_index)} = ")
        text.append(_num(step.output, p), style="bold")
    return text


def _all_outputs(view: View, step: Step) -> Text:
    count = len(step.outputs)
    values = " ".join("…" if c is None else _num(float(step.outputs[c]), view.precision) for c in _channels(count))
    return Text(f"all {count} output channels at t={step.output_index}: {values}", style="dim")


@record(frozen=True)
class StepParts:
    """The pieces of one step's drawing, for the stepper to fit to the terminal's height."""

    title: Text
    picture: RenderableType
    reads: Text
    table: Table
    result: Text
    all_outputs: Text | None

    def all(self) -> list[RenderableType]:
        """Every piece, top to bottom."""
        parts = [self.title, self.picture, self.reads, self.table, self.result, self.all_outputs]
        return [part for part in parts if part is not None]


def step_parts(view: View, step: Step, max_taps: int | None = None) -> StepParts:
    """The drawing of one step in pieces (at most max_taps lines of taps)."""
    tracer = view.tracer
    title = Text(_output_at(view, step.output_index), style="bold")
    title.append(f" · step {step.output_index + 1} of {tracer.output_length} · filter {step.filter_index}", style="dim")
    # (one output channel: the result line says it all)
    all_outputs = _all_outputs(view, step) if len(step.outputs) > 1 else None
    return StepParts(
        title,
        sequence_picture(view, step),
        _reads(view, step),
        arithmetic(view, step, max_taps),
        _result(view, step),
        all_outputs,
    )


def step_view(view: View, step: Step) -> RenderableType:
    """The full drawing of one step."""
    return Group(*step_parts(view, step).all())


COMPACT_LISTED = 12  # a window of more taps lists its first and last five: one line a step stays one line


def _listed(values: Sequence[int], separator: str) -> str:
    """The values joined, or the first and last five around an ellipsis when there are many."""
    shown: list[int | str] = [*values] if len(values) <= COMPACT_LISTED else [*values[:5], "…", *values[-5:]]
    return separator.join(map(str, shown))


def compact_line(view: View, step: Step) -> Text:
    """One line per step, for long sequences."""
    p = view.precision
    text = Text(f"t={step.output_index:<4} {_unit(view)}s {_listed(step.input_indices, ' ')}")
    if step.padding_taps:
        text.append(f" (pad taps {_listed(step.padding_taps, ',')})", style=PAD_STYLE)
    if step.output is not None:
        text.append(f" → {_output_at(view, step.output_index, step.filter_index)} = {_num(step.output, p)}")
    if len(step.outputs) > 1:
        text.append(f"  all: {' '.join(_num(float(v), p) for v in step.outputs[:4])}", style="dim")
        text.append(" …" if len(step.outputs) > 4 else "", style="dim")
    return text


def header(view: View, code: str, example: int, data_source: str, weights_source: str) -> Text:
    """What is being traced."""
    tracer = view.tracer
    text = Text(f"Trace · {code}\n", style="bold")
    text.append(f"example {example} of the input ({data_source}); weights: {weights_source}\n", style="dim")
    axis = tracer.axis
    positions = counted(tracer.output_length, "output position")
    text.append(
        f"{positions}; padding {axis.pad_left} left, {axis.pad_right} right; "
        f"the window steps {_unit(view, axis.strides)}\n",
        style="dim",
    )
    return text
