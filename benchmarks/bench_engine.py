"""The NumPy engine against PyTorch's CPU conv1d (same 2 threads) and a same-FLOP matrix product.

Each contender runs in its own worker process, so neither library's idle spinning threads (OpenBLAS
and OpenMP both spin a while after each call) steal cores from the other; the workers take turns,
with a pause between turns, over several rounds. Per case it prints the median time of ours, of
PyTorch and of a plain matrix product of the same FLOPs, the ratios, and the median ratio.
Targets (issue 3): median ours/PyTorch ≤ 1.0, no case above 1.5. Run it with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset (they select a slow kernel on some machines):
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/bench_engine.py [--layout pytorch]
With --layout pytorch, ours is what a PyTorch user calls: conv1d on (N, C, L) data, framework='pytorch'.
With --baseline SRC (e.g. /work/wt/base/src: the source tree of an earlier commit), the engine of
that tree is timed too, in a worker of its own taking turns with ours, and each case prints
ours/baseline (ours ÷ base: below 1 is faster than before; target: no case above 1.10).
--case NAME (repeatable, a part of a case's name) times only those cases.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

THREADS = 2
Samples = dict[str, dict[int, list[float]]]


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


def pads(case: Case) -> tuple[int, int]:
    from conv1dexplain.geometry import causal_padding, keras_same_padding

    if case.padding == "same":
        return keras_same_padding(case.length, case.kernel_size, case.strides, case.dilation_rate)
    if case.padding == "causal":
        return causal_padding(case.kernel_size, case.dilation_rate)
    return 0, 0


def arrays(case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((case.batch, case.length, case.channels)).astype(np.float32)
    kernel = rng.standard_normal((case.kernel_size, case.channels // case.groups, case.filters)).astype(np.float32)
    return x, kernel, rng.standard_normal(case.filters).astype(np.float32)


def contender(kind: str, case: Case) -> Callable[[], object]:
    """The call to time: ours (the engine, channels-last as in Keras; or conv1d in PyTorch's layout),
    PyTorch's (its own layout), or a matmul."""
    x, kernel, bias = arrays(case)
    left, right = pads(case)
    if kind == "ours":
        from conv1dexplain.engine import convolve

        return lambda: convolve(
            x,
            kernel,
            bias,
            strides=case.strides,
            dilation_rate=case.dilation_rate,
            pad_left=left,
            pad_right=right,
            groups=case.groups,
        )
    if kind == "ours-pytorch":  # what a PyTorch user calls: conv1d on (N, C, L) data and an (F, C/g, k) weight
        from conv1dexplain import conv1d

        xt, wt = np.ascontiguousarray(x.transpose(0, 2, 1)), np.ascontiguousarray(kernel.transpose(2, 1, 0))
        return lambda: conv1d(
            xt,
            wt,
            bias,
            strides=case.strides,
            padding=(left, right),
            dilation_rate=case.dilation_rate,
            groups=case.groups,
            framework="pytorch",
        )
    if kind == "torch":
        import torch
        import torch.nn.functional as F

        torch.set_num_threads(THREADS)
        xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 2, 1)))
        wt = torch.from_numpy(np.ascontiguousarray(kernel.transpose(2, 1, 0)))
        bt = torch.from_numpy(bias)

        def run_torch() -> object:
            with torch.no_grad():  # padding the way a user writes it: conv1d's own, or F.pad when uneven
                padded = F.pad(xt, (left, right)) if left != right else xt
                return F.conv1d(
                    padded,
                    wt,
                    bt,
                    stride=case.strides,
                    padding=left if left == right else 0,
                    dilation=case.dilation_rate,
                    groups=case.groups,
                )

        return run_torch
    span = case.dilation_rate * (case.kernel_size - 1) + 1
    out_length = (case.length + left + right - span) // case.strides + 1
    rows, inner = case.batch * out_length, case.kernel_size * case.channels // case.groups
    a = np.random.default_rng(1).standard_normal((rows, inner)).astype(np.float32)
    b = np.random.default_rng(2).standard_normal((inner, case.filters)).astype(np.float32)
    return lambda: a @ b


def worker(kind: str, source: str | None) -> None:
    """Answer `case index, repeats` lines with the times of that many calls (after one warm-up);
    conv1dexplain imported from source if given (a baseline's tree)."""
    if source:
        sys.path.insert(0, source)
    prepared: dict[int, Callable[[], object]] = {}
    for line in sys.stdin:
        index, repeats = map(int, line.split())
        function = prepared.setdefault(index, contender(kind, CASES[index]))
        function()
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        print(json.dumps(times), flush=True)


def check_agreement(ours_kind: str) -> None:
    """Before timing anything: our output equals PyTorch's on every case."""
    import torch

    for case in CASES:
        ours, theirs = contender(ours_kind, case)(), contender("torch", case)()
        assert isinstance(theirs, torch.Tensor)
        expected = theirs.numpy() if ours_kind == "ours-pytorch" else theirs.numpy().transpose(0, 2, 1)
        assert np.allclose(ours, expected, rtol=1e-3, atol=1e-3), case.name


def start_worker(kind: str, source: str | None) -> subprocess.Popen[str]:
    command = [sys.executable, __file__, "--worker", kind] + (["--worker-source", source] if source else [])
    return subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def timed(workers: dict[str, subprocess.Popen[str]], indices: list[int], rounds: int, repeats: int) -> Samples:
    """Per worker and case, the times of rounds × repeats calls, the workers taking turns."""
    samples: Samples = {name: {index: [] for index in indices} for name in workers}
    for _ in range(rounds):
        for index in indices:
            for name, process in workers.items():
                time.sleep(0.25)  # let the previous worker's threads fall asleep
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write(f"{index} {repeats}\n")
                process.stdin.flush()
                samples[name][index] += json.loads(process.stdout.readline())
    for process in workers.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=4)
    layouts = "ours in Keras' layout (the engine), or in PyTorch's (conv1d with framework='pytorch')"
    parser.add_argument("--layout", choices=["keras", "pytorch"], default="keras", help=layouts)
    parser.add_argument("--baseline", metavar="SRC", help="also time the engine of this source tree (ours ÷ base)")
    parser.add_argument("--case", action="append", default=[], help="only the cases whose name contains this")
    parser.add_argument("--worker", choices=["ours", "ours-pytorch", "torch", "matmul"], help=argparse.SUPPRESS)
    parser.add_argument("--worker-source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.worker_source)
        return 0
    ours_kind = "ours" if args.layout == "keras" else "ours-pytorch"
    indices = [i for i, case in enumerate(CASES) if not args.case or any(part in case.name for part in args.case)]
    check_agreement(ours_kind)
    workers = {"ours": start_worker(ours_kind, None), "torch": start_worker("torch", None)}
    workers["matmul"] = start_worker("matmul", None)
    if args.baseline:
        workers["base"] = start_worker(ours_kind, args.baseline)
    samples = timed(workers, indices, args.rounds, args.repeats)
    return report(samples, indices, args.baseline)


def report(samples: Samples, indices: list[int], baseline: str | None) -> int:
    """Print the medians and ratios; 0 if the targets are met."""
    base_columns = f"{'base ms':>9}{'÷base':>7}" if baseline else ""
    print(f"{'case':<28}{'ours ms':>9}{'torch ms':>10}{'matmul ms':>10}{'÷torch':>8}{'÷matmul':>9}{base_columns}")
    ratios, against_base = [], []
    for index in indices:
        ours, torch_, matmul = (statistics.median(samples[name][index]) for name in ("ours", "torch", "matmul"))
        ratios.append(ours / torch_)
        line = f"{CASES[index].name:<28}{ours * 1e3:>9.2f}{torch_ * 1e3:>10.2f}{matmul * 1e3:>10.2f}"
        line += f"{ours / torch_:>8.2f}{ours / matmul:>9.2f}"
        if baseline:
            base = statistics.median(samples["base"][index])
            against_base.append(ours / base)
            line += f"{base * 1e3:>9.2f}{ours / base:>7.2f}"
        print(line)
    median = statistics.median(ratios)
    print(f"median ours/torch: {median:.2f} (target ≤ 1.0); worst: {max(ratios):.2f} (target ≤ 1.5)")
    met = median <= 1.0 and max(ratios) <= 1.5
    if baseline:
        print(
            f"ours/baseline ({baseline}): median {statistics.median(against_base):.2f}, "
            f"worst {max(against_base):.2f} (target: no case above 1.10)"
        )
        met = met and max(against_base) <= 1.10
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
