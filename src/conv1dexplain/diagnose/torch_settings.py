"""PyTorch's messages about a layer's settings and its input's dtype: dtype or device, 'same' with a
stride, padding strings, groups, reflect and circular padding too large, the even-kernel warning.
One matcher each (see torch_messages for where a new message goes)."""

from __future__ import annotations

import math
import re

from conv1dexplain.diagnose import fixes as f
from conv1dexplain.diagnose.patterns import Matcher, lazy
from conv1dexplain.diagnose.source import layer_arguments
from conv1dexplain.diagnose.text import Text, ints
from conv1dexplain.report.diagnosis import Finding, Fix

FRAMEWORK = "pytorch"
CONV = ("Conv1d",)


_DTYPES = {
    "double": "float64",
    "float": "float32",
    "c10::half": "float16",
    "half": "float16",
    "c10::bfloat16": "bfloat16",
    "long int": "int64",
    "long": "int64",
    "int": "int32",
}


_DEVICES = {"cuda": "the GPU", "cpu": "the CPU", "mps": "Apple's GPU (mps)", "xpu": "Intel's GPU (xpu)"}


def _typed(name: str) -> tuple[str, str | None]:
    """(dtype, device or None when the text does not say) of a printed type: double,
    torch.cuda.FloatTensor, torch.FloatTensor, CUDAFloatType, MPSHalfType …"""
    lowered = name.lower().strip()
    tensor = re.fullmatch(r"torch\.(cuda\.)?(\w+)tensor", lowered)
    if tensor:
        return _DTYPES.get(tensor[2], tensor[2]), "cuda" if tensor[1] else "cpu"
    typed = re.fullmatch(r"(cuda|cpu|mps|xpu)(\w+?)type", lowered)  # (PyTorch ≥ 2.1's ScalarType names)
    if typed:
        return _DTYPES.get(typed[2], typed[2]), typed[1]
    return _DTYPES.get(lowered, lowered), None


def dtype(match: re.Match[str], text: Text) -> Finding:
    given, given_device = _typed(match["input"])
    wanted, wanted_device = _typed(match["param"])
    numbers = {
        "input_dtype": given,
        "weight_dtype": wanted,
        "input_cuda": given_device == "cuda",
        "weight_cuda": wanted_device == "cuda",
        "input_device": given_device,
        "weight_device": wanted_device,
    }
    fixes: list[Fix] = []
    if given_device is not None and wanted_device is not None and given_device != wanted_device:
        explanation = (
            f"the input is on {_DEVICES.get(given_device, given_device)}, the layer's weights on "
            f"{_DEVICES.get(wanted_device, wanted_device)}: a layer runs where its weights are"
        )
        code = f"x = x.to('{wanted_device}')  # or x.to(next(model.parameters()).device)"
        fixes.append(Fix("to_device", {"device": wanted_device}, code))
        causes: tuple[str, ...] = ("model.to(device) was called, but not x = x.to(device) (or the other way round)",)
        if given != wanted:
            fixes[0] = fixes[0]._replace(code=f"x = x.to('{wanted_device}', torch.{wanted})")
        return Finding(FRAMEWORK, "device", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, tuple(fixes))
    explanation = f"the input is {given}, the layer's {match['which']} {wanted}: a convolution needs one dtype"
    cause = "NumPy arrays are float64: torch.from_numpy keeps that" if given == "float64" else f"the input is {given}"
    if wanted == "float16":
        cause = "the model was made half precision (model.half()) and the input was not"
    fix = Fix("cast_input", {"dtype": wanted}, f"x = x.to(torch.{wanted})")
    return Finding(FRAMEWORK, "dtype", match[0], "PyTorch ≥ 1.0", numbers, explanation, (cause,), (fix,))


def devices(match: re.Match[str], text: Text) -> Finding:
    first, second = match["first"] or match["first2"], match["second"] or match["second2"]
    numbers = {"devices": [first, second]}
    explanation = (
        f"the tensors of one operation are on {first} and on {second}: the input and the layer's weights (or two "
        "inputs) must be on one device"
    )
    causes = ("model.to(device) was called, but not x = x.to(device) (or the other way round)",)
    fix = Fix("to_device", {"device": None}, "x = x.to(next(model.parameters()).device)")
    return Finding(FRAMEWORK, "device", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, (fix,))


def scalar_type(match: re.Match[str], text: Text) -> Finding:
    given, wanted = _typed(match["expected"])[0], _typed(match["found"])[0]
    numbers = {"input_dtype": given, "weight_dtype": wanted, "input_cuda": False, "weight_cuda": False}
    explanation = f"the input is {given}, the layer's weights {wanted}: a convolution needs one dtype"
    fix = Fix("cast_input", {"dtype": wanted}, f"x = x.to(torch.{wanted})")
    return Finding(FRAMEWORK, "dtype", match[0], "PyTorch ≥ 1.0", numbers, explanation, (), (fix,))


def _one(value: object) -> int | None:
    """A size as nn.Conv1d takes it (3 or (3,)), else None."""
    value = value[0] if isinstance(value, tuple | list) and len(value) == 1 else value
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def strided_same(match: re.Match[str], text: Text) -> Finding:
    bound = layer_arguments(text.code_lines, FRAMEWORK, CONV)
    explanation = "PyTorch computes padding='same' only with stride 1"
    fixes: list[Fix] = []
    numbers: dict[str, object] = {}
    kernel = _one(bound["kernel_size"]) if bound is not None else None
    dilation = _one(bound["dilation"]) if bound is not None else None
    if bound is not None and kernel is not None and dilation is not None:
        half = dilation * (kernel - 1) // 2
        numbers = {"kernel_size": kernel, "dilation": dilation, "stride": bound["stride"]}
        fixes.append(f.set_argument("padding", half, "nn.Conv1d")._replace(then="about L / stride outputs"))
    fixes.append(f.set_argument("padding", 0, "nn.Conv1d"))
    causes = ("a Keras model ported as is: Keras pads 'same' for any stride (ceil(L / stride) outputs)",)
    return Finding(FRAMEWORK, "strided_same", match[0], "PyTorch ≥ 1.9", numbers, explanation, causes, tuple(fixes))


def padding_string(match: re.Match[str], text: Text) -> Finding:
    given = match["given"]
    lowered = given.strip().lower()
    explanation = f"nn.Conv1d's padding strings are 'same' and 'valid', in lower case; it got {given!r}"
    value = lowered if lowered in ("same", "valid") else 0
    fix = f.set_argument("padding", value, "nn.Conv1d")
    numbers = {"padding": given}
    return Finding(FRAMEWORK, "padding_string", match[0], "PyTorch ≥ 1.9", numbers, explanation, (), (fix,))


def groups(match: re.Match[str], text: Text) -> Finding:
    which = match["which"]
    bound = layer_arguments(text.code_lines, FRAMEWORK, CONV)
    numbers: dict[str, object] = {}
    fixes: list[Fix] = []
    explanation = f"{which}_channels must be a multiple of groups"
    if bound is not None and all(
        isinstance(bound[k], int) and bound[k] > 0 for k in ("in_channels", "out_channels", "groups")
    ):
        c_in, c_out, given = bound["in_channels"], bound["out_channels"], bound["groups"]
        numbers = {"in_channels": c_in, "out_channels": c_out, "groups": given}
        both = math.gcd(c_in, c_out)
        best = max(d for d in range(1, min(given, both) + 1) if both % d == 0)
        count = bound[which + "_channels"]
        explanation = (
            f"groups={given} splits the channels in {given}, but {which}_channels={count} is not a multiple of it"
        )
        fixes.append(f.set_argument("groups", best, "nn.Conv1d"))
    if not fixes or fixes[0].fields["value"] != 1:
        fixes.append(f.set_argument("groups", 1, "nn.Conv1d"))
    causes = ("a depthwise layer needs groups = in_channels, and out_channels a multiple of it",)
    return Finding(FRAMEWORK, "groups", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, tuple(fixes))


def reflect(match: re.Match[str], text: Text) -> Finding:
    left, right, dim, given = int(match["left"]), int(match["right"]), int(match["dim"]), ints(match["input"])
    length = given[dim] if 0 <= dim < len(given) else None
    numbers = {"padding": [left, right], "dim": dim, "input_shape": given, "input_length": length}
    explanation = (
        f"reflect padding mirrors the input without its edge, so each side pads fewer than the length "
        f"({length}); it was asked for {max(left, right)}"
    )
    fixes = [f.set_argument("padding_mode", "replicate", "nn.Conv1d")]
    if length is not None and length > 1:
        fixes.append(f.set_argument("padding", length - 1, "nn.Conv1d"))
    return Finding(FRAMEWORK, "padding_too_large", match[0], "PyTorch ≥ 1.8", numbers, explanation, (), tuple(fixes))


def circular(match: re.Match[str], text: Text) -> Finding:
    explanation = "circular padding wraps the input around at most once: each side pads at most its length"
    fix = f.set_argument("padding_mode", "replicate", "nn.Conv1d")
    return Finding(FRAMEWORK, "padding_too_large", match[0], "PyTorch ≥ 1.8", {}, explanation, (), (fix,))


def even_same(match: re.Match[str], text: Text) -> Finding:
    explanation = (
        "a warning, not an error: 'same' with an even kernel pads one more position on the right than the "
        "left, which PyTorch does with a padded copy of the input (slower, same result)"
    )
    causes = ("an even kernel_size with padding='same'",)
    return Finding(
        FRAMEWORK, "same_even_kernel", match[0], "PyTorch ≥ 1.9 (a UserWarning)", {}, explanation, causes, ()
    )


def linear_dtype(match: re.Match[str], text: Text) -> Finding:
    given, wanted = _typed(match["a"])[0], _typed(match["b"])[0]
    numbers = {"input_dtype": given, "weight_dtype": wanted, "input_cuda": False, "weight_cuda": False}
    explanation = f"the input is {given}, the Linear layer's weight {wanted}: a matrix product needs one dtype"
    fix = Fix("cast_input", {"dtype": wanted}, f"x = x.to(torch.{wanted})")
    return Finding(FRAMEWORK, "dtype", match[0], "PyTorch ≥ 2.0", numbers, explanation, (), (fix,))


def one_value(match: re.Match[str], text: Text) -> Finding:
    """stride=[2, 2] (a 2-D layer's): nn.Conv1d takes one value."""
    name, values = match["name"], ints(match["value"])
    value = values[0] if values else 1
    explanation = f"nn.Conv1d slides along one axis: {name} is one number, it got {len(values)}"
    fix = f.set_argument(name, value, "nn.Conv1d")
    return Finding(FRAMEWORK, "argument_rank", match[0], "PyTorch ≥ 1.0", {name: values}, explanation, (), (fix,))


def not_positive(match: re.Match[str], text: Text) -> Finding:
    name = match["name"]
    value = 0 if name == "padding" else 1
    explanation = f"{name} must be {'0 or more' if name == 'padding' else 'at least 1'}"
    fix = f.set_argument(name, value, "nn.Conv1d")
    return Finding(FRAMEWORK, "argument_value", match[0], "PyTorch ≥ 1.0", {}, explanation, (), (fix,))


def padding_mode(match: re.Match[str], text: Text) -> Finding:
    given = match["given"]
    explanation = f"padding_mode is 'zeros', 'reflect', 'replicate' or 'circular'; it got {given!r}"
    causes = ("'same' and 'valid' are values of padding, not of padding_mode",) if given in ("same", "valid") else ()
    fix = f.set_argument("padding_mode", "zeros", "nn.Conv1d")
    return Finding(
        FRAMEWORK, "argument_value", match[0], "PyTorch ≥ 1.0", {"padding_mode": given}, explanation, causes, (fix,)
    )


def pool_padding(match: re.Match[str], text: Text) -> Finding:
    padding, kernel = int(match["padding"] or match["padding2"]), int(match["k"] or match["k2"])
    span = int(match["d"] or 1) * (kernel - 1) + 1
    avg = match["op"] == "avg" or (match["op"] is None and "AvgPool" in text.text)
    layer = "nn.AvgPool1d" if avg else "nn.MaxPool1d"
    explanation = f"a pooling layer pads at most half its window: a window of {span} takes padding ≤ {span // 2}"
    fix = f.set_argument("padding", span // 2, layer)
    numbers = {"padding": padding, "kernel_size": kernel}
    return Finding(FRAMEWORK, "argument_value", match[0], "PyTorch ≥ 1.0", numbers, explanation, (), (fix,))


MATCHERS: list[Matcher] = [
    (
        lazy(
            r"Input type \((?P<input>[\w:. ]{1,60}?)\) and (?P<which>weight|bias) type "
            r"\((?P<param>[\w:. ]{1,60}?)\) should be the same"
        ),
        dtype,
    ),
    (lazy(r"expected scalar type (?P<expected>\w+) but found (?P<found>\w+)"), scalar_type),
    (
        lazy(
            r"Expected all tensors to be on the same device, but (?:found at least two devices, "
            r"(?P<first>[\w:]{1,20}) and (?P<second>[\w:]{1,20})!|got \w{1,40} is on (?P<first2>[\w:]{1,20}), "
            r"different from other tensors on (?P<second2>[\w:]{1,20}))"
        ),
        devices,
    ),
    (lazy(r"padding='same' is not supported for strided convolutions"), strided_same),
    (lazy(r"Invalid padding string '(?P<given>[^']{0,300})', should be one of \{[^}]{0,300}\}"), padding_string),
    (lazy(r"(?P<which>in|out)_channels must be divisible by groups"), groups),
    (
        lazy(
            r"Padding size should be less than the corresponding input dimension, but got: padding "
            r"\((?P<left>\d{1,40}), (?P<right>\d{1,40})\) at dimension (?P<dim>\d{1,40}) "
            r"of input \[(?P<input>[\d,\s]{1,300})\]"
        ),
        reflect,
    ),
    (lazy(r"Padding value causes wrapping around more than once"), circular),
    (
        lazy(r"Using padding='same' with even kernel lengths and odd dilation may require a zero-padded copy"),
        even_same,
    ),
    (lazy(r"mat1 and mat2 must have the same dtype, but got (?P<a>\w{1,30}) and (?P<b>\w{1,30})"), linear_dtype),
    (
        lazy(
            r"expected (?P<name>stride|padding|dilation) to be a single integer value or a list of \d{1,3} values to "
            r"match the convolution dimensions, but got (?P=name)=\[(?P<value>[-\d, ]{0,200})\]"
        ),
        one_value,
    ),
    (lazy(r"non-positive (?P<name>stride|dilation) is not supported"), not_positive),
    (lazy(r"(?P<name>stride|dilation) should be greater than zero"), not_positive),
    (lazy(r"negative (?P<name>padding) is not supported"), not_positive),
    (lazy(r"(?<!number of )(?P<name>groups) must be a positive integer"), not_positive),  # (not Keras')
    (
        lazy(r"padding_mode must be one of \{[^}]{0,200}\}, but got padding_mode='(?P<given>[^']{0,100})'"),
        padding_mode,
    ),
    (
        lazy(
            r"(?:(?P<op>max|avg)_pool1d\(\) padding should be at most half of kernel size, but got "
            r"padding=(?P<padding>\d{1,40}) and kernel_size=(?P<k>\d{1,40}))|(?:pad should be at most half of "
            r"effective kernel size, but got pad=(?P<padding2>\d{1,40}), kernel_size=(?P<k2>\d{1,40}) and "
            r"dilation=(?P<d>\d{1,40}))"
        ),
        pool_padding,
    ),
]
