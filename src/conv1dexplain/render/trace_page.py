"""The human trace: a header, then each step drawn in full or as one line, or the interactive stepper."""

from __future__ import annotations

from rich.text import Text

from conv1dexplain.render.console import make_console
from conv1dexplain.render.trace import View, compact_line, header, step_view
from conv1dexplain.report.code import layer_code
from conv1dexplain.runner import Prepared
from conv1dexplain.trace import Tracer


def show(ready: Prepared, tracer: Tracer, example: int, start: int, stop: int, filter_index: int,
         precision: int, compact: bool, live: bool, no_color: bool) -> int:  # fmt: skip
    """Print the trace (or step through it live); return the exit code."""
    console = make_console(no_color=no_color)
    view = View(tracer, filter_index, precision, console.width)
    heading = header(view, layer_code(ready.plan), example, ready.data_source,
                     ready.weights_source)  # fmt: skip
    if live:
        from conv1dexplain.render.interactive import interact

        return interact(view, start, stop, heading, no_color)
    console.print(heading)
    for step in tracer.steps(start, stop):
        if compact:
            console.print(compact_line(view, step))
        else:
            console.print(step_view(view, step))
            console.print(Text(""))
    return 0
