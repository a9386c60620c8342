"""Conv1D (keras.layers.Conv1D, torch.nn.Conv1d): its config, validated as the framework does, and
its rule: padding, output length, kernel, parameters, MACs — refusing exactly what it refuses."""

from __future__ import annotations

from typing import Any

from conv1dexplain import geometry
from conv1dexplain.conventions import Convention, convention, other
from conv1dexplain.conventions.base import Padding, require_int64
from conv1dexplain.errors import SpecError, setting
from conv1dexplain.geometry import Axis, span
from conv1dexplain.layers.base import LayerPlan, in_layer
from conv1dexplain.records import record
from conv1dexplain.tensor import Tensor, UnknownLengthError, parse_tensor
from conv1dexplain.vocabulary import DataFormat


@record(frozen=True)
class Conv1DConfig:
    """One Conv1D layer's arguments, validated, in Keras' names (the convention names them its way)."""

    filters: int
    kernel_size: int
    strides: int = 1
    padding: Padding = "valid"  # keras: valid|same|causal; pytorch: valid|same|an int; or (left, right)
    dilation_rate: int = 1
    groups: int = 1
    use_bias: bool = True
    activation: str | None = None
    padding_mode: str = "zeros"
    data_format: DataFormat = "channels_last"


@record(frozen=True)
class Conv1DPlan(LayerPlan):
    """A Conv1D layer on its input: the axis resolved, its kernel in both frameworks' layouts."""

    axis: Axis  # always present: the window slides along the sequence
    config: Conv1DConfig
    kernel_shape: tuple[int, int, int]  # in the convention's layout
    other_kernel_shape: tuple[int, int, int]  # in the other framework's layout
    bias_shape: tuple[int] | None

    @property
    def channels_per_group(self) -> int:
        """Input channels each filter reads (C / groups)."""
        return self.input_channels // self.config.groups

    @property
    def input_channels(self) -> int:
        """C, the input's channels (always known for a convolution)."""
        assert self.input.channels is not None
        return self.input.channels

    @property
    def weights_per_filter(self) -> int:
        """k · C/groups: the weights one filter multiplies at each position."""
        return self.config.kernel_size * self.channels_per_group

    @property
    def input_shape(self) -> tuple[int | None, ...]:
        """The input's shape in its layout."""
        return self.input.shape

    @property
    def output_shape(self) -> tuple[int | None, ...]:
        """The output's shape in its layout (after the activation: glu halves the last axis)."""
        return self.output.shape


@in_layer("Conv1D")
def configure(
    framework: str | Convention,
    *,
    filters: int,
    kernel_size: int,
    strides: int = 1,
    padding: Padding = "valid",
    dilation_rate: int = 1,
    groups: int = 1,
    use_bias: bool = True,
    activation: str | None = None,
    data_format: str | None = None,
    padding_mode: str = "zeros",
    length: int | None = None,
) -> Conv1DConfig:
    """Validate one layer's arguments the way the framework does (length: only for hints' numbers)."""
    rules = convention(framework)
    layout = rules.data_format(data_format)
    rules.check_arguments(filters, kernel_size, strides, dilation_rate, groups, padding_mode, padding, length)
    pad = rules.read_padding(
        padding,
        strides=strides,
        kernel_size=kernel_size,
        dilation_rate=dilation_rate,
        padding_mode=padding_mode,
        length=length,
    )
    rules.check_activation(activation)
    for side in (pad,) if isinstance(pad, int) else pad if isinstance(pad, tuple) else ():
        require_int64("padding", side)
    return Conv1DConfig(
        filters, kernel_size, strides, pad, dilation_rate, groups, use_bias, activation, padding_mode, layout
    )


@in_layer("Conv1D")
def build(framework: str | Convention, input_shape: str | Tensor, **arguments: Any) -> Conv1DPlan:
    """One layer from its arguments and its input (a Tensor, or text such as `50x300`), planned."""
    rules = convention(framework)
    layout = rules.data_format(arguments.get("data_format"))
    try:
        tensor = input_shape if isinstance(input_shape, Tensor) else parse_tensor(input_shape, layout)
    except UnknownLengthError as unknown:  # what the layer refuses whatever the length, first
        raise _unknown_length(unknown, rules, arguments) from None
    return plan(configure(rules, length=tensor.length, **arguments), tensor, rules)


def _unknown_length(unknown: UnknownLengthError, rules: Convention, arguments: dict[str, Any]) -> SpecError:
    numbers = {name: arguments.get(name, 1) for name in ("strides", "dilation_rate", "groups")}
    rules.check_arguments(
        arguments["filters"],
        arguments["kernel_size"],
        numbers["strides"],
        numbers["dilation_rate"],
        numbers["groups"],
        arguments.get("padding_mode", "zeros"),
    )
    rule = any_length_rule(
        rules, arguments.get("padding", "valid"), arguments["kernel_size"], numbers["strides"], numbers["dilation_rate"]
    )
    hint = unknown.raw_hint + (f"; for any length L this layer gives {rule}" if rule else "")
    return SpecError(unknown.raw_message, hint, argument="input_shape", value=unknown.value)


def any_length_rule(rules: Convention, padding: Padding, kernel_size: int, strides: int, dilation: int) -> str | None:
    """The output length as a formula in L with the layer's numbers, or None for a layer refused anyway."""
    try:
        mode = rules.read_padding(
            padding, strides=strides, kernel_size=kernel_size, dilation_rate=dilation, padding_mode="zeros", length=None
        )
    except SpecError:
        return None
    if mode in ("same", "causal"):
        return "L_out = L" if strides == 1 else f"L_out = ceil(L / {strides})"
    added = 0 if mode == "valid" else 2 * mode if isinstance(mode, int) else sum(mode)  # type: ignore[arg-type]
    width = span(kernel_size, dilation)
    least = max(1, width - added)
    if strides == 1:
        change = added - width + 1
        rule = "L" if change == 0 else f"L + {change}" if change > 0 else f"L − {-change}"
    else:
        inside = "L" + (f" + {added}" if added > 0 else f" − {-added}" if added < 0 else "") + f" − {width}"
        rule = f"floor(({inside}) / {strides}) + 1"
    return f"L_out = {rule}, for L ≥ {least}"


def pads(config: Conv1DConfig, length: int, rules: Convention) -> tuple[int, int]:
    """(left, right) the framework adds for this padding setting."""
    padding = config.padding
    if isinstance(padding, tuple):
        return padding
    if isinstance(padding, int):
        return padding, padding
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return geometry.causal_padding(config.kernel_size, config.dilation_rate)
    return rules.same_padding(length, config.kernel_size, config.strides, config.dilation_rate)


def check_fits(axis: Axis, padding_mode: str, rules: Convention) -> None:
    """Refuse, as the framework does, an input the window does not fit or cannot pad."""
    widest = max(axis.pad_left, axis.pad_right)
    if padding_mode == "reflect" and widest >= axis.length:
        raise SpecError(
            f"reflect padding of {widest} needs an input longer than that; the input has length {axis.length}",
            f"use a padding below {axis.length}, or {setting('padding_mode', 'replicate')} or zeros",
            argument="padding",
        )
    if padding_mode == "circular" and widest > axis.length:
        raise SpecError(
            f"circular padding of {widest} would wrap around the length-{axis.length} input more than once",
            f"use a padding of at most {axis.length}",
            argument="padding",
        )
    if axis.output_length <= 0:
        raise rules.too_short(axis)


def check_activation(config: Conv1DConfig, last_axis: int | None) -> None:
    """Refuse what Keras refuses only when the activation runs (glu on an odd axis, bare threshold)."""
    if config.activation == "threshold":
        raise SpecError(
            "activation='threshold' needs threshold and default_value arguments, which a name cannot give",
            f"use {setting('activation', 'relu')}, or apply keras.activations.threshold(x, threshold, "
            "default_value) after the layer",
            argument="activation",
            value="threshold",
        )
    if config.activation == "glu" and last_axis is not None and last_axis % 2:
        raise SpecError(
            f"activation='glu' halves the last axis, which has odd size {last_axis} here",
            f"use an even number of {setting('filters')}"
            if config.data_format == "channels_last"
            else "use an input length that gives an even output length, or channels_last",
            argument="activation",
            value="glu",
        )


@in_layer("Conv1D")
def plan(config: Conv1DConfig, tensor: Tensor, rules: Convention) -> Conv1DPlan:
    """The layer on this input: resolve the padding, compute the shapes; refuse what the framework refuses."""
    return plan_for_axis(config, tensor, resolve(config, tensor, rules), rules)


def resolve(config: Conv1DConfig, tensor: Tensor, rules: Convention) -> Axis:
    """The layer's axis on this input, its padding resolved; refuse what the framework refuses."""
    if tensor.length is None or tensor.channels is None:
        raise SpecError(
            "a Conv1D output shape needs the input's length and channels",
            f"give both, e.g. {setting('input_shape', '50x300')}",
            argument="input_shape",
        )
    rules.check_groups(tensor.channels, config.filters, config.groups)
    left, right = pads(config, tensor.length, rules)
    axis = Axis(tensor.length, config.kernel_size, config.strides, config.dilation_rate, left, right)
    check_fits(axis, config.padding_mode, rules)
    last_axis = config.filters if config.data_format == "channels_last" else axis.output_length
    check_activation(config, last_axis)
    return axis


def output_of(config: Conv1DConfig, tensor: Tensor, axis: Axis) -> Tensor:
    """The layer's output on an accepted input (after the activation: glu halves the last axis)."""
    length, channels = axis.output_length, config.filters
    if config.activation == "glu":  # Keras' glu keeps one half of the last axis
        channels_last = config.data_format == "channels_last"
        length, channels = (length, channels // 2) if channels_last else (length // 2, channels)
    return Tensor(tensor.batch, length, channels, config.data_format)


def counts(config: Conv1DConfig, channels: int, axis: Axis) -> tuple[int, int]:
    """Trainable parameters (k · C/groups · F, + F biases) and MACs per example (bias excluded)."""
    weights_per_filter = config.kernel_size * (channels // config.groups)
    trainable = weights_per_filter * config.filters + (config.filters if config.use_bias else 0)
    return trainable, axis.output_length * config.filters * weights_per_filter


def plan_for_axis(config: Conv1DConfig, tensor: Tensor, axis: Axis, rules: Convention) -> Conv1DPlan:
    """The plan of a layer whose axis is already resolved and accepted."""
    assert tensor.channels is not None
    per_group = tensor.channels // config.groups
    kernel = rules.kernel_shape(config.kernel_size, per_group, config.filters)
    other_kernel = other(rules).kernel_shape(config.kernel_size, per_group, config.filters)
    bias = (config.filters,) if config.use_bias else None
    trainable, macs = counts(config, tensor.channels, axis)
    return Conv1DPlan(
        kind="Conv1D",
        convention=rules,
        input=Tensor(tensor.batch, axis.length, tensor.channels, config.data_format),
        output=output_of(config, tensor, axis),
        weights=(("kernel", kernel),) + ((("bias", bias),) if bias else ()),
        trainable_params=trainable,
        non_trainable_params=0,
        macs=macs,
        axis=axis,
        config=config,
        kernel_shape=kernel,
        other_kernel_shape=other_kernel,
        bias_shape=bias,
    )


class Conv1DKind:
    """The Conv1D layer kind (the protocol of layers/base.py)."""

    names: tuple[str, ...] = ("Conv1D", "Convolution1D", "Conv1d")

    def configure(self, convention: Convention, **arguments: Any) -> Conv1DConfig:
        return configure(convention, **arguments)

    def plan(self, config: Conv1DConfig, tensor: Tensor, convention: Convention) -> Conv1DPlan:
        return plan(config, tensor, convention)


CONV1D = Conv1DKind()
