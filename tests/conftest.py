"""Shared test helpers: the oracles (real Keras / PyTorch) are optional, except in CI."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

# Keras must use its PyTorch backend (the only one CI installs); set before any import of keras.
os.environ.setdefault("KERAS_BACKEND", "torch")


def oracle(name: str) -> ModuleType:
    """Import a real framework, or skip — unless CONV1DEXPLAIN_REQUIRE_ORACLES=1 (CI) makes it a failure."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        if os.environ.get("CONV1DEXPLAIN_REQUIRE_ORACLES") == "1":
            pytest.fail(f"oracle {name!r} is required here but missing: {error}")
        pytest.skip(f"{name} not installed (oracle test)")


@pytest.fixture(scope="session")
def torch() -> ModuleType:
    """Real PyTorch."""
    module = oracle("torch")
    module.set_num_threads(1)
    return module


@pytest.fixture(scope="session")
def keras(torch: ModuleType) -> ModuleType:
    """Real Keras 3 on the PyTorch backend."""
    module = oracle("keras")
    assert module.backend.backend() == "torch", "set KERAS_BACKEND=torch before keras is imported"
    return module


@pytest.fixture
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The human views at 80 columns, without forced colour (what the snapshots hold)."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
