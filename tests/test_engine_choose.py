"""choose() on plain LayerShapes, no arrays: the engine's choice of algorithm is a pure function of
the layer's description and the Limits, its answer frozen, and each threshold of the Limits is
where the choice changes (T − 1, T, T + 1), at the default and at a moved value. The same sizes
run on arrays in test_engine_boundaries.py, against the definition."""

from __future__ import annotations

from typing import Any

import pytest

from conv1dexplain import records
from conv1dexplain.engine import DEFAULT_LIMITS, Choice, LayerShape, Limits, choose

ITEM = 4  # float32


def layer(layout: str = "keras", **given: Any) -> LayerShape:
    """A layer (x (N, L, C), out (N, L_out, F), contiguous), given sizes, the others small;
    its length from l_out; in PyTorch's layout (N, C, L) arrays seen channels-last."""
    sizes: dict[str, Any] = {"batch": 1, "channels": 4, "filters": 8, "kernel_size": 3, "l_out": 20}
    sizes.update(given)
    span = sizes.get("dilation", 1) * (sizes["kernel_size"] - 1) + 1
    pads = sizes.get("pad_left", 0) + sizes.get("pad_right", 0)
    sizes.setdefault("length", (sizes["l_out"] - 1) * sizes.get("strides", 1) + span - pads)
    if layout == "pytorch":
        length, channels, filters, l_out = sizes["length"], sizes["channels"], sizes["filters"], sizes["l_out"]
        sizes["x_strides"] = (channels * length * ITEM, ITEM, length * ITEM)
        sizes["out_strides"] = (filters * l_out * ITEM, ITEM, l_out * ITEM)
    return LayerShape(**sizes)


def around(threshold: int) -> list[int]:
    return [threshold - 1, threshold, threshold + 1]


def test_choose_is_pure_and_its_choice_frozen() -> None:
    """The same layer and limits give equal choices, whatever was chosen between; the choice and
    the layer cannot be changed; the finite look is asked, never the arrays (there are none)."""
    looks: list[bool] = []

    def finite(with_data: bool) -> bool:
        looks.append(with_data)
        return True

    layers = [
        layer(finite=finite),  # im2col with polyphase rows: asks whether the data is finite
        layer(channels=64, filters=8, kernel_size=4),
        layer("pytorch", channels=8, groups=8, filters=8, l_out=50),
        layer(channels=8, groups=2, filters=8),
    ]
    first = [choose(one) for one in layers]
    assert [choose(one) for one in reversed(layers)] == first[::-1]
    assert looks == [True, True]
    assert first[0] == choose(layers[0], DEFAULT_LIMITS) and hash(first[0]) == hash(choose(layers[0]))
    with pytest.raises(records.FrozenInstanceError):
        first[0].positions = 1  # type: ignore[misc]
    with pytest.raises(records.FrozenInstanceError):
        layers[0].channels = 1  # type: ignore[misc]
    with pytest.raises(records.FrozenInstanceError):
        DEFAULT_LIMITS.work_bytes = 1  # type: ignore[misc]
    assert set(records.field_names(Choice)) <= set(vars(first[2]))


def test_a_grouped_layer_is_one_choice_per_group() -> None:
    """groups = 4 of 16 → 16 channels: the choice of one group's 4 → 4 layer, writing into its
    columns of the output (so no polyphase rows)."""
    choice = choose(layer(channels=16, groups=4, filters=16))
    assert choice.algorithm == "grouped" and choice.group is not None
    assert choice.group.algorithm == "im2col" and choice.group.group is None


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, Limits(unfold_positions=40)])
def test_unfold_positions(limits: Limits) -> None:
    """PyTorch's layout unfolds its taps from limits.unfold_positions output positions."""
    for l_out in around(limits.unfold_positions):
        algorithm = choose(layer("pytorch", batch=2, l_out=l_out), limits).algorithm
        assert (algorithm == "taps unfolded along L") == (l_out >= limits.unfold_positions), (l_out, algorithm)


@pytest.mark.parametrize("k", [5, 6, 7])
def test_unfold_copies(k: int) -> None:
    """… while k·C ≤ unfold_copies (3)·(s·C + F): C = F = 4 unfolds up to k = 6."""
    algorithm = choose(layer("pytorch", channels=4, filters=4, kernel_size=k, l_out=200)).algorithm
    assert (algorithm == "taps unfolded along L") == (k <= 6), algorithm


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, Limits(rows_taps=3)])
def test_rows_taps(limits: Limits) -> None:
    """Depthwise layers in PyTorch's layout take rows up to limits.rows_taps taps; longer kernels
    the channels-last einsum."""
    for k in around(limits.rows_taps):
        choice = choose(layer("pytorch", channels=8, groups=8, filters=8, kernel_size=k, l_out=50), limits)
        assert choice.algorithm == ("depthwise rows" if k <= limits.rows_taps else "depthwise einsum"), k
        assert choice.threads == limits.threads


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, Limits(per_tap_channels=10)])
def test_per_tap_channels(limits: Limits) -> None:
    """Dilated layers take one product per tap from limits.per_tap_channels channels."""
    for channels in around(limits.per_tap_channels):
        algorithm = choose(layer(channels=channels, filters=8, dilation=2, l_out=40), limits).algorithm
        assert (algorithm == "one product per tap") == (channels >= limits.per_tap_channels), channels


@pytest.mark.parametrize("filters", [63, 64, 65])
def test_per_tap_filters(filters: int) -> None:
    """… with no more filters than channels."""
    algorithm = choose(layer(channels=64, filters=filters, dilation=2, l_out=40)).algorithm
    assert (algorithm == "one product per tap") == (filters <= 64), algorithm


@pytest.mark.parametrize(("s", "channels"), [(1, 63), (1, 64), (1, 65), (2, 31), (2, 32), (2, 33)])
def test_tap_stack_channels(s: int, channels: int) -> None:
    """Tap-stacked products from s·C = tap_stack_channels (64)."""
    choice = choose(layer(channels=channels, filters=8, kernel_size=4, strides=s, pad_left=1, pad_right=2, l_out=60))
    assert choice.tap_stack == (s * channels >= 64), choice
    assert choice.algorithm.startswith("tap-stacked products") == choice.tap_stack


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, Limits(tap_stack_share=0.25)])
def test_tap_stack_share(limits: Limits) -> None:
    """… with F ≤ limits.tap_stack_share·s·C: 64 channels."""
    most = int(limits.tap_stack_share * 64)
    for filters in around(most):
        choice = choose(layer(channels=64, filters=filters, l_out=60), limits)
        assert choice.tap_stack == (filters <= most), filters
        assert choice.rows_in_place == choice.tap_stack  # stride 1, zero padding, contiguous rows


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_tap_stack_waste(k: int) -> None:
    """… and strided taps of s rows at most tap_stack_waste (1.15)·k rows: with s = 2, k = 4 and 6;
    taps of 2 rows, 1 product row apart, and never the input rows in place (a stride)."""
    choice = choose(layer(channels=64, filters=8, kernel_size=k, strides=2, l_out=60))
    assert choice.tap_stack == (k in (4, 6)), choice
    assert (choice.tap_count, choice.tap_step, choice.rows_in_place) == (-(-k // 2), 1, False)


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, Limits(inside_numbers=48 * 1000)])
def test_inside_numbers(limits: Limits) -> None:
    """Windows are read in place from N·L_out·segment·C = limits.inside_numbers numbers: 16
    channels, k = 3 (48 a window); below, polyphase rows (P = 2) and im2col."""
    least = -(-limits.inside_numbers // 48)
    for l_out in around(least):
        choice = choose(layer(channels=16, filters=32, l_out=l_out), limits)
        expected = "windows read in place" if l_out >= least else "im2col, polyphase rows"
        assert choice.algorithm == expected, l_out
        assert choice.phases == (1 if l_out >= least else 2)


@pytest.mark.parametrize("filters", [31, 32, 33])
def test_inside_share_and_polyphase_filters(filters: int) -> None:
    """In place while segment·C ≥ inside_share (1.5)·P·F: 48 ≥ 1.5·32; 33 filters are too many for
    it, and above polyphase_filters (32) there are no polyphase rows."""
    expected = {31: "im2col, polyphase rows", 32: "windows read in place", 33: "im2col"}[filters]
    assert choose(layer(channels=16, filters=filters, l_out=3000)).algorithm == expected


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, Limits(example_rows=200)])
def test_example_rows(limits: Limits) -> None:
    """Examples apart (valid padding: not one long sequence) read in place with at least
    limits.example_rows rows each, in 3 interleaved products."""
    least = 3 * limits.example_rows
    for l_out in around(least):
        choice = choose(layer(batch=8, channels=16, filters=32, l_out=l_out), limits)
        assert choice.inside == (l_out >= least) and not choice.flat, l_out
        assert choice.interleave == (3 if choice.inside else 2)  # (P = 2 polyphase rows below)


def test_examples_back_to_back_read_as_one_sequence() -> None:
    """'same' padding with stride 2 and L = s·L_out: the examples' windows line up (flat)."""
    choice = choose(layer(batch=2, channels=16, filters=32, strides=2, l_out=8000, length=16000, pad_right=1))
    assert choice.inside and choice.flat


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, Limits(span_bytes=1 << 12)])
def test_input_taps_span(limits: Limits) -> None:
    """Only the taps that read the input once a window's span·C numbers exceed limits.span_bytes:
    4 float32 channels, k = 2, d = span − 1."""
    most = limits.span_bytes // (4 * ITEM)
    for span in around(most):
        d = span - 1
        one = layer(batch=2, channels=4, kernel_size=2, dilation=d, pad_left=d // 2, pad_right=d - d // 2, l_out=10)
        assert (choose(one, limits).algorithm == "input taps only") == (span > most), span


@pytest.mark.parametrize(
    ("pads", "mode", "expected"),
    [((0, 0), "zeros", False), ((1, 1), "zeros", True), ((0, 1), "zeros", True), ((1, 1), "reflect", False)],
)
def test_input_taps_for_a_kernel_not_finite(pads: tuple[int, int], mode: str, expected: bool) -> None:
    """A kernel with inf takes only the input's taps when there is zero padding."""
    one = layer(pad_left=pads[0], pad_right=pads[1], padding_mode=mode, finite=lambda with_data: False)
    assert (choose(one).algorithm == "input taps only") == expected


def test_data_not_finite_keeps_zero_weights_away() -> None:
    """Polyphase rows and strided taps with gaps multiply data by zero weights: not when the data
    holds inf or NaN (the kernel does not: no input taps)."""
    kernel_only = records.replace(layer(), finite=lambda with_data: not with_data)
    assert choose(layer()).algorithm == "im2col, polyphase rows"
    assert choose(kernel_only).algorithm == "im2col"
    strided = layer(channels=64, filters=8, kernel_size=7, strides=2, l_out=60)  # 4 taps of 2 rows: a gap
    assert choose(strided).tap_stack
    assert not choose(records.replace(strided, finite=lambda with_data: not with_data)).tap_stack


@pytest.mark.parametrize("limits", [DEFAULT_LIMITS, Limits(depthwise_positions=100)])
def test_depthwise_chunk_positions(limits: Limits) -> None:
    """Depthwise chunks (channels-last) hold at most limits.depthwise_positions positions, shared
    between the threads."""
    for l_out in around(limits.depthwise_positions):
        choice = choose(layer(batch=2, channels=8, groups=8, filters=16, pad_left=1, pad_right=1, l_out=l_out), limits)
        assert choice.algorithm == "depthwise einsum"
        assert choice.positions == min(l_out, limits.depthwise_positions)
        assert choice.threads == limits.threads


@pytest.mark.parametrize("work_bytes", [99 * 52, 100 * 52, 101 * 52])
def test_chunk_positions(work_bytes: int) -> None:
    """Chunks of work_bytes // (k·C + 1 numbers) positions: 99, 100 and 101 for 100 positions;
    whole examples when they fit."""
    choice = choose(layer(batch=3, pad_left=1, pad_right=1, l_out=100), Limits(work_bytes=work_bytes))
    assert (choice.positions, choice.batch_block) == (min(100, work_bytes // 52), 1)
    assert choice.rows == (choice.positions - 1) + 3
    whole = choose(layer(batch=3, pad_left=1, pad_right=1, l_out=100), Limits(work_bytes=250 * 52))
    assert (whole.positions, whole.batch_block) == (100, 2)
