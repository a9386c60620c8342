"""conv1d()'s argument values read as Keras or PyTorch reads them: what the framework accepts, as
ints and strings; what it refuses, a SpecError whose hint names the argument (`strides=2`).

Settled against the real layers (tests/test_api_arguments.py): Keras' Conv1D takes a Python int or
a one-element sequence of integers for strides and dilation_rate (not a NumPy integer, not a bool,
which its PyTorch backend refuses), and groups as any integer (True is 1); nn.Conv1d takes anything
with __index__ (NumPy integers too) or a one-element sequence of them for stride, padding and
dilation, and an integer groups, but never a bool, a float or a string of digits.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

from conv1dexplain.errors import SpecError
from conv1dexplain.spec import resolve_layout
from conv1dexplain.vocabulary import KERAS_PADDINGS, TORCH_ARGUMENT_NAMES, TORCH_PADDING_STRINGS, Framework


@dataclass(frozen=True)
class Arguments:
    """conv1d()'s layer arguments, normalised: plain ints and strings build_spec takes."""

    framework: Framework
    strides: int
    padding: str | int | tuple[int, int]
    dilation_rate: int
    groups: int
    activation: str | None
    data_format: str | None
    padding_mode: str


def _shown(value: Any) -> str:
    return repr(value) if not isinstance(value, str) else f"'{value}'"


def _kind(value: Any) -> str:
    if _is_bool(value):
        return "a bool"
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        return "a float"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or type(value).__name__ in ("bool", "bool_")


def _index(value: Any) -> int | None:
    """value as an int when it is an integer (a NumPy one too) and not a bool, else None."""
    if _is_bool(value) or _zero_dim(value):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def _zero_dim(value: Any) -> bool:
    """A 0-d array: it has a length that it cannot give (NumPy's scalars have none)."""
    if not hasattr(value, "__len__"):
        return False
    try:
        len(value)
    except TypeError:
        return True
    return False


def _sequence(value: Any) -> tuple[Any, ...] | None:
    """The items of a list, tuple or 1-d array (never of a string), else None."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__") or _zero_dim(value):
        return None
    return tuple(value)


def _refuse(name: str, value: Any, framework: Framework, wants: str) -> SpecError:
    owner = "Keras' Conv1D" if framework == "keras" else "nn.Conv1d"
    whole = _whole_number(value)
    example = f"{name}={whole}" if whole is not None else f"{name}=2"
    return SpecError(f"{name}={_shown(value)} is {_kind(value)}: {owner} takes {wants}", f"pass e.g. {example}")


def _whole_number(value: Any) -> int | None:
    """The whole number a float, NumPy scalar, bool or digit string stands for, to suggest it."""
    items = _sequence(value)
    if items is not None and len(items) == 1:
        value = items[0]
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _keras_int(name: str, value: Any) -> int:
    """strides / dilation_rate as keras.utils' standardize_tuple reads them (and the backend runs them)."""
    wants = "a Python int or a one-element tuple of ints"
    if type(value) is int:  # exactly int: a NumPy integer is refused, a bool fails in the backend
        return value
    items = _sequence(value)
    if items is not None and len(items) == 1 and _index(items[0]) is not None:
        return operator.index(items[0])
    if type(value).__name__.startswith(("int", "uint")) and _index(value) is not None:
        raise SpecError(
            f"{name}={value!r} is a NumPy integer, which Keras' Conv1D refuses ({wants})",
            f"pass a Python int: {name}=int(...), here {name}={operator.index(value)}",
        )
    raise _refuse(name, value, "keras", wants)


def _torch_int(name: str, value: Any) -> int:
    """stride / dilation / an int padding as nn.Conv1d's _single and the convolution read them."""
    found = _index(value)
    if found is not None:
        return found
    items = _sequence(value)
    if items is not None and len(items) == 1 and _index(items[0]) is not None:
        return operator.index(items[0])
    raise _refuse(name, value, "pytorch", "an int or a one-element tuple of ints")


def _groups(framework: Framework, value: Any) -> int:
    if framework == "keras" and _is_bool(value):
        return int(value)  # Keras does arithmetic with it: True is 1 (and False is refused as 0)
    found = _index(value)
    if found is None:
        raise _refuse("groups", value, framework, "an int")
    return found


def _padding(framework: Framework, value: Any) -> str | int | tuple[int, int]:
    if isinstance(value, str):
        if framework == "pytorch" and value not in KERAS_PADDINGS:
            return _torch_padding_string(value)
        return value  # Keras lowers it (without stripping); build_spec refuses the rest
    items = _sequence(value)
    if items is not None and len(items) == 2:  # the library's explicit (left, right)
        pair = tuple(_index(item) for item in items)
        if None in pair:
            raise SpecError(f"padding={_shown(value)} must be two whole numbers (left, right)",
                            "pass e.g. padding=(1, 2)")  # fmt: skip
        return pair[0], pair[1]  # type: ignore[return-value]
    if framework == "pytorch":
        return _torch_int("padding", value)
    found = _index(value)
    if found is not None:
        return found  # build_spec says Keras takes no int, and what does the same
    raise SpecError(f"padding={_shown(value)} is {_kind(value)}: Keras' Conv1D takes 'valid', 'same' or 'causal'",
                    "pass e.g. padding='same', or padding=(left, right) for explicit zeros")  # fmt: skip


def _torch_padding_string(value: str) -> int | str:
    """Refuse what nn.Conv1d refuses of a string padding: all but exactly 'valid' and 'same'."""
    text = value.strip()
    if text.lstrip("-").isdigit():
        raise SpecError(f"padding={_shown(value)} is a string: nn.Conv1d takes an int for zeros on each side",
                        f"pass padding={int(text)}")  # fmt: skip
    sides = [side.strip() for side in text.strip("()[]").split(",")]
    if len(sides) == 2 and all(side.isdigit() for side in sides):
        pair = f"({sides[0]}, {sides[1]})"
        raise SpecError(f"padding={_shown(value)} is a string, not a pair of numbers",
                        f"pass padding={pair}: F.pad(x, {pair}) then padding=0")  # fmt: skip
    if text.lower() in TORCH_PADDING_STRINGS:
        raise SpecError(f"nn.Conv1d refuses padding={_shown(value)}: its strings are exactly 'valid' and 'same'",
                        f"pass padding='{text.lower()}'")  # fmt: skip
    raise SpecError(f"nn.Conv1d refuses padding={_shown(value)}: its strings are exactly 'valid' and 'same'",
                    "pass padding='valid', padding='same', an int for each side, or (left, right)")  # fmt: skip


def _optional_string(name: str, value: Any, example: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise SpecError(f"{name}={_shown(value)} is {_kind(value)}, not a name", f"pass e.g. {name}={example}")


def _pick(framework: Framework, name: str, keras_value: Any, torch_value: Any) -> Any:
    """The value of strides (dilation_rate), or of its PyTorch name stride (dilation)."""
    torch_name = TORCH_ARGUMENT_NAMES[name]
    if torch_value is None:
        return keras_value
    if framework == "keras":
        raise SpecError(f"{torch_name}= is nn.Conv1d's name; Keras' Conv1D calls it {name}",
                        f"pass {name}={_shown(torch_value)}, or framework='pytorch'")  # fmt: skip
    if not (type(keras_value) is int and keras_value == 1):
        raise SpecError(f"both {name}= and {torch_name}= were given", f"pass only {torch_name}={_shown(torch_value)}")
    return torch_value


def normalise(
    *, framework: Any, strides: Any, padding: Any, dilation_rate: Any, groups: Any, activation: Any,
    data_format: Any, padding_mode: Any, stride: Any = None, dilation: Any = None,
) -> Arguments:  # fmt: skip
    """conv1d()'s arguments as the chosen framework reads them; a SpecError for what it refuses."""
    if not isinstance(framework, str):
        raise SpecError(f"framework={_shown(framework)} is {_kind(framework)}, not a name",
                        "pass framework='keras' or framework='pytorch'")  # fmt: skip
    fmt = _optional_string("data_format", data_format, "'channels_first'")
    fw, _ = resolve_layout(framework, fmt)
    strides = _pick(fw, "strides", strides, stride)
    dilation_rate = _pick(fw, "dilation_rate", dilation_rate, dilation)
    read = _keras_int if fw == "keras" else _torch_int
    names = ("strides", "dilation_rate") if fw == "keras" else ("stride", "dilation")
    if not isinstance(padding_mode, str):
        raise SpecError(f"padding_mode={_shown(padding_mode)} is {_kind(padding_mode)}, not a name",
                        "pass e.g. padding_mode='zeros'")  # fmt: skip
    return Arguments(
        framework=fw, strides=read(names[0], strides), padding=_padding(fw, padding),
        dilation_rate=read(names[1], dilation_rate), groups=_groups(fw, groups),
        activation=_optional_string("activation", activation, "'relu'"), data_format=fmt, padding_mode=padding_mode,
    )  # fmt: skip
