"""Words for a plan: the formula with the user's numbers, a plain paragraph, framework notes."""

from __future__ import annotations

from conv1dexplain.geometry import keras_same_padding
from conv1dexplain.plan import Plan
from conv1dexplain.vocabulary import counted


def fmt_shape(shape: tuple[int | None, ...]) -> str:
    """(None, 50, 100) in Python's own spelling."""
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def names(plan: Plan) -> dict[str, str]:
    """The framework's own words for each option."""
    if plan.spec.framework == "keras":
        return {"filters": "filters", "strides": "strides", "dilation": "dilation_rate", "in": "input channels"}
    return {"filters": "out_channels", "strides": "stride", "dilation": "dilation", "in": "in_channels"}


def padding_reason(plan: Plan) -> str:
    """Why the padding is what it is, and why the split is uneven if it is."""
    spec, axis = plan.spec, plan.axis
    left, right, total = axis.pad_left, axis.pad_right, axis.pad_left + axis.pad_right
    if spec.padding == "valid":
        return "'valid': no padding; windows stop where the input ends"
    if isinstance(spec.padding, tuple):
        return f"explicit: {left} before and {right} after, as F.pad(x, ({left}, {right})) would add"
    if spec.padding == "causal":
        return (f"'causal': {left} = dilation_rate·(kernel_size−1) before the sequence, none after, "
                "so no window reads the future")  # fmt: skip
    if isinstance(spec.padding, int) and spec.padding < 0:
        return (
            f"padding={spec.padding} with padding_mode='{spec.padding_mode}': F.pad crops {-spec.padding} from each end"
        )
    if isinstance(spec.padding, int):
        return f"padding={spec.padding}: {spec.padding} on each side"
    why = "so the output keeps length ceil(L/strides)" if spec.framework == "keras" else "so the output keeps length L"
    split = f"{total} in all, {left} left and {right} right"
    if left != right:
        split += " (odd total: the extra one goes on the right)"
    return f"'same': {split}, {why}"


def output_length_formula(plan: Plan) -> list[str]:
    """The output-length arithmetic, first with names, then with the user's numbers."""
    spec, axis = plan.spec, plan.axis
    k, s, d, length = spec.kernel_size, spec.strides, spec.dilation_rate, axis.length
    lines = [f"span = dilation·(kernel_size − 1) + 1 = {d}·({k} − 1) + 1 = {axis.span}"]
    if spec.framework == "keras" and spec.padding == "same":
        out = axis.output_length
        lines += [
            f"L_out = ceil(L / strides) = ceil({length} / {s}) = {out}",
            "padding = max(0, (L_out − 1)·strides + span − L)",
            f"        = max(0, {out - 1}·{s} + {axis.span} − {length}) = {axis.pad_left + axis.pad_right}"
            f" → {axis.pad_left} left, {axis.pad_right} right",
        ]
        return lines
    if spec.framework == "pytorch" and isinstance(spec.padding, int):
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


def _output_words(plan: Plan) -> str:
    length, filters = plan.axis.output_length, plan.spec.filters
    if plan.spec.data_format == "channels_last":
        return f"{length} × {filters} (length × channels)"
    return f"{filters} × {length} (channels × length)"


def explanation(plan: Plan) -> str:
    """A paragraph answering "what do filters and kernel_size do" with these numbers."""
    spec, axis = plan.spec, plan.axis
    n = names(plan)
    f, k, c, cg = spec.filters, spec.kernel_size, spec.input.channels, spec.channels_per_group
    per_step = counted(spec.strides, "step")
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
        covers = f"{each} covers {every}, so kernel_size only sets how many neighbouring positions it sees"
    else:
        covers = (f"with groups={spec.groups}, each covers only the {counted(cg, 'input channel')} of its group "
                  f"({counted(spec.filters // spec.groups, 'filter')} per group)")  # fmt: skip
    bias = " and adds its bias" if spec.use_bias else ""
    makes = counted(axis.output_length, "number")
    text = (
        f"{n['filters']}={f} means the layer learns {'a single filter' if single else f'{f} separate filters'}; "
        f"kernel_size={k} means {each if single else 'each one'} reads {reads} at a time. "
        f"{'The filter' if single else 'Each filter'} is a {k} × {cg} block of weights: {covers}. "
        f"It slides along the {counted(axis.length, 'input position')}, {per_step} at a time; at each stop it "
        f"multiplies the {k} × {cg} values under it by its weights, sums them{bias} — one number. "
        + (f"The filter thus makes {makes}, the layer's one output channel: " if single else
           f"One filter thus makes {makes}, one output channel; the {f} filters make {f} channels: ")
        + f"an output of {_output_words(plan)} per example."
    )  # fmt: skip
    if axis.pad_left or axis.pad_right:
        text += (f" The padding adds {counted(axis.pad_left, 'zero row')} before and {axis.pad_right} after so the "
                 "window can also stop near the ends.")  # fmt: skip
    return text


def framework_notes(plan: Plan) -> list[str]:
    """What differs between Keras and PyTorch for this layer, and how to port it."""
    spec, axis = plan.spec, plan.axis
    k, s, d = spec.kernel_size, spec.strides, spec.dilation_rate
    notes: list[str] = []
    if spec.framework == "keras":
        if spec.padding == "same" and s > 1:
            notes.append(
                f"PyTorch refuses padding='same' with stride {s}. To get this layer there: "
                f"F.pad(x, ({axis.pad_left}, {axis.pad_right})) then nn.Conv1d(..., stride={s}, padding=0)"
                + (
                    "; no symmetric int padding reproduces this uneven split."
                    if axis.pad_left != axis.pad_right
                    else "."
                )
            )
        elif spec.padding == "same":
            notes.append("PyTorch padding='same' gives the same split at stride 1.")
        if spec.padding == "same" and k % 2 == 0 and s == 1:
            wrong = (axis.length + 2 * (k // 2) - axis.span) // s + 1
            notes.append(f"In PyTorch, padding=kernel_size//2={k // 2} with this even kernel gives length {wrong}, "
                         f"not {axis.output_length}: it pads {k // 2} on both sides.")  # fmt: skip
        if spec.padding == "causal":
            notes.append(f"PyTorch has no 'causal' padding: F.pad(x, ({d * (k - 1)}, 0)) then padding=0.")
        notes.append("Keras is (batch, length, channels); PyTorch is (batch, channels, length): x.permute(0, 2, 1)."
                     if spec.data_format == "channels_last" else
                     "channels_first is PyTorch's (batch, channels, length) order; "
                     "the kernel layout stays (k, C/g, F).")  # fmt: skip
    else:
        if isinstance(spec.padding, int) and k % 2 == 0 and spec.padding == k // 2 and s == 1:
            notes.append(f"padding=kernel_size//2 with an even kernel gives L+1 = {axis.output_length}; "
                         "padding='same' keeps the length (1 fewer on the left).")  # fmt: skip
        if spec.padding == "same" or (isinstance(spec.padding, int) and spec.padding > 0):
            left, right = keras_same_padding(axis.length, k, s, d)
            if (left, right) == (axis.pad_left, axis.pad_right):
                notes.append("Keras padding='same' gives the same split here.")
            else:
                notes.append(f"Keras padding='same' would pad {left} left and {right} right here.")
        notes.append("PyTorch is (batch, channels, length); Keras is (batch, length, channels): x.permute(0, 2, 1).")
        notes.append("nn.Conv1d also takes an unbatched (C, L) input and returns (out_channels, L_out).")
        if spec.padding_mode != "zeros":
            notes.append(
                f"Keras pads with zeros only; padding_mode='{spec.padding_mode}' has no Keras Conv1D equivalent."
            )
    if spec.activation in ("softmax", "log_softmax") and plan.output_shape[-1] == 1:
        notes.append(f"{spec.activation} runs over the last axis, which has size 1 here: the output is constant "
                     "(Keras warns too); sigmoid is probably meant.")  # fmt: skip
    if spec.activation == "glu":
        notes.append(
            "activation='glu' splits the last axis in two halves a·sigmoid(b): that axis of the output is halved."
        )
    notes.append("A Keras kernel (k, C/g, F) is a PyTorch weight (F, C/g, k) transposed by (2, 1, 0): "
                 "weight = kernel.transpose(2, 1, 0).")  # fmt: skip
    return notes


def layer_code(plan: Plan, framework: str) -> str:
    """The one-line layer constructor in the given framework's own words."""
    spec, axis = plan.spec, plan.axis
    cg_f = f"kernel_size={spec.kernel_size}"
    if framework == "keras":
        pad = spec.padding if isinstance(spec.padding, str) else "valid"
        explicit_pair = (axis.pad_left, axis.pad_right) if isinstance(spec.padding, (int, tuple)) else (0, 0)
        args = [f"filters={spec.filters}", cg_f]
        args += [f"strides={spec.strides}"] * (spec.strides != 1)
        args += [f'padding="{pad}"'] * (pad != "valid")
        args += [f"dilation_rate={spec.dilation_rate}"] * (spec.dilation_rate != 1)
        args += [f"groups={spec.groups}"] * (spec.groups != 1)
        args += ["use_bias=False"] * (not spec.use_bias)
        args += [f'activation="{spec.activation}"'] * (spec.activation is not None)
        args += [f'data_format="{spec.data_format}"'] * (spec.data_format != "channels_last")
        code = f"keras.layers.Conv1D({', '.join(args)})"
        if explicit_pair != (0, 0):
            fmt = "" if spec.data_format == "channels_last" else f', data_format="{spec.data_format}"'
            code = f"keras.layers.ZeroPadding1D({explicit_pair}{fmt}) then " + code
        return code
    torch_same_ok = spec.padding == "same" and spec.strides == 1
    explicit = (
        spec.padding == "causal" or isinstance(spec.padding, tuple) or (spec.padding == "same" and not torch_same_ok)
    )
    pad_arg = spec.padding if isinstance(spec.padding, int) or torch_same_ok else "valid"
    args = [f"in_channels={spec.input.channels}", f"out_channels={spec.filters}", cg_f]
    args += [f"stride={spec.strides}"] * (spec.strides != 1)
    args += ([f"padding={pad_arg}"] if isinstance(pad_arg, int) else [f'padding="{pad_arg}"']) * (
        pad_arg not in (0, "valid")
    )
    args += [f"dilation={spec.dilation_rate}"] * (spec.dilation_rate != 1)
    args += [f"groups={spec.groups}"] * (spec.groups != 1)
    args += ["bias=False"] * (not spec.use_bias)
    args += [f'padding_mode="{spec.padding_mode}"'] * (spec.padding_mode != "zeros")
    code = f"nn.Conv1d({', '.join(args)})"
    if explicit:
        code = f"F.pad(x, ({axis.pad_left}, {axis.pad_right})) then " + code
    return code
