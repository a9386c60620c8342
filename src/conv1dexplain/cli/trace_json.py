"""trace --json: JSON Lines, one "layer" line then one "window" line per step, flushed as made."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from conv1dexplain import strict_json
from conv1dexplain.report.shape import build_shape_report
from conv1dexplain.runner import Prepared
from conv1dexplain.trace import Tracer
from conv1dexplain.trace_steps import Selection
from conv1dexplain.vocabulary import SCHEMA_VERSION


def _ints(values: Sequence[int]) -> str:
    return "[" + ",".join(map(str, values)) + "]"


def stream(ready: Prepared, tracer: Tracer, selection: Selection, out: TextIO | None = None) -> None:
    """Write the layer line, then every window selected (values computed chunk by chunk) to out (stdout)."""
    out = sys.stdout if out is None else out
    layer = build_shape_report(ready.plan, None).to_dict() | {
        "type": "layer",
        "example": selection.example,
        "steps": [selection.start, selection.stop],
        "filter": selection.filter_index,
        "activation_axis": tracer.activation_axis,
        "data_source": ready.data_source,
        "weights_source": ready.weights_source,
    }
    out.write(strict_json.dumps(layer) + "\n")
    out.flush()
    head = f'{{"type":"window","schema_version":{SCHEMA_VERSION},"output_index":'
    for windows in tracer.windows(selection.start, selection.stop, selection.filter_index):
        number = repr if windows.finite else strict_json.number  # JSON has no inf or NaN: null
        tail = f',"filters":{_ints(windows.filters)},"output":['
        rows = zip(windows.input_indices, windows.padding_taps, windows.outputs, strict=True)
        lines = [
            f'{head}{windows.first + i},"input_indices":[{",".join(map(str, positions))}],'
            f'"padding_taps":{_ints(pads) if pads else "[]"}{tail}{",".join(map(number, values))}]}}\n'
            for i, (positions, pads, values) in enumerate(rows)
        ]
        out.write("".join(lines))
        out.flush()
