"""The engine's choice of algorithm for one call: a pure function of the layer's description and
the limits, returning a frozen Choice. Each algorithm's own rule is its module's applies(); the
order below is the order in which they are asked."""

from __future__ import annotations

from conv1dexplain import records
from conv1dexplain.engine import depthwise_rows, in_place, input_taps, per_tap, polyphase, tap_stack, unfold_first
from conv1dexplain.engine.layer import LayerShape
from conv1dexplain.engine.limits import DEFAULT_LIMITS, Limits
from conv1dexplain.records import record


@record(frozen=True)
class Choice:
    """How one call goes: the algorithm (its name, as convolve's `paths` records it) and, for the
    chunked algorithms, the chunks and the layout of their products. Grouped layers: `group` is
    the choice for each group, all alike."""

    algorithm: str
    group: Choice | None = None
    depthwise: bool = False
    per_tap: bool = False
    tap_stack: bool = False
    rows_in_place: bool = False  # tap-stacked products straight off the input rows
    phases: int = 1  # output positions a product row (polyphase rows)
    inside: bool = False  # windows read in place
    flat: bool = False  # … all examples as one long sequence
    interleave: int = 1  # … in this many products
    tap_count: int = 1  # tap-stacked: taps (of s rows with stride s) …
    tap_step: int = 1  # … this many product rows apart
    reach: int = 1  # input rows one window reads
    segment: int = 1  # input rows one row of P positions reads
    batch_block: int = 1  # examples a chunk
    positions: int = 1  # output positions a chunk
    rows: int = 1  # input rows a chunk reads
    threads: int = 1  # threads the chunks are shared between


def choose(layer: LayerShape, limits: Limits = DEFAULT_LIMITS) -> Choice:
    """The algorithm for this call, asked in order: input taps, taps unfolded along L, depthwise
    rows, one convolution per group, then the chunked algorithms (chunked())."""
    if input_taps.applies(layer, limits):
        return Choice("input taps only")
    if unfold_first.applies(layer, limits):
        return Choice("taps unfolded along L")
    if depthwise_rows.applies(layer, limits):
        return Choice("depthwise rows", depthwise=True, threads=limits.threads)
    if layer.groups > 1 and not layer.depthwise:  # grouped: one ordinary convolution per group
        cg, fg = layer.kernel_channels, layer.filters // layer.groups
        one = records.replace(layer, channels=cg, kernel_channels=cg, filters=fg, groups=1)
        return Choice("grouped", group=choose(one, limits))
    return chunked(layer, limits)


def chunked(layer: LayerShape, limits: Limits) -> Choice:
    """The algorithms that fill the output chunk by chunk: one product per tap, tap-stacked
    products, depthwise einsum, windows read in place, im2col; polyphase rows for narrow F."""
    taps = per_tap.applies(layer, limits)
    stacked = stacks(layer, limits, taps)
    phases = phase_count(layer, limits, taps or stacked)
    if not exact(layer, phases, stacked):
        phases, stacked = 1, False
    return laid_out(layer, limits, taps, stacked, phases)


def stacks(layer: LayerShape, limits: Limits, taps: bool) -> bool:
    """Whether the layer takes tap-stacked products: with a stride, windows read in place beat them."""
    if layer.depthwise or taps or not tap_stack.applies(layer, limits):
        return False
    return layer.strides == 1 or not in_place.reads(layer, limits, 1).inside


def phase_count(layer: LayerShape, limits: Limits, other: bool) -> int:
    """Output positions a product row: 1 unless polyphase rows pay (never for one product per
    tap, tap-stacked products, depthwise layers, or into one group's columns of the output, where
    P positions side by side do not fit); 1 too where windows read in place one position a row
    are wide enough."""
    if other or layer.depthwise or layer.group_columns:
        return 1
    phases = polyphase.count(layer, limits)
    if phases > 1 and polyphase.wide_enough_in_place(layer, limits) and in_place.reads(layer, limits, 1).inside:
        return 1
    return phases


def exact(layer: LayerShape, phases: int, stacked: bool) -> bool:
    """Whether the algorithm is exact for these numbers. Polyphase rows and strided taps with
    gaps multiply data by zero weights; stride-1 taps skip the zero padding. Exact for finite
    numbers only (inf · 0 is NaN): else the im2col."""
    s, k = layer.strides, layer.kernel_size
    tap_count, _ = tap_stack.taps(layer)
    gaps = stacked and s > 1 and not (layer.dilation == 1 and tap_count * s == k)
    zero_weights = phases > 1 or gaps
    return not (zero_weights or stacked) or layer.finite(zero_weights)


def laid_out(layer: LayerShape, limits: Limits, taps: bool, stacked: bool, phases: int) -> Choice:
    """The Choice of the chunked algorithm decided by these: its chunks, rows and products."""
    s, span = layer.strides, layer.span
    tap_count, tap_step = tap_stack.taps(layer)
    reach = ((tap_count - 1) * tap_step + 1) * s if stacked else span  # input rows one window reads
    read = in_place.reads(layer, limits, phases)
    inside = read.inside and not stacked
    positions, batch_block = chunk_sizes(layer, limits, stacked, inside, tap_count)
    rows_in_place = stacked and s == 1 and layer.padding_mode == "zeros" and layer.x_contiguous_rows
    return Choice(
        algorithm=name(layer.depthwise, taps, stacked, rows_in_place, inside, phases),
        depthwise=layer.depthwise,
        per_tap=taps,
        tap_stack=stacked,
        rows_in_place=rows_in_place,
        phases=phases,
        inside=inside,
        flat=read.flat,
        interleave=read.interleave,
        tap_count=tap_count,
        tap_step=tap_step,
        reach=reach,
        segment=(phases - 1) * s + span,
        batch_block=batch_block,
        positions=positions,
        rows=(positions - 1) * s + reach,
        threads=limits.threads if layer.depthwise else 1,
    )


def chunk_sizes(layer: LayerShape, limits: Limits, stacked: bool, inside: bool, tap_count: int) -> tuple[int, int]:
    """(output positions, examples) a chunk: what fits the chunk budget, whole examples when they
    fit (fewer, larger products), else part of one. Per position: its gathered taps (k·C, or C for
    depthwise windows), or its taps' products (taps·F), and F results; read in place, no buffer
    but for the few windows over the padding."""
    channels, filters, k = layer.channels, layer.filters, layer.kernel_size
    inner = channels if layer.depthwise else tap_count * filters if stacked else k * channels + layer.groups
    positions = max(1, limits.work_bytes // (max(inner, filters) * layer.itemsize))
    if inside:
        positions = max(1, limits.work_bytes // (filters * layer.itemsize))
    if layer.depthwise:  # small chunks: cache-resident, and enough of them for every thread
        positions = max(1, min(positions, limits.depthwise_positions))
    if positions >= layer.l_out:
        return layer.l_out, max(1, min(layer.batch, positions // layer.l_out))
    return positions, 1


def name(depthwise: bool, taps: bool, stacked: bool, rows_in_place: bool, inside: bool, phases: int) -> str:
    """The chunked algorithm's name (what a test counts)."""
    if taps:
        return "one product per tap"
    if stacked:
        return "tap-stacked products" + (", input rows in place" if rows_in_place else "")
    if depthwise:
        return "depthwise einsum"
    return ("windows read in place" if inside else "im2col") + (", polyphase rows" if phases > 1 else "")
