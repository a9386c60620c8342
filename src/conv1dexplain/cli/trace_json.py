"""trace --json: JSON Lines, one "layer" line then one "window" line per step, flushed as made."""

from __future__ import annotations

import sys

import numpy as np
from numpy.typing import NDArray

from conv1dexplain import strict_json
from conv1dexplain.report.shape import build_shape_report
from conv1dexplain.runner import Prepared
from conv1dexplain.trace import Tracer
from conv1dexplain.vocabulary import SCHEMA_VERSION


def _ints(values: list[int]) -> str:
    return "[" + ",".join(map(str, values)) + "]"


def stream(ready: Prepared, tracer: Tracer, example: int, start: int, stop: int, filter_index: int | None) -> None:
    """Write the layer line, then every window of start … stop−1 (values computed chunk by chunk)."""
    out = sys.stdout
    layer = build_shape_report(ready.plan, None).to_dict() | {
        "type": "layer", "example": example, "steps": [start, stop], "filter": filter_index,
        "activation_axis": tracer.activation_axis,
        "data_source": ready.data_source, "weights_source": ready.weights_source,
    }  # fmt: skip
    out.write(strict_json.dumps(layer) + "\n")
    out.flush()
    axis = tracer.axis
    taps = np.arange(axis.kernel_size) * axis.dilation_rate
    head = f'{{"type":"window","schema_version":{SCHEMA_VERSION},"output_index":'
    for chunk, lo, hi in tracer.chunks(start, stop):
        count, t0 = hi - lo, chunk.t0 + lo
        outputs = chunk.outputs[lo:hi]
        if filter_index is None:
            selected, filters = outputs, _ints(list(range(outputs.shape[1])))
        else:
            selected, filters = outputs[:, filter_index : filter_index + 1], f"[{filter_index}]"
        # Whole chunk at once: window positions t·s + j·d − pad_left, and which of them are padding.
        positions = (np.arange(t0, t0 + count)[:, None] * axis.strides + taps) - axis.pad_left
        padding = (positions < 0) | (positions >= axis.length)
        any_padding: NDArray[np.bool_] = np.asarray(padding.any(axis=1))
        number = repr if np.isfinite(selected).all() else strict_json.number  # JSON has no inf or NaN: null
        tail = f',"filters":{filters},"output":['
        lines = []
        for i, (row, values) in enumerate(zip(positions.tolist(), selected.tolist(), strict=True)):
            pads = _ints(np.flatnonzero(padding[i]).tolist()) if any_padding[i] else "[]"
            lines.append(f'{head}{t0 + i},"input_indices":[{",".join(map(str, row))}],"padding_taps":{pads}'
                         f'{tail}{",".join(map(number, values))}]}}\n')  # fmt: skip
        out.write("".join(lines))
        out.flush()
