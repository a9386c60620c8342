"""The one diagnosis of arrays in the wrong layout: a kernel in the other framework's layout (told
by its filter axis), data in the other layout (told by its channel axis), 2-D data given to Keras;
and the core's hints in conv1d()'s words."""

from __future__ import annotations

from conv1dexplain.conventions import Convention, convention, other
from conv1dexplain.errors import DataError
from conv1dexplain.vocabulary import (
    DataFormat,
    Framework,
)

_DATA = {"channels_last": "(N, L, C)", "channels_first": "(N, C, L)"}


def _layout_words(rules: Convention) -> str:
    return f"{rules.title} {rules.kernel_name} {rules.kernel_layout}"


def check_kernel(
    kernel_shape: tuple[int, ...],
    x_shape: tuple[int, ...],
    framework: Framework,
    layout: DataFormat,
    groups: int,
    *,
    filters: int | None = None,
    kernel_size: int | None = None,
    bias_length: int | None = None,
    for_cli: bool = False,
) -> None:
    """Refuse a kernel that cannot be this layer's, naming the layout mistake when the sizes say so.

    A kernel's middle axis is C/groups in both frameworks, so only its filter (and kernel size)
    axis tells Keras' layout from PyTorch's: that is compared with what the caller says the filters
    and kernel size are (a bias, --filters, --kernel-size) and with groups. The kernel's length is
    never evidence: a kernel longer than the input is the framework's own refusal, not a layout
    mistake. Data whose length axis holds the kernel's channels is in the other layout."""
    channels_axis, length_axis = (-1, -2) if layout == "channels_last" else (-2, -1)
    channels, per_group = x_shape[channels_axis], kernel_shape[1]
    if groups < 1 or channels % groups:
        return  # the layer refuses it, in the framework's words
    rules = convention(framework)
    name = rules.kernel_name
    if per_group * groups != channels:  # the same in either kernel layout: the data's layout, or a wrong kernel
        if per_group * groups == x_shape[length_axis]:
            raise DataError(
                f"the input {x_shape} has the {name}'s {per_group * groups} channel(s) on its length axis: it is "
                f"in the {_other_data_words(layout)} layout, not {_data_words(layout, len(x_shape))}",
                _transpose_hint(rules, layout, len(x_shape), for_cli),
            )
        expected = (*kernel_shape[:1], channels // groups, *kernel_shape[2:])
        raise DataError(
            f"{name} reads {per_group} channel(s) per group × groups={groups}, but the input has {channels}",
            f"give a {name} of shape {expected}",
        )
    there = other(rules)
    size, count = rules.size_and_filters(kernel_shape)
    other_size, other_count = there.size_and_filters(kernel_shape)

    def fits(k: int, f: int) -> bool:
        return (filters is None or f == filters) and (kernel_size is None or k == kernel_size) and f % groups == 0

    if bias_length is not None and fits(size, count) and count != bias_length:
        if fits(other_size, other_count) and other_count == bias_length:  # either may be the mistake: say both
            raise DataError(
                f"bias has shape ({bias_length},), but the {name} {kernel_shape}, read as a {_layout_words(rules)}, "
                f"has {count} filters",
                f"give a bias of shape ({count},); or, if the {name} is a {_layout_words(there)}, transpose it by "
                f"(2, 1, 0): {name} = w.transpose(2, 1, 0)",
            )
        return  # the bias alone is wrong: check_weights says so
    filters = bias_length if filters is None else filters
    if not fits(size, count) and fits(other_size, other_count):
        raise DataError(
            f"{name} has shape {kernel_shape}, which is a {_layout_words(there)}, not a {_layout_words(rules)}",
            f"transpose it by (2, 1, 0): {name} = w.transpose(2, 1, 0)"
            + (", or use the other --framework" if for_cli else ""),
        )


def _data_words(layout: DataFormat, ndim: int) -> str:
    return _DATA[layout] if ndim == 3 else _DATA[layout].replace("N, ", "")


def _other_data_words(layout: DataFormat) -> str:
    return "(N, C, L) / (C, L)" if layout == "channels_last" else "(N, L, C) / (L, C)"


def _transpose_hint(rules: Convention, layout: DataFormat, ndim: int, for_cli: bool) -> str:
    axes = "(0, 2, 1)" if ndim == 3 else "(1, 0)"
    flipped: DataFormat = "channels_first" if layout == "channels_last" else "channels_last"
    takes_other = flipped in rules.data_formats
    if for_cli:
        hint = f"save the data as {_data_words(layout, ndim)}: np.save(path, x.transpose{axes})"
        return hint + (f", or use --data-format {flipped}" if takes_other else "")
    hint = f"pass x.transpose{axes} (a tensor: {rules.tensor_transpose.format(axes=axes)})"
    return hint + (f", or data_format='{flipped}'" if takes_other else "")


def refuse_keras_2d(shape: tuple[int, ...], *, for_cli: bool) -> None:
    """Refuse a 2-D array given to Keras' Conv1D, as Keras does, naming both likely intents."""
    what = "the data" if for_cli else "x"
    raise DataError(
        f"Keras' Conv1D refuses 2-D input (expected min_ndim=3, found ndim=2): {what} has shape {shape}",
        keras_2d_hint(shape, for_cli),
    )


def keras_2d_hint(shape: tuple[int, ...], for_cli: bool) -> str:
    """Both likely intents of a 2-D array given to Keras: one example, or examples of one channel."""
    a, b = shape
    if for_cli:
        return (
            f"save one example of {a} positions as ({1}, {a}, {b}) (x[None]), or {a} examples of {b} features "
            f"with one channel as ({a}, {b}, 1) (x[..., None]), in a .npy or .json file"
        )
    return (
        f"for one example of {a} positions pass x[None], shape (1, {a}, {b}); for {a} examples of {b} features "
        f"with one channel, x[..., None], shape ({a}, {b}, 1)"
    )
