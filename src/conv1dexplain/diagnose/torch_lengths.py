"""Sequences too short for a window: a convolution's kernel or a pooling window longer than what
reaches it, in PyTorch and in Keras on the PyTorch backend (which wraps PyTorch's message in its
own). One matcher each (see torch_messages for where a new message goes)."""

from __future__ import annotations

import re

from conv1dexplain.diagnose import fixes as f
from conv1dexplain.diagnose.patterns import Matcher, lazy
from conv1dexplain.diagnose.text import Text, ints
from conv1dexplain.report.diagnosis import Finding
from conv1dexplain.tensor import fmt_shape

FRAMEWORK = "pytorch"
_KERAS_CALL = re.compile(r"Exception encountered when calling (?P<layer>\w+)\.call\(\)")
_KERAS_INPUT = re.compile(r"inputs=\w+\.Tensor\(shape=(?:torch\.Size\()?\[?\(?(?P<shape>[\d, None]+)")


def too_short(match: re.Match[str], text: Text) -> Finding:
    padded, span = int(match["padded"]), int(match["span"])
    numbers: dict[str, object] = {"padded_length": padded, "kernel_span": span}
    if span <= padded:  # (a window fits: the numbers do not make this message)
        explanation = f"a window of {span} fits the {padded} positions given: the message came from elsewhere"
        return Finding(FRAMEWORK, "input_too_short", match[0], "PyTorch ≥ 1.0", numbers, explanation, (), ())
    explanation = (
        f"one window spans {span} positions (dilation·(kernel_size−1)+1) but the input, padding included, "
        f"has only {padded} per channel: no window fits"
    )
    keras = _KERAS_CALL.search(text.text)
    if keras is not None:  # Keras (PyTorch backend) runs its Conv1D through torch: the fix is Keras'
        return _keras_too_short(match, text, numbers, explanation, keras["layer"])
    fixes = (f.pad(0, span - padded, FRAMEWORK)._replace(then="one output position"),)
    causes = (
        f"the input is too short: it needs {span - padded} more position(s)",
        "earlier layers (strides, pooling) shrank the sequence below the kernel",
    )
    return Finding(FRAMEWORK, "input_too_short", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, fixes)


def _keras_too_short(
    match: re.Match[str], text: Text, numbers: dict[str, object], explanation: str, layer: str
) -> Finding:
    shape_text = _KERAS_INPUT.search(text.text)
    shape = ints(shape_text["shape"]) if shape_text else []
    span, padded = numbers["kernel_span"], numbers["padded_length"]
    assert isinstance(span, int) and isinstance(padded, int)
    fixes = [f.pad(0, span - padded, "keras")._replace(then="one output position")]
    causes = ["the sequence is shorter than the kernel, or earlier strides and pooling shrank it"]
    if shape:
        numbers["input_shape"] = shape
    if len(shape) == 3 and shape[1] == 1:  # every example one position long: the batch axis is missing
        explanation += (
            f"; the input {fmt_shape(tuple(shape))} has examples one position long: one sequence given without "
            "its batch axis is read as that many examples of length 1"
        )
        causes.insert(0, "one example passed without its batch axis (model.predict(x) with x of (length, channels))")
        fixes.insert(0, f.unsqueeze(0, "keras")._replace(code="x = x[None]  # (1, length, channels)"))
    return Finding(
        "keras",
        "input_too_short",
        match[0],
        "Keras 3 (PyTorch backend)",
        numbers,
        explanation,
        tuple(causes),
        tuple(fixes),
        layer,
    )


def pooling(match: re.Match[str], text: Text) -> Finding:
    """A pooling window longer than what is left of the sequence (Keras on PyTorch raises it too)."""
    given = ints(match["input"]) if match["input"] else None
    numbers: dict[str, object] = {"output_length": int(match["out"]) if match["out"] else ints(match["output"])[-1]}
    if given:
        numbers["input_length"] = given[-1]
    keras = _KERAS_CALL.search(text.text)
    explanation = "the pooling window is longer than the sequence that reaches it: no output position is left"
    causes = ("earlier convolutions and pooling shrank the sequence, or the input is shorter than the model needs",)
    if keras is not None:  # Keras (PyTorch backend) wraps the message: the fix is Keras'
        shape = _KERAS_INPUT.search(text.text)
        if shape is not None:
            numbers["input_shape"] = ints(shape["shape"])
            numbers["input_length"] = numbers["input_shape"][1]  # type: ignore[index]
        fix = f.set_argument("padding", "same", keras["layer"])._replace(then="ceil(length / strides) outputs")
        found = (numbers, explanation, causes, (fix,), keras["layer"])
        return Finding("keras", "pool_output_empty", match[0], "Keras 3 (PyTorch backend)", *found)
    layer = "nn.AvgPool1d" if "avg" in match[0] or "Given input size" in match[0] else "nn.MaxPool1d"
    fix = f.set_argument("ceil_mode", True, layer)._replace(
        then="at least one output position (with the default stride, = kernel_size)"
    )
    return Finding(FRAMEWORK, "pool_output_empty", match[0], "PyTorch ≥ 1.0", numbers, explanation, causes, (fix,))


MATCHERS: list[Matcher] = [
    (
        lazy(
            r"Calculated padded input size per channel: \((?P<padded>\d{1,40})\)\. "
            r"Kernel size: \((?P<span>\d{1,40})\)\. "
            r"Kernel size can't be greater than actual input size"
        ),
        too_short,
    ),
    (
        lazy(
            r"(?:(?:max|avg)_pool[12]d\(\) Invalid computed output size: (?P<out>-?\d{1,40}))|(?:Given input size: "
            r"\((?P<input>[\dx]{1,100})\)\. Calculated output size: \((?P<output>[-\dx]{1,100})\)\. "
            r"Output size is too small)"
        ),
        pooling,
    ),
]
