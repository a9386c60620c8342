"""Draw trace steps: the input with the window on it, the arithmetic, and the output being filled."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from conv1dexplain.trace import Step, Tracer
from conv1dexplain.vocabulary import counted

PAD_STYLE = "dim"
TAP_STYLE = "bold black on yellow"
DONE_STYLE = "green"
NOW_STYLE = "bold black on green"
EDGE = 3  # cells shown beyond the window when the sequence is too long to draw whole
WIDE = 3  # channels shown as first 2 … last when there are more than this


@dataclass(frozen=True)
class View:
    """What every step's drawing needs besides the step."""

    tracer: Tracer
    filter_index: int  # the filter whose arithmetic is shown in detail
    precision: int
    width: int  # console columns


def _num(value: float, precision: int, width: int = 0) -> str:
    return f"{value:.{precision}f}".rjust(width)


def _first(view: View) -> bool:
    return view.tracer.spec.data_format == "channels_first"


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


def _cells(lo: int, hi: int, style_of: dict[int, str], label_width: int, pad: tuple[int, int]) -> Text:
    """Positions lo … hi−1 as index cells; padding cells drawn as ░."""
    text = Text()
    for position in range(lo, hi):
        is_pad = position < pad[0] or position >= pad[1]
        label = "░" * label_width if is_pad else str(position).rjust(label_width)
        text.append(label, style=style_of.get(position, PAD_STYLE if is_pad else ""))
        text.append(" ")
    return text


def _marks(lo: int, hi: int, marks: dict[int, str], label_width: int) -> Text:
    """A row under the cells: a mark under the marked positions (readable without colour)."""
    return Text("".join(marks.get(p, "").rjust(label_width) + " " for p in range(lo, hi)), style="bold")


def _span(lo: int, hi: int, focus: tuple[int, int], room: int) -> tuple[int, int]:
    """The part of lo … hi−1 to draw: all of it, or `room` cells around the focus."""
    if hi - lo <= room:
        return lo, hi
    left = max(lo, min(focus[0] - EDGE, hi - room))
    right = min(hi, max(left + room, focus[1] + EDGE + 1))
    return max(lo, right - room), right


def sequence_picture(view: View, step: Step) -> Table:
    """The input (padding included) with the window's taps marked j = 0 … k−1, and the output so far."""
    tracer = view.tracer
    axis = tracer.axis
    taps = step.input_indices
    lo, hi = -axis.pad_left, axis.length + axis.pad_right
    label_width = max(len(str(lo)), len(str(hi - 1)), len(str(axis.kernel_size - 1)))
    left, right = _span(lo, hi, (taps[0], taps[-1]), max(8, (view.width - 12) // (label_width + 1)))
    cells = _cells(left, right, dict.fromkeys(taps, TAP_STYLE), label_width, (0, axis.length))
    tap_marks = _marks(left, right, {p: str(j) for j, p in enumerate(taps)}, label_width)
    t, length = step.output_index, tracer.output_length
    out_width = len(str(length - 1))
    o_left, o_right = _span(0, length, (t, t), max(8, (view.width - 12) // (out_width + 1)))
    done = dict.fromkeys(range(o_left, t), DONE_STYLE) | {t: NOW_STYLE}
    outputs = _cells(o_left, o_right, done, out_width, (0, length))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, overflow="crop")
    grid.add_column(no_wrap=True)
    more = ("… " if left > lo else "", "…" if right < hi else "")
    grid.add_row("input", more[0], cells, more[1])
    grid.add_row("tap j", "", tap_marks, "")
    more = ("… " if o_left > 0 else "", "…" if o_right < length else "")
    grid.add_row("output", more[0], outputs, more[1])
    grid.add_row("", "", _marks(o_left, o_right, {t: "▲"}, out_width), "")
    return grid


def _reads(view: View, step: Step) -> Text:
    axis = view.tracer.axis
    words = Text(f"reads {_unit(view)}s {', '.join(map(str, step.input_indices))}")
    formula = f"{step.output_index}·{axis.strides} + j·{axis.dilation_rate} − {axis.pad_left}"
    words.append(f"  = t·s + j·d − pad_left = {formula}", style="dim")
    if step.padding_taps:
        mode = view.tracer.spec.padding_mode
        filled = "zeros" if mode == "zeros" else f"{mode} padding"
        words.append(f"\ntaps {', '.join(map(str, step.padding_taps))} read padding ({filled})", style="dim")
    if view.tracer.spec.padding == "causal":
        words.append(f"\ncausal: the last tap reads {_unit(view)} {step.input_indices[-1]} = t, never a later one",
                     style="dim")  # fmt: skip
    return words


def arithmetic(view: View, step: Step) -> Table:
    """Tap by tap: the position read, its values, the kernel's, and their dot product."""
    tracer, p, f = view.tracer, view.precision, view.filter_index
    spec = tracer.spec
    cg = spec.channels_per_group
    group = f // (spec.filters // spec.groups)
    first_channel = group * cg
    shown = _channels(cg)
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
    table.add_column("tap", justify="right")
    table.add_column(_unit(view), justify="right")
    table.add_column(f"input channels {first_channel}…{first_channel + cg - 1}" if spec.groups > 1 else "input",
                     justify="right", no_wrap=True)  # fmt: skip
    table.add_column(f"× kernel[j, :, {f}]", justify="right", no_wrap=True)
    table.add_column("= Σ", justify="right")
    for j, position in enumerate(step.input_indices):
        values = step.window[j, first_channel : first_channel + cg]
        weights = tracer.kernel[j, :, f]
        width = (
            p + 3 + max(1, len(str(int(abs(max(values.max(), -values.min(), weights.max(), -weights.min(), key=abs))))))
        )
        cells_x = " ".join("…" if c is None else _num(values[c], p, width) for c in shown)
        cells_w = " ".join("…" if c is None else _num(weights[c], p, width) for c in shown)
        style = PAD_STYLE if j in step.padding_taps else ""
        table.add_row(str(j), str(position), Text(cells_x, style=style), cells_w,
                      _num(float(values.astype("float64") @ weights.astype("float64")), p))  # fmt: skip
    return table


def _activation_words(view: View) -> str:
    """What the activation does to this sum, and which other sums it reads (softmax & co.)."""
    tracer, f = view.tracer, view.filter_index
    activation, filters = tracer.spec.activation, tracer.spec.filters
    if tracer.activation_axis == "length":  # softmax & co. over the length: every window's sum
        return f" → {activation} over filter {f}'s {tracer.output_length} positions (every window's sum)"
    if activation == "glu":  # over the filters (channels_first refuses it): filter f + F/2 gates filter f
        return f" → glu: × sigmoid(filter {f + filters // 2}'s sum + bias)"
    if tracer.activation_axis == "channels":
        return f" → {activation} over the {filters} filters' sums here"
    return "" if activation in (None, "linear") else f" → {activation}"


def _result(view: View, step: Step) -> Text:
    tracer, p, f = view.tracer, view.precision, view.filter_index
    total = float(step.sums[f])
    text = Text(f"sum {_num(total, p)}")
    if tracer.spec.use_bias:
        text.append(f" + bias {_num(float(tracer.bias[f]), p)} = {_num(total + float(tracer.bias[f]), p)}")
    text.append(_activation_words(view))
    if f < step.outputs.shape[0]:
        text.append(f" → {_output_at(view, step.output_index, f)} = ")
        text.append(_num(float(step.outputs[f]), p), style="bold")
    return text


def _all_outputs(view: View, step: Step) -> Text:
    shown = _channels(step.outputs.shape[0])
    values = " ".join("…" if c is None else _num(float(step.outputs[c]), view.precision) for c in shown)
    return Text(f"all {step.outputs.shape[0]} output channels at t={step.output_index}: {values}", style="dim")


def step_view(view: View, step: Step) -> RenderableType:
    """The full drawing of one step."""
    tracer = view.tracer
    title = Text(_output_at(view, step.output_index), style="bold")
    title.append(f" · step {step.output_index + 1} of {tracer.output_length} · filter {view.filter_index}", style="dim")
    parts: list[RenderableType] = [title, sequence_picture(view, step), _reads(view, step), arithmetic(view, step),
                                   _result(view, step)]  # fmt: skip
    if step.outputs.shape[0] > 1:  # (one output channel: the result line above says it all)
        parts.append(_all_outputs(view, step))
    return Group(*parts)


def compact_line(view: View, step: Step) -> Text:
    """One line per step, for long sequences."""
    p, f = view.precision, view.filter_index
    text = Text(f"t={step.output_index:<4} {_unit(view)}s {' '.join(map(str, step.input_indices))}")
    if step.padding_taps:
        text.append(f" (pad taps {','.join(map(str, step.padding_taps))})", style=PAD_STYLE)
    if f < step.outputs.shape[0]:
        text.append(f" → {_output_at(view, step.output_index, f)} = {_num(float(step.outputs[f]), p)}")
    if step.outputs.shape[0] > 1:
        text.append(f"  all: {' '.join(_num(float(v), p) for v in step.outputs[:4])}", style="dim")
        text.append(" …" if step.outputs.shape[0] > 4 else "", style="dim")
    return text


def header(view: View, code: str, example: int, data_source: str, weights_source: str) -> Text:
    """What is being traced."""
    tracer = view.tracer
    text = Text(f"Trace · {code}\n", style="bold")
    text.append(f"example {example} of the input ({data_source}); weights: {weights_source}\n", style="dim")
    axis = tracer.axis
    positions = counted(tracer.output_length, "output position")
    text.append(f"{positions}; padding {axis.pad_left} left, {axis.pad_right} right; "
                f"the window steps {_unit(view, axis.strides)}\n", style="dim")  # fmt: skip
    return text
