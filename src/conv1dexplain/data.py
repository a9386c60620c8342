"""Safe loading and saving of arrays (.npy, CSV/TSV, JSON, stdin), and seeded random data and weights.

Nothing here unpickles, and nothing allocates what a file's header merely claims: a .npy header is
read and checked (numeric dtype, size on disk, size under the budget) before the data is mapped.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from conv1dexplain import strict_json
from conv1dexplain.errors import DataError
from conv1dexplain.plan import Plan
from conv1dexplain.vocabulary import DEFAULT_MAX_BYTES, SCHEMA_VERSION

MAX_TEXT_VALUES = 5_000_000  # CSV / JSON output beyond this is unreadable anyway: use .npy
NPY_MAGIC = b"\x93NUMPY"
TEXT_SUFFIXES = {".csv": ",", ".tsv": "\t", ".txt": None}


def human_bytes(count: int) -> str:
    """1536 → '1.5 KiB'."""
    size = float(count)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _too_big(what: str, size: int, max_bytes: int, hint: str | None = None) -> DataError:
    return DataError(
        f"{what} would take {human_bytes(size)}, over the {human_bytes(max_bytes)} budget",
        hint or "raise --max-bytes if the machine can hold it, or use a smaller input",
    )


# ---------------------------------------------------------------------------------------------- loading


def load_array(
    source: str, *, what: str, max_bytes: int = DEFAULT_MAX_BYTES, stdin: IO[bytes] | None = None
) -> NDArray[Any]:
    """Read an array from a path (.npy, .csv, .tsv, .txt, .json) or '-' (stdin, format sniffed)."""
    if source == "-":
        if stdin is None and sys.stdin.isatty():  # reading would wait for typing, then find nothing
            raise DataError(
                f"{what} is to come from stdin (-), but nothing was piped in: stdin is the terminal",
                "pipe the data in, e.g. cat x.json | conv1dexplain run --data - …, or give a file",
            )
        stream = stdin if stdin is not None else sys.stdin.buffer
        raw = stream.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise _too_big(f"{what} on stdin", len(raw), max_bytes)
        return _parse_bytes(raw, f"{what} (stdin)")
    path = Path(source)
    if not path.exists():
        raise DataError(f"{what} file {source!r} does not exist", "check the path (relative to the current folder)")
    if path.is_dir():
        raise DataError(f"{what} {source!r} is a folder, not a file", "give the path of a .npy, .csv or .json file")
    size = path.stat().st_size
    if size == 0:
        raise DataError(f"{what} file {source!r} is empty", "write the array into it first, e.g. np.save")
    suffix = path.suffix.lower()
    if suffix == ".npy" or (suffix not in TEXT_SUFFIXES and suffix != ".json" and _starts_with_magic(path)):
        return _load_npy(path, what, max_bytes)
    if size > max_bytes:
        raise _too_big(f"{what} file {source!r}", size, max_bytes)
    return _parse_bytes(path.read_bytes(), f"{what} {source!r}", suffix)


def _starts_with_magic(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(NPY_MAGIC)) == NPY_MAGIC


def _npy_header(handle: IO[bytes], name: str) -> tuple[tuple[int, ...], bool, np.dtype[Any]]:
    """Shape, Fortran order and dtype from a .npy header, parsed without evaluating code."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(handle)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(handle)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = fmt.read_array_header_2_0(handle)
        else:
            raise ValueError(f"unknown .npy version {version}")
    except (ValueError, SyntaxError, TypeError, EOFError) as error:
        raise DataError(f"{name} is not a readable .npy file ({error})", "write it with np.save") from None
    if dtype.hasobject:
        raise DataError(
            f"{name} holds Python objects (a pickle), which are never loaded here",
            "save a numeric array instead: np.save(path, np.asarray(x, dtype=np.float32))",
        )
    if dtype.kind not in "fiub" or dtype.names is not None:
        raise DataError(f"{name} has dtype {dtype}, not real numbers", "save float32 or float64 values")
    return tuple(int(d) for d in shape), bool(fortran), dtype


def _load_npy(path: Path, what: str, max_bytes: int) -> NDArray[Any]:
    name = f"{what} {str(path)!r}"
    with path.open("rb") as handle:
        shape, _, dtype = _npy_header(handle, name)
        offset = handle.tell()
    claimed = math.prod(shape) * dtype.itemsize
    if claimed > max_bytes:
        raise _too_big(name, claimed, max_bytes)
    actual = path.stat().st_size - offset
    if actual != claimed:
        raise DataError(
            f"{name} has {human_bytes(actual)} of data but its header describes {shape} {dtype} "
            f"= {human_bytes(claimed)}",
            "the file is truncated or damaged: write it again with np.save",
        )
    # A memory map: inputs larger than RAM are read chunk by chunk by the engine.
    return np.load(path, mmap_mode="r", allow_pickle=False)  # type: ignore[no-any-return]


def _parse_bytes(raw: bytes, name: str, suffix: str = "") -> NDArray[Any]:
    if not raw.strip():
        raise DataError(f"{name} is empty", "give an array: .npy, CSV rows of numbers, or JSON nested lists")
    if raw.startswith(NPY_MAGIC):
        handle = io.BytesIO(raw)
        shape, fortran, dtype = _npy_header(handle, name)
        claimed = math.prod(shape) * dtype.itemsize
        if claimed != len(raw) - handle.tell():
            raise DataError(f"{name}: the .npy header describes {human_bytes(claimed)}, "
                            f"{human_bytes(len(raw) - handle.tell())} follow", "send the whole file")  # fmt: skip
        values = np.frombuffer(raw, dtype=dtype, count=math.prod(shape), offset=handle.tell())
        return values.reshape(shape, order="F" if fortran else "C")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{name} is neither .npy nor UTF-8 text", "give a .npy, CSV or JSON file") from None
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
    width = None
    for row_number, cells in enumerate(reader, start=1):
        if not cells or all(not c.strip() for c in cells):
            continue
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
        if width is None:
            width = len(values)
        elif len(values) != width:
            raise DataError(f"{name}: row {row_number} has {len(values)} values, the first row {width}",
                            "give every row the same number of values")  # fmt: skip
        rows.append(values)
    if not rows:
        raise DataError(f"{name} has no numbers", "give rows of comma-separated numbers")
    return np.array(rows, dtype=np.float64)


def _cell_hint(cell: str, delimiter: str, row_number: int) -> str:
    """How to fix a cell that is not a number: numbers joined by another separator are named as such."""
    for other in (";", "|", ":", ",", "\t"):
        parts = cell.strip().split(other)
        if other != delimiter and len(parts) > 1 and all(_is_number(part) for part in parts):
            shown = {"\t": "tabs", ",": "commas"}.get(other, f"'{other}'")
            return (f"the values are separated by {shown}, which is not read here: separate them with commas "
                    "(.csv) or tabs (.tsv), e.g. np.savetxt(path, x, delimiter=',')")  # fmt: skip
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
        raise DataError(f"{name}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}",
                        "give nested lists of numbers, e.g. [[1, 2], [3, 4]]") from None  # fmt: skip
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
        raise DataError(f"{name}: element {where or '(top)'} is {json.dumps(value)[:30]}, not a number",
                        "give nested lists of numbers only")  # fmt: skip
    if not isinstance(value, list):
        return ()
    if not value:
        return (0,)
    shapes = [_json_shape(item, name, f"{where}[{i}]") for i, item in enumerate(value)]
    for i, shape in enumerate(shapes):
        if shape != shapes[0]:
            raise DataError(f"{name}: element {where}[{i}] has shape {shape}, element {where}[0] {shapes[0]}",
                            "give lists of equal length at each level")  # fmt: skip
    return (len(value), *shapes[0])


# ---------------------------------------------------------------------------------------------- checks


def check_finite(array: NDArray[Any], what: str, block: int = 1 << 22) -> None:
    """Refuse NaN or infinity, naming the index of the first one (read in blocks: memory maps stay cheap)."""
    if array.dtype.kind not in "fc":
        return
    flat = array.reshape(-1, order="A") if array.flags.c_contiguous or array.flags.f_contiguous else array.ravel()
    for start in range(0, flat.size, block):
        part = flat[start : start + block]
        bad = ~np.isfinite(part)
        if bad.any():
            first = start + int(np.argmax(bad))
            index = np.unravel_index(first, array.shape, order="F" if not array.flags.c_contiguous else "C")
            value = flat[first]
            raise DataError(
                f"{what} has {value} at index {list(map(int, index))}",
                "replace NaN and infinity first, e.g. np.nan_to_num(x)",
            )


# ---------------------------------------------------------------------------------------------- random


def random_input(shape: tuple[int, ...], seed: int, dtype: np.dtype[np.floating]) -> NDArray[np.floating]:
    """Standard-normal data, the same for the same seed."""
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


WEIGHT_BLOCK = 1 << 20  # values drawn at once: a huge kernel is never held in float64 as well


def uniform_blocks(
    rng: np.random.Generator, bound: float, shape: tuple[int, ...], dtype: np.dtype[np.floating]
) -> NDArray[np.floating]:
    """rng.uniform(-bound, bound, shape).astype(dtype), drawn a block at a time (the same numbers)."""
    out = np.empty(shape, dtype)
    flat = out.reshape(-1)
    for start in range(0, flat.size, WEIGHT_BLOCK):
        stop = min(start + WEIGHT_BLOCK, flat.size)
        flat[start:stop] = rng.uniform(-bound, bound, stop - start)
    return out


def initial_weights(
    plan: Plan, seed: int, dtype: np.dtype[np.floating]
) -> tuple[NDArray[np.floating], NDArray[np.floating] | None, str]:
    """Weights drawn like the framework's default initializer (not bit-identical to it), and how."""
    spec = plan.spec
    rng = np.random.default_rng(seed + 1)  # not the data's stream
    fan_in = spec.kernel_size * spec.channels_per_group
    if spec.framework == "keras":
        fan_out = spec.kernel_size * spec.filters
        limit = math.sqrt(6 / (fan_in + fan_out))
        kernel = uniform_blocks(rng, limit, plan.kernel_shape, dtype)
        bias = np.zeros(spec.filters, dtype) if spec.use_bias else None
        bias_words = "zero bias" if spec.use_bias else "no bias"
        how = f"glorot_uniform kernel (Keras' default, limit ±{limit:.4g}), {bias_words}, seed {seed}"
    else:
        bound = 1 / math.sqrt(fan_in)
        kernel = uniform_blocks(rng, bound, plan.kernel_shape, dtype)
        bias = rng.uniform(-bound, bound, spec.filters).astype(dtype) if spec.use_bias else None
        drawn = "weight and bias" if spec.use_bias else "weight, no bias"
        how = f"kaiming_uniform(a=√5) {drawn} (PyTorch's default, bound ±{bound:.4g}), seed {seed}"
    return kernel, bias, how


# ---------------------------------------------------------------------------------------------- saving


OUTPUT_SUFFIXES = (".npy", ".csv", ".tsv", ".json")


def output_kind(target: str | None) -> str | None:
    """'npy', 'csv', 'tsv', 'json', 'stdout' or None; refuse what cannot be written."""
    if target is None:
        return None
    if target == "-":
        return "stdout"
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise DataError(f"cannot tell the format of --output {target!r}",
                        "end it in .npy, .csv, .tsv or .json, or use - for JSON on stdout")  # fmt: skip
    if path.is_dir():
        raise DataError(f"--output {target!r} is a folder", "give a file name, e.g. out.npy")
    if not path.parent.exists():
        raise DataError(f"the folder of --output {target!r} does not exist", "create it first, or write elsewhere")
    return suffix[1:]


def open_npy_output(target: str, shape: tuple[int, ...], dtype: np.dtype[np.floating]) -> np.memmap[Any, Any]:
    """A .npy file mapped for writing: the engine fills it chunk by chunk, never all in RAM."""
    try:
        return np.lib.format.open_memmap(target, mode="w+", dtype=dtype, shape=shape)
    except OSError as error:
        raise DataError(f"cannot write {target!r}: {error.strerror}", "check the path and free disk space") from None


def write_text_output(target: str, kind: str, array: NDArray[np.floating]) -> None:
    """CSV/TSV (2-D only) or a JSON object with the values."""
    try:
        if kind in ("csv", "tsv"):
            if array.ndim != 2:
                raise DataError(f"CSV holds a 2-D table; the output is {array.ndim}-D {array.shape}",
                                "write .npy or .json, or give an unbatched 2-D input")  # fmt: skip
            fmt = "%.9g" if array.dtype == np.float32 else "%.17g"
            np.savetxt(target, array, delimiter="," if kind == "csv" else "\t", fmt=fmt)
        else:
            payload = {"type": "output", "schema_version": SCHEMA_VERSION, "shape": list(array.shape),
                       "dtype": str(array.dtype), "data": array.tolist()}  # fmt: skip
            Path(target).write_text(strict_json.dumps(payload) + "\n")
    except OSError as error:
        raise DataError(f"cannot write {target!r}: {error.strerror}", "check the path and free disk space") from None


def summary_stats(array: NDArray[np.floating], block: int = 1 << 20) -> tuple[float, float, float]:
    """min, max and mean, read in blocks (a memory-mapped output is not pulled into RAM at once)."""
    flat = array.reshape(-1)
    low, high, total = math.inf, -math.inf, 0.0
    with np.errstate(invalid="ignore", over="ignore"):  # inf − inf is NaN, as np.mean says, without a warning
        for start in range(0, flat.size, block):
            part = np.asarray(flat[start : start + block], dtype=np.float64)
            # np.minimum and np.maximum keep a NaN, as np.min and np.max do (Python's min() would drop it)
            low, high = float(np.minimum(low, part.min())), float(np.maximum(high, part.max()))
            total = float(np.add(total, part.sum()))
    return low, high, total / max(flat.size, 1)


def fits_in_memory(
    what: str, shape: tuple[int, ...], dtype: np.dtype[np.floating], max_bytes: int, *, output: bool = False,
    text: bool = False,
) -> None:  # fmt: skip
    """Refuse an array held in memory (or written as text) over the budget, saying how big it would be."""
    size = math.prod(shape) * dtype.itemsize
    if size > max_bytes:
        output_hint = "write it to a file with --output out.npy (filled chunk by chunk), or raise --max-bytes"
        raise _too_big(f"{what} {shape}", size, max_bytes, output_hint if output else None)
    if text and math.prod(shape) > MAX_TEXT_VALUES:
        raise DataError(f"{what} {shape} has {math.prod(shape):,} values, too many for CSV or JSON",
                        "write it with --output out.npy")  # fmt: skip
