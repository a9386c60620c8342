"""`run`: load (or draw) data and weights, convolve them, write the output, report what happened."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from conv1dexplain.arrays import (
    check_finite,
    check_floating,
    check_weights,
    compute_dtype,
    input_shape_of,
    plan_for_arrays,
)
from conv1dexplain.budget import fits_in_memory
from conv1dexplain.errors import DataError, SpecError
from conv1dexplain.layer_arguments import LayerArguments
from conv1dexplain.layers.conv1d import Conv1DPlan as Plan
from conv1dexplain.layouts import refuse_keras_2d
from conv1dexplain.random_data import LazyNormal, initial_weights
from conv1dexplain.reading import Loaded, load_array
from conv1dexplain.records import field, record
from conv1dexplain.report.run import RunReport
from conv1dexplain.run_summary import run_report
from conv1dexplain.running import BLOCK_BYTES, run_plan
from conv1dexplain.tensor import parse_tensor
from conv1dexplain.vocabulary import DEFAULT_MAX_BYTES, DataFormat
from conv1dexplain.writing import open_npy_output, output_kind, removed_unless_finished, write_text_output

__all__ = ["Prepared", "RunRequest", "execute", "prepare"]


@record(frozen=True)
class RunRequest:
    """The `run` command's options, as given: the layer's arguments, then where data, weights and
    output come from and go to."""

    layer: LayerArguments = field(default_factory=LayerArguments)
    data_file: str | None = None
    input_shape: str | None = None
    seed: int = 0
    kernel: str | None = None
    bias: str | None = None
    output: str | None = None
    dtype: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    block_bytes: int = BLOCK_BYTES  # what the engine's blocks of drawn input or held outputs may hold


@record(frozen=True)
class Prepared:
    """A validated layer with its input and weights, ready to convolve (shared by run and trace)."""

    plan: Plan
    x: NDArray[Any]  # the input in the framework's layout (2-D or 3-D); a LazyNormal when drawn lazily
    kernel: NDArray[Any]  # in the framework's layout
    bias: NDArray[Any] | None
    dtype: np.dtype[np.floating]
    data_source: str
    weights_source: str


def _dtype(request: RunRequest, *arrays: Loaded | None) -> np.dtype[np.floating]:
    """--dtype, else conv1d's rule (float64 if any .npy file is) when the data comes from a file:
    text (CSV, JSON) holds no dtype, and computes in float32, as the frameworks would."""
    if request.dtype is not None:
        if request.dtype not in ("float32", "float64"):
            raise SpecError(f"unknown --dtype {request.dtype!r}", "use --dtype float32 or --dtype float64")
        return np.dtype(request.dtype)
    typed = [loaded.array for loaded in arrays if loaded is not None and loaded.typed]
    return compute_dtype(*typed) if request.data_file is not None else np.dtype(np.float32)


def _load(source: str | None, what: str, request: RunRequest) -> Loaded | None:
    if source is None:
        return None
    loaded = load_array(source, what=what, max_bytes=request.max_bytes)
    check_finite(loaded.array, what)
    return loaded


def _input(request: RunRequest, layout: DataFormat, keras_2d: bool) -> tuple[Loaded | None, str]:
    """The input array (None: drawn later, once the dtype is known) and where it came from.
    keras_2d: take a 2-D file in Keras' convention as (L, C), as trace does (Keras refuses it)."""
    if request.data_file is None:
        if request.input_shape is None:
            raise SpecError(
                "no input: give --data FILE (or - for stdin) or --input SHAPE for random data",
                "e.g. --input 50x300 --seed 0",
            )
        return None, f"random normal, seed {request.seed}"
    loaded = _load(request.data_file, "data", request)
    assert loaded is not None
    x = loaded.array
    check_floating(x, "save it as floats: np.save(path, x.astype(np.float32))")
    if x.ndim == 2 and not keras_2d and not request.layer.layout()[0].takes_unbatched:
        refuse_keras_2d(x.shape, for_cli=True)
    if request.input_shape is not None:
        given = parse_tensor(request.input_shape, layout)
        found = input_shape_of(x.shape, layout)
        if (given.length, given.channels) != (found.length, found.channels) or given.batch not in (None, found.batch):
            raise DataError(
                f"--input {request.input_shape} disagrees with the data's shape {x.shape}",
                "drop --input (the data's shape is used), or fix it",
            )
    return loaded, "stdin" if request.data_file == "-" else request.data_file


def _drawn_input(request: RunRequest, layout: DataFormat, dtype: np.dtype[np.floating], lazy: bool) -> Any:
    """Seeded random input of --input's shape: a LazyNormal (lazy), else the array (typed Any, as
    Prepared.x holds either)."""
    assert request.input_shape is not None
    shape = parse_tensor(request.input_shape, layout)
    ordered = shape.shape
    full = tuple(d for d in ordered if d is not None)  # (L, C) or (C, L) without a batch
    drawn = LazyNormal(full, request.seed, dtype, request.max_bytes)
    return drawn if lazy else drawn.materialize()


def _agrees(plan: Plan, layer: LayerArguments) -> None:
    """--filters / --kernel-size, when given, must match the kernel file (which decides)."""
    spec = plan.config
    for option, given, actual in (
        ("--filters", layer.filters, spec.filters),
        ("--kernel-size", layer.kernel_size, spec.kernel_size),
    ):
        if given is not None and given != actual:
            raise DataError(
                f"{option} {given} disagrees with the kernel file, which has {actual}",
                f"drop {option} (the kernel's shape {plan.kernel_shape} decides), or fix it",
            )


def _plan(
    request: RunRequest, x_shape: tuple[int, ...], kernel: NDArray[Any] | None, bias: NDArray[Any] | None
) -> Plan:
    layer = request.layer
    if kernel is not None:
        plan = plan_for_arrays(x_shape, kernel.shape, layer, bias=bias, for_cli=True)
        _agrees(plan, layer)
        return plan
    if layer.filters is None or layer.kernel_size is None:
        missing = "--filters" if layer.filters is None else "--kernel-size"
        raise SpecError(f"{missing} is needed when no --kernel file is given", f"e.g. {missing} 3")
    return layer.plan(input_shape_of(x_shape, layer.layout()[1]), layer.filters, layer.kernel_size)


def _weights(
    request: RunRequest,
    plan: Plan,
    kernel: NDArray[Any] | None,
    bias: NDArray[Any] | None,
    dtype: np.dtype[np.floating],
) -> tuple[NDArray[Any], NDArray[Any] | None, str]:
    """The kernel and bias (drawn like the framework's initializer without --kernel) and where they came from."""
    if kernel is None:
        fits_in_memory("the drawn kernel", plan.kernel_shape, dtype.itemsize, request.max_bytes)
        drawn_kernel, drawn_bias, weights_source = initial_weights(plan, request.seed, dtype)
        return drawn_kernel, drawn_bias if bias is None else bias, weights_source
    weights_source = f"{request.kernel}" + (f", bias {request.bias}" if request.bias else "")
    if bias is None and plan.config.use_bias:
        bias = np.zeros(plan.config.filters, dtype)
        weights_source += ", zero bias (no --bias given)"
    return kernel, bias, weights_source


def prepare(request: RunRequest, lazy: bool = False, keras_2d: bool = True) -> Prepared:
    """Load or draw the input and weights and plan the layer; refuse, with a hint, what cannot be done.
    lazy: seeded random input as a LazyNormal, drawn as it is read; keras_2d: see _input."""
    layout = request.layer.layout()[1]
    data, data_source = _input(request, layout, keras_2d)
    kernel_file, bias_file = _load(request.kernel, "kernel", request), _load(request.bias, "bias", request)
    dtype = _dtype(request, data, kernel_file, bias_file)
    x = _drawn_input(request, layout, dtype, lazy) if data is None else data.array
    kernel = None if kernel_file is None else kernel_file.array
    bias = None if bias_file is None else bias_file.array
    plan = _plan(request, x.shape, kernel, bias)
    check_weights(plan, plan.kernel_shape if kernel is None else kernel.shape, None if bias is None else bias.shape)
    kernel, bias, weights_source = _weights(request, plan, kernel, bias, dtype)
    return Prepared(plan, x, kernel, bias, dtype, data_source, weights_source)


def execute(request: RunRequest) -> RunReport:
    """Do the whole `run`: everything the user asked, or a Conv1dExplainError saying why not."""
    ready = prepare(request, lazy=True, keras_2d=False)
    x: NDArray[Any] | LazyNormal = ready.x
    if isinstance(x, LazyNormal):  # drawn as it is read, but no bigger than an input file may be
        fits_in_memory("the random input", x.shape, ready.dtype.itemsize, request.max_bytes)
    batched = x.batched() if isinstance(x, LazyNormal) else (x if x.ndim == 3 else x[None])
    out_shape = tuple(batched.shape[0] if d is None else d for d in ready.plan.output_shape)
    final_shape = out_shape if x.ndim == 3 else out_shape[1:]
    kind = output_kind(request.output)
    if kind == "npy":
        result = _into_npy(request, ready, batched, final_shape)
    else:
        fits_in_memory(
            "the output", final_shape, ready.dtype.itemsize, request.max_bytes, output=True, text=kind is not None
        )
        result = _in_memory(request, ready, batched, kind)
    written = request.output if kind not in (None, "stdout") else None
    return run_report(ready, result, written, with_values=kind == "stdout")


def _convolve(
    request: RunRequest, ready: Prepared, batched: NDArray[Any] | LazyNormal, out: NDArray[np.floating] | None = None
) -> NDArray[np.floating]:
    return run_plan(
        ready.plan,
        batched,
        ready.kernel,
        ready.bias,
        ready.dtype,
        out=out,
        finite=True,
        block_bytes=request.block_bytes,
    )


def _into_npy(
    request: RunRequest, ready: Prepared, batched: NDArray[Any] | LazyNormal, final_shape: tuple[int, ...]
) -> NDArray[np.floating]:
    """The output convolved straight into a mapped .npy file, removed if the run does not finish."""
    assert request.output is not None
    mapped = open_npy_output(request.output, final_shape, ready.dtype)
    with removed_unless_finished(request.output):  # Ctrl-C or an error: no half-written output
        _convolve(request, ready, batched, out=mapped if ready.x.ndim == 3 else mapped[None])
        mapped.flush()
    return mapped


def _in_memory(
    request: RunRequest, ready: Prepared, batched: NDArray[Any] | LazyNormal, kind: str | None
) -> NDArray[np.floating]:
    """The output held in memory, written as CSV / TSV / JSON if asked."""
    result = _convolve(request, ready, batched)
    result = result if ready.x.ndim == 3 else result[0]
    if kind in ("csv", "tsv", "json"):
        assert request.output is not None
        with removed_unless_finished(request.output):
            write_text_output(request.output, kind, result)
    return result
