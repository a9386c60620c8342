"""BLAS on one thread for a while: when the engine's own threads each run a product, so that two
products run side by side on two cores instead of each asking BLAS for every core."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any


@functools.cache
def _controller() -> Any:
    """threadpoolctl's view of the loaded BLAS libraries (looked up once: it reads every library)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """BLAS limited to one thread inside, as before outside."""
    with _controller().limit(limits=1, user_api="blas"):
        yield
