"""What a framework's convention is: its names, layouts, defaults, kernel layout and wording.

Everything that differs between Keras and PyTorch is an attribute or a method of a Convention;
nothing outside this package compares framework names. A new framework is one more module here.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from conv1dexplain.errors import SpecError, setting
from conv1dexplain.geometry import Axis
from conv1dexplain.vocabulary import DATA_FORMATS, DataFormat, Framework

INT64_MAX = 2**63 - 1  # the largest size, stride or padding either framework takes
Padding = str | int | tuple[int, int]


class Convention:
    """One framework's way of writing and checking a layer (Keras' names are the reference)."""

    name: ClassVar[Framework]
    title: ClassVar[str]  # "Keras"
    default_layout: ClassVar[DataFormat]
    data_formats: ClassVar[tuple[DataFormat, ...]]  # the layouts the layer takes
    tensor_transpose: ClassVar[str]  # a tensor's transpose by {axes}, in the framework's code
    input_code: ClassVar[dict[str, str]]  # `why`'s fixes to an input x, as code: permute, reshape, …
    kernel_name: ClassVar[str]  # "kernel" | "weight"
    kernel_layout: ClassVar[str]  # "(k, C/groups, F)"
    kernel_axes: ClassVar[str]  # the kernel's axes in words
    to_keras_kernel: ClassVar[tuple[int, int, int]]  # the transpose that makes a kernel Keras' (k, C/g, F)
    names: ClassVar[dict[str, str]]  # Keras' argument names → this framework's, where they differ
    paddings: ClassVar[tuple[str, ...]]  # padding strings taken
    int_padding: ClassVar[bool]  # an int padding (the same zeros on each side) is taken
    same_by_output_length: ClassVar[bool]  # 'same' pads for ceil(L/s) outputs (TensorFlow's rule)
    takes_unbatched: ClassVar[bool]  # a (C, L) input without batch
    auto_names_layers: ClassVar[bool]  # a model's layers get names (conv1d_1); else Sequential indices
    sequence_as_channels: ClassVar[str]  # what puts a sequence on a conv's channels axis (a missing permute)
    groups_words: ClassVar[tuple[str, str]]  # (the filters, the input channels) in group messages
    python_owner: ClassVar[str]  # how conv1d()'s messages name the layer: "Keras' Conv1D"

    def arg(self, keras_name: str) -> str:
        """This framework's name for an argument Keras calls keras_name."""
        return self.names.get(keras_name, keras_name)

    def kernel_shape(self, kernel_size: int, channels_per_group: int, filters: int) -> tuple[int, int, int]:
        """The kernel (weight) shape in this framework's layout."""
        keras = (kernel_size, channels_per_group, filters)
        return (keras[self.to_keras_kernel[0]], keras[1], keras[self.to_keras_kernel[2]])

    def size_and_filters(self, kernel_shape: tuple[int, ...]) -> tuple[int, int]:
        """(kernel_size, filters) read off a kernel in this framework's layout."""
        return kernel_shape[self.to_keras_kernel[0]], kernel_shape[self.to_keras_kernel[2]]

    def data_format(self, data_format: str | None) -> DataFormat:
        """The data layout asked for (this framework's default when None), or a SpecError."""
        if data_format is None:
            return self.default_layout
        fmt = data_format.lower()
        if fmt not in DATA_FORMATS:
            raise SpecError(
                f"unknown data_format {data_format!r}",
                f"use {setting('data_format')} channels_last (N, L, C) or channels_first (N, C, L)",
                argument="data_format",
                value=data_format,
            )
        return "channels_last" if fmt == "channels_last" else "channels_first"

    def same_padding(self, length: int, kernel_size: int, strides: int, dilation_rate: int) -> tuple[int, int]:
        """(left, right) of padding='same'."""
        raise NotImplementedError

    def read_padding(
        self,
        padding: Padding,
        *,
        strides: int,
        kernel_size: int,
        dilation_rate: int,
        padding_mode: str,
        length: int | None,
    ) -> Padding:
        """The padding argument as this framework reads it, or a SpecError (length: for hints only)."""
        raise NotImplementedError

    def check_arguments(
        self,
        filters: int,
        kernel_size: int,
        strides: int,
        dilation_rate: int,
        groups: int,
        padding_mode: str,
        padding: object = None,
        length: int | None = None,
    ) -> None:
        """Refuse what this framework's Conv1D refuses of its integer arguments and padding_mode
        (padding and the length, when known, only shape the hints)."""
        self.require_positive(
            filters=filters, kernel_size=kernel_size, strides=strides, dilation_rate=dilation_rate, groups=groups
        )
        split = None
        if length is not None and isinstance(padding, str) and padding.lower() == "same":
            split = self.same_padding(length, kernel_size, strides, dilation_rate)
        self.check_steps(strides, dilation_rate, padding_mode, padding, split)

    def check_steps(
        self,
        strides: int,
        dilation_rate: int,
        padding_mode: str,
        padding: object = None,
        padding_split: tuple[int, int] | None = None,
    ) -> None:
        """The framework's own refusals of stride, dilation and padding_mode (the sizes are ≥ 1 here)."""
        raise NotImplementedError

    def check_activation(self, activation: str | None) -> None:
        """Refuse an activation the layer does not take."""
        raise NotImplementedError

    def explicit_padding_words(self, left: int, right: int, padding_mode: str) -> str | None:
        """An explicit (left, right) padding in the framework's own terms, where it has none of its own."""
        return None

    def too_short(self, axis: Axis) -> SpecError:
        """The framework's refusal of an input the window does not fit."""
        raise NotImplementedError

    def python_int(self, name: str, value: Any) -> int:
        """strides / dilation_rate / an int padding as the framework reads a Python argument."""
        raise NotImplementedError

    def python_groups(self, value: Any) -> int | None:
        """groups as the framework reads it (None: not an integer)."""
        raise NotImplementedError

    def python_padding_string(self, value: str) -> str | int:
        """A string padding as the framework reads it (configure() then refuses unknown names)."""
        raise NotImplementedError

    def python_padding_number(self, value: Any) -> int:
        """A padding that is not a string nor a pair, as the framework reads it."""
        raise NotImplementedError

    # ------------------------------------------------------------------------------------ shared

    def require_positive(self, **values: int) -> None:
        """Refuse sizes below 1, and integers over 64 bits, in this framework's names."""
        for keras_name, value in values.items():
            name = self.arg(keras_name)
            if value < 1:
                raise SpecError(
                    f"{name} must be at least 1, got {value}",
                    f"use {setting(name, 1)} or more",
                    argument=name,
                    value=value,
                )
            require_int64(name, value)

    def conv_too_short_message(self, dims: tuple[int | None, ...], layer: dict[str, Any], name: str) -> str:
        """The framework's own message for a convolution whose window does not fit its input."""
        raise NotImplementedError

    def groups_message(self, dims: tuple[int | None, ...], layer: dict[str, Any]) -> str | None:
        """The framework's own message for input channels that groups do not divide, when its layer
        checks them on the input (None: it refuses them at construction)."""
        return None

    def frozen(self, kwargs: Any) -> bool:
        """Whether a layer's code freezes its weights (Keras' trainable=False)."""
        return False

    def tuple_input_error(self, producer: str, layer: str) -> SpecError | None:
        """The error of a layer fed a tuple (what PyTorch's RNN modules return); None: it passes it on."""
        return SpecError(f"{layer} gets a tuple from {producer}", "take one tensor out of it first")

    def check_groups(self, channels: int, filters: int, groups: int) -> None:
        """Refuse groups that do not divide both the input channels and the filters."""
        if filters % groups == 0 and channels % groups == 0:
            return
        out_name, in_name = self.groups_words
        working = groups_that_work(channels, filters)
        if channels % groups:
            raise SpecError(
                f"{in_name}={channels} is not divisible by groups={groups}",
                f"use {setting('groups', working)} (each divides both the {channels} input channels and the "
                f"{filters} filters)",
                argument="groups",
                value=groups,
            )
        raise SpecError(
            f"{out_name}={filters} is not divisible by groups={groups}",
            f"use {setting('filters')} a multiple of {groups}, e.g. "
            f"{setting('filters', groups * max(1, round(filters / groups)))}, "
            f"or {setting('groups', working)} (each divides both {channels} and {filters})",
            argument="groups",
            value=groups,
        )


def require_int64(name: str, value: int) -> None:
    """Refuse what neither framework can take: each passes its integers to C++ as 64-bit ones."""
    if abs(value) > INT64_MAX:
        raise SpecError(
            f"{name}={value:,} is over what Keras and PyTorch take: a 64-bit integer, at most {INT64_MAX:,}",
            f"use {setting(name, INT64_MAX)} or less" if value > 0 else f"use {setting(name, -INT64_MAX)} or more",
            argument=name,
            value=value,
        )


class Words(str):
    """A value spoken as it is (a list of choices) where a setting takes a value."""

    def __repr__(self) -> str:
        return str(self)


def groups_that_work(channels: int, filters: int) -> Words:
    """The groups both counts allow (the divisors of their greatest common divisor), in words."""
    common = math.gcd(channels, filters)
    divisors: set[int] = set()
    for d in range(1, math.isqrt(common) + 1) if common <= 10**12 else (1,):
        if common % d == 0:
            divisors |= {d, common // d}
    listed = sorted(divisors | {common})
    if len(listed) > 6:
        return Words(", ".join(map(str, listed[:5])) + f", … or {common}")
    if len(listed) <= 2:
        return Words(" or ".join(map(str, listed)))
    return Words(", ".join(map(str, listed[:-1])) + f" or {listed[-1]}")
