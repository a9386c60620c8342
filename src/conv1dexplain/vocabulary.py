"""The words of the contract: frameworks, paddings, activations, the JSON schema version.

Kept apart and dependency-free so that the CLI (option choices, completion, error JSON) can name
them without loading the layer machinery.
"""

from __future__ import annotations

from typing import Literal

SCHEMA_VERSION = 1  # of every JSON object written
DEFAULT_MAX_BYTES = 4 << 30  # --max-bytes: 4 GiB of input, or of an output held in memory

Framework = Literal["keras", "pytorch"]
DataFormat = Literal["channels_last", "channels_first"]
FRAMEWORKS: tuple[Framework, ...] = ("keras", "pytorch")
DATA_FORMATS: tuple[DataFormat, ...] = ("channels_last", "channels_first")
# --framework's other names for the two (any case): TensorFlow's conventions are Keras'.
FRAMEWORK_ALIASES: dict[str, Framework] = {"tensorflow": "keras", "torch": "pytorch"}
KERAS_PADDINGS = ("valid", "same", "causal")
TORCH_PADDING_STRINGS = ("valid", "same")
# The PyTorch keywords conv1d() takes for Keras' strides= and dilation_rate=.
TORCH_ARGUMENT_NAMES = {"strides": "stride", "dilation_rate": "dilation"}
# Activations that run over the whole last axis at once (their NumPy forms are in activations).
AXIS_WISE = frozenset({"softmax", "log_softmax", "glu", "sparsemax"})
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")

# keras.activations.get() accepts exactly these names (Keras 3; the oracle tests compare).
KERAS_ACTIVATIONS = (
    "celu",
    "elu",
    "exponential",
    "gelu",
    "glu",
    "hard_shrink",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "leaky_relu",
    "linear",
    "log_sigmoid",
    "log_softmax",
    "mish",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "soft_shrink",
    "softmax",
    "softplus",
    "softsign",
    "sparse_plus",
    "sparse_sigmoid",
    "sparsemax",
    "squareplus",
    "swish",
    "tanh",
    "tanh_shrink",
    "threshold",
)


def framework_named(name: str) -> Framework | None:
    """The framework a --framework value names (keras, tensorflow, pytorch, torch; any case), or None."""
    key = name.lower()
    return next((fw for fw in FRAMEWORKS if fw == key), None) or FRAMEWORK_ALIASES.get(key)


def counted(number: int, noun: str) -> str:
    """'1 filter', '3 filters': the noun given in the singular, with a regular plural."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"
