"""Words for a plan: the formula with the user's numbers, a plain paragraph, framework notes."""

from __future__ import annotations

from conv1dexplain.geometry import keras_same_padding
from conv1dexplain.padding_words import padding_sentence
from conv1dexplain.plan import Plan
from conv1dexplain.vocabulary import AXIS_WISE, counted


def fmt_shape(shape: tuple[int | None, ...]) -> str:
    """(None, 50, 100) in Python's own spelling."""
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def names(plan: Plan) -> dict[str, str]:
    """The framework's own words for each option."""
    if plan.spec.framework == "keras":
        return {"filters": "filters", "strides": "strides", "dilation": "dilation_rate", "in": "input channels"}
    return {"filters": "out_channels", "strides": "stride", "dilation": "dilation", "in": "in_channels"}


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
    _, a, b = plan.output_shape
    axes = "length × channels" if plan.spec.data_format == "channels_last" else "channels × length"
    return f"{a} × {b} ({axes})"


def _activation_words(plan: Plan) -> tuple[str, str]:
    """(words inside the per-stop sentence, a sentence of their own) for the activation."""
    spec = plan.spec
    act = spec.activation
    if act is None or act == "linear":
        return "", ""
    if act not in AXIS_WISE:
        return f"applies {act}", ""
    last = (f"each position's {counted(spec.filters, 'output channel')}" if spec.data_format == "channels_last"
            else f"each channel's {counted(plan.axis.output_length, 'output position')}")  # fmt: skip
    if act == "glu":
        return "", (f" Then glu runs over the last axis, {last}: it splits them into halves a and b and keeps "
                    "a·sigmoid(b), so that axis halves.")  # fmt: skip
    return "", f" Then {act} runs over the last axis: {last} together."


def explanation(plan: Plan) -> str:
    """A paragraph answering "what do filters and kernel_size do" with these numbers."""
    spec, axis = plan.spec, plan.axis
    n = names(plan)
    f, k, c, cg = spec.filters, spec.kernel_size, spec.input.channels, spec.channels_per_group
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
        covers = (f"with groups={spec.groups}, each covers only the {counted(cg, 'input channel')} of its group "
                  f"({counted(spec.filters // spec.groups, 'filter')} per group)")  # fmt: skip
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
        + (f"The filter thus makes {makes}, the layer's one output channel." if single else
           f"One filter thus makes {makes}, one output channel; the {f} filters make {f} channels.")
        + after
        + f" The output: {_output_words(plan)} per example."
    )  # fmt: skip
    return text + padding_sentence(plan)


def framework_notes(plan: Plan) -> list[str]:
    """What differs between Keras and PyTorch for this layer, and how to port it."""
    spec, axis = plan.spec, plan.axis
    k, s, d = spec.kernel_size, spec.strides, spec.dilation_rate
    notes: list[str] = []
    if spec.framework == "keras":
        if spec.padding == "same" and s > 1:
            if axis.pad_left == axis.pad_right:
                notes.append(f"PyTorch refuses padding='same' with stride {s}; this split is even, so the PyTorch "
                             f"code uses padding={axis.pad_left}.")  # fmt: skip
            else:
                notes.append(f"PyTorch refuses padding='same' with stride {s}. The PyTorch code pads first: "
                             f"F.pad(x, ({axis.pad_left}, {axis.pad_right})) then padding=0; no symmetric int "
                             "padding reproduces this uneven split.")  # fmt: skip
        elif spec.padding == "same":
            notes.append("PyTorch padding='same' gives the same split at stride 1.")
        if spec.padding == "same" and k % 2 == 0 and s == 1 and d == 1:
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
        if isinstance(spec.padding, int) and k % 2 == 0 and spec.padding == k // 2 and s == 1 and d == 1:
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
            notes.append(f"Keras' Conv1D pads with zeros only: the Keras code pads the {spec.padding_mode} way "
                         "in a layer of its own first, then uses padding='valid'.")  # fmt: skip
        if s > 1 and d > 1:
            notes.append(
                f"Keras refuses strides > 1 with dilation_rate > 1: the Keras code slides the dilated "
                f"window with stride 1 and keeps one output in {s} (y[:, ::{s}]): the same numbers."
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


TORCH_PAD_MODULES = {"zeros": "ZeroPad1d", "reflect": "ReflectionPad1d", "replicate": "ReplicationPad1d",
                     "circular": "CircularPad1d"}  # fmt: skip


def layer_code(plan: Plan, framework: str) -> str:
    """The layer as one expression in its own framework (framework: the plan's; port.py writes the other's)."""
    spec = plan.spec
    if framework != spec.framework:
        raise ValueError("layer_code writes the plan's own framework; port.port writes the other one")
    cg_f = f"kernel_size={spec.kernel_size}"
    explicit = spec.padding if isinstance(spec.padding, tuple) else None
    if framework == "keras":
        pad = spec.padding if isinstance(spec.padding, str) else "valid"
        args = [f"filters={spec.filters}", cg_f]
        args += [f"strides={spec.strides}"] * (spec.strides != 1)
        args += [f'padding="{pad}"'] * (pad != "valid")
        args += [f"dilation_rate={spec.dilation_rate}"] * (spec.dilation_rate != 1)
        args += [f"groups={spec.groups}"] * (spec.groups != 1)
        args += ["use_bias=False"] * (not spec.use_bias)
        args += [f'activation="{spec.activation}"'] * (spec.activation is not None)
        args += [f'data_format="{spec.data_format}"'] * (spec.data_format != "channels_last")
        code = f"keras.layers.Conv1D({', '.join(args)})"
        if explicit is not None and explicit != (0, 0):
            fmt = "" if spec.data_format == "channels_last" else f', data_format="{spec.data_format}"'
            code = f"keras.Sequential([keras.layers.ZeroPadding1D({explicit}{fmt}), {code}])"
        return code
    pad_arg = spec.padding if isinstance(spec.padding, (int, str)) else 0
    args = [f"in_channels={spec.input.channels}", f"out_channels={spec.filters}", cg_f]
    args += [f"stride={spec.strides}"] * (spec.strides != 1)
    args += ([f"padding={pad_arg}"] if isinstance(pad_arg, int) else [f'padding="{pad_arg}"']) * (
        pad_arg not in (0, "valid")
    )
    args += [f"dilation={spec.dilation_rate}"] * (spec.dilation_rate != 1)
    args += [f"groups={spec.groups}"] * (spec.groups != 1)
    args += ["bias=False"] * (not spec.use_bias)
    args += [f'padding_mode="{spec.padding_mode}"'] * (spec.padding_mode != "zeros" and explicit is None)
    code = f"nn.Conv1d({', '.join(args)})"
    if explicit is not None and explicit != (0, 0):
        code = f"nn.Sequential(nn.{TORCH_PAD_MODULES[spec.padding_mode]}({explicit}), {code})"
    return code
