"""The frameworks' conventions: the only place that knows how Keras and PyTorch differ.

Where framework differences go: an attribute or method of `Convention` (conventions/base.py),
written for each framework in its own module (keras.py, pytorch.py). Code elsewhere asks the
layer's convention (`plan.convention.kernel_shape(...)`, `.arg("strides")`, `.same_padding(...)`)
and never compares framework names.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from conv1dexplain.conventions.base import Convention
from conv1dexplain.errors import SpecError, setting
from conv1dexplain.vocabulary import FRAMEWORKS, framework_named

__all__ = ["CONVENTIONS", "KERAS", "PYTORCH", "Convention", "convention", "other"]
_CONSTANT = {"keras": "KERAS", "pytorch": "PYTORCH"}  # what each framework's module (keras.py, …) defines


def convention(framework: str | Convention) -> Convention:
    """The convention a --framework value names (keras, tensorflow, pytorch, torch; any case)."""
    if isinstance(framework, Convention):
        return framework
    return _named(framework)


@functools.lru_cache(maxsize=64)
def _named(framework: str) -> Convention:
    name = framework_named(framework)
    if name is None:
        raise SpecError(
            f"unknown framework {framework!r}",
            f"use {setting('framework', 'keras')} or {setting('framework', 'pytorch')}",
            argument="framework",
            value=framework,
        )
    return _loaded(name)


@functools.cache
def _loaded(name: str) -> Convention:
    """A framework's convention, its module imported when first asked for (a Keras model never
    needs PyTorch's)."""
    found: Convention = getattr(importlib.import_module(f"conv1dexplain.conventions.{name}"), _CONSTANT[name])
    return found


def other(this: Convention) -> Convention:
    """The other framework's convention (for ports and notes)."""
    return _loaded(next(name for name in FRAMEWORKS if name != this.name))


def __getattr__(name: str) -> Any:
    for framework, constant in _CONSTANT.items():
        if name == constant:
            return _loaded(framework)
    if name == "CONVENTIONS":
        return tuple(_loaded(framework) for framework in FRAMEWORKS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
