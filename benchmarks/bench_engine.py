"""The NumPy engine against PyTorch's CPU conv1d (same threads) and a same-FLOP matrix product.

Prints, per case, the median time of ours, PyTorch's and the plain matrix product, the ratios
ours/PyTorch and ours/matmul, and the median ratio. Targets (issue 3): median ours/PyTorch ≤ 1.0,
no case above 1.5. Run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (they pick a slow kernel):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_engine.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from conv1dexplain.engine import convolve
from conv1dexplain.geometry import causal_padding, keras_same_padding

THREADS = 2


@dataclass(frozen=True)
class Case:
    name: str
    batch: int
    length: int
    channels: int
    filters: int
    kernel_size: int
    strides: int = 1
    dilation_rate: int = 1
    groups: int = 1
    padding: str = "same"


CASES = [
    Case("seed layer, batch 32", 32, 50, 300, 100, 4),
    Case("wide 256→256, k3", 16, 512, 256, 256, 3),
    Case("wide strided s2, k5", 16, 1024, 256, 256, 5, strides=2),
    Case("long thin 100k×16, k9", 1, 100_000, 16, 32, 9),
    Case("long thin 100k×16 valid", 4, 100_000, 16, 16, 5, padding="valid"),
    Case("dilated d4 causal", 8, 4096, 64, 64, 3, dilation_rate=4, padding="causal"),
    Case("depthwise 128, k7", 8, 4096, 128, 128, 7, groups=128),
    Case("grouped g4, k3", 8, 2048, 128, 128, 3, groups=4),
    Case("small many, k5", 64, 128, 8, 16, 5),
    Case("strided s4 valid", 16, 8192, 32, 64, 8, strides=4, padding="valid"),
]


def block(function: Callable[[], object], repeats: int) -> list[float]:
    """Times of `repeats` calls after a warm-up call; a pause first, so that the other library's
    idle threads (OpenBLAS and OpenMP spin a while after each call) are asleep and steal no core."""
    time.sleep(0.05)
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def median_times(functions: list[Callable[[], object]], repeats: int, rounds: int = 3) -> list[float]:
    """Median time of each function over `rounds` interleaved blocks (drift hits all alike)."""
    samples: list[list[float]] = [[] for _ in functions]
    for _ in range(rounds):
        for i, function in enumerate(functions):
            samples[i] += block(function, repeats)
    return [statistics.median(times) for times in samples]


def pads(case: Case) -> tuple[int, int]:
    if case.padding == "same":
        return keras_same_padding(case.length, case.kernel_size, case.strides, case.dilation_rate)
    if case.padding == "causal":
        return causal_padding(case.kernel_size, case.dilation_rate)
    return 0, 0


def main() -> int:
    import torch
    import torch.nn.functional as F

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(THREADS)
    rng = np.random.default_rng(0)
    print(f"{'case':<28}{'ours ms':>9}{'torch ms':>10}{'matmul ms':>10}{'÷torch':>8}{'÷matmul':>9}")
    ratios = []
    for case in CASES:
        left, right = pads(case)
        cg = case.channels // case.groups
        x = rng.standard_normal((case.batch, case.length, case.channels)).astype(np.float32)
        kernel = rng.standard_normal((case.kernel_size, cg, case.filters)).astype(np.float32)
        bias = rng.standard_normal(case.filters).astype(np.float32)
        ours = convolve(x, kernel, bias, strides=case.strides, dilation_rate=case.dilation_rate,
                        pad_left=left, pad_right=right, groups=case.groups)  # fmt: skip
        xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 2, 1)))
        wt = torch.from_numpy(np.ascontiguousarray(kernel.transpose(2, 1, 0)))
        bt = torch.from_numpy(bias)

        def run_torch(xt: torch.Tensor = xt, wt: torch.Tensor = wt, bt: torch.Tensor = bt, c: Case = case,
                      lr: tuple[int, int] = (left, right)) -> torch.Tensor:  # fmt: skip
            with torch.no_grad():
                padded = F.pad(xt, lr) if lr != (0, 0) else xt
                return F.conv1d(padded, wt, bt, stride=c.strides, dilation=c.dilation_rate, groups=c.groups)

        reference = run_torch().numpy().transpose(0, 2, 1)
        assert np.allclose(ours, reference, rtol=1e-3, atol=1e-3), case.name
        rows, inner = case.batch * ours.shape[1], case.kernel_size * cg
        a = rng.standard_normal((rows, inner)).astype(np.float32)
        b = rng.standard_normal((inner, case.filters)).astype(np.float32)

        def run_ours(x: np.ndarray = x, kernel: np.ndarray = kernel, bias: np.ndarray = bias, c: Case = case,
                     lr: tuple[int, int] = (left, right)) -> np.ndarray:  # fmt: skip
            return convolve(x, kernel, bias, strides=c.strides, dilation_rate=c.dilation_rate,
                            pad_left=lr[0], pad_right=lr[1], groups=c.groups)  # fmt: skip

        t_ours, t_torch, t_matmul = median_times([run_ours, run_torch, lambda a=a, b=b: a @ b], args.repeats)
        ratios.append(t_ours / t_torch)
        print(f"{case.name:<28}{t_ours * 1e3:>9.2f}{t_torch * 1e3:>10.2f}{t_matmul * 1e3:>10.2f}"
              f"{t_ours / t_torch:>8.2f}{t_ours / t_matmul:>9.2f}")  # fmt: skip
    median = statistics.median(ratios)
    print(f"median ours/torch: {median:.2f} (target ≤ 1.0); worst: {max(ratios):.2f} (target ≤ 1.5)")
    return 0 if median <= 1.0 and max(ratios) <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
