"""The engine's worker threads (depthwise layers) survive what users do with processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

USER_SCRIPT = textwrap.dedent(
    """
    import multiprocessing
    import time
    import numpy as np
    from conv1dexplain.engine import _pool, convolve

    X = np.random.default_rng(0).standard_normal((4, 300, 6))
    KERNEL = np.random.default_rng(1).standard_normal((3, 1, 6))  # depthwise: one input channel per group

    def depthwise(_):
        return convolve(X, KERNEL, groups=6, work_bytes=256)  # many chunks: the thread pool

    # By the definition: output t of channel c = sum over taps j of x[t + j, c] * kernel[j, 0, c].
    EXPECTED = sum(X[:, j : j + 298, :] * KERNEL[j, 0] for j in range(3))

    if __name__ == "__main__":
        assert np.allclose(depthwise(0), EXPECTED, rtol=1e-12, atol=1e-12)  # the parent starts its threads
        list(_pool().map(time.sleep, [0.2, 0.2]))  # all of them (two tasks at once need two threads)
        time.sleep(0.2)  # and they go idle, as they do between a user's calls
        with multiprocessing.get_context("fork").Pool(2) as pool:
            for out in pool.map_async(depthwise, range(2)).get(timeout=30):
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
