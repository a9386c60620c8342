"""A tensor's shape with named axes (batch, length, channels; None where unknown) in a layout, and
the `50x300` text that writes one."""

from __future__ import annotations

import re

from conv1dexplain.errors import SpecError, setting
from conv1dexplain.records import record
from conv1dexplain.vocabulary import DataFormat

Shape = tuple[int | None, ...]
INT64_MAX = 2**63 - 1  # a framework's sizes are 64-bit integers
# Between dimensions: x (any case), ×, * or a comma, with spaces around; or spaces alone.
_SEPARATOR = r"\s*[xX×*,]\s*|\s+"  # (compiled by re when first used: a model may give no shape)
_NUMBER = r"[0-9]+(?:_[0-9]+)*"  # ASCII digits only: int() would also read '٣'
_UNKNOWN = {"none", "null", "?", "n", "-1"}
_BRACKETS = {"(": ")", "[": "]"}
_WORDS = {"batch": "batch", "l": "length", "c": "channels"}


@record(frozen=True)
class Tensor:
    """A sequence tensor: batch (None: any), length (None: unknown), channels, and their order."""

    batch: int | None
    length: int | None
    channels: int | None
    layout: DataFormat = "channels_last"

    @property
    def shape(self) -> Shape:
        """(batch, length, channels) or (batch, channels, length), as the layout orders them."""
        if self.layout == "channels_last":
            return (self.batch, self.length, self.channels)
        return (self.batch, self.channels, self.length)


def fmt_shape(shape: tuple[int | None, ...]) -> str:
    """(None, 50, 100) in Python's own spelling."""
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


class UnknownLengthError(SpecError):
    """The text leaves the sequence length unknown, as Keras' (None, C) does."""

    def __init__(self, text: str, example: str) -> None:
        super().__init__(
            f"{setting('input_shape')} {text!r} leaves the length unknown: an output shape needs a length",
            f"give one, e.g. {setting('input_shape', example)}",
            argument="input_shape",
            value=text,
        )


def parse_tensor(text: str, layout: DataFormat) -> Tensor:
    """Read `LxC` (channels_last), `CxL` (channels_first), or either with a leading batch."""
    order = "LxC" if layout == "channels_last" else "CxL"
    hint = f"write the shape as {order}, e.g. 50x300, or with a batch first: 32x{order}"
    dims = _dimensions(text, order, hint)
    if dims["c"].lower() in _UNKNOWN:
        raise _error(f"{_quoted(text)}: the channels must be known (the kernel's shape depends on them)", hint, text)
    channels = _dim(dims["c"], "c", text, hint)
    given_batch = dims.get("batch", "none")
    batch = None if given_batch.lower() in _UNKNOWN else _dim(given_batch, "batch", text, hint)
    if dims["l"].lower() in _UNKNOWN:
        known = [] if "batch" not in dims else ["32" if batch is None else str(batch)]
        ordered = ["50", str(channels)] if layout == "channels_last" else [str(channels), "50"]
        raise UnknownLengthError(text, "x".join(known + ordered))
    return Tensor(batch, _dim(dims["l"], "l", text, hint), channels, layout)


def split_dims(text: str) -> list[int | None]:
    """The sizes in `50x300`, `(None, 300)` or `32 50 300`: None for an unknown one; a size that is
    not digits raises. Any number of dimensions (the caller says how many it takes)."""
    body = text.strip()
    if body[:1] in _BRACKETS and body[-1:] == _BRACKETS[body[:1]]:
        body = body[1:-1].strip().rstrip(",").strip()
    tokens = re.split(_SEPARATOR, body) if body else []
    hint = "write the sizes as digits between x's, e.g. 50x300; ? for an unknown length"
    if "" in tokens or not tokens:
        raise _error(f"{_quoted(text)} has an empty dimension (a separator at an end, or two together)", hint, text)
    sizes: list[int | None] = []
    for token in tokens:
        if token.lower() in _UNKNOWN:
            sizes.append(None)
        elif re.fullmatch(_NUMBER, token):
            sizes.append(int(token))
        else:
            raise _error(f"{_quoted(text)}: {token!r} is not a whole number in digits 0-9", hint, text)
    return sizes


def _quoted(text: str) -> str:
    return f"{setting('input_shape')} {text!r}"


def _error(message: str, hint: str, text: str) -> SpecError:
    return SpecError(message, hint, argument="input_shape", value=text)


def _dimensions(text: str, order: str, hint: str) -> dict[str, str]:
    """The text's dimensions by name (batch, l, c), each a number or a word for unknown."""
    body = text.strip()
    if body[:1] in _BRACKETS and body[-1:] == _BRACKETS[body[:1]]:
        body = body[1:-1].strip()
    tokens = re.split(_SEPARATOR, body) if body else []
    if "" in tokens:
        raise _error(f"{_quoted(text)} has an empty dimension (a separator at an end, or two together)", hint, text)
    if len(tokens) not in (2, 3):
        raise _error(f"{_quoted(text)} has {len(tokens)} dimension(s), not 2 or 3", hint, text)
    names = order.lower().split("x")
    dims = dict(zip(["batch", *names] if len(tokens) == 3 else names, tokens, strict=True))
    for name, token in dims.items():
        if token.lower() not in _UNKNOWN and not re.fullmatch(_NUMBER, token):
            raise _error(
                f"{_quoted(text)}: {token!r} (the {_WORDS[name]}) is not a whole number in digits 0-9", hint, text
            )
    return dims


def _dim(token: str, name: str, text: str, hint: str) -> int:
    value = int(token)
    least = 0 if name == "batch" else 1  # an empty batch is fine: both frameworks return an empty one
    if value < least:
        raise _error(f"{_quoted(text)}: the {_WORDS[name]} must be at least {least}", hint, text)
    if value > INT64_MAX:
        raise _error(
            f"{_quoted(text)}: the {_WORDS[name]} {value:,} is over what a Keras or PyTorch tensor can have: "
            f"its sizes are 64-bit integers, at most {INT64_MAX:,}",
            f"use a {_WORDS[name]} of at most {INT64_MAX}",
            text,
        )
    return value
