"""What each key of the explorer does, and the sentence that says what it changed, in the user's
numbers ("kernel_size 4 → 5: each window reads 5 positions; 'same' keeps 50 outputs; padding now
2 left, 2 right"). Pure: knobs in, knobs and words out."""

from __future__ import annotations

from collections.abc import Callable

from conv1dexplain.conventions import convention
from conv1dexplain.explore.knobs import LIMIT, Knobs, Outcome, next_padding, other_groups, outcome, translated
from conv1dexplain.records import NamedTuple
from conv1dexplain.terminal_keys import END, ESC, HOME, LEFT, RIGHT


class Pressed(NamedTuple):
    """The state after a key: the knobs, what the key changed, and whether to quit or show the help."""

    knobs: Knobs
    said: str | None  # None: the key does nothing here (said stays)
    quit: bool = False
    help: bool = False


# Each knob's keys: (lower: one less, upper: one more); the knob's name as the framework writes it.
SIZES = {
    "k": ("kernel_size", -1),
    "K": ("kernel_size", +1),
    "s": ("strides", -1),
    "S": ("strides", +1),
    "d": ("dilation", -1),
    "D": ("dilation", +1),
    "f": ("filters", -1),
    "F": ("filters", +1),
    "l": ("length", -1),
    "L": ("length", +1),
    "c": ("channels", -1),
    "C": ("channels", +1),
}
MOVES = {**dict.fromkeys((*RIGHT, " ", "\r", "\n"), +1), **dict.fromkeys((*LEFT, "h"), -1)}
FIRST, LAST = HOME, END
QUIT = ("q", "Q", ESC)
# The footer, longest first: the first that fits the width is shown (the last ones within 60 and 80).
FOOTERS = (
    "k/K kernel  s/S stride  d/D dilation  p padding  f/F filters  l/L length  c/C channels  g/G groups  "
    "b bias  t framework  ← → window  ? all keys  q quit",
    "k/K kernel  s/S stride  d/D dilation  p padding  f/F filters  l/L length  c/C channels  ? all keys  q quit",
    "k/K kernel s/S stride d/D dilation p pad f/F filters ←→ move ? all keys q quit",
    "kK sS dD p fF lL cC gG b t ←→ ? all keys q quit",
    "? keys  q quit",
)
HELP = (
    ("k / K", "kernel_size − / +"),
    ("s / S", "strides − / +"),
    ("d / D", "dilation − / +"),
    ("p", "the next padding: Keras valid, same, causal; PyTorch valid, same, 0, 1, 2 …"),
    ("f / F", "filters − / +"),
    ("l / L", "the input's length − / +"),
    ("c / C", "the input's channels − / +"),
    ("g / G", "groups: the previous / next that divides both"),
    ("b", "bias on / off"),
    ("t", "the other framework, the nearest layer"),
    ("← → h space Enter", "the window back / on one position"),
    ("Home / End", "the first / last output position"),
    ("?", "these keys"),
    ("q, Esc", "quit; prints the layer's shape command"),
)


def press(knobs: Knobs, key: str) -> Pressed:
    """What one key does (the window kept on an output position the layer has)."""
    pressed = _press(knobs, key)
    plan = outcome(pressed.knobs).plan
    if plan is not None and pressed.knobs.position >= plan.axis.output_length:
        return pressed._replace(knobs=pressed.knobs._replace(position=max(0, plan.axis.output_length - 1)))
    return pressed


def _press(knobs: Knobs, key: str) -> Pressed:
    if key in QUIT:
        return Pressed(knobs, None, quit=True)
    if key == "?":
        return Pressed(knobs, None, help=True)
    action = _ACTIONS.get(key)
    if action is not None:
        return action(knobs)
    if key in SIZES:
        name, step = SIZES[key]
        return _size(knobs, name, step)
    if key in MOVES or key in FIRST or key in LAST:
        return _move(knobs, key)
    return Pressed(knobs, None)


def _size(knobs: Knobs, name: str, step: int) -> Pressed:
    old = getattr(knobs, name)
    new = old + step
    if new < 1 or (step > 0 and old >= LIMIT):  # (a size given larger on the command line stays)
        return Pressed(knobs, f"{name} stays {old}: {'1 is the least' if new < 1 else f'{LIMIT} is the most here'}")
    after = knobs._replace(**{name: new})
    return Pressed(after, f"{name} {old} → {new}: {_WHAT[name](after)}{result(after, knobs)}")


def _padding(knobs: Knobs) -> Pressed:
    after = knobs._replace(padding=next_padding(knobs))
    return Pressed(after, f"padding {knobs.padding!r} → {after.padding!r}{result(after, knobs, always_padding=True)}")


def _groups(step: int) -> Callable[[Knobs], Pressed]:
    def change(knobs: Knobs) -> Pressed:
        new = other_groups(knobs, step)
        if new == knobs.groups:
            return Pressed(
                knobs, f"groups stays {new}: no other count divides both {knobs.channels} and {knobs.filters}"
            )
        after = knobs._replace(groups=new)
        words = f"each filter reads {after.channels // new} of the {after.channels} channels"
        return Pressed(after, f"groups {knobs.groups} → {new}: {words}{result(after, knobs)}")

    return change


def _bias(knobs: Knobs) -> Pressed:
    after = knobs._replace(use_bias=not knobs.use_bias)
    words = f"{knobs.filters} more parameters, one per filter" if after.use_bias else "no bias: the sums alone"
    return Pressed(after, f"bias {'off → on' if after.use_bias else 'on → off'}: {words}{result(after, knobs)}")


def _framework(knobs: Knobs) -> Pressed:
    after, words = translated(knobs)
    return Pressed(after, words + result(after, knobs))


def _move(knobs: Knobs, key: str) -> Pressed:
    plan = outcome(knobs).plan
    if plan is None:
        return Pressed(knobs, "the window cannot move: the framework refuses this layer")
    last = plan.axis.output_length - 1
    if key in FIRST or key in LAST:
        position = 0 if key in FIRST else last
    else:
        position = min(max(0, knobs.position + MOVES[key]), last)
    after = knobs._replace(position=position)
    return Pressed(after, window_words(outcome(after), position))


def window_words(state: Outcome, position: int) -> str:
    """'output 3 reads input positions 2, 3, 4, 5 (1 padding)'."""
    if state.plan is None:
        return ""
    axis = state.plan.axis
    taps = axis.input_positions(position)
    padding = sum(1 for tap in taps if tap < 0 or tap >= axis.length)
    shown = ", ".join(map(str, taps)) if len(taps) <= 12 else f"{taps[0]}, {taps[1]}, … {taps[-1]}"
    return f"output {position} reads input positions {shown}" + (f" ({padding} padding)" if padding else "")


def result(after: Knobs, before: Knobs, *, always_padding: bool = False) -> str:
    """'; 'same' keeps 50 outputs; padding now 2 left, 2 right', or the framework's refusal."""
    state, was = outcome(after), outcome(before).plan
    if state.error is not None:
        return f"; {convention(after.framework).title} refuses it: {state.error.message}"
    plan = state.plan
    assert plan is not None
    out = plan.axis.output_length
    words = (
        f"; '{after.padding}' keeps {_count(out, 'output')}" if out == after.length else f"; {_count(out, 'output')}"
    )
    pads = (plan.axis.pad_left, plan.axis.pad_right)
    if always_padding or was is None or pads != (was.axis.pad_left, was.axis.pad_right):
        words += f"; padding now {pads[0]} left, {pads[1]} right"
    return words


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


_WHAT: dict[str, Callable[[Knobs], str]] = {
    "kernel_size": lambda k: (
        f"each window reads {_count(k.kernel_size, 'position')}" + (f", spanning {k.span}" if k.dilation > 1 else "")
    ),
    "strides": lambda k: f"windows start {k.strides} positions apart",
    "dilation": lambda k: f"taps {k.dilation} apart: a window spans {k.span} positions",
    "filters": lambda k: f"{k.filters} filters, so {k.filters} output channels",
    "length": lambda k: f"the input has {k.length} positions",
    "channels": lambda k: (
        f"each tap reads {_count(k.channels // k.groups, 'channel')} per filter"
        if k.channels % k.groups == 0
        else f"{k.channels} channels do not split into {k.groups} groups"
    ),
}
_ACTIONS: dict[str, Callable[[Knobs], Pressed]] = {
    "p": _padding,
    "P": _padding,
    "g": _groups(-1),
    "G": _groups(+1),
    "b": _bias,
    "B": _bias,
    "t": _framework,
    "T": _framework,
}
