"""Draw trace steps: the input with the window on it, the arithmetic, and the output being filled."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from conv1dexplain.render import strip
from conv1dexplain.render.strip import PAD_STYLE
from conv1dexplain.trace import Step, Tracer
from conv1dexplain.vocabulary import counted

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


def _channels(count: int) -> list[int | None]:
    """Channel indices to show: all, or the first two and the last with None for '…'."""
    if count <= WIDE:
        return list(range(count))
    return [0, 1, None, count - 1]


def sequence_picture(view: View, step: Step) -> Text:
    """The input with the window's taps marked, and the output cells, each under its window."""
    return strip.sequence_picture(view.tracer.axis, view.tracer.output_length, step.output_index, view.width)


def _reads(view: View, step: Step) -> Text:
    axis = view.tracer.axis
    words = Text(f"reads rows {', '.join(map(str, step.input_indices))}")
    formula = f"{step.output_index}·{axis.strides} + j·{axis.dilation_rate} − {axis.pad_left}"
    words.append(f"  = t·s + j·d − pad_left = {formula}", style="dim")
    if step.padding_taps:
        mode = view.tracer.spec.padding_mode
        filled = "zeros" if mode == "zeros" else f"{mode} padding"
        words.append(f"\ntaps {', '.join(map(str, step.padding_taps))} read padding ({filled})", style="dim")
    if view.tracer.spec.padding == "causal":
        words.append(f"\ncausal: the last tap reads row {step.input_indices[-1]} = t, never a later one", style="dim")
    return words


def arithmetic(view: View, step: Step) -> Table:
    """Tap by tap: the row read, its values, the kernel's, and their dot product."""
    tracer, p, f = view.tracer, view.precision, view.filter_index
    spec = tracer.spec
    cg = spec.channels_per_group
    group = f // (spec.filters // spec.groups)
    first_channel = group * cg
    shown = _channels(cg)
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
    table.add_column("tap", justify="right")
    table.add_column("row", justify="right")
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


def _result(view: View, step: Step) -> Text:
    tracer, p, f = view.tracer, view.precision, view.filter_index
    total = float(step.sums[f])
    text = Text(f"sum {_num(total, p)}")
    if tracer.spec.use_bias:
        text.append(f" + bias {_num(float(tracer.bias[f]), p)} = {_num(total + float(tracer.bias[f]), p)}")
    activation = tracer.spec.activation
    if f < step.outputs.shape[0]:
        if activation not in (None, "linear"):
            text.append(f" → {activation}")
        text.append(f" → output[{step.output_index}, {f}] = ")
        text.append(_num(float(step.outputs[f]), p), style="bold")
    return text


def _all_outputs(view: View, step: Step) -> Text:
    shown = _channels(step.outputs.shape[0])
    values = " ".join("…" if c is None else _num(float(step.outputs[c]), view.precision) for c in shown)
    return Text(f"all {step.outputs.shape[0]} output channels at t={step.output_index}: {values}", style="dim")


def step_view(view: View, step: Step) -> RenderableType:
    """The full drawing of one step."""
    tracer = view.tracer
    title = Text(f"output[{step.output_index}]", style="bold")
    title.append(f" · step {step.output_index + 1} of {tracer.output_length} · filter {view.filter_index}", style="dim")
    parts: list[RenderableType] = [title, sequence_picture(view, step), _reads(view, step), arithmetic(view, step),
                                   _result(view, step)]  # fmt: skip
    if step.outputs.shape[0] > 1:  # (one output channel: the result line above says it all)
        parts.append(_all_outputs(view, step))
    return Group(*parts)


def compact_line(view: View, step: Step) -> Text:
    """One line per step, for long sequences."""
    p, f = view.precision, view.filter_index
    text = Text(f"t={step.output_index:<5} rows {' '.join(map(str, step.input_indices))}")
    if step.padding_taps:
        text.append(f" (pad taps {','.join(map(str, step.padding_taps))})", style=PAD_STYLE)
    if f < step.outputs.shape[0]:
        text.append(f"  → out[{f}] = {_num(float(step.outputs[f]), p)}")
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
                f"the window moves {counted(axis.strides, 'row')} per step\n", style="dim")  # fmt: skip
    return text
