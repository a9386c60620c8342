"""Writing `run`'s output: .npy (mapped, filled chunk by chunk), CSV / TSV, JSON; never half a file."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from conv1dexplain import strict_json
from conv1dexplain.errors import DataError, UsageError
from conv1dexplain.vocabulary import SCHEMA_VERSION

OUTPUT_SUFFIXES = (".npy", ".csv", ".tsv", ".json")


def output_kind(target: str | None) -> str | None:
    """'npy', 'csv', 'tsv', 'json', 'stdout' or None; refuse what cannot be written."""
    if target is None:
        return None
    if target == "-":
        return "stdout"
    path = Path(target)
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:  # a usage error: the option's value, not the data
        raise UsageError(
            f"cannot tell the format of --output {target!r}",
            "end it in .npy, .csv, .tsv or .json, or use - for JSON on stdout",
        )
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
                raise DataError(
                    f"CSV holds a 2-D table; the output is {array.ndim}-D {array.shape}",
                    "write .npy or .json, or give an unbatched 2-D input",
                )
            fmt = "%.9g" if array.dtype == np.float32 else "%.17g"
            np.savetxt(target, array, delimiter="," if kind == "csv" else "\t", fmt=fmt)
        else:
            payload = {
                "type": "output",
                "schema_version": SCHEMA_VERSION,
                "shape": list(array.shape),
                "dtype": str(array.dtype),
                "data": array.tolist(),
            }
            Path(target).write_text(strict_json.dumps(payload) + "\n")
    except OSError as error:
        raise DataError(f"cannot write {target!r}: {error.strerror}", "check the path and free disk space") from None


@contextlib.contextmanager
def removed_unless_finished(path: str) -> Iterator[None]:
    """Delete the output file if what writes it does not finish (Ctrl-C included), then re-raise."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(path)
        raise
