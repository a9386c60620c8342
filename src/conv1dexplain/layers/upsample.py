"""Upsampling in a model: Keras' UpSampling1D (repeats each position size times) and PyTorch's
nn.Upsample on (N, C, L) (size or scale_factor; the 1-D modes nearest, nearest-exact, linear, area).

Output t of a nearest upsampling reads input ⌊t·stride⌋, stride = 1/scale: a Slide of size 1 and a
fractional stride. MACs: 0 for nearest and area (copies and averages); linear interpolation counts
its two weighted taps, 2 multiply-adds per output value.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from conv1dexplain.errors import SpecError
from conv1dexplain.layers.node import KERAS_COMMON, ChainError, Context, LayerRule, Slide, Step, Value, params
from conv1dexplain.layers.pooling_adaptive import adaptive_slide
from conv1dexplain.layers.pooling_values import keras_ndim_error, one_int, with_length
from conv1dexplain.layers.sequence import torch_dims


def keras_upsampling(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """UpSampling1D: size × length on axis 1 (it has no data_format)."""
    (value,) = inputs
    size = args["size"]
    if isinstance(size, bool) or not isinstance(size, int):
        raise ChainError(
            f"size must be an int, got {size!r}",
            "give size=2",
            f"TypeError: Expected an integer value for `size`, got {type(size)}.",
            argument="size",
        )
    if size <= 0:
        raise ChainError(
            f"size must be at least 1, got {size}",
            "use size=1 or more",
            f"ValueError: Argument `size` should be a positive integer. Received: size={size}",
            argument="size",
        )
    if len(value.dims) != 3:
        raise keras_ndim_error(value, where)
    length = value.dims[1]
    return Step(with_length(value, 1, None if length is None else length * size), slide=Slide(1, Fraction(1, size)))


_ONE_D = ("nearest", "nearest-exact", "linear", "area")
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"


def _refuse(message: str, hint: str, words: str, argument: str | None = None) -> ChainError:
    return ChainError(message, hint, words, argument=argument)


def _check_upsample(args: dict[str, Any], value: Value) -> None:
    """F.interpolate's checks, in its order."""
    mode, size, scale = args["mode"], args["size"], _scale(args)
    if value.is_tuple:
        raise _refuse("nn.Upsample gets a tuple, not a tensor", "take the tensor out first", _NO_DIM)
    if args["align_corners"] is not None and mode in ("nearest", "area", "nearest-exact"):
        raise _refuse(
            f"align_corners is only for the interpolating modes, not mode={mode!r}",
            "drop align_corners, or use mode='linear'",
            "ValueError: align_corners option can only be set with the interpolating modes: linear | bilinear | "
            "bicubic | trilinear",
            "align_corners",
        )
    if size is not None and scale is not None:
        raise _refuse("give size or scale_factor, not both", "drop one", _BOTH, "size")
    if size is None and scale is None:
        raise _refuse("nn.Upsample needs size or scale_factor", "give scale_factor=2", _NEITHER, "scale_factor")
    _check_spatial(value, size, scale)
    if args["recompute_scale_factor"] and size is not None:
        raise _refuse(
            "recompute_scale_factor is only for scale_factor", "drop it", _RECOMPUTE, "recompute_scale_factor"
        )
    if len(value.dims) != 3 or mode not in _ONE_D:
        raise _mode_error(value, mode)


def _scale(args: dict[str, Any]) -> Any:
    """nn.Upsample keeps a falsy scale_factor (0) as None, and a tuple as floats."""
    scale = args["scale_factor"]
    if not scale:
        return None
    return tuple(float(f) for f in scale) if isinstance(scale, tuple | list) else scale


def _check_spatial(value: Value, size: Any, scale: Any) -> None:
    spatial = [d for d in value.dims[2:]]
    given, what, form = (size, "output size of", "output size in (o1, o2, ...,oK)")
    if size is None:
        given, what, form = (scale, "scale_factor of shape", "scale_factor in (s1, s2, ...,sK)")
    if isinstance(given, tuple | list) and len(given) != len(spatial):
        subject = "output" if size is not None else "scale_factor"
        raise _refuse(
            f"nn.Upsample's {subject} has {len(given)} sizes; its input has {len(spatial)} spatial axes",
            "give one number for a sequence, on (N, C, L)",
            f"ValueError: Input and {subject} must have the same number of spatial dimensions, but got input with "
            f"spatial dimensions of {spatial} and {what} {given}. Please provide input tensor in (N, C, d1, d2, "
            f"...,dK) format and {form} format.",
        )


_RECOMPUTE = "ValueError: recompute_scale_factor is not meaningful with an explicit size."
_NO_DIM = "AttributeError: 'tuple' object has no attribute 'dim'"
_BOTH = "ValueError: only one of size or scale_factor should be defined"
_NEITHER = "ValueError: either size or scale_factor should be defined"


def _mode_error(value: Value, mode: str) -> SpecError:
    rank = len(value.dims)
    if rank == 3 and mode in ("bilinear", "trilinear"):
        words = f"NotImplementedError: Got 3D input, but {mode} mode needs {4 if mode == 'bilinear' else 5}D input"
    elif rank == 4 and mode == "linear":
        words = "NotImplementedError: Got 4D input, but linear mode needs 3D input"
    elif rank in (4, 5) and mode in (*_ONE_D, "bilinear", "bicubic", "trilinear"):
        return SpecError(
            f"nn.Upsample on a {rank}-D input upsamples {rank - 2} axes: not a 1-D layer", "give (N, C, L)"
        )
    else:
        words = (
            f"NotImplementedError: Input Error: Only 3D, 4D and 5D input Tensors supported (got {rank}D) "
            f"for the modes: {_MODES} (got {mode})"
        )
    if rank != 3:
        return ChainError(
            f"nn.Upsample on a sequence reads (N, C, L); it gets {torch_dims(value.dims)}",
            "add the batch axis: x.unsqueeze(0)" if rank == 2 else "reshape the input to (batch, channels, length)",
            words,
        )
    return ChainError(
        f"mode={mode!r} is not a 1-D mode: on (N, C, L) use nearest, nearest-exact, linear or area",
        "use mode='linear' (the 1-D form of bilinear)",
        words,
        argument="mode",
    )


def _output_length(args: dict[str, Any], length: int | None) -> int | None:
    size, scale = args["size"], _scale(args)
    if size is not None:
        number = one_int(size)
        if number is None:
            raise SpecError(f"nn.Upsample's size must be one int on a sequence, got {size!r}", "give size=…")
        return number
    factor = scale[0] if isinstance(scale, tuple | list) and len(scale) == 1 else scale
    if not isinstance(factor, int | float) or isinstance(factor, bool):
        raise SpecError(f"nn.Upsample's scale_factor must be one number on a sequence, got {scale!r}", "give 2")
    return None if length is None else math.floor(float(length) * float(factor))  # as ATen: in double


def torch_upsample(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """nn.Upsample on (N, C, L): floor(L × scale_factor) or size positions."""
    (value,) = inputs
    _check_upsample(args, value)
    length = value.dims[2]
    output = _output_length(args, length)
    if output is not None and (output < 0 or (output == 0 and args["mode"] != "area")):  # area: adaptive
        raise ChainError(
            f"nn.Upsample would give {output} positions from {length}",
            "give a larger scale_factor or size, or a longer input",
            "RuntimeError: Input and output sizes should be greater than 0, but got input "
            f"(W: {length}) and output (W: {output})",
            too_short=args["size"] is None and output == 0,
            argument="size" if args["size"] is not None else "scale_factor",
        )
    slide, notes = _upsample_slide(args, length, output)
    channels = value.dims[1] or 0
    macs = 2 * channels * output if args["mode"] == "linear" and output is not None else 0
    return Step(with_length(value, 2, output), macs=macs, slide=slide, notes=notes)


def _upsample_slide(
    args: dict[str, Any], length: int | None, output: int | None
) -> tuple[Slide | None, tuple[str, ...]]:
    mode = args["mode"]
    if mode == "area":
        return adaptive_slide(length, output) if output is not None else (None, ("area windows vary with L",))
    if args["size"] is None:
        scale = _scale(args)
        factor = Fraction(scale[0] if isinstance(scale, tuple | list) else scale).limit_denominator(10**6)
    elif length and output:
        factor = Fraction(output, length)
    else:
        return None, ("the step between inputs depends on the length",)
    if mode == "linear":
        # Two taps around (t + 0.5)/scale − 0.5: a window of 2 whose offset is a fraction of a
        # position, which a Slide (whole-position padding) cannot hold without a wrong field.
        return None, ("linear: output t reads the two inputs around (t + 0.5)/scale − 0.5 (one at the edges)",)
    if mode == "nearest-exact" and factor.denominator != 1:
        return None, ("nearest-exact with a fractional scale reads ⌊(t + 0.5)/scale⌋",)
    return Slide(1, 1 / factor), ()


RULES = (
    LayerRule("keras", "UpSampling1D", params(size=2), keras_upsampling, accepts_extra=KERAS_COMMON),
    LayerRule(
        "pytorch",
        "Upsample",
        params(size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None),
        torch_upsample,
    ),
)
