"""A layer of a model: the call as written, its arguments bound as the framework binds them, the
tensors flowing between layers, and the step each layer kind's rule returns.

Where a model layer kind goes: a `LayerRule` (its framework, class name, constructor signature in
the framework's own order and defaults, and `apply`) in one of the family modules of layers/, listed
in that module's RULES. `apply` gets the bound arguments and the input values and returns a Step in
pure integers, or raises ChainError with the framework's own message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from conv1dexplain.conventions import Convention
from conv1dexplain.errors import SpecError
from conv1dexplain.records import NamedTuple, field, record

if TYPE_CHECKING:
    from fractions import Fraction

Dims = tuple[int | None, ...]  # batch first; None where unknown
REQUIRED = object()  # a parameter without a default


@record(frozen=True)
class Opaque:
    """An argument that is not a literal in the model's code (a call such as l2(1e-4), a name bound
    to nothing readable): kept as its text and place, an error only where a rule needs its value."""

    text: str
    node: Any  # the ast node: its lineno and col_offset place it

    def __repr__(self) -> str:
        return self.text


class Value(NamedTuple):
    """A tensor between layers: its dims (batch first) and where its sequence axis is."""

    dims: Dims
    sequence_axis: int | None  # index into dims; None when the tensor has no sequence axis
    is_tuple: bool = False  # what PyTorch's RNN modules return: (output, state)
    integer: bool = False  # token ids (a model's input for an Embedding)

    @property
    def length(self) -> int | None:
        """The sequence length, when there is a sequence axis."""
        return None if self.sequence_axis is None else self.dims[self.sequence_axis]

    def with_dims(self, dims: Dims, sequence_axis: int | None = -1) -> Value:
        """The same kind of value with other dims (sequence axis kept unless given)."""
        return Value(dims, self.sequence_axis if sequence_axis == -1 else sequence_axis)


class Slide(NamedTuple):
    """How a layer's output positions read its input positions along the sequence:
    output t reads input positions t·stride − pad_left + j·dilation for j < size."""

    size: int  # kernel or pool size (1 for layers that act position by position)
    stride: int | Fraction = 1  # a Fraction below 1 after upsampling (ints stay ints: no fractions imported)
    dilation: int = 1
    pad_left: int = 0
    pad_right: int = 0
    transposed: tuple[int, int, int, int] | None = None  # a transposed conv's (kernel, stride, dilation, crop_left)

    @property
    def span(self) -> int:
        """Input positions from one window's first tap to its last."""
        return self.dilation * (self.size - 1) + 1

    @property
    def uneven(self) -> bool:
        """Its positions map unevenly onto its input's: a stride that is not whole (after upsampling)."""
        return int(self.stride) != self.stride


IDENTITY = Slide(1)  # position by position: dropout, activations, Dense on the last axis


class Step(NamedTuple):
    """What one layer does: its output, parameters, work, and how it moves along the sequence."""

    output: Value
    trainable_params: int = 0
    non_trainable_params: int = 0
    macs: int | None = 0  # multiply-adds per example, bias excluded; None when the length is unknown
    slide: Slide | None = IDENTITY  # None: each output reads every input position (or none is left)
    windowed: bool = False  # a layer that slides a window (its row shows size, stride, padding)
    notes: tuple[str, ...] = ()


class Param(NamedTuple):
    """One constructor parameter: its name and default (REQUIRED when there is none)."""

    name: str
    default: Any = REQUIRED


@record(frozen=True)
class Call:
    """A layer call as written in the model's code (parsed, never run)."""

    name: str  # the class name, without module prefixes: "Conv1D", "Conv1d"
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    line: int = 0
    column: int = 0
    inputs: tuple[int, ...] | None = None  # indices of the layers feeding it (None: the previous one)
    # An argument that is itself a layer (TimeDistributed(Dense(8)), Bidirectional(LSTM(4))) is a Call.
    label: str | None = None  # a name the code gives it (Keras' name=, an OrderedDict key)
    path: str | None = None  # its place in nested nn.Sequentials: "2.0"
    shares: int | None = None  # the same layer object as this earlier call: one set of weights
    untrained: int = 0  # weights a live module keeps with requires_grad=False (non-trainable)
    built_features: int | None = None  # a live Keras layer already built: the last axis its InputSpec takes

    @property
    def place(self) -> str:
        """'line 3, column 5: ' where the code holds the call; '' for a live model's layer (no code)."""
        return f"line {self.line}, column {self.column}: " if self.line else ""


class Unsupported(SpecError):
    """A layer, or a use of one, that conv1dexplain does not read: not the framework's refusal (it
    may well run it), so no framework message; the model is shown up to it."""


class ChainError(SpecError):
    """The framework would fail at this layer: our words, and its own message."""

    def __init__(
        self,
        message: str,
        hint: str,
        framework_message: str,
        *,
        too_short: bool = False,
        too_long: bool = False,
        **where: Any,
    ) -> None:
        super().__init__(message, hint, **where)
        self.framework_message = framework_message
        self.too_short = too_short  # a longer model input would get past this layer
        self.too_long = too_long  # a shorter one would (a Dense after Flatten wants fewer features)


class Context(NamedTuple):
    """Where a rule runs: the call, the layer's name in its model, the framework's convention, and
    what the layer's constructor made of its arguments (the rule's `construct`; None without one)."""

    call: Call
    name: str
    rules: Convention
    built: Any = None
    scope: str = ""  # what Keras puts before the layer's name in its variables' paths: 'sequential/'

    @property
    def variable_path(self) -> str:
        """The layer's path in Keras' names of its variables: sequential/dense (its kernel: …/kernel)."""
        return self.scope + self.name


Apply = Callable[[dict[str, Any], tuple[Value, ...], Context], Step]


class LayerRule(NamedTuple):
    """One framework's layer class: its signature and its rule."""

    framework: str  # the convention's name
    name: str  # the class name
    params: tuple[Param, ...]
    apply: Apply
    takes_many: bool = False  # merge layers: a list of inputs
    accepts_extra: frozenset[str] = frozenset()  # keywords taken and ignored (names, initializers)
    # The constructor's own checks; what it returns (e.g. a checked config) reaches apply as Context.built.
    construct: Callable[[dict[str, Any], Convention], Any] | None = None
    ignores_arguments: bool = False  # nn.Identity(*args, **kwargs): it takes any and uses none

    def bind(self, call: Call) -> dict[str, Any]:
        """The call's arguments by name, as Python binds them to this signature, defaults filled."""
        if self.ignores_arguments:
            return {}
        names = [param.name for param in self.params]
        if len(call.args) > len(names):
            raise SpecError(
                f"{self.name} takes at most {len(names)} positional argument(s); {len(call.args)} given",
                f"write the rest by name: {', '.join(names[len(call.args) - 1 :][:4])}"
                if names
                else f"{self.name} takes no arguments: write {self.name}()",
                argument=None,
            )
        bound = dict(zip(names, call.args, strict=False))
        for key, value in call.kwargs.items():
            if key in bound:
                raise SpecError(f"{self.name} got two values for {key}", f"give {key} once", argument=key, value=value)
            if key not in names and key not in self.accepts_extra:
                raise SpecError(
                    f"{self.name} has no argument {key!r}",
                    f"its arguments are {', '.join(names)}",
                    argument=key,
                    value=value,
                )
            bound[key] = value
        for key, value in bound.items():
            if isinstance(value, Opaque) and key not in self.accepts_extra:
                raise SpecError(
                    f"line {value.node.lineno}, column {value.node.col_offset + 1}: {self.name}'s {key}={value.text} "
                    "is not a literal, so its value cannot be known without running the code",
                    f"write the value itself, or a name bound to a number earlier in the file ({key}=…)",
                    argument=key,
                )
        for param in self.params:
            if param.name not in bound:
                if param.default is REQUIRED:
                    raise SpecError(f"{self.name} needs {param.name}", f"give {param.name}=…", argument=param.name)
                bound[param.name] = param.default
        return bound


# Sizes both frameworks also take as a tuple of one ((3,)); counts (filters, units, channels) they do not.
_TUPLE_SIZES = frozenset(
    {"kernel_size", "strides", "stride", "dilation_rate", "dilation", "padding", "output_padding", "pool_size"}
)


def one_int(args: dict[str, Any], *names: str) -> dict[str, Any]:
    """args with each named size written as both frameworks take it — 3, or (3,) / [3] for a window
    size — as 3; one that is not a whole number raises (both refuse (3, 3), 3.0 and '3')."""
    result = dict(args)
    for name in names:
        value = result.get(name)
        sized = name in _TUPLE_SIZES
        if sized and isinstance(value, tuple | list) and len(value) == 1:
            value = value[0]
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and name == "padding":
                continue
            raise SpecError(
                f"{name}={value!r} is not one whole number",
                f"give {name} as a whole number, e.g. {name}=3" + (" (or a tuple of one, (3,))" if sized else ""),
                argument=name,
                value=value,
            )
        result[name] = value
    return result


def params(*names: str, **defaults: Any) -> tuple[Param, ...]:
    """A signature: names without defaults first (in order), then the keywords in their order."""
    return tuple(Param(name) for name in names) + tuple(Param(name, value) for name, value in defaults.items())


# Keyword arguments every Keras layer takes and that change no shape.
KERAS_COMMON = frozenset(
    {
        "name",
        "dtype",
        "trainable",
        "kernel_initializer",
        "bias_initializer",
        "kernel_regularizer",
        "bias_regularizer",
        "activity_regularizer",
        "kernel_constraint",
        "bias_constraint",
        "embeddings_initializer",
        "embeddings_regularizer",
        "embeddings_constraint",
        "recurrent_initializer",
        "recurrent_regularizer",
        "recurrent_constraint",
        "beta_initializer",
        "gamma_initializer",
        "moving_mean_initializer",
        "moving_variance_initializer",
        "beta_regularizer",
        "gamma_regularizer",
        "beta_constraint",
        "gamma_constraint",
        "depthwise_initializer",
        "pointwise_initializer",
        "depthwise_regularizer",
        "pointwise_regularizer",
        "depthwise_constraint",
        "pointwise_constraint",
        "seed",
        "input_shape",
        "input_length",
        "input_dim",
        "batch_size",
    }
)
TORCH_COMMON = frozenset({"device", "dtype"})
