"""The human trace: a header, then each step drawn in full or as one line, or the interactive stepper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from conv1dexplain.records import record
from conv1dexplain.render.console import make_console
from conv1dexplain.render.trace import View, compact_line, header, step_view
from conv1dexplain.report.code import layer_code
from conv1dexplain.trace_steps import Selection

if TYPE_CHECKING:
    from conv1dexplain.runner import Prepared
    from conv1dexplain.trace import Tracer


@record(frozen=True)
class Page:
    """How the steps are shown: decimals, one line a step, the live stepper, colour."""

    precision: int
    compact: bool
    live: bool
    no_color: bool


def show(ready: Prepared, tracer: Tracer, selection: Selection, page: Page) -> int:
    """Print the trace (or step through it live); return the exit code."""
    console = make_console(no_color=page.no_color)
    filter_index = selection.filter_index or 0
    view = View(tracer, filter_index, page.precision, console.width)
    code = layer_code(ready.plan)
    heading = header(view, code, selection.example, ready.data_source, ready.weights_source)
    if page.live:
        from conv1dexplain.render.interactive import interact

        return interact(view, selection.start, selection.stop, heading, page.no_color)
    console.print(heading)
    for step in tracer.steps(selection.start, selection.stop, filter_index):
        if page.compact:
            console.print(compact_line(view, step))
        else:
            console.print(step_view(view, step))
            console.print(Text(""))
    return 0
