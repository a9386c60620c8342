"""`run` and conv1d() in blocks: seeded random input drawn as it is read (the same numbers as one
full draw), and activations over a whole axis computed a block at a time, equal to the frameworks
at every block boundary; and the peak memory that buys."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from conv1dexplain import conv1d
from conv1dexplain.arrays import plan_for_arrays
from conv1dexplain.layer_arguments import LayerArguments
from conv1dexplain.runner import RunRequest, execute
from conv1dexplain.running import run_plan
from helpers import ROOT


@pytest.fixture(params=[64, 4096, 1 << 30], ids=["tiny blocks", "a few blocks", "one block"])
def block_bytes(request: pytest.FixtureRequest) -> int:
    """Blocks of one position, of a few, and of everything (the size decides where blocks end)."""
    return int(request.param)


def conv1d_in_blocks(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, block_bytes: int, **layer: Any) -> Any:
    """conv1d's path (plan the arrays, run the plan), with blocks of block_bytes."""
    plan = plan_for_arrays(x.shape, kernel.shape, LayerArguments(**layer), bias=bias)
    return run_plan(plan, x, kernel, bias, np.dtype(np.float32), block_bytes=block_bytes)


AXIS_WISE_CASES = [  # (padding, strides, dilation_rate, groups, activation)
    ("same", 1, 1, 1, "softmax"),
    ("same", 2, 1, 2, "glu"),
    ("causal", 1, 3, 1, "log_softmax"),
    ("valid", 3, 1, 1, "sparsemax"),
    ("same", 3, 1, 1, "softmax"),
    ("causal", 2, 1, 2, "glu"),
    ("valid", 1, 2, 2, "softmax"),
]


@pytest.mark.oracle
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("case", AXIS_WISE_CASES, ids=str)
def test_whole_axis_activations_in_blocks_equal_keras(
    keras: ModuleType, block_bytes: int, data_format: str, case: tuple[str, int, int, int, str]
) -> None:
    padding, strides, dilation, groups, activation = case
    rng = np.random.default_rng(len(str(case)))
    x = rng.standard_normal((3, 23, 4) if data_format == "channels_last" else (3, 4, 24)).astype(np.float32)
    arguments = {"strides": strides, "padding": padding, "dilation_rate": dilation, "groups": groups}
    arguments |= {"activation": activation, "data_format": data_format}
    layer = keras.layers.Conv1D(8, 3, **arguments)
    real = keras.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    bias = rng.standard_normal(bias.shape).astype(np.float32)  # Keras' zero bias would hide a bias bug
    layer.set_weights([kernel, bias])
    real = keras.ops.convert_to_numpy(layer(x))
    mine = conv1d_in_blocks(x, kernel, bias, block_bytes, **arguments)
    np.testing.assert_allclose(mine, real, rtol=2e-4, atol=2e-5)


RANDOM_CASES = [  # framework, --input, the layer's arguments as the command line gives them
    ("keras", "3x40x4", {"padding": "same", "strides": 2}),
    ("keras", "2x37x3", {"padding": "causal", "dilation_rate": 3, "activation": "softmax"}),
    ("keras", "45x2", {"padding": "valid", "activation": "glu"}),
    ("keras", "2x30x4", {"padding": "same", "data_format": "channels_first", "activation": "log_softmax"}),
    ("pytorch", "3x4x41", {"padding": "2", "padding_mode": "reflect", "strides": 3}),
    ("pytorch", "2x4x33", {"padding": "3", "padding_mode": "circular", "dilation_rate": 2}),
    ("pytorch", "4x29", {"padding": "1,2", "padding_mode": "replicate"}),
]


@pytest.mark.parametrize("case", RANDOM_CASES, ids=lambda c: f"{c[0]} {c[1]} {c[2]}")
def test_random_input_drawn_in_blocks_is_one_full_draw(
    block_bytes: int, case: tuple[str, str, dict[str, Any]], tmp_path: Path
) -> None:
    """The numbers `run --input SHAPE --seed N` convolves are default_rng(N).standard_normal(SHAPE)
    as float32 (what trace shows, too), whatever the blocks they are drawn in."""
    framework, shape, options = case
    dims = tuple(int(d) for d in shape.split("x"))
    full = np.random.default_rng(11).standard_normal(dims).astype(np.float32)
    channels = dims[-1] if framework == "keras" and "data_format" not in options else dims[-2]
    kernel = np.random.default_rng(12).standard_normal((3, channels, 6)).astype(np.float32)
    kernel = kernel if framework == "keras" else kernel.transpose(2, 1, 0)
    np.save(tmp_path / "k.npy", kernel)
    layer = LayerArguments(framework=framework, **options)
    request = RunRequest(
        layer, input_shape=shape, seed=11, kernel=str(tmp_path / "k.npy"), output="-", block_bytes=block_bytes
    )
    report = execute(request)
    text = options["padding"]
    padding = tuple(map(int, text.split(","))) if "," in text else (int(text) if text.isdigit() else text)
    batched = full if full.ndim == 3 else full[None]  # (conv1d takes no 2-D input in Keras' convention)
    arguments = {name: value for name, value in options.items() if name != "padding"}
    expected = conv1d(batched, kernel, np.zeros(6, np.float32), framework=framework, padding=padding, **arguments)
    expected = expected if full.ndim == 3 else expected[0]
    np.testing.assert_allclose(np.array(report.output), expected, rtol=1e-5, atol=1e-5)


def peak_rss_mib(args: list[str]) -> float:
    """Peak resident memory of one `conv1dexplain` process, in MiB (its own, not its parent's)."""
    code = (
        "import resource, sys; from conv1dexplain.cli import main; code = main(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    return int(result.stderr.strip().splitlines()[-1]) / 1024


@pytest.fixture(scope="module")
def baseline_mib() -> float:
    """A tiny run: the interpreter, NumPy and the CLI, with (next to) no data."""
    assert resource  # (the measurement is in the child)
    return peak_rss_mib(["run", "--input", "10x4", "-f", "4", "-k", "3", "--json"])


def test_random_input_is_not_held_whole(baseline_mib: float, tmp_path: Path) -> None:
    """4 × 250,000 × 16 float32 (61 MiB) drawn, the output written to a .npy: before, the whole
    input was drawn at once as float64 and cast (3 × 61 MiB); now a block at a time."""
    input_mib = 4 * 250_000 * 16 * 4 / 2**20
    layer = ["run", "--input", "4x250000x16", "-f", "16", "-k", "9", "-p", "same", "--seed", "0"]
    peak = peak_rss_mib([*layer, "--output", str(tmp_path / "y.npy"), "--json"])
    output_mib = (tmp_path / "y.npy").stat().st_size / 2**20  # its mapped pages count as resident
    assert peak < baseline_mib + 1.25 * output_mib + 0.5 * input_mib, (peak, baseline_mib)


def test_softmax_in_channels_last_does_not_hold_the_output_twice(tmp_path: Path) -> None:
    """A 61 MiB .npy through softmax into a .npy: the activation runs a block of positions at a
    time, instead of over a whole pre-activation copy of the output and another for its result."""
    x = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(4, 250_000, 16))
    x[...] = 1.0
    del x
    args = ["run", "--data", str(tmp_path / "x.npy"), "-f", "16", "-k", "9", "-p", "same"]
    args += ["--output", str(tmp_path / "y.npy"), "--json"]
    plain = peak_rss_mib(args)
    softmax = peak_rss_mib([*args, "--activation", "softmax"])
    assert softmax < plain + 16, (softmax, plain)  # before: the output's 61 MiB, twice more
