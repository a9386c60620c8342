"""conv1d()'s argument values read as Keras or PyTorch reads them: what the framework accepts, as
ints and strings; what it refuses, a SpecError whose hint names the argument (`strides=2`).

Settled against the real layers (tests/test_api_arguments.py): Keras' Conv1D takes a Python int or
a one-element sequence of integers for strides and dilation_rate (not a NumPy integer, not a bool,
which its PyTorch backend refuses), and groups as any integer (True is 1); nn.Conv1d takes anything
with __index__ (NumPy integers too) or a one-element sequence of them for stride, padding and
dilation, and an integer groups, but never a bool, a float or a string of digits.
"""

from __future__ import annotations

from typing import Any

from conv1dexplain.conventions import Convention, convention
from conv1dexplain.conventions.values import index_of, kind, refusal, sequence_of, shown
from conv1dexplain.errors import SpecError
from conv1dexplain.records import record
from conv1dexplain.vocabulary import Framework


@record(frozen=True)
class Arguments:
    """conv1d()'s layer arguments, normalised: plain ints and strings layers.conv1d.configure takes."""

    framework: Framework
    strides: int
    padding: str | int | tuple[int, int]
    dilation_rate: int
    groups: int
    activation: str | None
    data_format: str | None
    padding_mode: str


def _groups(rules: Convention, value: Any) -> int:
    found = rules.python_groups(value)
    if found is None:
        raise refusal("groups", value, rules.python_owner, "an int")
    return found


def _padding(rules: Convention, value: Any) -> str | int | tuple[int, int]:
    if isinstance(value, str):
        return rules.python_padding_string(value)  # Keras lowers it (without stripping); configure refuses the rest
    items = sequence_of(value)
    if items is not None and len(items) == 2:  # the library's explicit (left, right)
        pair = tuple(index_of(item) for item in items)
        if None in pair:
            raise SpecError(
                f"padding={shown(value)} must be two whole numbers (left, right)", "pass e.g. padding=(1, 2)"
            )
        return pair[0], pair[1]  # type: ignore[return-value]
    return rules.python_padding_number(value)


def _optional_string(name: str, value: Any, example: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise SpecError(f"{name}={shown(value)} is {kind(value)}, not a name", f"pass e.g. {name}={example}")


def _pick(rules: Convention, name: str, keras_value: Any, other_value: Any, other_name: str) -> Any:
    """The value of strides (dilation_rate), or of its PyTorch name stride (dilation)."""
    if other_value is None:
        return keras_value
    if rules.arg(name) != other_name:
        raise SpecError(
            f"{other_name}= is nn.Conv1d's name; {rules.python_owner} calls it {name}",
            f"pass {name}={shown(other_value)}, or framework='pytorch'",
        )
    if not (type(keras_value) is int and keras_value == 1):
        raise SpecError(f"both {name}= and {other_name}= were given", f"pass only {other_name}={shown(other_value)}")
    return other_value


def normalise(
    *,
    framework: Any,
    strides: Any,
    padding: Any,
    dilation_rate: Any,
    groups: Any,
    activation: Any,
    data_format: Any,
    padding_mode: Any,
    stride: Any = None,
    dilation: Any = None,
) -> Arguments:
    """conv1d()'s arguments as the chosen framework reads them; a SpecError for what it refuses."""
    if not isinstance(framework, str):
        raise SpecError(
            f"framework={shown(framework)} is {kind(framework)}, not a name",
            "pass framework='keras' or framework='pytorch'",
        )
    fmt = _optional_string("data_format", data_format, "'channels_first'")
    rules = convention(framework)
    rules.data_format(fmt)
    strides = _pick(rules, "strides", strides, stride, "stride")
    dilation_rate = _pick(rules, "dilation_rate", dilation_rate, dilation, "dilation")
    if not isinstance(padding_mode, str):
        raise SpecError(
            f"padding_mode={shown(padding_mode)} is {kind(padding_mode)}, not a name", "pass e.g. padding_mode='zeros'"
        )
    return Arguments(
        framework=rules.name,
        strides=rules.python_int(rules.arg("strides"), strides),
        padding=_padding(rules, padding),
        dilation_rate=rules.python_int(rules.arg("dilation_rate"), dilation_rate),
        groups=_groups(rules, groups),
        activation=_optional_string("activation", activation, "'relu'"),
        data_format=fmt,
        padding_mode=padding_mode,
    )
