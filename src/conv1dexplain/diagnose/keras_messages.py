"""Keras' messages about 1-D layers (Keras 3, tf.keras 2, the TensorFlow backend's Conv2D forms),
one matcher each: wordings, numbers, meaning, fixes.

Where a new message goes: a function (match, text) -> Finding, and its patterns in MATCHERS.
Wordings confirmed against the installed Keras by tests/test_oracle_why.py."""

from __future__ import annotations

import re

from conv1dexplain.diagnose import fixes as f
from conv1dexplain.diagnose import keras_layers, keras_settings
from conv1dexplain.diagnose.patterns import Matcher, lazy
from conv1dexplain.diagnose.text import Text, ints
from conv1dexplain.report.diagnosis import Finding, Fix
from conv1dexplain.tensor import fmt_shape

FRAMEWORK = "keras"
CONV = ("Conv1D", "Convolution1D")


def _dims(text: str) -> list[int | None]:
    """(None, 30) or [?,1,2,128] → [None, 30] / [None, 1, 2, 128]."""
    parts = [part.strip() for part in text.strip("()[] ").split(",")]
    return [int(part) if part.lstrip("-").isdigit() and len(part) < 40 else None for part in parts if part]


def min_ndim(match: re.Match[str], text: Text) -> Finding:
    shape = _dims(match["shape"])
    wanted, found, layer = int(match["wanted"]), int(match["found"]), match["layer"]
    exact = match["kind"] == "ndim"
    wording = {
        "with_name": "Keras ≥ 3.13",
        "quoted": "Keras 3.0–3.12, tf.keras ≥ 2.7",
        "colon": "TensorFlow 2.3–2.6",
    }[_style(match[0])]
    numbers = {"layer": layer, "expected_rank": wanted, "input_rank": found, "input_shape": shape}
    fixes: list[Fix] = []
    if found == wanted - 1 and len(shape) == 2:
        explanation = (
            f"Keras' 1-D layers read (batch, length, channels); {layer} got {fmt_shape(tuple(shape))}: "
            "a batch of sequences with no channel axis"
        )
        causes: tuple[str, ...] = (
            "each step is one number: add a channel axis of 1",
            "one example without its batch axis",
            "a recurrent layer before it (LSTM, GRU) without return_sequences=True: it gives (batch, units), one "
            "vector per sequence",
        )
        fixes.append(Fix("reshape_input", {"shape": [shape[0], shape[1], 1]}, "x = x[..., None]"))
        fixes.append(Fix("reshape_input", {"shape": [1, shape[0], shape[1]]}, "x = x[None]"))
        fixes.append(
            f.set_argument("return_sequences", True, "layers.LSTM")._replace(
                code="layers.LSTM(..., return_sequences=True)  # the recurrent layer before it, if there is one"
            )
        )
    else:
        least = "exactly" if exact else "at least"
        explanation = f"{layer} reads {least} {wanted} dimensions; it got {found}: {fmt_shape(tuple(shape))}"
        causes = ("the batch was put inside input_shape, or an image's axis is left",) if found > wanted else ()
        ones = [i for i, size in enumerate(shape) if size == 1 and i > 0]
        fixes.extend(f.squeeze(dim, FRAMEWORK) for dim in ones[:1])
    return Finding(FRAMEWORK, "input_rank", match[0], wording, numbers, explanation, causes, tuple(fixes), layer)


def _style(message: str) -> str:
    if "with name" in message:
        return "with_name"
    return "colon" if ": :" in message or "layer: :" in message else "quoted"


def negative_output(match: re.Match[str], text: Text) -> Finding:
    shape, kernel = _dims(match["inputs"]), ints(match["kernel"])
    dilation = ints(match["dilation"] or "1") or [1]
    strides = ints(match["strides"] or "1") or [1]
    k, d = (kernel or [1])[0], dilation[0]
    span = d * (k - 1) + 1
    length = shape[1] if len(shape) == 3 else None
    numbers = {
        "input_shape": shape,
        "kernel_shape": kernel,
        "dilation_rate": d,
        "strides": strides[0],
        "kernel_span": span,
    }
    explanation = (
        f"with padding='valid' a window spans {span} positions, but the input has {length}: no output position is left"
    )
    fixes = _too_short_fixes(length, span)
    wording = "Keras ≥ 3.14" if "zero or negative" in match[0] else "Keras 3.0–3.13"
    causes = ("the sequence is shorter than the kernel, or earlier strides and pooling shrank it",)
    return Finding(FRAMEWORK, "input_too_short", match[0], wording, numbers, explanation, causes, fixes)


def tf_negative(match: re.Match[str], text: Text) -> Finding:
    span, length = int(match["span"]), int(match["length"])
    x, kernel = _dims(match["x"]), _dims(match["kernel"])
    numbers: dict[str, object] = {
        "kernel_span": span,
        "input_length": length,
        "conv2d_input_shape": x,
        "conv2d_kernel_shape": kernel,
    }
    if len(x) == 4 and len(kernel) == 4:  # Conv1D runs as Conv2D on (batch, 1, L, C) with a (1, k, C, F) kernel
        numbers["input_shape"], numbers["kernel_shape"] = [x[0], x[2], x[3]], kernel[1:]
    explanation = (
        f"TensorFlow runs Conv1D as a Conv2D over (batch, 1, length, channels): a window of {span} positions "
        f"does not fit a length of {length}"
    )
    return Finding(
        FRAMEWORK,
        "input_too_short",
        match[0],
        "TensorFlow backend",
        numbers,
        explanation,
        (),
        _too_short_fixes(length, span),
    )


def _too_short_fixes(length: int | None, span: int) -> tuple[Fix, ...]:
    """Zeros after the input up to one window (when its length is known), a longer input, or 'same'."""
    longer = f.min_length(span)._replace(then="one output position")
    same = f.set_argument("padding", "same", "Conv1D")
    if length is None or length >= span:
        return (longer, same)
    return (f.pad(0, span - length, FRAMEWORK)._replace(then="one output position"), longer, same)


def dense_features(match: re.Match[str], text: Text) -> Finding:
    wanted, shape, layer = int(match["wanted"]), _dims(match["shape"]), match["layer"]
    numbers = {"layer": layer, "expected_features": wanted, "input_shape": shape}
    if len(shape) == 3 and shape[1] == wanted and shape[2] != wanted:  # (batch, channels, length) data
        explanation = (
            f"{layer} was built for {wanted} channels on the last axis; the input {fmt_shape(tuple(shape))} has "
            f"{shape[2]} there and {wanted} on axis 1: it is laid out (batch, channels, length), as PyTorch does, "
            "but Keras reads (batch, length, channels)"
        )
        causes: tuple[str, ...] = ("channels-first data (a PyTorch or NCW array) given to a Keras model",)
        fix = f.permute([0, 2, 1], FRAMEWORK)
        return Finding(FRAMEWORK, "input_channels", match[0], "Keras 3", numbers, explanation, causes, (fix,), layer)
    if len(shape) == 3:
        explanation = (
            f"{layer} was built for {wanted} channels (the last axis); the input {fmt_shape(tuple(shape))} has "
            f"{shape[2]}"
        )
        causes = (f"the model's Input(shape=…) says {wanted} channels; the data has {shape[2]}",)
        fix = Fix("set_input_shape", {"shape": [None, shape[2]]}, f"keras.Input(shape=(None, {shape[2]}))")
        return Finding(FRAMEWORK, "input_channels", match[0], "Keras 3", numbers, explanation, causes, (fix,), layer)
    explanation = (
        f"{layer} was built for {wanted} features; what reaches it has {shape[-1]} ({fmt_shape(tuple(shape))}): "
        "the input length changed since the model was built (Flatten's size is length × channels)"
    )
    causes = ("give the input length the model was built for, or build it for this one (Input(shape=…))",)
    fixes = f.length_free("the length the data has")
    return Finding(FRAMEWORK, "dense_features", match[0], "Keras 3", numbers, explanation, causes, fixes, layer)


def keras2_ndim(match: re.Match[str], text: Text) -> Finding:
    """Keras 2's older forms: 'Input 0 is incompatible with layer conv1d_39: expected ndim=3, found
    ndim=4' and 'expected conv1d_37_input to have 3 dimensions, but got array with shape (50000, 2)'."""
    layer, wanted = match["layer"], int(match["wanted"])
    shape = _dims(match["shape"]) if match["shape"] else None
    found = int(match["found"]) if match["found"] else len(shape or ())
    numbers = {"layer": layer, "expected_rank": wanted, "input_rank": found, "input_shape": shape}
    fixes: tuple[Fix, ...] = ()
    if shape is not None and len(shape) == wanted - 1 == 2:
        fixes = (Fix("reshape_input", {"shape": [shape[0], shape[1], 1]}, "x = x[..., None]"),)
    explanation = f"{layer} reads {wanted} dimensions (batch, length, channels); it got {found}"
    causes = ("a batch size inside input_shape, or data without its channel axis",)
    return Finding(FRAMEWORK, "input_rank", match[0], "Keras 2", numbers, explanation, causes, fixes, layer)


_KERAS_CALL = re.compile(r"Exception encountered when calling (?P<layer>\w{1,80})\.call\(\)")


def pool_negative(match: re.Match[str], text: Text) -> Finding:
    shape, pool = _dims(match["shape"].replace(" ", ",")), ints(match["pool"])
    wrapper = _KERAS_CALL.search(text.text)
    layer = wrapper["layer"] if wrapper else "MaxPooling1D"
    numbers = {"input_shape": shape, "pool_size": pool[0] if pool else None}
    numbers["input_length"] = shape[1] if len(shape) == 3 else None
    size, length = numbers["pool_size"], numbers["input_length"]
    explanation = f"the pooling window ({size}) is longer than the sequence ({length})"
    if isinstance(size, int) and isinstance(length, int) and size <= length and len(shape) == 3:
        numbers["input_length"] = shape[2]  # data_format='channels_first': the length is the last axis
        explanation = (
            f"with data_format='channels_first' the length is the last axis ({shape[2]}), shorter than the pooling "
            f"window ({size})"
        )
    fix = f.set_argument("padding", "same", layer)._replace(then="ceil(length / strides) outputs")
    return Finding(FRAMEWORK, "pool_output_empty", match[0], "Keras ≥ 3.6", numbers, explanation, (), (fix,), layer)


def kernel_rank(match: re.Match[str], text: Text) -> Finding:
    kernel, shape = _dims(match["kernel"]), _dims(match["shape"])
    numbers = {"kernel_shape": kernel, "input_shape": shape, "input_rank": len(shape)}
    explanation = (
        f"Conv1D reads (batch, length, channels); its input {fmt_shape(tuple(shape))} has {len(shape)} dimensions"
    )
    fixes: tuple[Fix, ...] = ()
    if len(shape) == 4 and len(kernel) == 3 and shape[-1] == kernel[1]:  # each row a sequence of its own
        fixes = (f.reshape([None, shape[-2], shape[-1]], FRAMEWORK),)
    causes = ("an image (batch, height, width, channels): Conv2D reads it, or reshape rows into sequences",)
    return Finding(FRAMEWORK, "input_rank", match[0], "Keras 3", numbers, explanation, causes, fixes)


_LAYER = r"(?:with name '[^']{0,300}' )?of layer [\"']?(?P<layer>[\w./-]+)[\"']?"
MATCHERS: list[Matcher] = [
    *keras_settings.MATCHERS,
    *keras_layers.MATCHERS,
    (
        lazy(
            rf"Input 0 {_LAYER}:? is incompatible with the layer: :? ?expected "
            r"(?P<kind>min_ndim|ndim)=(?P<wanted>\d{1,40}), "
            r"found ndim=(?P<found>\d{1,40})\. Full shape received: (?P<shape>[\(\[][^\)\]]{0,300}[\)\]])"
        ),
        min_ndim,
    ),
    (
        lazy(
            r"Computed output size would be (?:zero or )?negative\. Received "
            r"`inputs shape=(?P<inputs>\([^)]{0,300}\))`, "
            r"`kernel shape=(?P<kernel>\([^)]{0,300}\))`, `dilation_rate=(?P<dilation>[^`]{0,300})`"
            r"(?:, `strides=(?P<strides>[^`]{0,300})`)?"
        ),
        negative_output,
    ),
    (
        lazy(
            r"Negative dimension size caused by subtracting (?P<span>\d{1,40}) from (?P<length>\d{1,40}) for .{0,3000}?"
            r"with input shapes: (?P<x>\[[^\]]{0,300}\]), (?P<kernel>\[[^\]]{0,300}\])"
        ),
        tf_negative,
    ),
    (
        lazy(
            rf"Input 0 {_LAYER}:? is incompatible with the layer: expected axis -1 of input shape to have value "
            r"(?P<wanted>\d{1,40}),? but received input with shape (?P<shape>\([^)]{0,300}\))"
        ),
        dense_features,
    ),
    (
        lazy(
            r"Input 0 is incompatible with layer (?P<layer>[\w./-]+): expected (?:min_)?ndim=(?P<wanted>\d{1,40}), "
            r"found ndim=(?P<found>\d{1,40})(?P<shape>)"
        ),
        keras2_ndim,
    ),
    (
        lazy(
            r"expected (?P<layer>\w+?)_input to have (?P<wanted>\d{1,40}) dimensions, but got array with shape "
            r"(?P<shape>\([^)]{0,300}\))(?P<found>)"
        ),
        keras2_ndim,
    ),
    (
        lazy(
            r"Computed output size would be zero or negative\. Received: `inputs\.shape=\[(?P<shape>[^\]]{0,200})\]`, "
            r"`pool_size=\[?\(?(?P<pool>[\d, ]{1,40})"
        ),
        pool_negative,
    ),
    (
        lazy(
            r"Kernel shape must have the same length as input, but received kernel of shape "
            r"(?P<kernel>\([^)]{0,200}\)) and input of shape (?P<shape>\([^)]{0,200}\))"
        ),
        kernel_rank,
    ),
]
