"""Each size where the engine changes path, and its neighbours: the path switches where the
engine's Limits say (by the engine's own record of it), and the output equals the definition
on both sides. The thresholds are the fields of engine/limits.py (choose() itself is tested at
them without arrays in test_engine_choose.py); test_engine_paths.py draws layers across all of them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conv1dexplain import conv1d
from engine_reference import check, layer_of, reference

UNFOLDED, ROWS, PER_TAP, STACKED, IN_PLACE, TAPS = (
    "taps unfolded along L",
    "depthwise rows",
    "one product per tap",
    "tap-stacked products",
    "windows read in place",
    "input taps only",
)


SPAN = (6 << 20) // (4 * 4)  # rows of 4 float32 channels in span_bytes


def took(layer: dict[str, Any], seed: int = 0) -> list[str]:
    return check(layer, np.random.default_rng(seed))


@pytest.mark.parametrize("l_out", [127, 128, 129])
def test_unfold_positions(l_out: int) -> None:
    """PyTorch's layout unfolds its taps from unfold_positions = 128 output positions."""
    paths = took(layer_of(layout="pytorch", batch=2, l_out=l_out))
    assert (UNFOLDED in paths) == (l_out >= 128), paths


@pytest.mark.parametrize("k", [5, 6, 7])
def test_unfold_copies(k: int) -> None:
    """… while k·C ≤ unfold_copies (3)·(s·C + F): C = F = 4 unfolds up to k = 6."""
    paths = took(layer_of(layout="pytorch", channels=4, filters=4, k=k, l_out=200))
    assert (UNFOLDED in paths) == (k <= 6), paths


@pytest.mark.parametrize("l_out", [1023, 1024, 1025])
@pytest.mark.parametrize("k", [1, 3])
def test_unfold_fold_below_and_pointwise(l_out: int, k: int) -> None:
    """Several examples share one product below fold_below = 1024 positions; k = 1 reads in place."""
    assert took(layer_of(layout="pytorch", batch=3, k=k, pads=(1, 1), l_out=l_out)) == [UNFOLDED]


@pytest.mark.parametrize("k", [8, 9, 10])
def test_rows_taps(k: int) -> None:
    """Depthwise layers in PyTorch's layout take rows up to rows_taps = 9 taps."""
    paths = took(layer_of(layout="pytorch", channels=8, groups=8, filters=8, k=k, l_out=50))
    assert (paths == [ROWS]) == (k <= 9), paths


@pytest.mark.parametrize(
    ("batch", "channels"),
    [
        (1, 63),
        (1, 64),
        (1, 65),
        (1, 128),
        (1, 129),
        (1, 299),
        (2, 31),
        (2, 32),
        (2, 33),
        (2, 65),
        (16, 4),
        (16, 5),
        (3, 300),
        (33, 7),
    ],
)
@pytest.mark.parametrize("multiplier", [1, 2, 3])
def test_depthwise_rows_blocks(batch: int, channels: int, multiplier: int) -> None:
    """Blocks of block_rows = 64 channel rows (N·C rows with the examples back to back): a last
    block of fewer rows crashed with 'non-broadcastable output operand' (issue 11)."""
    layer = layer_of(
        layout="pytorch",
        batch=batch,
        channels=channels,
        groups=channels,
        filters=multiplier * channels,
        k=3,
        pads=(1, 1),
        l_out=16,
    )
    assert took(layer) == [ROWS]


def test_the_depthwise_crash_of_issue_11() -> None:
    """The issue's call: 65 channels, 2 positions, a kernel of size 1."""
    x = np.arange(130, dtype=np.float32).reshape(1, 65, 2)
    weight = np.arange(1, 66, dtype=np.float32).reshape(65, 1, 1)
    got = conv1d(x, weight, groups=65, framework="pytorch")
    np.testing.assert_allclose(got, x * weight.reshape(1, 65, 1))  # one tap: each channel times its weight


@pytest.mark.parametrize("channels", [63, 64, 65])
def test_per_tap_channels(channels: int) -> None:
    """Dilated layers take one product per tap from per_tap_channels = 64 channels."""
    paths = took(layer_of(channels=channels, filters=16, d=2, l_out=40))
    assert (paths == [PER_TAP]) == (channels >= 64), paths


@pytest.mark.parametrize("filters", [63, 64, 65])
def test_per_tap_filters(filters: int) -> None:
    """… with no more filters than channels."""
    paths = took(layer_of(channels=64, filters=filters, d=2, l_out=40))
    assert (paths == [PER_TAP]) == (filters <= 64), paths


@pytest.mark.parametrize(("s", "channels"), [(1, 63), (1, 64), (1, 65), (2, 31), (2, 32), (2, 33)])
def test_tap_stack_channels(s: int, channels: int) -> None:
    """Tap-stacked products from s·C = tap_stack_channels = 64."""
    paths = took(layer_of(channels=channels, filters=8, k=4, s=s, pads=(1, 2), l_out=60))
    assert (paths[0].startswith(STACKED)) == (s * channels >= 64), paths


@pytest.mark.parametrize("filters", [31, 32, 33])
def test_tap_stack_share(filters: int) -> None:
    """… with F ≤ tap_stack_share (½)·s·C: 32 filters for 64 channels."""
    paths = took(layer_of(channels=64, filters=filters, k=3, l_out=60))
    assert (paths[0].startswith(STACKED)) == (filters <= 32), paths


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_tap_stack_waste(k: int) -> None:
    """… and strided taps of s rows at most tap_stack_waste (1.15)·k rows: with s = 2, k = 4 and 6."""
    paths = took(layer_of(channels=64, filters=8, k=k, s=2, l_out=60))
    assert (paths[0].startswith(STACKED)) == (k in (4, 6)), paths


@pytest.mark.parametrize("l_out", [2730, 2731, 2732])
def test_inside_numbers(l_out: int) -> None:
    """Windows are read in place from N·L_out·segment·C = inside_numbers = 2^17 numbers: 16
    channels, k = 3 (48 a window) from 2731 positions; below, polyphase rows (P = 2) and im2col."""
    paths = took(layer_of(channels=16, filters=32, k=3, l_out=l_out))
    assert paths == ([IN_PLACE] if l_out >= 2731 else ["im2col, polyphase rows"]), paths


@pytest.mark.parametrize("filters", [31, 32, 33])
def test_inside_share_and_polyphase_filters(filters: int) -> None:
    """In place while segment·C ≥ inside_share (1.5)·P·F: 48 ≥ 1.5·32; 33 filters are too many
    for it, and above 32 filters there are no polyphase rows."""
    expected = {31: "im2col, polyphase rows", 32: IN_PLACE, 33: "im2col"}[filters]
    assert took(layer_of(channels=16, filters=filters, k=3, l_out=3000)) == [expected]


@pytest.mark.parametrize("l_out", [767, 768, 769])
def test_example_rows(l_out: int) -> None:
    """Examples apart (valid padding) read in place with ≥ example_rows = 256 rows each: 3
    interleaved products, so from 768 positions."""
    paths = took(layer_of(batch=8, channels=16, filters=32, k=3, l_out=l_out))
    assert (paths == [IN_PLACE]) == (l_out >= 768), paths


@pytest.mark.parametrize("l_out", [8189, 8190, 8191])
def test_small_copy_bytes(l_out: int) -> None:
    """A chunk's padded rows are one copy up to small_copy_bytes = 1 MiB (8192 rows of 32
    channels), else pieces: the windows inside read in place, the edges copied."""
    assert took(layer_of(channels=32, filters=65, k=3, pads=(1, 1), l_out=l_out)) == ["im2col"]


@pytest.mark.parametrize("l_out", [4095, 4096, 4097])
def test_depthwise_chunk_positions(l_out: int) -> None:
    """Depthwise chunks (channels-last) hold at most 4096 positions."""
    layer = layer_of(batch=2, channels=8, groups=8, filters=16, k=3, pads=(1, 1), l_out=l_out)
    assert took(layer) == ["depthwise einsum"]


@pytest.mark.parametrize("work_bytes", [99 * 52, 100 * 52, 101 * 52])
@pytest.mark.parametrize("layout", ["keras", "pytorch"])
def test_chunk_positions(work_bytes: int, layout: str) -> None:
    """Chunks of work_bytes // (k·C + 1 numbers) positions: 99, 100 and 101 for 100 positions."""
    layer = layer_of(batch=3, channels=4, filters=8, k=3, pads=(1, 1), l_out=100, work_bytes=work_bytes, layout=layout)
    took(layer)


@pytest.mark.parametrize("d", [SPAN - 2, SPAN - 1, SPAN])
@pytest.mark.parametrize("layout", ["keras", "pytorch"])
def test_input_taps_span(d: int, layout: str) -> None:
    """Only the taps that read the input, once a window's span·C numbers exceed span_bytes
    (6 MiB): 393,216 rows of 4 float32 channels, so from a span of 393,217 (k = 2, d = span − 1)."""
    layer = layer_of(batch=2, channels=4, k=2, d=d, pads=(d // 2, d - d // 2), l_out=10, layout=layout)
    paths = took(layer)
    assert (paths == [TAPS]) == (d + 1 > SPAN), paths


@pytest.mark.parametrize(
    ("pads", "mode", "expected"),
    [
        ((0, 0), "zeros", False),
        ((1, 1), "zeros", True),
        ((0, 1), "zeros", True),
        ((1, 1), "reflect", False),
    ],
)
@pytest.mark.parametrize("layout", ["keras", "pytorch"])
def test_input_taps_for_a_kernel_not_finite(pads: tuple[int, int], mode: str, expected: bool, layout: str) -> None:
    """A kernel with inf takes only the input's taps when there is zero padding (which then
    contributes nothing); with other modes the padding holds real numbers and counts."""
    layer = layer_of(batch=2, channels=3, k=3, pads=pads, mode=mode, l_out=20, values="inf kernel", layout=layout)
    assert (took(layer) == [TAPS]) == expected


@pytest.mark.parametrize("size", [(1 << 17) - 16, 1 << 17])
@pytest.mark.parametrize("layout", ["keras", "pytorch"])
def test_data_look_at_two_to_the_seventeen(size: int, layout: str) -> None:
    """x is summed by BLAS from 2^17 numbers: a NaN in it still keeps polyphase rows (which
    multiply data by zero weights) away, in both layouts."""
    layer = layer_of(channels=16, filters=8, k=3, length=size // 16, values="nan data", layout=layout)
    paths = took(layer)
    assert not any("polyphase" in path for path in paths), paths


def test_reference_is_the_definition() -> None:
    """The reference itself, on numbers worked by hand: x = 1…5, kernel (1, 10), padding (1, 1), stride 2."""
    x = np.arange(1, 6, dtype=np.float32).reshape(1, 5, 1)
    kernel = np.array([1, 10], np.float32).reshape(2, 1, 1)
    got = reference(x, kernel, None, 2, 1, (1, 1))[0, :, 0]
    np.testing.assert_array_equal(got, [0 * 1 + 1 * 10, 2 * 1 + 3 * 10, 4 * 1 + 5 * 10])
