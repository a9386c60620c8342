"""The engine's own threads, for layers whose work is NumPy's elementwise passes and einsum (which
release the GIL): started on first use and kept, as starting them costs more than a small layer."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Executor

Todo = TypeVar("Todo")


def spread(run: Callable[[list[Todo]], None], todo: list[Todo], threads: int) -> None:
    """run(todo), its items dealt out between `threads` threads (run on this one if 1)."""
    if threads > 1 and len(todo) > 1:
        list(pool(threads).map(run, [todo[i::threads] for i in range(threads)]))
    else:
        run(todo)


@functools.cache
def pool(threads: int) -> Executor:
    """The pool of `threads` threads. (Imported here: concurrent.futures costs every start-up.)"""
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(threads, thread_name_prefix="conv1dexplain")


if hasattr(os, "register_at_fork"):  # a forked child has none of the parent's threads: start anew
    os.register_at_fork(after_in_child=pool.cache_clear)
