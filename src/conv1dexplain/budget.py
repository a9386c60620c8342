"""Memory budgets: refuse an array the machine should not be asked to hold, saying how big it would be."""

from __future__ import annotations

import math

from conv1dexplain.errors import DataError

MAX_TEXT_VALUES = 5_000_000  # CSV / JSON output beyond this is unreadable anyway: use .npy
OUTPUT_HINT = "write it to a file with --output out.npy (filled chunk by chunk), or raise --max-bytes"


def human_bytes(count: int) -> str:
    """1536 → '1.5 KiB'."""
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def too_big(what: str, size: int, max_bytes: int, hint: str | None = None) -> DataError:
    """The error for something of `size` bytes over the budget."""
    return DataError(
        f"{what} would take {human_bytes(size)}, over the {human_bytes(max_bytes)} budget",
        hint or "raise --max-bytes if the machine can hold it, or use a smaller input",
    )


def fits_in_memory(
    what: str, shape: tuple[int, ...], itemsize: int, max_bytes: int, *, output: bool = False, text: bool = False
) -> None:
    """Refuse an array held in memory (or written as text) over the budget, saying how big it would be."""
    values = math.prod(shape)
    size = values * itemsize
    if size > max_bytes:
        raise too_big(f"{what} {shape}", size, max_bytes, OUTPUT_HINT if output else None)
    if text and values > MAX_TEXT_VALUES:
        raise DataError(
            f"{what} {shape} has {values:,} values, too many for CSV or JSON", "write it with --output out.npy"
        )
