"""The stdout console: colour only on a terminal, never with NO_COLOR or --no-color."""

from __future__ import annotations

from rich.console import Console


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # rich would exit 1 here; the CLI ends a closed pipe quietly with exit 0 (`| head`).
        self.quiet = True
        raise BrokenPipeError


def make_console(*, no_color: bool = False) -> Console:
    """A console for data on stdout (rich itself honours NO_COLOR and COLUMNS)."""
    return _Console(no_color=no_color or None, highlight=False, emoji=False)
