"""The explorer's settings and what each key does to them: pure values, no terminal.

A setting the framework refuses is kept (the view shows the framework's error), so the user learns
the rule; only sizes below 1 are not reachable. The layer itself is planned by the same core as
`shape` (layers.conv1d.build), in outcome()."""

from __future__ import annotations

import functools
import math

from conv1dexplain.conventions import convention, other
from conv1dexplain.errors import SpecError
from conv1dexplain.geometry import Axis, span
from conv1dexplain.layers import conv1d
from conv1dexplain.layers.conv1d import Conv1DPlan
from conv1dexplain.records import NamedTuple

LIMIT = 100_000  # the largest size a key reaches (a length, channels, filters)


class Knobs(NamedTuple):
    """One layer and where the window is: the explorer's whole state."""

    framework: str = "keras"
    length: int = 50
    channels: int = 300
    filters: int = 100
    kernel_size: int = 4
    strides: int = 1
    dilation: int = 1
    padding: str = "same"  # as --padding takes it: valid, same, causal, 2, or 1,2
    groups: int = 1
    use_bias: bool = True
    position: int = 0  # the output position whose window is shown

    @property
    def input_text(self) -> str:
        """--input in the framework's layout: L×C for Keras, C×L for PyTorch."""
        last = convention(self.framework).default_layout == "channels_last"
        first, second = (self.length, self.channels) if last else (self.channels, self.length)
        return f"{first}x{second}"

    @property
    def span(self) -> int:
        return span(self.kernel_size, self.dilation)


class Outcome(NamedTuple):
    """The layer planned, or the framework's refusal."""

    plan: Conv1DPlan | None
    error: SpecError | None


@functools.lru_cache(maxsize=64)  # (a key press asks for the same layer several times)
def outcome(knobs: Knobs) -> Outcome:
    """The layer as `shape` plans it (the same validation), or why the framework refuses it."""
    try:
        plan = conv1d.build(
            knobs.framework,
            knobs.input_text,
            filters=knobs.filters,
            kernel_size=knobs.kernel_size,
            strides=knobs.strides,
            padding=knobs.padding,
            dilation_rate=knobs.dilation,
            groups=knobs.groups,
            use_bias=knobs.use_bias,
        )
    except SpecError as error:
        error.voice = "cli"
        return Outcome(None, error)
    return Outcome(plan, None)


def start(framework: str, input_text: str, **settings: object) -> Knobs:
    """The first knobs: --input read in the framework's layout (empty: the classic 50 × 300; a batch
    is left out: the explorer shows one example's positions), the other settings as given."""
    from conv1dexplain.tensor import parse_tensor

    rules = convention(framework)
    tensor = parse_tensor(input_text or Knobs(framework=rules.name).input_text, rules.default_layout)
    length, channels = tensor.length or 0, tensor.channels or 0
    if length < 1 or channels < 1:
        raise SpecError(
            f"--input {input_text}: explore needs a length and channels of 1 or more",
            "give a shape such as 50x300 (Keras: length × channels; PyTorch: channels × length)",
            argument="input_shape",
        )
    return Knobs(rules.name, length, channels, **settings)  # type: ignore[arg-type]


def command_line(knobs: Knobs) -> str:
    """The `conv1dexplain shape` command of this layer (to paste or pipe)."""
    words = [
        "conv1dexplain shape",
        f"--input {knobs.input_text}",
        f"--filters {knobs.filters}",
        f"--kernel-size {knobs.kernel_size}",
    ]
    words += [f"--strides {knobs.strides}"] * (knobs.strides != 1)
    words += [f"--padding {knobs.padding}"] * (knobs.padding != "valid")
    words += [f"--dilation-rate {knobs.dilation}"] * (knobs.dilation != 1)
    words += [f"--groups {knobs.groups}"] * (knobs.groups != 1)
    words += ["--no-bias"] * (not knobs.use_bias)
    words += [f"--framework {knobs.framework}"]
    return " ".join(words)


def next_padding(knobs: Knobs) -> str:
    """What p gives: the framework's padding strings in turn, then (PyTorch) the ints 0 … d·(k−1),
    then the first string again (worked out, not listed: a span can be huge)."""
    rules = convention(knobs.framework)
    names = list(rules.paddings)
    given = knobs.padding.strip().lower()
    if given in names[:-1]:
        return names[names.index(given) + 1]
    ints = rules.int_padding and knobs.span > 0
    if given == names[-1]:
        return "0" if ints else names[0]
    if ints and given.isdigit() and int(given) + 1 < knobs.span:
        return str(int(given) + 1)
    return names[0]


def divisors(knobs: Knobs) -> list[int]:
    """The groups both the channels and the filters divide into."""
    both = math.gcd(knobs.channels, knobs.filters)
    return [g for g in range(1, both + 1) if both % g == 0]


def other_groups(knobs: Knobs, step: int) -> int:
    """The next (step 1) or previous (−1) group count that works, from the current one (the current
    one when there is none that way)."""
    options = divisors(knobs)
    if step > 0:
        return next((g for g in options if g > knobs.groups), knobs.groups)
    return next((g for g in reversed(options) if g < knobs.groups), knobs.groups)


def _same_windows(axis: Axis, other_axis: Axis) -> bool:
    """Every output reads the same positions: the same left padding and output length (zeros on the
    right past the last window are never read, so they do not count)."""
    return (axis.pad_left, axis.output_length) == (other_axis.pad_left, other_axis.output_length)


def translated(knobs: Knobs) -> tuple[Knobs, str]:
    """The layer in the other framework, as near as it goes, and what changed on the way: the same
    padding setting if it pads alike there, else the first there that does (a string, then the
    explicit pair as F.pad adds it, then an int); if none does, the setting kept (and refused)."""
    there = other(convention(knobs.framework))
    moved = knobs._replace(framework=there.name)
    source = outcome(knobs).plan
    said = ""
    if source is not None:
        left, right = source.axis.pad_left, source.axis.pad_right
        even = [str(left)] if left == right else []
        for padding in dict.fromkeys([knobs.padding, *there.paddings, *even, f"{left},{right}"]):
            plan = outcome(moved._replace(padding=padding)).plan
            if plan is not None and _same_windows(plan.axis, source.axis):
                moved = moved._replace(padding=padding)
                break
        if moved.padding != knobs.padding:
            said = f"; padding {knobs.padding!r} is {moved.padding!r} there ({left} left, {right} right)"
    layout = "(channels, length)" if there.default_layout == "channels_first" else "(length, channels)"
    return moved, f"framework → {there.title}: the input is {moved.input_text}, {layout}{said}"
