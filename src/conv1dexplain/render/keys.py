"""The stepper's keys: what each does to the step shown, and the footer that says so."""

from __future__ import annotations

from conv1dexplain.records import record
from conv1dexplain.terminal_keys import END, ESC, HOME, LEFT, PAGE_DOWN, PAGE_UP, RIGHT

PAGE = 10  # steps PgUp / PgDn jump
# Each action's keys: arrows and Home / End as the two kinds of terminal send them (CSI, SS3).
ACTIONS = {
    "next": (*RIGHT, " ", "n", "l", "\r", "\n"),
    "previous": (*LEFT, "p", "h"),
    "page on": PAGE_DOWN,
    "page back": PAGE_UP,
    "first": (*HOME, "g"),
    "last": (*END, "G"),
    "next filter": ("f",),
    "previous filter": ("F",),
    "quit": ("q", "Q", ESC),
    "erase": ("\x7f", "\x08"),
}
KEYS = {key: action for action, keys in ACTIONS.items() for key in keys}
# The footer, longest first: the first that fits the terminal's width is shown.
FOOTERS = (
    "→ space n l Enter: next · ← p h: previous · PgDn/PgUp: 10 on/back · Home g / End G: first/last · "
    "f/F: next/previous filter · a number + Enter: that output · q Esc: quit",
    "→ n l Enter: next · ← p h: back · PgDn/PgUp: ±10 · Home g / End G: first/last · f/F: next/previous filter · "
    "7 Enter: output[7] · q Esc: quit",
    "→ next  ← back  PgDn/PgUp ±10  g/G first/last  f/F filter  7 Enter: output[7]  q quit",
    "→ next  ← back  PgDn/PgUp ±10  g/G first/last  f/F filter  7 Enter: go  q quit",
    "→ next  ← back  PgUp/Dn ±10  f/F filter  7 Enter: go  q quit",
    "→ next  ← back  q quit",
    "q quit",
)


@record
class Stepper:
    """Where the stepper is: the output position shown, the filter, and a number being typed."""

    start: int
    stop: int  # one past the last output position shown
    filters: int
    t: int
    filter_index: int
    typed: str = ""

    def press(self, key: str) -> bool:
        """Act on one key; False when it says quit."""
        if len(key) == 1 and key.isdigit():
            self.typed = (self.typed + key)[: len(str(self.stop)) + 1]
            return True
        action = KEYS.get(key)
        if self.typed:
            typed, self.typed = self.typed, ""
            if key in ("\r", "\n"):  # Enter goes to the output position typed
                self.t = min(max(int(typed), self.start), self.stop - 1)
                return True
            if action == "erase":
                self.typed = typed[:-1]
                return True
            if key == "\x1b":  # Esc takes the number back (another Esc quits)
                return True
        if action == "quit":
            return False
        moves = {"next": 1, "previous": -1, "page on": PAGE, "page back": -PAGE}
        if action in moves:
            self.t = min(max(self.t + moves[action], self.start), self.stop - 1)
        elif action == "first":
            self.t = self.start
        elif action == "last":
            self.t = self.stop - 1
        elif action in ("next filter", "previous filter"):
            self.filter_index = (self.filter_index + (1 if action == "next filter" else -1)) % self.filters
        return True

    def footer(self, fits: int) -> str:
        """The keys, or the number being typed, in at most `fits` columns when the words allow."""
        choices: tuple[str, ...] = FOOTERS
        if self.typed:
            choices = (f"go to position {self.typed}: Enter · take it back: Esc", f"position {self.typed} Enter · Esc")
        return next((text for text in choices if len(text) <= fits), choices[-1])
