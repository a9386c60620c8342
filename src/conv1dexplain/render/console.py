"""The stdout console: colour only on a terminal, never with NO_COLOR or --no-color."""

from __future__ import annotations

from rich.console import Console


def make_console(*, no_color: bool = False) -> Console:
    """A console for data on stdout (rich itself honours NO_COLOR and COLUMNS)."""
    return Console(no_color=no_color or None, highlight=False, emoji=False)
