"""Layer kinds: one module each, behind one small protocol; the list below is the registry.

Where a new layer kind goes: a module here with its frozen config (validated on its own, in the
framework's argument names), a `plan(config, tensor, convention) -> LayerPlan` rule in pure
integers, and its oracle tests (the real Keras and PyTorch layer, built and compared). Add it to
KINDS; nothing else changes.
"""

from __future__ import annotations

from conv1dexplain.layers.base import LayerKind, LayerPlan
from conv1dexplain.layers.conv1d import CONV1D

KINDS: tuple[LayerKind, ...] = (CONV1D,)
__all__ = ["KINDS", "LayerKind", "LayerPlan"]
