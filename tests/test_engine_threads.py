"""The engine's threads: its depthwise workers survive what users do with processes, and users' own
threads keep to their own buffers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from conv1dexplain.engine import convolve

USER_SCRIPT = textwrap.dedent(
    """
    import multiprocessing
    import time
    import numpy as np
    from conv1dexplain.engine import _pool, convolve

    X = np.random.default_rng(0).standard_normal((4, 300, 6))
    X_FIRST = np.ascontiguousarray(X.transpose(0, 2, 1)).transpose(0, 2, 1)  # PyTorch's layout: rows along L
    KERNEL = np.random.default_rng(1).standard_normal((3, 1, 6))  # depthwise: one input channel per group

    def depthwise(first):
        return convolve(X_FIRST if first else X, KERNEL, groups=6, work_bytes=256)  # many chunks: the thread pool

    # By the definition: output t of channel c = sum over taps j of x[t + j, c] * kernel[j, 0, c].
    EXPECTED = sum(X[:, j : j + 298, :] * KERNEL[j, 0] for j in range(3))

    if __name__ == "__main__":
        for first in (False, True):  # the parent starts its threads
            assert np.allclose(depthwise(first), EXPECTED, rtol=1e-12, atol=1e-12)
        list(_pool().map(time.sleep, [0.2, 0.2]))  # all of them (two tasks at once need two threads)
        time.sleep(0.2)  # and they go idle, as they do between a user's calls
        with multiprocessing.get_context("fork").Pool(2) as pool:
            for out in pool.map_async(depthwise, [False, True]).get(timeout=30):
                assert np.allclose(out, EXPECTED, rtol=1e-12, atol=1e-12)
        print("ok")
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="fork is the Linux default start method")
def test_a_forked_child_gets_threads_of_its_own(tmp_path: Path) -> None:
    """A child forked after a depthwise layer inherits none of the pool's threads: handed the
    parent's pool, whose threads all count as idle, it would wait forever (30 s here, then fail).
    It runs as a user's script does, in a process of its own."""
    script = tmp_path / "user.py"
    script.write_text(USER_SCRIPT)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_threads_calling_at_once_keep_to_their_own_buffers() -> None:
    """The engine keeps its working buffers between calls, one set per thread: threads convolving
    the same shapes at once (matrix products release the GIL) must not write into each other's.
    In PyTorch's layout too, whose chunks go through buffers of their own, and depthwise layers,
    whose blocks go to the engine's own threads."""
    rng = np.random.default_rng(0)
    shapes = [(2, 300, 8, 40, 3), (3, 200, 16, 24, 5), (1, 500, 4, 64, 2), (2, 300, 32, 32, 3)]  # N, L, C, F, k
    layers = []
    for index, (batch, length, channels, filters, k) in enumerate(shapes):
        groups = channels if index == 0 else 1  # one depthwise layer, with a depth multiplier of 40 / 8
        x = rng.standard_normal((batch, length, channels))
        kernel = rng.standard_normal((k, channels // groups, filters))
        padded = np.pad(x, ((0, 0), (k // 2, (k - 1) // 2), (0, 0)))
        if groups == 1:
            expected = sum(padded[:, j : j + length] @ kernel[j] for j in range(k))  # the definition
        else:  # output channel f reads input channel f // (F / C)
            expected = sum(
                padded[:, j : j + length, np.arange(filters) * channels // filters] * kernel[j, 0] for j in range(k)
            )
        layers.append((x, kernel, k, groups, expected))
    start = threading.Barrier(4)

    def calls(worker: int) -> list[bool]:
        start.wait()
        results = []
        for x, kernel, k, groups, expected in layers[worker % 4 :] * 20 + layers[: worker % 4] * 20:
            out = convolve(x, kernel, pad_left=k // 2, pad_right=(k - 1) // 2, groups=groups, work_bytes=4096)
            results.append(bool(np.allclose(out, expected, rtol=1e-12, atol=1e-12)))
            x_first = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)  # (N, C, L) seen channels-last
            out_first = np.empty((x.shape[0], kernel.shape[2], x.shape[1])).transpose(0, 2, 1)
            # (the depthwise one in blocks of 16 rows × 170 positions: large enough that ufuncs release the GIL)
            convolve(
                x_first,
                kernel,
                pad_left=k // 2,
                pad_right=(k - 1) // 2,
                groups=groups,
                work_bytes=4096 if groups == 1 else 1 << 17,
                out=out_first,
            )
            results.append(bool(np.allclose(out_first, expected, rtol=1e-12, atol=1e-12)))
        return results

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(calls, range(4)))
    assert all(all(worker) for worker in results)


@pytest.mark.parametrize("pytorch_layout", [False, True])
@pytest.mark.parametrize(("groups", "batch", "length"), [(2, 3, 700), (4, 8, 1024), (8, 1, 5000)])
def test_grouped_layers_on_threads_equal_the_definition(
    pytorch_layout: bool, groups: int, batch: int, length: int
) -> None:
    """Grouped layers over the bound (group_threads_macs) spread their groups or chunks over two
    threads, BLAS on one thread each: the same numbers as one thread, and as the definition."""
    from conv1dexplain.engine.limits import Limits

    rng = np.random.default_rng(groups)
    channels, filters, k = 64, 64, 3
    x = rng.standard_normal((batch, length, channels)).astype(np.float32)
    if pytorch_layout:
        x = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)
    kernel = rng.standard_normal((k, channels // groups, filters)).astype(np.float32)
    cg, fg = channels // groups, filters // groups
    padded = np.pad(x.astype(np.float64), ((0, 0), (1, 1), (0, 0)))
    expected = np.concatenate(
        [
            sum(
                padded[:, j : j + length, g * cg : (g + 1) * cg] @ kernel[j, :, g * fg : (g + 1) * fg] for j in range(k)
            )
            for g in range(groups)
        ],
        axis=2,
    )
    macs = batch * length * filters * k * cg
    paths_two: list[str] = []

    def target() -> np.ndarray | None:  # PyTorch's (N, F, L_out), seen channels-last
        return np.empty((batch, filters, length), np.float32).transpose(0, 2, 1) if pytorch_layout else None

    two = convolve(
        x,
        kernel,
        pad_left=1,
        pad_right=1,
        groups=groups,
        limits=Limits(threads=2, group_threads_macs=macs),
        out=target(),
        paths=paths_two,
    )
    paths_one: list[str] = []
    one = convolve(
        x, kernel, pad_left=1, pad_right=1, groups=groups, limits=Limits(threads=1), paths=paths_one, out=target()
    )
    np.testing.assert_allclose(two, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(two, one, rtol=1e-5, atol=1e-5)  # (float32: BLAS may split the sums otherwise)
    assert paths_two == paths_one == (["taps unfolded along L"] if pytorch_layout else ["im2col"] * groups)
