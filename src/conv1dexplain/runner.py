"""`run`: load (or draw) data and weights, convolve them, write the output, report what happened."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from conv1dexplain import data
from conv1dexplain.api import check_floating, check_weights, compute_dtype, input_shape_of, plan_for_arrays, run_plan
from conv1dexplain.errors import DataError, SpecError
from conv1dexplain.layouts import refuse_keras_2d
from conv1dexplain.plan import Plan, make_plan
from conv1dexplain.plan import layout as array_layout
from conv1dexplain.running import LazyNormal
from conv1dexplain.spec import build_spec, parse_input_shape, resolve_layout
from conv1dexplain.vocabulary import DEFAULT_MAX_BYTES, SCHEMA_VERSION, DataFormat

__all__ = ["LazyNormal", "Prepared", "RunReport", "RunRequest", "execute", "prepare"]
PREVIEW_POSITIONS = 5
PREVIEW_CHANNELS = 6


@dataclass(frozen=True)
class RunReport:
    """What `run` did: shapes, where data and weights came from, where the output went, its range."""

    framework: str
    data_format: str
    input_shape: list[int]
    output_shape: list[int]
    kernel_shape: list[int]
    bias_shape: list[int] | None
    dtype: str
    data_source: str
    weights_source: str
    padding: str | int | list[int]
    pad_left: int
    pad_right: int
    padding_mode: str
    padding_equivalent: str | None  # an explicit PyTorch pair: what it is in nn.Conv1d's own terms
    strides: int
    dilation_rate: int
    groups: int
    activation: str | None
    min: float | None  # null for an empty output (a batch of 0)
    max: float | None
    mean: float | None
    output_file: str | None
    output_bytes: int | None
    preview: list[list[float]]  # first positions × first channels of the first example
    output: Any  # the values (nested lists) when written to stdout, else null

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of `run --json` (and of `--output -`, with the values)."""
        return {"type": "run", "schema_version": SCHEMA_VERSION, **asdict(self)}


@dataclass(frozen=True)
class RunRequest:
    """The `run` command's options, as given."""

    framework: str = "keras"
    data_format: str | None = None
    filters: int | None = None
    kernel_size: int | None = None
    strides: int = 1
    padding: str = "valid"
    dilation_rate: int = 1
    groups: int = 1
    use_bias: bool = True
    activation: str | None = None
    padding_mode: str = "zeros"
    data_file: str | None = None
    input_shape: str | None = None
    seed: int = 0
    kernel: str | None = None
    bias: str | None = None
    output: str | None = None
    dtype: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES


def _dtype(request: RunRequest, *arrays: NDArray[Any] | None) -> np.dtype[np.floating]:
    """--dtype, else conv1d's rule (float64 if any file is) when the data comes from a file."""
    if request.dtype is not None:
        if request.dtype not in ("float32", "float64"):
            raise SpecError(f"unknown --dtype {request.dtype!r}", "use --dtype float32 or --dtype float64")
        return np.dtype(request.dtype)
    return compute_dtype(*arrays) if request.data_file is not None else np.dtype(np.float32)


def _load(source: str, what: str, request: RunRequest) -> NDArray[Any]:
    array = data.load_array(source, what=what, max_bytes=request.max_bytes)
    data.check_finite(array, what)
    return array


def _input(request: RunRequest, layout: DataFormat, keras_2d: bool) -> tuple[NDArray[Any] | None, str]:
    """The input array (None: drawn later, once the dtype is known) and where it came from.
    keras_2d: take a 2-D file in Keras' convention as (L, C), as trace does (Keras refuses it)."""
    if request.data_file is None:
        if request.input_shape is None:
            raise SpecError("no input: give --data FILE (or - for stdin) or --input SHAPE for random data",
                            "e.g. --input 50x300 --seed 0")  # fmt: skip
        return None, f"random normal, seed {request.seed}"
    x = _load(request.data_file, "data", request)
    check_floating(x, "save it as floats: np.save(path, x.astype(np.float32))")
    if x.ndim == 2 and not keras_2d and resolve_layout(request.framework, request.data_format)[0] == "keras":
        refuse_keras_2d(x.shape, for_cli=True)
    if request.input_shape is not None:
        given = parse_input_shape(request.input_shape, layout)
        found = input_shape_of(x, layout)
        if (given.length, given.channels) != (found.length, found.channels) or given.batch not in (None, found.batch):
            raise DataError(f"--input {request.input_shape} disagrees with the data's shape {x.shape}",
                            "drop --input (the data's shape is used), or fix it")  # fmt: skip
    return x, "stdin" if request.data_file == "-" else request.data_file


def _spec_options(request: RunRequest) -> dict[str, Any]:
    names = ("use_bias", "strides", "padding", "dilation_rate", "groups", "activation", "data_format", "framework",
             "padding_mode")  # fmt: skip
    return {name: getattr(request, name) for name in names}


def _agrees(plan: Plan, request: RunRequest) -> None:
    """--filters / --kernel-size, when given, must match the kernel file (which decides)."""
    spec = plan.spec
    for option, given, actual in (("--filters", request.filters, spec.filters),
                                  ("--kernel-size", request.kernel_size, spec.kernel_size)):  # fmt: skip
        if given is not None and given != actual:
            raise DataError(f"{option} {given} disagrees with the kernel file, which has {actual}",
                            f"drop {option} (the kernel's shape {plan.kernel_shape} decides), or fix it")  # fmt: skip


def _plan(request: RunRequest, x: NDArray[Any] | LazyNormal, kernel: NDArray[Any] | None,
          bias: NDArray[Any] | None) -> Plan:  # fmt: skip
    if kernel is not None:
        plan = plan_for_arrays(x, kernel, _spec_options(request), filters=request.filters,  # type: ignore[arg-type]
                               kernel_size=request.kernel_size, bias=bias, for_cli=True)  # fmt: skip
        _agrees(plan, request)
        return plan
    if request.filters is None or request.kernel_size is None:
        missing = "--filters" if request.filters is None else "--kernel-size"
        raise SpecError(f"{missing} is needed when no --kernel file is given", f"e.g. {missing} 3")
    return make_plan(
        build_spec(
            input_shape=input_shape_of(x, _layout(request)),  # type: ignore[arg-type]
            filters=request.filters,
            kernel_size=request.kernel_size,
            **_spec_options(request),
        )
    )


def _layout(request: RunRequest) -> DataFormat:
    return resolve_layout(request.framework, request.data_format)[1]


@dataclass(frozen=True)
class Prepared:
    """A validated layer with its input and weights, ready to convolve (shared by run and trace)."""

    plan: Plan
    x: NDArray[Any]  # the input in the framework's layout (2-D or 3-D); a LazyNormal when drawn lazily
    kernel: NDArray[Any]  # in the framework's layout
    bias: NDArray[Any] | None
    dtype: np.dtype[np.floating]
    data_source: str
    weights_source: str


def prepare(request: RunRequest, lazy: bool = False, keras_2d: bool = True) -> Prepared:
    """Load or draw the input and weights and plan the layer; refuse, with a hint, what cannot be done.
    lazy: seeded random input as a LazyNormal, drawn as it is read; keras_2d: see _input."""
    layout = _layout(request)
    x, data_source = _input(request, layout, keras_2d)
    kernel = None if request.kernel is None else _load(request.kernel, "kernel", request)
    bias = None if request.bias is None else _load(request.bias, "bias", request)
    dtype = _dtype(request, x, kernel, bias)
    if x is None:
        assert request.input_shape is not None
        shape = parse_input_shape(request.input_shape, layout)
        ordered = array_layout(shape.batch, shape.length, shape.channels, layout)
        full = tuple(d for d in ordered if d is not None)  # (L, C) or (C, L) without a batch
        drawn = LazyNormal(full, request.seed, dtype, request.max_bytes)
        x = drawn if lazy else drawn.materialize()  # type: ignore[assignment]
    assert x is not None
    plan = _plan(request, x, kernel, bias)
    check_weights(plan, plan.kernel_shape if kernel is None else kernel.shape, None if bias is None else bias.shape)
    if kernel is None:
        data.fits_in_memory("the drawn kernel", plan.kernel_shape, dtype, request.max_bytes)
        kernel, drawn_bias, weights_source = data.initial_weights(plan, request.seed, dtype)
        bias = drawn_bias if bias is None else bias
    else:
        weights_source = f"{request.kernel}" + (f", bias {request.bias}" if request.bias else "")
        if bias is None and plan.spec.use_bias:
            bias = np.zeros(plan.spec.filters, dtype)
            weights_source += ", zero bias (no --bias given)"
    return Prepared(plan, x, kernel, bias, dtype, data_source, weights_source)


def execute(request: RunRequest) -> RunReport:
    """Do the whole `run`: everything the user asked, or a Conv1dExplainError saying why not."""
    ready = prepare(request, lazy=True, keras_2d=False)
    plan, x, kernel, bias, dtype = ready.plan, ready.x, ready.kernel, ready.bias, ready.dtype
    if isinstance(x, LazyNormal):  # drawn as it is read, but no bigger than an input file may be
        data.fits_in_memory("the random input", x.shape, dtype, request.max_bytes)
    batched = x.batched() if isinstance(x, LazyNormal) else (x if x.ndim == 3 else x[None])
    out_shape = tuple(batched.shape[0] if d is None else d for d in plan.output_shape)
    final_shape = out_shape if x.ndim == 3 else out_shape[1:]
    kind = data.output_kind(request.output)
    if kind == "npy":
        assert request.output is not None
        mapped = data.open_npy_output(request.output, final_shape, dtype)
        with _removed_unless_finished(request.output):  # Ctrl-C or an error: no half-written output
            run_plan(plan, batched, kernel, bias, dtype, out=mapped if x.ndim == 3 else mapped[None], finite=True)
            mapped.flush()
        result: NDArray[np.floating] = mapped
    else:
        data.fits_in_memory("the output", final_shape, dtype, request.max_bytes, output=True, text=kind is not None)
        result = run_plan(plan, batched, kernel, bias, dtype, finite=True)
        result = result if x.ndim == 3 else result[0]
        if kind in ("csv", "tsv", "json"):
            assert request.output is not None
            with _removed_unless_finished(request.output):
                data.write_text_output(request.output, kind, result)
    return _report(ready, request, result, kind)


@contextlib.contextmanager
def _removed_unless_finished(path: str) -> Iterator[None]:
    """Delete the output file if what writes it does not finish (Ctrl-C included), then re-raise."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(path)
        raise


def _preview(result: NDArray[np.floating], layout: str) -> list[list[float]]:
    """The first positions × first channels of the first example, as the human view shows them."""
    if result.size == 0:
        return []  # a batch of 0: no example to show
    example = result if result.ndim == 2 else result[0]
    rows = example if layout == "channels_last" else example.T
    return np.asarray(rows[:PREVIEW_POSITIONS, :PREVIEW_CHANNELS], dtype=np.float64).tolist()  # type: ignore[no-any-return]


def _report(ready: Prepared, request: RunRequest, result: NDArray[np.floating], kind: str | None) -> RunReport:
    plan = ready.plan
    spec, axis = plan.spec, plan.axis
    written = request.output if kind not in (None, "stdout") else None
    low, high, mean = data.summary_stats(result) if result.size else (None, None, None)
    return RunReport(
        framework=spec.framework, data_format=spec.data_format, input_shape=list(ready.x.shape),
        output_shape=list(result.shape), kernel_shape=list(plan.kernel_shape),
        bias_shape=None if plan.bias_shape is None else list(plan.bias_shape), dtype=str(ready.dtype),
        data_source=ready.data_source, weights_source=ready.weights_source,
        padding_mode=spec.padding_mode, padding_equivalent=_padding_equivalent(spec.framework, spec.padding,
                                                                               spec.padding_mode),
        pad_left=axis.pad_left, pad_right=axis.pad_right,
        padding=spec.padding if not isinstance(spec.padding, tuple) else list(spec.padding),
        strides=spec.strides, dilation_rate=spec.dilation_rate, groups=spec.groups, activation=spec.activation,
        min=low, max=high, mean=mean,
        output_file=written, output_bytes=None if written is None else os.path.getsize(written),
        preview=_preview(result, spec.data_format),
        output=np.asarray(result, dtype=np.float64).tolist() if kind == "stdout" else None,
    )  # fmt: skip


def _padding_equivalent(framework: str, padding: str | int | tuple[int, int], padding_mode: str) -> str | None:
    """nn.Conv1d takes one int for both sides: an explicit (left, right) is F.pad, then padding=0."""
    if framework != "pytorch" or not isinstance(padding, tuple):
        return None
    mode = "" if padding_mode == "zeros" else f", mode='{padding_mode}'"
    return f"F.pad(x, ({padding[0]}, {padding[1]}){mode}) then padding=0"
