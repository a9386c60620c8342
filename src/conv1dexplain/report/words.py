"""Words for a Conv1D plan: the output-length formula with the user's numbers, and a plain paragraph
answering "what do filters and kernel_size do"."""

from __future__ import annotations

from conv1dexplain.layers.conv1d import Conv1DPlan
from conv1dexplain.report.padding import padding_sentence
from conv1dexplain.vocabulary import AXIS_WISE, counted


def names(plan: Conv1DPlan) -> dict[str, str]:
    """The framework's own words for each option."""
    rules = plan.convention
    return {
        "filters": rules.arg("filters"),
        "strides": rules.arg("strides"),
        "dilation": rules.arg("dilation_rate"),
        "in": rules.groups_words[1],
    }


def output_length_formula(plan: Conv1DPlan) -> list[str]:
    """The output-length arithmetic, first with names, then with the user's numbers."""
    spec, axis = plan.config, plan.axis
    k, s, d, length = spec.kernel_size, spec.strides, spec.dilation_rate, axis.length
    lines = [f"span = dilation·(kernel_size − 1) + 1 = {d}·({k} − 1) + 1 = {axis.span}"]
    if plan.convention.same_by_output_length and spec.padding == "same":
        out = axis.output_length
        lines += [
            f"L_out = ceil(L / strides) = ceil({length} / {s}) = {out}",
            "padding = max(0, (L_out − 1)·strides + span − L)",
            f"        = max(0, {out - 1}·{s} + {axis.span} − {length}) = {axis.pad_left + axis.pad_right}"
            f" → {axis.pad_left} left, {axis.pad_right} right",
        ]
        return lines
    if isinstance(spec.padding, int):
        p = spec.padding
        lines += [
            "L_out = floor((L + 2·padding − span) / stride) + 1",
            f"      = floor(({length} + 2·{p} − {axis.span}) / {s}) + 1 = {axis.output_length}",
        ]
        return lines
    pads = f"{axis.pad_left} + {axis.pad_right}"
    lines += [
        f"L_out = floor((L + left + right − span) / {names(plan)['strides']}) + 1",
        f"      = floor(({length} + {pads} − {axis.span}) / {s}) + 1 = {axis.output_length}",
    ]
    return lines


def _output_words(plan: Conv1DPlan) -> str:
    _, a, b = plan.output_shape
    axes = "length × channels" if plan.config.data_format == "channels_last" else "channels × length"
    return f"{a} × {b} ({axes})"


def _activation_words(plan: Conv1DPlan) -> tuple[str, str]:
    """(words inside the per-stop sentence, a sentence of their own) for the activation."""
    spec = plan.config
    act = spec.activation
    if act is None or act == "linear":
        return "", ""
    if act not in AXIS_WISE:
        return f"applies {act}", ""
    last = (
        f"each position's {counted(spec.filters, 'output channel')}"
        if spec.data_format == "channels_last"
        else f"each channel's {counted(plan.axis.output_length, 'output position')}"
    )
    if act == "glu":
        return "", (
            f" Then glu runs over the last axis, {last}: it splits them into halves a and b and keeps "
            "a·sigmoid(b), so that axis halves."
        )
    return "", f" Then {act} runs over the last axis: {last} together."


def explanation(plan: Conv1DPlan) -> str:
    """A paragraph answering "what do filters and kernel_size do" with these numbers."""
    spec, axis = plan.config, plan.axis
    n = names(plan)
    f, k, c, cg = spec.filters, spec.kernel_size, plan.input_channels, plan.channels_per_group
    if k == 1:
        reads = "1 position"
    elif spec.dilation_rate == 1:
        reads = f"{k} consecutive positions"
    else:
        reads = f"{k} positions {spec.dilation_rate} apart (a span of {axis.span})"
    single = f == 1
    each = "it" if single else "each"
    if spec.groups == 1:
        every = "the single input channel" if c == 1 else f"all {c} input channels"
        which = "neighbouring positions" if spec.dilation_rate == 1 or k == 1 else "positions along the sequence"
        covers = f"{each} covers {every}, so kernel_size only sets how many {which} it reads"
    else:
        covers = (
            f"with groups={spec.groups}, each covers only the {counted(cg, 'input channel')} of its group "
            f"({counted(spec.filters // spec.groups, 'filter')} per group)"
        )
    applies, after = _activation_words(plan)
    steps = ["sums them", *["adds its bias"] * spec.use_bias, *[applies] * bool(applies)]
    does = ", ".join(steps[:-1]) + " and " + steps[-1] if len(steps) > 1 else steps[0]
    makes = counted(axis.output_length, "number")
    text = (
        f"{n['filters']}={f} means the layer learns {'a single filter' if single else f'{f} separate filters'}; "
        f"kernel_size={k} means {each if single else 'each one'} reads {reads} at a time. "
        f"{'The filter' if single else 'Each filter'} is a {k} × {cg} block of weights: {covers}. "
        f"It slides along the {counted(axis.length, 'input position')}, moving {counted(axis.strides, 'position')} "
        f"at a time; at each stop it multiplies the {k} × {cg} values under it by its weights, {does} — one number. "
        + (
            f"The filter thus makes {makes}, the layer's one output channel."
            if single
            else f"One filter thus makes {makes}, one output channel; the {f} filters make {f} channels."
        )
        + after
        + f" The output: {_output_words(plan)} per example."
    )
    return text + padding_sentence(plan)
