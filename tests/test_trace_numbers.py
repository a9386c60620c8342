"""trace's numbers: a position's are the same bits whatever --steps and --filter select, and a
window costs the rows it reads, not the stretch its padding and dilation span."""

from __future__ import annotations

import io
import json
import resource
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from conv1dexplain.cli.trace_json import stream
from conv1dexplain.layer_arguments import LayerArguments
from conv1dexplain.runner import Prepared, RunRequest, prepare
from conv1dexplain.trace import CHUNK, Tracer
from conv1dexplain.trace_steps import Selection, parse_steps
from helpers import run

# (layer options, --input): dense chunks, strided, dilated beyond the kernel (windows read apart),
# grouped, wide products (K = k·C = 1200), PyTorch's layout, reflect padding
LAYERS = [
    (["-f", "2", "-k", "3", "-p", "same"], "10x3"),
    (["-f", "5", "-k", "4", "-s", "3", "-p", "same"], "61x7"),
    (["-f", "3", "-k", "3", "-d", "9", "-p", "causal"], "47x2"),
    (["-f", "6", "-k", "2", "--groups", "3", "-p", "same"], "33x6"),
    (["-f", "100", "-k", "4", "-p", "same"], "40x300"),
    (["-F", "pytorch", "-f", "4", "-k", "5", "-p", "2", "--padding-mode", "reflect"], "3x29"),
    # (these three gave other bits for some --steps before chunks were aligned, on any CPU)
    (["-f", "1", "-k", "3", "-p", "same"], "700x64"),
    (["-f", "100", "-k", "2", "-p", "same"], "200x300"),
    (["-f", "1", "-k", "3", "-p", "same"], "200x1"),
]


def selections(length: int) -> list[tuple[int, int, int | None]]:
    """(start, stop, filter): one step, two, three in the middle, the last, all but the first."""
    middle = length // 2
    last = (length - 1, length, 0)
    return [(0, 1, None), (3, 4, 0), (2, 4, None), (middle, middle + 3, None), last, (1, length, None)]


def request_of(options: list[str], shape: str) -> RunRequest:
    """The layer of LAYERS' options with its seed-3 data."""
    values = dict(zip(options[::2], options[1::2], strict=True))
    layer = LayerArguments(
        framework=values.get("-F", "keras"),
        filters=int(values["-f"]),
        kernel_size=int(values["-k"]),
        strides=int(values.get("-s", 1)),
        dilation_rate=int(values.get("-d", 1)),
        padding=values.get("-p", "valid"),
        groups=int(values.get("--groups", 1)),
        padding_mode=values.get("--padding-mode", "zeros"),
    )
    request = RunRequest(layer=layer, input_shape=shape, seed=3)
    return request


def prepared(options: list[str], shape: str, lazy: bool) -> Prepared:
    """The layer of LAYERS' options with its seed-3 data, as trace prepares it."""
    return prepare(request_of(options, shape), lazy=lazy)


def streamed(
    request: RunRequest, chunk: int = CHUNK, steps: str | None = None, filter_index: int | None = None, example: int = 0
) -> tuple[dict, list[dict]]:
    """The layer line and the window lines `trace --json` writes, computed in chunks of at most `chunk` steps."""
    ready = prepare(request, lazy=True)
    tracer = Tracer(ready, example=example, chunk=chunk)
    start, stop = parse_steps(steps, tracer.output_length)
    out = io.StringIO()
    stream(ready, tracer, Selection(example, start, stop, filter_index), out)
    layer, *windows = (json.loads(line) for line in out.getvalue().splitlines())
    return layer, windows


def windows(args: list[str]) -> list[dict]:
    result = run(["trace", "--json", "--seed", "3", *args])
    assert result.code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()[1:]]


@pytest.mark.parametrize("chunk", [CHUNK, 5, 1])  # the most steps a chunk holds
@pytest.mark.parametrize(("options", "shape"), LAYERS)
def test_a_position_has_the_same_bits_whatever_steps_and_filter_select(
    options: list[str], shape: str, chunk: int
) -> None:
    request = request_of(options, shape)
    full = streamed(request, chunk)[1]
    for start, stop, filter_index in selections(len(full)):
        steps = f"{start}:{stop}"
        picked = streamed(request, chunk, steps, filter_index)[1]
        for window in picked:
            whole = full[window["output_index"]]
            expected = whole["output"] if filter_index is None else whole["output"][filter_index : filter_index + 1]
            # the same computation, so the same bits (not a tolerance: that is the point)
            assert window["output"] == expected, (steps, filter_index, window["output_index"])
            assert window["input_indices"] == whole["input_indices"]


def test_a_long_trace_is_the_same_bits_in_every_chunk() -> None:
    """Past the first chunk of 2048 positions: positions straddling chunk boundaries, one at a time."""
    options = ["--input", "4100x5", "-f", "3", "-k", "4", "-p", "same"]
    full = windows(options)
    for steps in ("2047:2049", "2048:2049", "4095:", "1000:3000"):
        for window in windows([*options, "--steps", steps]):
            assert window["output"] == full[window["output_index"]]["output"], (steps, window["output_index"])


@pytest.mark.parametrize(("options", "shape"), LAYERS)
def test_the_stepper_shows_the_bits_the_stream_does(options: list[str], shape: str) -> None:
    full = windows(["--input", shape, *options])
    tracer = Tracer(prepared(options, shape, lazy=False), random_access=True)
    for t in [len(full) - 1, 0, len(full) // 2, 1]:  # back and forth
        assert tracer.step(t).outputs.tolist() == full[t]["output"]


@pytest.mark.parametrize("budget", [1, 700, 5000, 32 << 20])
@pytest.mark.parametrize(("options", "shape"), LAYERS)
def test_a_chunk_holds_at_most_chunk_bytes_of_rows(options: list[str], shape: str, budget: int) -> None:
    """chunk_bytes bounds every chunk's rows (down to one step a chunk), and the numbers stay right."""
    full = windows(["--input", shape, *options])
    tracer = Tracer(prepared(options, shape, lazy=True), chunk_bytes=budget)
    one_window = tracer.axis.kernel_size * tracer.plan.input_channels * 4
    seen = 0
    for chunk, lo, hi in tracer.chunks(0, tracer.output_length):
        assert chunk.rows.nbytes <= budget or (hi - lo == 1 and chunk.rows.nbytes <= one_window)
        np.testing.assert_allclose(
            chunk.outputs, [w["output"] for w in full[chunk.t0 + lo : chunk.t0 + hi]], rtol=2e-6, atol=2e-6
        )
        seen += hi - lo
    assert seen == len(full)


def test_trace_and_run_agree_within_float32_rounding() -> None:
    """trace and run compute with products of other shapes: equal within float32's rounding."""
    for options, shape in LAYERS:
        args = ["--input", f"1x{shape}", *options, "--seed", "3"]  # (a batch of one: run takes it in any layout)
        traced = [w["output"] for w in windows(args)]
        output = np.asarray(json.loads(run(["run", *args, "--output", "-"]).stdout)["output"][0])
        by_position = output if "pytorch" not in options else output.T
        np.testing.assert_allclose(traced, by_position, rtol=2e-6, atol=2e-6, err_msg=str(options))


def limited(gib: float) -> None:
    """In the child: at most this much address space, so that a large allocation fails at once."""
    resource.setrlimit(resource.RLIMIT_AS, (int(gib * (1 << 30)),) * 2)


@pytest.mark.parametrize("view", [["--json"], ["--compact"], ["--steps", "0:2"]])
def test_a_huge_dilation_costs_what_its_taps_read(view: list[str], tmp_path: Path) -> None:
    """The issue's layer: padding 10⁹ each side, taps 10⁹ apart; all but the middle tap read zeros."""
    x = np.random.default_rng(1).standard_normal((10, 2)).astype(np.float32)
    kernel = np.random.default_rng(2).standard_normal((3, 2, 2)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "k.npy", kernel)
    files = ["--data", str(tmp_path / "x.npy"), "--kernel", str(tmp_path / "k.npy")]
    args = ["trace", *files, "--no-bias", "--dilation-rate", "1000000000", "--padding", "same", *view]
    result = subprocess.run(
        [sys.executable, "-m", "conv1dexplain", *args],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: limited(2.5),
        check=False,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr[-500:]
    if view == ["--json"]:
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        assert lines[0]["padding"]["left"] == 10**9
        traced = [w["output"] for w in lines[1:]]
        np.testing.assert_allclose(traced, x.astype(np.float64) @ kernel[1], rtol=1e-6, atol=1e-6)
        assert lines[1]["input_indices"] == [-(10**9), 0, 10**9] and lines[1]["padding_taps"] == [0, 2]


def test_many_filters_make_chunks_of_fewer_steps() -> None:
    """300,000 filters: 2048 steps a chunk would hold 2.3 GiB of sums, as much again with the bias."""
    args = ["trace", "--input", "3000x1", "-f", "300000", "-k", "1", "--filter", "7", "--steps", "1000:1010", "--json"]
    result = subprocess.run(
        [sys.executable, "-m", "conv1dexplain", *args],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: limited(2.5),
        check=False,
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr[-500:]
    assert [json.loads(line)["output_index"] for line in result.stdout.splitlines()[1:]] == list(range(1000, 1010))


@pytest.mark.parametrize(
    ("layer", "held_rows"),
    [
        # a chunk of 2048 steps, the last tap 2·10⁶ rows after the first (+1 row kept for the stream)
        (["--input", "3000000x1", "-d", "1000000"], 2047 + 2 * 10**6 + 1 + 1),
        # … and circular padding keeps the first 10⁶ + 1 rows and the last 10⁶ for wrapping around
        (
            ["-F", "pytorch", "--input", "1x5000000", "-d", "1000000", "-p", "1000000", "--padding-mode", "circular"],
            2047 + 2 * 10**6 + 1 + 10**6 + 1 + 10**6,
        ),
    ],
)
def test_a_drawn_input_whose_windows_hold_more_than_the_budget_is_refused(layer: list[str], held_rows: int) -> None:
    """Drawn data is a stream that runs forward: a chunk's first to last tap is held at once."""
    args = ["trace", *layer, "-f", "1", "-k", "3", "--compact", "--steps", "0:1"]
    held = held_rows * 4  # float32
    refused = run([*args, "--max-bytes", str(held - 1)])
    assert refused.code == 1 and refused.stdout == ""
    error, hint = refused.stderr.splitlines()
    assert error.startswith("error: ") and f"({held_rows:,} × 1)" in error and "MiB" in error
    assert hint.startswith("hint: ") and "--data FILE.npy" in hint
    accepted = run([*args, "--max-bytes", str(held)])
    assert accepted.code == 0, accepted.stderr


@pytest.mark.oracle
@pytest.mark.parametrize(("dilation", "strides"), [(4, 1), (5, 1), (6, 1), (7, 1), (1, 2), (1, 4), (2, 3)])
def test_windows_read_apart_or_together_equal_pytorch(
    torch: ModuleType, dilation: int, strides: int, tmp_path: Path
) -> None:
    """Chunks of n ≤ 5 steps, k = 3: a chunk reads its stretch while (n−1)·s + 2d + 1 ≤ 3n, else its
    taps only (d = 5 the one, d = 6 the other; the last, shorter chunks; a stride beyond the kernel)."""
    rng = np.random.default_rng(dilation * 10 + strides)
    x = rng.standard_normal((3, 37)).astype(np.float32)
    weight = rng.standard_normal((2, 3, 3)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "w.npy", weight)
    layer = LayerArguments(framework="pytorch", use_bias=False, dilation_rate=dilation, strides=strides, padding="3")
    request = RunRequest(layer=layer, data_file=str(tmp_path / "x.npy"), kernel=str(tmp_path / "w.npy"))
    found = streamed(request, chunk=5)[1]  # (chunks of 5 steps: the CLI's are 2048)
    real = torch.nn.functional.conv1d(
        torch.from_numpy(x), torch.from_numpy(weight), stride=strides, padding=3, dilation=dilation
    ).numpy()
    np.testing.assert_allclose([w["output"] for w in found], real.T, rtol=2e-5, atol=2e-5)
    assert [w["input_indices"][0] for w in found] == [t * strides - 3 for t in range(real.shape[1])]
