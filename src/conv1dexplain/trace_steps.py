"""What a trace is asked to step through: --steps, --filter, and layers it can show step by step."""

from __future__ import annotations

from conv1dexplain.errors import SpecError
from conv1dexplain.layers.conv1d import Conv1DConfig
from conv1dexplain.records import record

MAX_TAPS = 1 << 16  # each window line lists its taps: more could not be read, and would not fit in memory


@record(frozen=True)
class Selection:
    """What a trace shows: one example, its output positions start … stop−1, and one filter (None: all)."""

    example: int
    start: int
    stop: int
    filter_index: int | None


def check_steppable(spec: Conv1DConfig) -> None:
    """Refuse a kernel too long to list tap by tap, and glu in channels_first: Keras splits the
    length there, so output t is window t times sigmoid(window t + L_out/2), two windows a step."""
    if spec.kernel_size > MAX_TAPS:
        raise SpecError(
            f"trace lists every tap of each window: kernel_size={spec.kernel_size:,} is too many to step through "
            f"(at most {MAX_TAPS:,})",
            "use conv1dexplain shape for the layer's facts, or conv1dexplain run to compute it",
        )
    if spec.activation == "glu" and spec.data_format == "channels_first":
        raise SpecError(
            "trace cannot step through activation='glu' in channels_first: Keras splits the output's last axis, "
            "the length, so output t gates window t by window t + L_out/2",
            "use --data-format channels_last (glu then splits the filters, one window a step), "
            "or compute it with conv1dexplain run",
        )


def parse_steps(text: str | None, output_length: int) -> tuple[int, int]:
    """'START:STOP' (Python slice rules, negatives from the end) → (start, stop) within the output."""
    if text is None:
        return 0, output_length
    parts = text.split(":")
    try:
        if len(parts) == 1:
            start = int(parts[0])
            bounds = slice(start, start + 1 if start != -1 else None)
        elif len(parts) == 2:
            bounds = slice(*(int(p) if p.strip() else None for p in parts))
        else:
            raise ValueError
    except ValueError:
        raise SpecError(f"--steps {text!r} is not START:STOP", "e.g. --steps 0:5, --steps 10:, --steps -3:") from None
    start, stop, _ = bounds.indices(output_length)
    if start >= stop:
        raise SpecError(
            f"--steps {text!r} selects no step: the output has {output_length} positions",
            f"use a range within 0:{output_length}",
        )
    return start, stop


def check_filter(filter_index: int | None, output_channels: int) -> None:
    """Refuse a --filter the layer does not have."""
    if filter_index is not None and not 0 <= filter_index < output_channels:
        raise SpecError(
            f"--filter {filter_index} is out of range: the layer has {output_channels} output channels",
            f"use --filter 0 … {output_channels - 1}",
        )
