"""What the explorer shows, as one plain record: the layer as code, its shapes and counts as
`shape` writes them (the same report), and the strip of input positions (padding, the window's taps
and the dilation gaps between them) with each output position under its window. The strip holds
only the columns that fit, following the window. Pure: no terminal, no rich."""

from __future__ import annotations

from conv1dexplain.conventions import convention
from conv1dexplain.explore.keys import window_words
from conv1dexplain.explore.knobs import Knobs, command_line, outcome
from conv1dexplain.geometry import Axis
from conv1dexplain.records import NamedTuple
from conv1dexplain.report.shape import build_shape_report
from conv1dexplain.tensor import fmt_shape

ROWS_SHOWN = 3  # channel and filter rows drawn: the first ones and the last, the rest elided


class Column(NamedTuple):
    """One input position of the strip (padding included) and what sits under it."""

    position: int  # < 0 or ≥ L: padding
    padding: bool
    tap: bool  # the current window reads it
    gap: bool  # inside the current window's span, between taps (dilation)
    output: int | None  # the output position whose window is centred here
    tick: int | None  # a ruler number starting here


class Screen(NamedTuple):
    """One frame's content."""

    knobs: Knobs
    title: str
    code: str | None
    shapes: str | None  # "input (None, 50, 300) → output (None, 50, 100)"
    weights: str | None  # "kernel (4, 300, 100) · bias (100,) · params 4 × 300 × 100 + 100 = 120,100"
    counts: str | None  # "padding 1 left, 2 right · span 4 · MACs 6,000,000 per example"
    columns: tuple[Column, ...]
    cut_left: int  # input positions of the strip left out before the first column shown
    cut_right: int
    channel_rows: tuple[str, ...]  # "c0", "c1", "⋮ 296 more", "c299"
    read_rows: tuple[bool, ...]  # whether filter 0 reads that channel row (its group)
    filter_rows: tuple[str, ...]
    window: str | None  # "output 0 reads input positions -1, 0, 1, 2 (1 padding)"
    error: tuple[str, str] | None  # the framework's refusal: message and hint
    said: str
    command: str


def screen(knobs: Knobs, said: str, width: int) -> Screen:
    """The frame for these knobs, its strip fitted to `width` columns of cells."""
    state = outcome(knobs)
    title = f"conv1dexplain explore · {_title(knobs)}"
    if state.plan is None:
        assert state.error is not None
        error = (state.error.message, state.error.hint)
        return Screen(
            knobs, title, None, None, None, None, (), 0, 0, (), (), (), None, error, said, command_line(knobs)
        )
    plan = state.plan
    report = build_shape_report(plan, None)
    facts = report.facts
    shapes = f"input {fmt_shape(tuple(facts.input_shape))} → output {fmt_shape(tuple(facts.output_shape))}"
    weights = (
        f"{facts.labels.kernel_name} {fmt_shape(tuple(facts.kernel_shape))}"
        + (f" · bias {fmt_shape(tuple(facts.bias_shape))}" if facts.bias_shape else " · no bias")
        + f" · params {report.params_arithmetic}"
    )
    counts = (
        f"padding {facts.padding.left} left, {facts.padding.right} right · span {plan.axis.span} · "
        f"MACs {facts.macs:,} per example"
    )
    columns, cut_left, cut_right = _strip(knobs, width)
    channels, read = _rows("c", knobs.channels, knobs.channels // knobs.groups)
    filters, _ = _rows("f", knobs.filters, knobs.filters)
    return Screen(
        knobs,
        title,
        report.code,
        shapes,
        weights,
        counts,
        columns,
        cut_left,
        cut_right,
        channels,
        read,
        filters,
        window_words(state, knobs.position) + _group_words(knobs),
        None,
        said,
        command_line(knobs),
    )


def _group_words(knobs: Knobs) -> str:
    """'; filter 0 reads channels 0–74 (group 1 of 4)' for a grouped layer."""
    if knobs.groups == 1:
        return ""
    per = knobs.channels // knobs.groups
    return f"; filter 0 reads channels 0–{per - 1} (group 1 of {knobs.groups})"


def _title(knobs: Knobs) -> str:
    return f"{convention(knobs.framework).title} · {knobs.input_text} ({convention(knobs.framework).default_layout})"


def _rows(prefix: str, count: int, read: int) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """Row labels: all of them if few, else the first ones, how many are left out, and the last."""
    if count <= ROWS_SHOWN + 1:
        indices: list[int | None] = list(range(count))
    else:
        indices = [*range(ROWS_SHOWN - 1), None, count - 1]
    labels = tuple(f"{prefix}{i}" if i is not None else f"⋮ {count - ROWS_SHOWN} more" for i in indices)
    return labels, tuple(i is not None and i < read for i in indices)


def _strip(knobs: Knobs, width: int) -> tuple[tuple[Column, ...], int, int]:
    """The columns shown: every input position (padding included) if they fit, else a run of
    `width` of them that holds the current window, and how many are cut on each side."""
    plan = outcome(knobs).plan
    assert plan is not None
    axis = plan.axis
    first, last = -axis.pad_left, axis.length + axis.pad_right - 1  # the padded sequence
    taps = set(axis.input_positions(knobs.position))
    start = knobs.position * axis.strides - axis.pad_left
    end = start + axis.span - 1
    room = max(1, width)
    shown_first = first
    if last - first + 1 > room:  # follow the window: keep it in view, centred when it can be
        middle = (start + end) // 2
        shown_first = min(max(first, middle - room // 2), last - room + 1)
    shown_last = min(last, shown_first + room - 1)
    centre = (axis.span - 1) // 2
    outputs = {t * axis.strides - axis.pad_left + centre: t for t in _outputs_in(axis, shown_first, shown_last)}
    columns = tuple(
        Column(
            p,
            p < 0 or p >= axis.length,
            p in taps,
            start <= p <= end and p not in taps,
            outputs.get(p),
            p if p % 10 == 0 and p >= 0 else None,
        )
        for p in range(shown_first, shown_last + 1)
    )
    return columns, shown_first - first, last - shown_last


def _outputs_in(axis: Axis, first: int, last: int) -> range:
    """The output positions whose window centre falls in [first, last]."""
    strides, pad_left, count = axis.strides, axis.pad_left, axis.output_length
    centre = (axis.span - 1) // 2
    low = max(0, -(-(first + pad_left - centre) // strides))
    high = min(count - 1, (last + pad_left - centre) // strides)
    return range(low, high + 1)
