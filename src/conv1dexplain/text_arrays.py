"""Arrays written as text: CSV / TSV / whitespace-separated rows, or JSON nested lists, with the
first bad cell or element named by its place."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.errors import DataError

TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": None}


def parse_text(text: str, name: str, suffix: str = "") -> NDArray[Any]:
    """JSON for .json (or text that opens a list or object without a suffix that says otherwise), else rows."""
    if suffix == ".json" or (suffix not in TEXT_SUFFIXES and text.lstrip()[:1] in "[{"):
        return _parse_json(text, name)
    delimiter = TEXT_SUFFIXES.get(suffix) or _sniff_delimiter(text)
    return _parse_csv(text, name, delimiter)


def _sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return "\t" if "\t" in first else ("," if "," in first else " ")


def _parse_csv(text: str, name: str, delimiter: str) -> NDArray[Any]:
    lines = text.splitlines()
    reader: Iterator[list[str]] = (
        (line.split() for line in lines) if delimiter == " " else csv.reader(lines, delimiter=delimiter)
    )
    rows: list[list[float]] = []
    for row_number, cells in enumerate(reader, start=1):
        if not cells or all(not c.strip() for c in cells):
            continue
        values = _row(cells, name, delimiter, row_number)
        if rows and len(values) != len(rows[0]):
            raise DataError(
                f"{name}: row {row_number} has {len(values)} values, the first row {len(rows[0])}",
                "give every row the same number of values",
            )
        rows.append(values)
    if not rows:
        raise DataError(f"{name} has no numbers", "give rows of comma-separated numbers")
    return np.array(rows, dtype=np.float64)


def _row(cells: list[str], name: str, delimiter: str, row_number: int) -> list[float]:
    """The numbers of one row; the first cell that is not one named by its row and column."""
    values = []
    for column, cell in enumerate(cells, start=1):
        try:
            values.append(float(cell))
        except ValueError:
            trailing = column == len(cells) and column > 1 and not cell.strip()
            raise DataError(
                f"{name}: row {row_number}, column {column}: {cell.strip()!r} is not a number",
                "remove the separator at the end of each row (a row may not end with one)"
                if trailing
                else _cell_hint(cell, delimiter, row_number),
            ) from None
    return values


def _cell_hint(cell: str, delimiter: str, row_number: int) -> str:
    """How to fix a cell that is not a number: numbers joined by another separator are named as such."""
    for other in (";", "|", ":", ",", "\t"):
        parts = cell.strip().split(other)
        if other != delimiter and len(parts) > 1 and all(_is_number(part) for part in parts):
            shown = {"\t": "tabs", ",": "commas"}.get(other, f"'{other}'")
            if other in (",", "\t"):  # read, but by the other extension
                suffix = ".csv" if other == "," else ".tsv"
                return f"the values are separated by {shown}: name the file {suffix} (or give it on stdin)"
            return (
                f"the values are separated by {shown}, which is not read here: separate them with commas "
                "(.csv) or tabs (.tsv), e.g. np.savetxt(path, x, delimiter=',')"
            )
    return "keep only numbers (remove a header line or labels)" if row_number == 1 else "fix that cell"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse_json(text: str, name: str) -> NDArray[Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(
            f"{name}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
            "give nested lists of numbers, e.g. [[1, 2], [3, 4]]",
        ) from None
    if isinstance(value, dict) and "output" in value:  # the `run --output -` object reads back
        value = value["output"]
    elif isinstance(value, dict) and "data" in value:
        value = value["data"]
    shape = _json_shape(value, name, "")
    if 0 in shape:
        raise DataError(f"{name} is an empty list", "give at least one number")
    return np.array(value, dtype=np.float64).reshape(shape)


def _json_shape(value: Any, name: str, where: str) -> tuple[int, ...]:
    """The rectangular shape of nested lists of numbers; the first bad element named by its index."""
    if isinstance(value, bool) or not isinstance(value, (int, float, list)):
        raise DataError(
            f"{name}: element {where or '(top)'} is {json.dumps(value)[:30]}, not a number",
            "give nested lists of numbers only",
        )
    if not isinstance(value, list):
        return ()
    if not value:
        return (0,)
    shapes = [_json_shape(item, name, f"{where}[{i}]") for i, item in enumerate(value)]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise DataError(
                f"{name}: element {where}[{i}] has shape {shape}, element {where}[0] {shapes[0]}",
                "give lists of equal length at each level",
            )
    return (len(value), *shapes[0])
