"""Safe loading of arrays from a path (.npy, .csv, .tsv, .txt, .json) or stdin (format sniffed).

Nothing here unpickles, and nothing allocates what a file's header merely claims: a .npy header is
read and checked (numeric dtype, size on disk, size under the budget) before the data is mapped.
"""

from __future__ import annotations

import io
import math
import sys
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.budget import human_bytes, too_big
from conv1dexplain.errors import DataError
from conv1dexplain.records import NamedTuple
from conv1dexplain.text_arrays import TEXT_SUFFIXES, parse_text
from conv1dexplain.vocabulary import DEFAULT_MAX_BYTES

NPY_MAGIC = b"\x93NUMPY"


class Loaded(NamedTuple):
    """An array read, and whether its dtype is the file's (.npy). Text holds no dtype: it is parsed
    as float64 (nothing lost), and computes in the frameworks' default float32 unless told otherwise."""

    array: NDArray[Any]
    typed: bool


def load_array(source: str, *, what: str, max_bytes: int = DEFAULT_MAX_BYTES, stdin: IO[bytes] | None = None) -> Loaded:
    """Read an array from a path (.npy, .csv, .tsv, .txt, .json) or '-' (stdin, format sniffed)."""
    if source == "-":
        return _from_stdin(what, max_bytes, stdin)
    path = Path(source)
    size = _file_size(path, source, what)
    suffix = path.suffix.lower()
    if suffix == ".npy" or (suffix not in TEXT_SUFFIXES and suffix != ".json" and _starts_with_magic(path)):
        return Loaded(_load_npy(path, what, max_bytes), typed=True)
    if size > max_bytes:
        raise too_big(f"{what} file {source!r}", size, max_bytes)
    return _parse_bytes(path.read_bytes(), f"{what} {source!r}", suffix)


def _from_stdin(what: str, max_bytes: int, stdin: IO[bytes] | None) -> Loaded:
    if stdin is None and sys.stdin.isatty():  # reading would wait for typing, then find nothing
        raise DataError(
            f"{what} is to come from stdin (-), but nothing was piped in: stdin is the terminal",
            "pipe the data in, e.g. cat x.json | conv1dexplain run --data - …, or give a file",
        )
    stream = stdin if stdin is not None else sys.stdin.buffer
    raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise too_big(f"{what} on stdin", len(raw), max_bytes)
    return _parse_bytes(raw, f"{what} (stdin)")


def _file_size(path: Path, source: str, what: str) -> int:
    """The size of a file that exists and is not empty."""
    if not path.exists():
        raise DataError(f"{what} file {source!r} does not exist", "check the path (relative to the current folder)")
    if path.is_dir():
        raise DataError(f"{what} {source!r} is a folder, not a file", "give the path of a .npy, .csv or .json file")
    size = path.stat().st_size
    if size == 0:
        raise DataError(f"{what} file {source!r} is empty", "write the array into it first, e.g. np.save")
    return size


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
        raise too_big(name, claimed, max_bytes)
    actual = path.stat().st_size - offset
    if actual != claimed:
        raise DataError(
            f"{name} has {human_bytes(actual)} of data but its header describes {shape} {dtype} "
            f"= {human_bytes(claimed)}",
            "the file is truncated or damaged: write it again with np.save",
        )
    # A memory map: inputs larger than RAM are read chunk by chunk by the engine.
    return np.load(path, mmap_mode="r", allow_pickle=False)  # type: ignore[no-any-return]


def _parse_bytes(raw: bytes, name: str, suffix: str = "") -> Loaded:
    if not raw.strip():
        raise DataError(f"{name} is empty", "give an array: .npy, CSV rows of numbers, or JSON nested lists")
    if raw.startswith(NPY_MAGIC):
        return Loaded(_npy_bytes(raw, name), typed=True)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{name} is neither .npy nor UTF-8 text", "give a .npy, CSV or JSON file") from None
    return Loaded(parse_text(text, name, suffix), typed=False)


def _npy_bytes(raw: bytes, name: str) -> NDArray[Any]:
    """A whole .npy file read from a pipe: its header, then exactly the data it describes."""
    handle = io.BytesIO(raw)
    shape, fortran, dtype = _npy_header(handle, name)
    claimed = math.prod(shape) * dtype.itemsize
    following = len(raw) - handle.tell()
    if claimed != following:
        raise DataError(
            f"{name}: the .npy header describes {human_bytes(claimed)}, {human_bytes(following)} follow",
            "send the whole file",
        )
    values = np.frombuffer(raw, dtype=dtype, count=math.prod(shape), offset=handle.tell())
    return values.reshape(shape, order="F" if fortran else "C")
