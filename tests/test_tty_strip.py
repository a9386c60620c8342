"""The output strip under the input strip: every output cell sits under the centre of its window."""

from __future__ import annotations

import io
import itertools
import re
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from conv1dexplain.geometry import Axis
from conv1dexplain.render.trace import sequence_picture

TOKEN = re.compile(r"░+|-?\d+")


def _lines(axis: Axis, t: int, width: int) -> list[str]:
    """The strips of step t as the trace draws them (only the geometry of the layer is needed)."""
    tracer = SimpleNamespace(axis=axis, output_length=axis.output_length)
    step = SimpleNamespace(output_index=t, input_indices=axis.input_positions(t))
    view = SimpleNamespace(tracer=tracer, width=width)
    buffer = io.StringIO()
    Console(file=buffer, width=width, no_color=True, highlight=False).print(sequence_picture(view, step))
    return buffer.getvalue().split("\n")[:4]


def _tokens(line: str) -> list[tuple[int, int, str]]:
    """(first column, last column, text) of each cell label after the row name."""
    return [(m.start(), m.end() - 1, m.group()) for m in TOKEN.finditer(line, 7)]


@st.composite
def layers(draw: st.DrawFn) -> tuple[Axis, int, int]:
    kernel_size = draw(st.integers(1, 9))
    dilation_rate = draw(st.integers(1, 5))
    strides = draw(st.integers(1, 4))
    span = dilation_rate * (kernel_size - 1) + 1
    length = draw(st.integers(1, 70))  # 80 columns hold 17–23 cells: both sides of the cut
    kind = draw(st.sampled_from(["valid", "same", "causal", "int", "int-wide"]))
    if kind == "valid":
        pads = (0, 0)
    elif kind == "same":  # Keras' split: the odd one on the right
        total = max(0, ((length + strides - 1) // strides - 1) * strides + span - length)
        pads = (total // 2, total - total // 2)
    elif kind == "causal":
        pads = (span - 1, 0)
    else:
        pad = draw(st.integers(0, 3 if kind == "int" else 40))
        pads = (pad, pad)
    length = max(length, span - sum(pads))  # the window has to fit
    axis = Axis(length, kernel_size, strides, dilation_rate, *pads)
    t = draw(st.integers(0, axis.output_length - 1))
    width = draw(st.sampled_from([40, 60, 80, 81, 100, 200]))
    return axis, t, width


def _cell(axis: Axis) -> int:
    """The widest label any row can hold: every cell is that wide."""
    labels = (-axis.pad_left, axis.length + axis.pad_right - 1, axis.kernel_size - 1, axis.output_length - 1)
    return max(len(str(label)) for label in labels)


def _zero_end(inputs: list[tuple[int, int, str]], lines: list[str], axis: Axis, t: int, step: int) -> int | None:
    """The column where input position 0's cell ends (labels are right-aligned), read off the drawing."""
    ends = [last for _, last, _ in inputs]
    assert all(b - a == step for a, b in itertools.pairwise(ends)), "input cells are evenly spaced"
    for end, (_, _, text) in zip(ends, inputs, strict=True):
        if text.lstrip("-").isdigit():
            return end - int(text) * step
    taps = axis.input_positions(t)
    for _, last, text in _tokens(lines[1]):  # a tap mark ends where its cell ends
        return last - taps[int(text)] * step
    if not lines[0][7:].lstrip().startswith("…"):  # not cut on the left: the first cell is the first padding row
        return ends[0] + axis.pad_left * step
    return None


@settings(max_examples=400, deadline=None)
@given(layers())
def test_every_output_cell_sits_under_the_centre_of_its_window(layer: tuple[Axis, int, int]) -> None:
    axis, t, width = layer
    lines = _lines(axis, t, width)
    assert max(len(line) for line in lines) <= width
    assert lines[0].startswith("input") and lines[2].startswith("output")
    inputs = _tokens(lines[0])
    cell = _cell(axis)
    step = cell + 1
    zero = _zero_end(inputs, lines, axis, t, step)
    if zero is None:
        return  # only padding drawn and no tap on it: nothing to measure the columns by
    for _, last, text in inputs:  # the anchor explains every input cell
        position = (last - zero) // step
        assert last == zero + position * step
        assert text == ("░" * cell if position < 0 or position >= axis.length else str(position))
    outputs = [(first, last, int(text)) for first, last, text in _tokens(lines[2])]
    assert outputs, "output t at least is drawn"
    indices = [o for _, _, o in outputs]
    assert indices == list(range(indices[0], indices[-1] + 1)) and t in indices
    assert lines[2][7:].lstrip().startswith("…") == (indices[0] > 0)
    assert lines[2].rstrip().endswith("…") == (indices[-1] < axis.output_length - 1)
    for _, last, o in outputs:
        taps = axis.input_positions(o)  # t·s + j·d − pad_left, the window's cells
        window = (zero + taps[0] * step - cell + 1, zero + taps[-1] * step)
        assert window[0] <= last <= window[1], f"output {o} ends at column {last}, its window spans {window}"
        centre = (window[0] + window[1]) / 2
        assert last - cell + 1 <= centre <= last + 0.5, f"output {o} is not under its window's centre {centre}"
    arrow = [m.start() for m in re.finditer("▲", lines[3])]
    (now_last,) = [last for _, last, o in outputs if o == t]
    assert arrow == [now_last], "one ▲, under output t"


def test_the_issues_strided_example_puts_output_5_under_rows_10_to_12() -> None:
    axis = Axis(12, 3, 2, 1, 0, 1)  # --input 12x1 -k 3 -s 2 -p same: padding 0 left, 1 right
    lines = _lines(axis, 5, 80)
    arrow = lines[3].index("▲")
    columns = {text: (first, last) for first, last, text in _tokens(lines[0])}
    assert columns["10"][0] <= arrow <= columns["░░"][1]
    assert columns["11"][0] <= arrow <= columns["11"][1], "under the window's middle row"


def test_ten_to_twelve_outputs_are_not_packed_under_wider_cells() -> None:
    axis = Axis(12, 3, 1, 1, 1, 1)  # same padding, stride 1: output t under input t
    lines = _lines(axis, 0, 80)
    inputs = {text: last for _, last, text in _tokens(lines[0])}
    outputs = {text: last for _, last, text in _tokens(lines[2])}
    assert all(outputs[str(t)] == inputs[str(t)] for t in range(12))
