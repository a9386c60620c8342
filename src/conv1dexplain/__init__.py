"""Explain and run 1-D convolutions exactly as Keras and PyTorch do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Conv1dExplainError", "DataError", "SpecError", "__version__", "conv1d", "summary"]

if TYPE_CHECKING:
    from conv1dexplain.api import conv1d
    from conv1dexplain.errors import Conv1dExplainError, DataError, SpecError
    from conv1dexplain.model_api import summary


def __getattr__(name: str) -> Any:
    # Lazy: `import conv1dexplain` (and so the CLI's start-up) must not import numpy.
    if name == "conv1d":
        from conv1dexplain.api import conv1d

        return conv1d
    if name == "summary":
        from conv1dexplain.model_api import summary

        return summary
    if name in ("Conv1dExplainError", "DataError", "SpecError"):
        from conv1dexplain import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'conv1dexplain' has no attribute {name!r}")
