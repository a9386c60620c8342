"""Words about one layer's padding: what it puts where, and what it is for, true of this layer."""

from __future__ import annotations

from conv1dexplain.layers.conv1d import Conv1DPlan
from conv1dexplain.vocabulary import counted

MODE_RULES = {
    "reflect": "the input mirrored at each end, the edge itself not repeated",
    "replicate": "copies of the first position before, of the last one after",
    "circular": "the input wrapped round: the end before the start, the start after the end",
}


def source_position(position: int, length: int, padding_mode: str) -> int | None:
    """The input position a padded position holds under a PyTorch padding_mode; None for a zero."""
    if 0 <= position < length:
        return position
    if padding_mode == "replicate":
        return min(max(position, 0), length - 1)
    if padding_mode == "circular":
        return position % length
    if padding_mode == "reflect":  # check_fits keeps reflect padding below L: one fold is enough
        return -position if position < 0 else 2 * (length - 1) - position
    return None


def filled_with(plan: Conv1DPlan) -> str:
    """What a non-zeros padding_mode puts in the padding, with this input's positions."""
    spec, axis = plan.config, plan.axis
    before = [-j for j in range(1, min(axis.pad_left, 3) + 1)]
    after = [axis.length - 1 + j for j in range(1, min(axis.pad_right, 3) + 1)]
    pairs = [f"{p} holds {source_position(p, axis.length, spec.padding_mode)}" for p in before + after]
    return f"{spec.padding_mode}: {MODE_RULES[spec.padding_mode]} (position {', '.join(pairs)})"


def padding_reason(plan: Conv1DPlan) -> str:
    """Why the padding is what it is, and why the split is uneven if it is."""
    spec, axis = plan.config, plan.axis
    left, right, total = axis.pad_left, axis.pad_right, axis.pad_left + axis.pad_right
    filled = f", filled by {filled_with(plan)}" if spec.padding_mode != "zeros" and total > 0 else ""
    if spec.padding in ("valid", 0):
        last_tap = (axis.output_length - 1) * axis.strides + axis.span - 1
        unread = axis.length - 1 - last_tap
        last = "position" if unread == 1 else counted(unread, "position")
        tail = "" if unread == 0 else f"; no window reaches the input's last {last}"
        setting = "'valid'" if spec.padding == "valid" else "padding=0"
        return f"{setting}: no padding; no window goes past either end of the input" + tail
    if isinstance(spec.padding, tuple):
        return f"explicit: {left} before and {right} after, as F.pad(x, ({left}, {right})) would add" + filled
    if spec.padding == "causal":
        return (
            f"'causal': {left} = dilation_rate·(kernel_size−1) before the sequence, none after, "
            "so no window reads the future"
        )
    if isinstance(spec.padding, int) and spec.padding < 0:
        return (
            f"padding={spec.padding} with padding_mode='{spec.padding_mode}': F.pad crops {-spec.padding} from each end"
        )
    if isinstance(spec.padding, int):
        return f"padding={spec.padding}: {spec.padding} on each side" + filled
    why = (
        "so the output keeps length ceil(L/strides)"
        if plan.convention.same_by_output_length
        else "so the output keeps length L"
    )
    split = f"{total} in all, {left} left and {right} right"
    if left != right:
        split += " (odd total: the extra one goes on the right)"
    return f"'same': {split}, {why}" + filled


def padding_sentence(plan: Conv1DPlan) -> str:
    """What the padding puts where, and what it is for, true of this very layer."""
    spec, axis = plan.config, plan.axis
    left, right, s = axis.pad_left, axis.pad_right, axis.strides
    if left < 0 or right < 0:
        return (
            f" padding={spec.padding} crops {-left} from the start and {-right} from the end first, so the "
            f"windows slide over positions {-left} to {axis.length - 1 + right} only."
        )
    if left == right == 0:
        return ""
    after = "none" if right == 0 else str(right)
    if spec.padding_mode == "zeros":
        text = f" The padding puts {counted(left, 'zero')} before the sequence and {after} after"
    else:
        text = (
            f" The padding puts {counted(left, 'position')} before the sequence and {after} after, filled by "
            f"{filled_with(plan)}"
        )
    if spec.padding == "causal":
        reads = "t" if s == 1 else f"t·{s}"
        return text + f", so output t reads positions up to {reads} and never a later one."
    if spec.padding == "same":
        if plan.convention.same_by_output_length and s > 1:
            return text + f", so that ceil({axis.length}/{s}) = {axis.output_length} windows fit."
        return text + f", so the output keeps the input's length {axis.length}."
    last_tap = (axis.output_length - 1) * s - left + axis.span - 1
    reached = min(right, max(0, last_tap - (axis.length - 1)))
    if reached < right:
        return text + f"; stepping {s} at a time, the last window reaches only {reached} of the {right} after."
    return text + "."
