"""`why`: a framework's error message, found in pasted text, explained with its own numbers.

text.py cleans the text and finds the traceback's code lines; torch_messages and keras_messages
hold one matcher per message (its wordings, its numbers, our words, the fixes); source.py reads a
layer's arguments from the failing line when the message lacks them. Where a new message goes:
its framework's MATCHERS. No NumPy, no rich: `why --json` starts as fast as the CLI."""

from __future__ import annotations

import re

from conv1dexplain.diagnose import keras_messages, torch_messages
from conv1dexplain.diagnose.text import candidates, clean
from conv1dexplain.report.diagnosis import Diagnosis, Finding

KNOWN = (
    "PyTorch: wrong channels or layout, input rank, tuple kernel_size, kernel longer than the input, "
    "pooling output size, mat1 and mat2 (Linear), dtype or device, 'same' with a stride, padding strings, "
    "groups, reflect or circular padding too large, a NumPy array or list for a tensor, Embedding given "
    "floats, pooling, RNN and Upsample ranks, LayerNorm, GroupNorm and InstanceNorm on the wrong axis, "
    "ConvTranspose1d's output_padding, sums and torch.cat of branches that differ, view/reshape sizes; "
    "Keras: min_ndim / ndim, output size zero or negative, groups, strides with dilation, padding, Dense "
    "features, Concatenate/Add shapes, Reshape sizes, Conv1DTranspose output_padding, a Dense after Flatten "
    "on any length, deprecated input_length / input_shape, TensorFlow's Negative dimension size and NCHW on "
    "the CPU"
)


def diagnose(raw: str) -> Diagnosis:
    """The diagnosis of the last known message in the text (recognized=False if none)."""
    text = clean(raw)
    for line in candidates(text):
        found = _match(line, text)
        if found is not None:
            if found.layer is None and text.frames:  # the call on the user's line that failed
                from conv1dexplain.diagnose.source import failing_call

                found = found._replace(layer=failing_call(text.frames))
            return Diagnosis(True, found)
    return Diagnosis(False, None)


def with_model(found: Finding, code: str) -> Finding:
    """The finding told with the model's code: the layer named as the model names it, and each fix
    checked through the model's layers (parsed, never run). SpecError when the code cannot be read."""
    from conv1dexplain.diagnose.model_layer import locate
    from conv1dexplain.diagnose.verify import checked

    located = locate(found, code)
    if located is None:
        return found
    return checked(found._replace(layer=located.label), located)


def _match(line: str, text: object) -> Finding | None:
    for matchers in (torch_messages.MATCHERS, keras_messages.MATCHERS):
        for pattern, read in matchers:
            match = pattern.search(line)
            if match is not None:
                found = read(match, text)  # type: ignore[arg-type]
                return found._replace(message=_echo(line, match.start(), found.message))
    return None


_ECHO = 600  # characters of the message echoed at most


def _echo(line: str, start: int, read: str) -> str:
    """The message as the framework wrote it, from where it matched to the end of its line (the
    pattern reads its numbers only), its wrapped spaces undone; a text joined from many lines keeps
    what the pattern read."""
    if "\n" in line or len(line) - start > _ECHO:
        return " ".join(read.split())
    words = " ".join(line[start:].split())
    return re.sub(r"([\[(]) | ([\]),])", r"\1\2", words)  # ("[16 , 50" from a wrapped paste: "[16, 50")
