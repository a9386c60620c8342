"""The bytes a terminal sends for the keys the interactive views read: arrows, Home and End in
both of the forms terminals use (CSI `ESC [`, SS3 `ESC O`, and the `~` codes), and Esc alone."""

from __future__ import annotations

RIGHT = ("\x1b[C", "\x1bOC")
LEFT = ("\x1b[D", "\x1bOD")
HOME = ("\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~")
END = ("\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~")
PAGE_DOWN = ("\x1b[6~",)
PAGE_UP = ("\x1b[5~",)
ESC = "\x1b"
