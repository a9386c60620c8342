"""Windows read in place: undilated windows of a channels-last input are contiguous numbers of it.
Where their copy costs more than the pass over the output that the bias then needs, BLAS reads
them in place, as rows of a matrix (only the windows over the padding are laid out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.lib.stride_tricks import as_strided

from conv1dexplain.engine.layer import Array, LayerShape
from conv1dexplain.engine.limits import Limits
from conv1dexplain.records import NamedTuple

if TYPE_CHECKING:
    from conv1dexplain.engine.buffers import Workspace
    from conv1dexplain.engine.chunks import Strategy

# The positions left over (over the padding), filled by the chunk's other algorithms.
Pieces = Callable[[Array, int, "Strategy", Array, "Workspace"], None]


class Read(NamedTuple):
    """Whether BLAS reads the windows (rows of P positions) in place, whether the examples then
    read as one long sequence, and in how many products."""

    inside: bool
    flat: bool
    interleave: int


def reads(layer: LayerShape, limits: Limits, phases: int) -> Read:
    """How windows (rows of P positions) would be read in place. Read in place, they need no
    im2col copy (segment·C numbers a row), but the bias then takes a pass over the output (P·F a
    row), and the few windows over the padding a product of their own. Rows of one product must
    not overlap: q products, rows r, r+q, r+2q, … Examples back to back are one long sequence when
    their windows line up; else each takes its own q products, which needs many rows an example.
    With a stride this beats the tap-stacked products too."""
    s, channels, l_out = layer.strides, layer.channels, layer.l_out
    segment = (phases - 1) * s + layer.span
    interleave = -(-segment // (phases * s))
    if (
        layer.dilation > 1
        or layer.depthwise
        or layer.batch * l_out // phases * segment * channels < limits.inside_numbers
    ):
        return Read(False, False, interleave)  # (the common small layer: decided at once)
    flat = layer.examples_back_to_back() and layer.length == s * l_out and l_out % phases == 0
    whole = flat or layer.batch == 1 or l_out // (interleave * phases) >= limits.example_rows
    wide = segment * channels >= limits.inside_share * phases * layer.filters
    return Read(layer.x_contiguous_rows and layer.out_writable(phases) and wide and whole, flat, interleave)


def inside_windows(xb: Array, t0: int, strategy: Strategy, target: Array, work: Workspace, rest: Pieces) -> None:
    """target (nb, t, F): output positions t0 … t0+t−1 with no copy of the input. A window inside
    the input is k·C contiguous numbers of it (P neighbouring windows: segment·C), so BLAS reads
    the windows in place, as rows of a matrix. Its rows must not overlap, so the windows go in q
    products, rows r, r+q, r+2q, …, each writing every q-th row of P positions. The windows that
    touch the padding, and the few positions left over, go by pieces."""
    nb, t, filters = target.shape
    s, phases, segment, length = strategy.s, strategy.choice.phases, strategy.choice.segment, strategy.length
    lo = max(t0, -(-strategy.pad_left // s))  # the first window starting at row ≥ 0 …
    hi = min(t0 + t, (length - strategy.span + strategy.pad_left) // s + 1)  # … and past the last ending ≤ L
    rows = max(0, hi - lo) // phases
    a, b = lo - t0, lo - t0 + rows * phases
    if rows:
        q = strategy.choice.interleave
        step = phases * s  # input rows from one product row to the next
        first = lo * s - strategy.pad_left
        sn, sl, sc = xb.strides
        on, ol, oc = target.strides
        l_out = strategy.l_out
        # All examples as one long sequence when their windows line up across example borders: the
        # rows between them are computed too (P positions per row), then overwritten as padding.
        flat = nb > 1 and t == l_out and strategy.choice.flat
        total = (nb - 1) * l_out // phases + rows if flat else rows
        width, out_width = segment * xb.shape[2], phases * filters
        for r in range(min(q, total)):
            count = (total - r + q - 1) // q
            if flat:  # (row r may start in the second example)
                x_rows = xb.reshape(-1)[(first + r * step) * xb.shape[2] :]
                out_rows = target.reshape(-1)[(a + r * phases) * filters :]
                windows = as_strided(x_rows, (count, width), (q * step * sl, sc))
                results = as_strided(out_rows, (count, out_width), (q * phases * ol, oc))
            else:
                windows = as_strided(xb[:, first + r * step :], (nb, count, width), (sn, q * step * sl, sc))
                results = as_strided(target[:, a + r * phases :], (nb, count, out_width), (on, q * phases * ol, oc))
            np.matmul(windows, strategy.inside_weights, out=results)
        if strategy.with_bias:  # whole examples: one pass over all of them (the edges are redone below)
            biased = target if flat else target[:, a:b]
            biased += strategy.bias
    if a > 0:
        rest(xb, t0, strategy, target[:, :a], work)
    if b < t:
        rest(xb, t0 + b, strategy, target[:, b:], work)
