"""Convolution layers in a model: keras.layers.Conv1D and torch.nn.Conv1d (their rule is conv1d.py's)."""

from __future__ import annotations

from typing import Any

from conv1dexplain.conventions import Convention
from conv1dexplain.errors import SpecError, setting
from conv1dexplain.layers import conv1d
from conv1dexplain.layers.convolution_refusals import as_chain, widest_pad
from conv1dexplain.layers.node import (
    KERAS_COMMON,
    TORCH_COMMON,
    ChainError,
    Context,
    LayerRule,
    Slide,
    Step,
    Value,
    one_int,
    params,
)
from conv1dexplain.layers.sequence import (
    PADDING_READS,
    as_tensor,
    from_tensor,
    keras_rank_error,
    torch_dims,
    torch_padded_dims,
    torch_rank_error,
)
from conv1dexplain.records import replace
from conv1dexplain.tensor import fmt_shape

Built = tuple[conv1d.Conv1DConfig, dict[str, Any]]  # what a constructor made: the config, from these arguments


def keras_conv1d(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    config: conv1d.Conv1DConfig | None = None
    if where.built is not None:  # what the constructor made of the arguments
        config, arguments = where.built
        layout = config.data_format
    else:  # (a rule called outside a model: its arguments read here)
        args = one_int(args, "filters", "kernel_size", "strides", "dilation_rate", "groups")
        arguments, layout = _keras_arguments(args), where.rules.data_format(args["data_format"])
    if len(value.dims) != 3:
        raise keras_rank_error(value, where, 3)
    if value.dims[2 if layout == "channels_last" else 1] is None:  # (an unknown length moved onto the channels axis)
        raise ChainError(
            f"{where.call.name} makes its kernel from its input's channels; "
            f"{fmt_shape(value.dims)} leaves them unknown",
            "give that axis a size: the model's input a length (Input(shape=(50, 3))) if the layers before "
            "move it there",
            "TypeError: unsupported operand type(s) for %: 'NoneType' and 'int'",
        )
    return _step(config, arguments, value, layout, where)


def _keras_arguments(args: dict[str, Any]) -> dict[str, Any]:
    keys = ("filters", "kernel_size", "strides", "padding", "dilation_rate", "groups", "use_bias", "activation")
    return {key: args[key] for key in keys}


def keras_conv1d_construct(args: dict[str, Any], rules: Convention) -> Built:
    """Conv1D.__init__'s checks: the sizes, the padding name, strides with dilation, the groups;
    the checked config and its arguments (the rule reuses both on every input)."""
    args = one_int(args, "filters", "kernel_size", "strides", "dilation_rate", "groups")
    arguments = _keras_arguments(args)
    config = conv1d.configure(rules, data_format=args["data_format"], **arguments)
    if args["filters"] % args["groups"]:
        raise ChainError(
            f"filters={args['filters']} is not divisible by groups={args['groups']}",
            f"use filters a multiple of {args['groups']}",
            "ValueError: The number of filters must be evenly divisible by the number of groups. "
            f"Received: groups={args['groups']}, filters={args['filters']}.",
            argument="groups",
        )
    return config, arguments


def torch_conv1d_construct(args: dict[str, Any], rules: Convention) -> Built:
    """nn.Conv1d.__init__'s checks: the sizes, the padding, the groups against both channel counts;
    the checked config and its arguments."""
    args = one_int(args, "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups")
    arguments = _torch_arguments(args)
    config = conv1d.configure(rules, **arguments)
    _torch_groups(rules, args["in_channels"], args["out_channels"], args["groups"])
    return config, arguments


def _torch_arguments(args: dict[str, Any]) -> dict[str, Any]:
    """nn.Conv1d's arguments in Keras' names (conv1d's)."""
    return {
        "filters": args["out_channels"],
        "kernel_size": args["kernel_size"],
        "strides": args["stride"],
        "padding": args["padding"],
        "dilation_rate": args["dilation"],
        "groups": args["groups"],
        "use_bias": args["bias"],
        "padding_mode": args["padding_mode"],
    }


def torch_conv1d(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    args = one_int(args, "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups")
    if len(value.dims) not in (2, 3):
        if args["padding_mode"] != "zeros":  # F.pad runs first, and refuses other ranks in its own words
            raise ChainError(
                f"nn.Conv1d reads (N, C, L) or unbatched (C, L); it gets {fmt_shape(value.dims)}",
                "reshape the input to (batch, channels, length)",
                f"NotImplementedError: Padding size 2 is not supported for {len(value.dims)}D input tensor.",
            )
        raise torch_rank_error(value, "conv1d")
    channels = value.dims[-2]
    if channels is None and value.sequence_axis == len(value.dims) - 2:  # the unknown length sits there
        raise SpecError(
            f"nn.Conv1d({args['in_channels']}, …) reads channels on axis {len(value.dims) - 2}, where its input "
            f"{fmt_shape(value.dims)} has its length (unknown): it runs only if that length is {args['in_channels']}",
            _channels_hint(value, args["in_channels"]),
            argument="in_channels",
        )
    if channels is None:  # (`--input 50`: the leading axis read as the batch) PyTorch would see a size here
        length = value.dims[-1] if value.dims[-1] is not None else "L"
        example = f"{args['in_channels']}x{length}"
        raise SpecError(
            f"nn.Conv1d({args['in_channels']}, …) reads channels on axis {len(value.dims) - 2}; "
            f"its input {fmt_shape(value.dims)} leaves their number unknown",
            f"give the input as channels × length: {setting('input_shape', example)}",
            argument="input_shape",
        )
    groups = args["groups"]
    if channels != args["in_channels"]:
        weight = [args["out_channels"], args["in_channels"] // max(groups, 1), args["kernel_size"]]
        raise ChainError(
            f"nn.Conv1d({args['in_channels']}, …) expects {args['in_channels']} channels on axis "
            f"{len(value.dims) - 2}; its input {fmt_shape(value.dims)} has {channels} there",
            _channels_hint(value, args["in_channels"]),
            f"RuntimeError: Given groups={groups}, weight of size {weight}, expected input"
            f"{torch_dims(torch_padded_dims(value.dims, args))} to have {args['in_channels']} channels, "
            f"but got {channels} channels instead",
            too_short=channels < args["in_channels"],  # (for the length search: channels that come from it)
            too_long=channels > args["in_channels"],
            argument="in_channels",
            value=args["in_channels"],
        )
    config, arguments = where.built or (None, _torch_arguments(args))
    step = _step(config, arguments, value, "channels_first", where)
    if args["padding_mode"] in PADDING_READS and step.slide is not None and step.slide.pad_left + step.slide.pad_right:
        return step._replace(
            notes=(*step.notes, f"padding_mode='{args['padding_mode']}': " + PADDING_READS[args["padding_mode"]])
        )
    return step


def _torch_groups(rules: Convention, in_channels: int, out_channels: int, groups: int) -> None:
    """nn.Conv1d's __init__ refuses groups that do not divide its channels, before any input."""
    try:
        rules.check_groups(in_channels, out_channels, groups)
    except SpecError as error:
        which = "in_channels" if in_channels % groups else "out_channels"
        raise ChainError(
            error.raw_message, error.raw_hint, f"ValueError: {which} must be divisible by groups", argument="groups"
        ) from None


def _channels_hint(value: Value, in_channels: int) -> str:
    if value.dims[-1] == in_channels:
        return (
            "the input is laid out (batch, length, channels), as Keras and nn.Embedding give it: "
            "permute it first, x.permute(0, 2, 1)"
        )
    return f"set in_channels={value.dims[-2]} (what the previous layer gives)"


def _step(
    config: conv1d.Conv1DConfig | None, arguments: dict[str, Any], value: Value, layout: Any, where: Context
) -> Step:
    """The convolution's step, from the config its constructor checked (None: checked here)."""
    tensor = as_tensor(value, layout)
    unknown = tensor.length is None  # the code's Input(shape=(None, C)): all but the length is exact
    if unknown:  # a stand-in length the window fits and the padding mode can pad (reflect: longer than the pad)
        span = arguments.get("dilation_rate", 1) * (arguments["kernel_size"] - 1) + 1
        tensor = replace(tensor, length=max(span, widest_pad(arguments.get("padding")) + 1, 1))
    try:
        if config is None:
            config = conv1d.configure(where.rules, length=tensor.length, data_format=layout, **arguments)
        axis = conv1d.resolve(config, tensor, where.rules)
    except SpecError as error:
        raise as_chain(error, value, where, {**arguments, "data_format": layout}, unknown) from None
    planned = conv1d.output_of(config, tensor, axis)
    output = from_tensor(replace(planned, length=None) if unknown else planned, value)
    assert tensor.channels is not None  # (resolve refuses a convolution without them)
    trainable, macs = conv1d.counts(config, tensor.channels, axis)
    step = Step(
        output,
        trainable_params=trainable,
        macs=None if unknown else macs,
        slide=Slide(axis.kernel_size, axis.strides, axis.dilation_rate, axis.pad_left, axis.pad_right),
        windowed=True,
        notes=_unknown_padding(config, unknown),
    )
    channels_axis = len(value.dims) - (1 if layout == "channels_last" else 2)
    return step if value.sequence_axis != channels_axis else _across_the_sequence(step, value, where)


def _across_the_sequence(step: Step, value: Value, where: Context) -> Step:
    """A convolution whose channels are the model's sequence (nn.Embedding into nn.Conv1d without a
    permute, in_channels equal to the length): each output mixes every position; none is left."""
    note = (
        f"it reads the sequence (length {value.length}) as its channels and slides along the other axis, "
        f"so each output reads every position: {where.rules.sequence_as_channels}"
    )
    return step._replace(output=step.output._replace(sequence_axis=None), slide=None, notes=(*step.notes, note))


def _unknown_padding(config: Any, unknown: bool) -> tuple[str, ...]:
    if unknown and getattr(config, "padding", None) == "same" and getattr(config, "strides", 1) > 1:
        return ("with strides > 1, 'same' padding depends on the length: left and right shown for one length",)
    return ()


RULES = (
    LayerRule(
        "keras",
        "Conv1D",
        params(
            "filters",
            "kernel_size",
            strides=1,
            padding="valid",
            data_format=None,
            dilation_rate=1,
            groups=1,
            activation=None,
            use_bias=True,
        ),
        keras_conv1d,
        accepts_extra=KERAS_COMMON,
        construct=keras_conv1d_construct,
    ),
    LayerRule(
        "pytorch",
        "Conv1d",
        params(
            "in_channels",
            "out_channels",
            "kernel_size",
            stride=1,
            padding=0,
            dilation=1,
            groups=1,
            bias=True,
            padding_mode="zeros",
        ),
        torch_conv1d,
        accepts_extra=TORCH_COMMON,
        construct=torch_conv1d_construct,
    ),
)
