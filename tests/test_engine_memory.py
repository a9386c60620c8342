"""Padding and windows cost what the output needs, not what the padded length spans: with a
dilation or kernel far longer than the input, almost every tap lands on padding, and only the
taps that read the input are computed (issue 11: 800 MB for a 10-position output)."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from collections.abc import Iterator

import numpy as np
import pytest

from conv1dexplain import conv1d
from conv1dexplain.engine import convolve


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def peak_bytes_of(call: object) -> int:
    """The peak of NumPy's allocations (NumPy reports them to tracemalloc) while call() runs."""
    tracemalloc.reset_peak()
    before = tracemalloc.get_traced_memory()[0]
    call()  # type: ignore[operator]
    return tracemalloc.get_traced_memory()[1] - before


@pytest.mark.parametrize("dilation", [10**8, 10**9])
@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_a_huge_dilation_over_padding_costs_what_ten_outputs_need(dilation: int, framework: str, traced: None) -> None:
    """'same' padding of 10^8 rows a side around 10 positions: each output reads its own row with
    the middle tap, the other two taps read zero padding (worked by hand: y = x·w1 + b)."""
    x = np.arange(1, 11, dtype=np.float32).reshape(1, 10, 1)
    kernel = np.array([2.0, 3.0, 5.0], np.float32).reshape(3, 1, 1)
    if framework == "pytorch":
        x, kernel = x.transpose(0, 2, 1), kernel.transpose(2, 1, 0)
    results: list[np.ndarray] = []
    bias = np.array([0.5], np.float32)
    peak = peak_bytes_of(
        lambda: results.append(conv1d(x, kernel, bias, padding="same", dilation_rate=dilation, framework=framework))
    )
    np.testing.assert_allclose(results[0].ravel(), np.arange(1, 11) * 3.0 + 0.5)
    assert peak < 1 << 20, f"{peak:,} bytes for 10 outputs"


def test_a_huge_kernel_over_padding_reads_only_the_taps_that_reach_the_input(traced: None) -> None:
    """A 5-million-tap kernel of ones, 'same' padding, 10 positions: each output is the sum of the
    whole input (every position's window covers it), and no copy of the kernel (20 MB) is made."""
    kernel = np.ones((5_000_000, 1, 1), np.float32)
    x = np.arange(10, dtype=np.float32).reshape(1, 10, 1)
    results: list[np.ndarray] = []
    peak = peak_bytes_of(lambda: results.append(conv1d(x, kernel, padding="same")))
    np.testing.assert_array_equal(results[0].ravel(), np.full(10, 45.0))
    assert peak < 1 << 20, f"{peak:,} bytes"


def test_replicate_padding_over_a_huge_dilation(traced: None) -> None:
    """PyTorch's replicate padding of 10^8 with dilation 10^8: the outer taps read the edge rows
    (y_t = w0·x_0 + w1·x_t + w2·x_9, by hand), and the padding is never laid out."""
    x = np.arange(10, dtype=np.float32).reshape(1, 1, 10)
    weight = np.array([1.0, 10.0, 100.0], np.float32).reshape(1, 1, 3)
    results: list[np.ndarray] = []
    peak = peak_bytes_of(
        lambda: results.append(
            conv1d(x, weight, dilation_rate=10**8, padding=10**8, padding_mode="replicate", framework="pytorch")
        )
    )
    np.testing.assert_array_equal(results[0].ravel(), 0 * 1.0 + np.arange(10) * 10.0 + 9 * 100.0)
    assert peak < 1 << 20, f"{peak:,} bytes"


def test_windows_all_over_padding_give_the_bias() -> None:
    """Positions whose every tap lands on zero padding are the bias alone: 200 channels of ones,
    k = 2 with dilation and padding 10^4 a side; positions 0–2 read their row with tap 1, the last
    three with tap 0 (a sum of 200 ones), the 9,997 between read nothing."""
    x = np.ones((2, 3, 200), np.float32)
    kernel = np.ones((2, 200, 4), np.float32)
    bias = np.arange(4, dtype=np.float32)
    paths: list[str] = []
    got = convolve(x, kernel, bias, dilation_rate=10**4, pad_left=10**4, pad_right=10**4, paths=paths)
    expected = np.broadcast_to(bias, (2, 10_003, 4)).copy()
    expected[:, :3] += 200
    expected[:, -3:] += 200
    np.testing.assert_array_equal(got, expected)
    assert paths == ["input taps only"]


RUN_PEAK = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-m", "conv1dexplain", "run", "--input", "10x1", "-f", "1", "-k", "3",
                "--dilation-rate", sys.argv[1], "--padding", "same", "--json"], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)  # kB, of that one child
"""


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kB on Linux")
def test_run_with_a_huge_dilation_peaks_far_below_the_padded_length() -> None:
    """The issue's command: `run --input 10x1 -f 1 -k 3 --dilation-rate 100000000 --padding same`
    peaked at 800 MB; now what Python, NumPy and the CLI cost."""
    result = subprocess.run(
        [sys.executable, "-c", RUN_PEAK, "100000000"], capture_output=True, text=True, check=True, timeout=120
    )
    peak_kb = int(result.stdout.strip())
    assert peak_kb < 200_000, f"{peak_kb:,} kB"
