"""The frameworks' conventions: the only place that knows how Keras and PyTorch differ.

Where framework differences go: an attribute or method of `Convention` (conventions/base.py),
written for each framework in its own module (keras.py, pytorch.py). Code elsewhere asks the
layer's convention (`plan.convention.kernel_shape(...)`, `.arg("strides")`, `.same_padding(...)`)
and never compares framework names.
"""

from __future__ import annotations

import functools

from conv1dexplain.conventions.base import Convention
from conv1dexplain.conventions.keras import KERAS
from conv1dexplain.conventions.pytorch import PYTORCH
from conv1dexplain.errors import SpecError, setting
from conv1dexplain.vocabulary import framework_named

CONVENTIONS: tuple[Convention, ...] = (KERAS, PYTORCH)
__all__ = ["CONVENTIONS", "KERAS", "PYTORCH", "Convention", "convention", "other"]


def convention(framework: str | Convention) -> Convention:
    """The convention a --framework value names (keras, tensorflow, pytorch, torch; any case)."""
    if isinstance(framework, Convention):
        return framework
    return _named(framework)


@functools.lru_cache(maxsize=64)
def _named(framework: str) -> Convention:
    name = framework_named(framework)
    for candidate in CONVENTIONS:
        if candidate.name == name:
            return candidate
    raise SpecError(
        f"unknown framework {framework!r}",
        f"use {setting('framework', 'keras')} or {setting('framework', 'pytorch')}",
        argument="framework",
        value=framework,
    )


def other(this: Convention) -> Convention:
    """The other framework's convention (for ports and notes)."""
    return next(candidate for candidate in CONVENTIONS if candidate is not this)
