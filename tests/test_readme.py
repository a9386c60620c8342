"""The README's examples run (each usage block in order, in a fresh folder), and CI runs its test command."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT

README = (ROOT / "README.md").read_text()
USAGE = README.split("## Usage", 1)[1]


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)[0].strip().splitlines()


def usage_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", USAGE, flags=re.S)


def test_quick_start_is_two_commands_install_then_answer_then_test() -> None:
    first, second = quick_start()
    assert (
        first.startswith("pip install") and "shape --input 50x300 --filters 100 --kernel-size 4 --padding same" in first
    )
    assert second.startswith("pip install") and "pytest" in second


def test_ci_runs_the_readmes_test_command() -> None:
    test_command = quick_start()[1].split("&&", 1)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci


@pytest.fixture
def shell_env(tmp_path: Path) -> dict[str, str]:
    """PATH with `conv1dexplain` and `python` meaning this interpreter and this checkout."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name, target in (("conv1dexplain", f'"{sys.executable}" -m conv1dexplain'), ("python", f'"{sys.executable}"')):
        script = bindir / name
        script.write_text(f'#!/bin/sh\nexec {target} "$@"\n')
        script.chmod(0o755)
    return {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "100"}


# --- what each README example prints, from facts computed here (formulas, NumPy), not copied from a run ----------

Check = Callable[[subprocess.CompletedProcess[str], Path], None]


def _shows(*facts: str) -> Check:
    """The human view names these shapes and counts (each worked out by hand in the table below)."""

    def check(result: subprocess.CompletedProcess[str], cwd: Path) -> None:
        for fact in facts:
            assert fact in result.stdout, (fact, result.stdout)

    return check


def _json_is(expected: Any) -> Check:
    def check(result: subprocess.CompletedProcess[str], cwd: Path) -> None:
        assert json.loads(result.stdout) == expected

    return check


def _saved(**shapes: tuple[int, ...]) -> Check:
    """Files the line wrote, with their shapes (and a silent stdout, unless the line prints on purpose)."""

    def check(result: subprocess.CompletedProcess[str], cwd: Path) -> None:
        import numpy as np

        for name, shape in shapes.items():
            path = cwd / name.replace("_", ".")
            array = np.load(path) if path.suffix == ".npy" else np.loadtxt(path, delimiter=",")
            assert array.shape == shape, (name, array.shape)

    return check


def _refused(first_line: str, *in_hint: str) -> Check:
    def check(result: subprocess.CompletedProcess[str], cwd: Path) -> None:
        error, hint = result.stderr.splitlines()
        assert error == f"error: {first_line}" and result.stdout == ""
        assert hint.startswith("hint: ") and all(part in hint for part in in_hint), hint

    return check


def _trace_seeded(result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    # Keras 'same', k = 3, s = 1: 2 zeros, 1 left; step t reads positions t·1 + j·1 − 1.
    assert result.stdout.count("reads positions ") == 2
    assert "reads positions -1, 0, 1 " in result.stdout and "reads positions 0, 1, 2 " in result.stdout


def _trace_compact(result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    import numpy as np

    x, kernel = np.load(cwd / "x.npy"), np.load(cwd / "k.npy")
    steps = re.findall(r"^t=(\d+)\s+positions ([\d ]+?)\s+→ output\[\1, 1\] = (-?[\d.]+)", result.stdout, flags=re.M)
    assert [int(t) for t, _, _ in steps] == [0, 1, 2, 3, 4]
    for t, rows, value in steps:  # dilation 2, valid: rows t, t+2, t+4; filter 1 of a zero-bias layer
        expected_rows = [int(t) + 2 * j for j in range(3)]
        assert [int(r) for r in rows.split()] == expected_rows
        expected = sum(x[row] @ kernel[j, :, 1] for j, row in enumerate(expected_rows))
        assert abs(float(value) - expected) <= 5e-4, (t, value, expected)


def _trace_jq(result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    # 10^6 − 3 + 1 = 999,998 windows; those at 0, 250,000, 500,000 and 750,000, two filters each.
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(outputs) == 4 and all(len(o) == 2 and all(isinstance(v, float) for v in o) for o in outputs)


def _run_npy(result: subprocess.CompletedProcess[str], cwd: Path) -> None:
    _saved(out_npy=(8, 50, 100))(result, cwd)  # Keras 'same', stride 1: 50 positions; 100 filters
    assert "out.npy" in result.stdout


def _json_lines(expected: list[Any]) -> Check:
    def check(result: subprocess.CompletedProcess[str], cwd: Path) -> None:
        assert [json.loads(line) for line in result.stdout.splitlines()] == expected

    return check


def _model_refused(*facts: str) -> Check:
    def check(result: subprocess.CompletedProcess[str], cwd: Path) -> None:
        text = " ".join(result.stdout.split())
        for fact in facts:
            assert fact in text, (fact, result.stdout)

    return check


# m5.py: conv k80 s16 on 16000: (16000 − 80)//16 + 1 = 996, field 80, jump 16; MaxPool1d(4): 249,
# field 80 + 3·16 = 128, jump 64; Conv1d k3: 247, 128 + 2·64 = 256; AdaptiveAvgPool1d(1) reads all
# 16,000; then no sequence axis.
_M5 = [
    ["0", [None, 32, 996], 80], ["1", [None, 32, 996], 80], ["2", [None, 32, 996], 80],
    ["3", [None, 32, 249], 128], ["4", [None, 64, 247], 256], ["5", [None, 64, 247], 256],
    ["6", [None, 64, 1], 16000], ["7", [None, 64], None], ["8", [None, 35], None],
]  # fmt: skip

# Keyed by the README line exactly: a line added or changed there needs its entry here.
EXPECTED: dict[str, Check] = {
    # Embedding 5000·300 = 1,500,000; 'same' keeps 50; 4·300·100 + 100 = 120,100; in all 1,620,100
    "conv1dexplain model \"Embedding(5000, 300), Dropout(0.2), Conv1D(filters=100, kernel_size=4, padding='same', "
    "activation='relu')\" --input 50": _shows("(None, 50, 300)", "(None, 50, 100)", "120,100", "1,620,100"),
    # 5000·32 = 160,000; 3·32·32 + 32 = 3,104; pool 2: 250; LSTM 4·(100·(32 + 100) + 100) = 53,200; 101
    "conv1dexplain model \"Embedding(5000, 32), Conv1D(filters=32, kernel_size=3, padding='same', activation='relu'), "
    "MaxPooling1D(pool_size=2), LSTM(100), Dense(1, activation='sigmoid')\" --input 500":
        _shows("(None, 250, 32)", "53,200", "(None, 1)", "216,405"),
    "conv1dexplain model \"nn.Embedding(5000, 300), nn.Conv1d(300, 100, 4, padding='same'), nn.ReLU()\" --input 50  "
    "# exits 2": _model_refused("to have 300 channels, but got 50 channels instead", "x.permute(0, 2, 1)"),
    "printf 'import torch.nn as nn\\nmodel = nn.Sequential(nn.Conv1d(1, 32, 80, stride=16), nn.BatchNorm1d(32), "
    "nn.ReLU(), nn.MaxPool1d(4), nn.Conv1d(32, 64, 3), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(), "
    "nn.Linear(64, 35))\\n' > m5.py": lambda result, cwd: None,
    "conv1dexplain model m5.py --input 1x16000 --json | jq -c '.layers[] | [.name, .output_shape, .receptive_field]'":
        _json_lines(_M5),
    # Flatten gives 8·(100 − 4) = 768 ≠ 640; 8·(L − 4) = 640 only for L = 84
    "conv1dexplain model \"nn.Conv1d(1, 8, 5), nn.Flatten(), nn.Linear(640, 10)\" --input 1x100 --json | "
    "jq -c '[.error.framework_message, .input_lengths_that_work]'  # exits 2":
        _json_is(["RuntimeError: mat1 and mat2 shapes cannot be multiplied (Nx768 and 640x10)", [84, 84]]),
    # weight [100, 300, 4] wants 300 channels on axis 1; the input has them on axis 2: permute, then
    # (32, 100, 50 − 4 + 1 = 47)
    "conv1dexplain why \"RuntimeError: Given groups=1, weight of size [100, 300, 4], expected input[32, 50, 300] to "
    "have 300 channels, but got 50 channels instead\"":
        _shows("x = x.permute(0, 2, 1)", "(32, 100, 47)", "in_channels=50"),
    # (None, 30): no channel axis; one channel per step is (None, 30, 1)
    "conv1dexplain why \"ValueError: Input 0 with name 'None' of layer 'conv1d' is incompatible with the layer: "
    "expected min_ndim=3, found ndim=2. Full shape received: (None, 30)\" --json | jq -c '.fixes[0]'":
        _json_is(
            {"kind": "reshape_input", "shape": [None, 30, 1], "code": "x = x[..., None]", "then": None, "checked": None}
        ),
    # mat1 is the input (32 × 1280), mat2 the weight transposed (640 × 10): in_features must be 1280
    "printf 'Traceback (most recent call last):\\n  File \"train.py\", line 9, in <module>\\n    y = head(x)\\n"
    "RuntimeError: mat1 and mat2 shapes cannot be multiplied (32x1280 and 640x10)\\n' | conv1dexplain why --json | "
    "jq -c '[.error_kind, .fixes[0].code]'": _json_is(["linear_features", "nn.Linear(..., in_features=1280)"]),
    "printf 'import torch.nn as nn\\nnet = nn.Sequential(nn.Embedding(5000, 300), nn.Conv1d(300, 100, 4), nn.ReLU(), "
    "nn.MaxPool1d(2), nn.Flatten(), nn.Linear(100 * 23, 10))\\n' > net.py": lambda result, cwd: None,
    # permuted (32, 300, 50) → conv (32, 100, 47) → pool (32, 100, 23) → 2300 = in_features → (32, 10);
    # in_channels=50 on (32, 50, 300) → (32, 100, 297) → 148 → 14,800 ≠ 2300: layer 5 (the Linear) refuses
    "echo 'RuntimeError: Given groups=1, weight of size [100, 300, 4], expected input[32, 50, 300] to have 300 "
    "channels, but got 50 channels instead' | conv1dexplain why net.py --json | "
    "jq -c '[.layer, [.fixes[] | [.code, .checked.output_shape, .checked.stops_at]]]'": _json_is(
        [
            "1 (Conv1d)",
            [["x = x.permute(0, 2, 1)", [32, 10], None], ["nn.Conv1d(..., in_channels=50)", None, "5 (Linear)"]],
        ]
    ),
    # 'same': ceil(50/1) = 50; kernel (k, C, F); 4·300·100 + 100 parameters.
    "conv1dexplain shape --input 50x300 --filters 100 --kernel-size 4 --padding same":
        _shows("(None, 50, 100)", "(4, 300, 100)", "120,100"),
    # 'same', stride 2: ceil(1000/2) = 500; 3·64·64 + 64 = 12,352.
    "conv1dexplain shape --input 32x1000x64 --filters 64 --kernel-size 3 --strides 2 --padding same":
        _shows("(32, 1000, 64)", "(32, 500, 64)", "(3, 64, 64)", "12,352"),
    # causal keeps the length; 3·16·32 + 32 = 1,568.
    "conv1dexplain shape --input 100x16 -f 32 -k 3 --dilation-rate 4 --padding causal --activation relu":
        _shows("(None, 100, 32)", "(3, 16, 32)", "1,568"),
    # channels_first 64x50: C = 64, L = 50; valid: 50 − 5 + 1 = 46; depthwise kernel (5, 1, 64): 5·64 + 64.
    "conv1dexplain shape --input 64x50 -f 64 -k 5 --data-format channels_first --groups 64":
        _shows("(None, 64, 46)", "(5, 1, 64)", "384"),
    "conv1dexplain shape --framework pytorch --input 300x50 --out-channels 100 --kernel-size 4 --padding same":
        _shows("(None, 100, 50)", "(100, 300, 4)", "120,100"),
    # padding 2: 128 + 4 − 4 + 1 = 129; 4·3·16 + 16 = 208.
    "conv1dexplain shape --framework pytorch --input 8x3x128 --out-channels 16 -k 4 --padding 2":
        _shows("(8, 16, 129)", "(16, 3, 4)", "208"),
    # 40 + 6 − 3 + 1 = 44; 3·2·4 + 4 = 28.
    "conv1dexplain shape --framework pytorch --input 2x40 --out-channels 4 -k 3 --padding 3 --padding-mode reflect":
        _shows("(None, 4, 44)", "(4, 2, 3)", "28"),
    # Keras 'same' at stride 2: ceil(50/2) = 25 outputs, max(0, 24·2 + 4 − 50) = 2 zeros, 1 and 1.
    "conv1dexplain shape --framework pytorch --input 300x50 -f 100 -k 4 --stride 2 --padding same  # exits 2":
        _refused("padding='same' is not supported for strided convolutions in PyTorch", "F.pad(x, (1, 1))"),
    "conv1dexplain trace --input 10x3 --filters 2 --kernel-size 3 --padding same --seed 0 --steps 0:2": _trace_seeded,
    """python -c "import numpy as np; np.save('x.npy', np.random.rand(20, 3)); """
    """np.save('k.npy', np.random.rand(3, 3, 4))\"""":
        _saved(x_npy=(20, 3), k_npy=(3, 3, 4)),
    "conv1dexplain trace --data x.npy --kernel k.npy --filters 4 --kernel-size 3 --dilation-rate 2 --steps 0:5 "
    "--filter 1 --compact": _trace_compact,
    "conv1dexplain trace --input 1000000x4 --filters 2 --kernel-size 3 --json | "
    """jq -c 'select(.type == "window" and .output_index % 250000 == 0) | .output'""": _trace_jq,
    """python -c "import numpy as np; np.save('sentences.npy', np.random.rand(8, 50, 300).astype('float32'))\"""":
        _saved(sentences_npy=(8, 50, 300)),
    "conv1dexplain run --data sentences.npy --filters 100 --kernel-size 4 --padding same --seed 0 --output out.npy":
        _run_npy,
    """python -c "import numpy as np; np.savetxt('x.csv', np.random.rand(3, 20), delimiter=','); """
    """np.save('weight.npy', np.random.rand(8, 3, 3)); np.save('bias.npy', np.zeros(8))\"""":
        _saved(x_csv=(3, 20), weight_npy=(8, 3, 3), bias_npy=(8,)),
    # (C, L) = (3, 20), F.pad 1 left and 2 right, k = 3 read off the weight: 20 + 3 − 3 + 1 = 21 positions
    "conv1dexplain run --data x.csv --framework pytorch --weight weight.npy --bias bias.npy --padding 1,2 --json | "
    "jq -c '[.output_shape, .padding_equivalent]'": _json_is([[8, 21], "F.pad(x, (1, 2)) then padding=0"]),
    """python -c "import json, numpy as np; np.save('weight.npy', np.random.rand(8, 3, 3)); """
    """print(json.dumps(np.random.rand(3, 20).tolist()))" > x.json""": _saved(weight_npy=(8, 3, 3)),
    # (C, L) = (3, 20), padding 1: 20 + 2 − 3 + 1 = 20 positions, 8 channels
    "cat x.json | conv1dexplain run --data - --framework pytorch --kernel weight.npy --filters 8 --kernel-size 3 "
    "--padding 1 --output - | jq -c .output_shape": _json_is([8, 20]),
    "conv1dexplain shape --input 32x1000x64 --filters 64 --kernel-size 3 --strides 2 --padding same --json | "
    "jq .output_shape": _json_is([32, 500, 64]),
    # Keras 'same', L = 50, k = 4: 3 zeros, the odd one on the right
    "conv1dexplain shape --input 50x300 -f 100 -k 4 --padding same --json | jq -c '.padding | [.left, .right]'":
        _json_is([1, 2]),
}  # fmt: skip


def _example_lines() -> list[str]:
    return [line for block in usage_blocks("bash") for line in block.splitlines() if line.strip()]


def test_every_readme_example_has_its_expected_output_and_no_entry_is_stale() -> None:
    lines = _example_lines()
    assert [line for line in lines if line not in EXPECTED] == [], "add an EXPECTED entry for each new README line"
    assert [key for key in EXPECTED if key not in lines] == [], "drop or update the entries of lines gone from README"


@pytest.mark.parametrize("block", usage_blocks("bash"), ids=lambda b: b.split("\n")[0][:60])
def test_usage_block_runs_and_prints_what_it_should(block: str, shell_env: dict[str, str], tmp_path: Path) -> None:
    if "| jq" in block and shutil.which("jq") is None:
        pytest.skip("jq not installed")
    for line in [ln for ln in block.splitlines() if ln.strip()]:
        expected = int(m.group(1)) if (m := re.search(r"# exits (\d+)", line)) else 0
        result = subprocess.run(["bash", "-o", "pipefail", "-c", line], capture_output=True, text=True,
                                env=shell_env, cwd=tmp_path, timeout=120)  # fmt: skip
        assert result.returncode == expected, f"{line}\n{result.stderr}"
        assert "Traceback" not in result.stderr
        if expected == 0:
            assert result.stderr == "", f"{line}\n{result.stderr}"
        EXPECTED[line](result, tmp_path)


@pytest.mark.parametrize("block", usage_blocks("python"), ids=lambda b: b.split("\n")[-2][:60])
def test_usage_python_block_runs(block: str) -> None:
    exec(compile(block, "README.md", "exec"), {})


def test_quick_start_says_how_to_install_pytorchs_cpu_only_build() -> None:
    """A plain `pip install torch` on Linux pulls GBs of CUDA libraries the tests never use."""
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    paragraph = " ".join(section.split())
    found = re.search(r"pip install (torch==[\d.]+) --index-url https://download\.pytorch\.org/whl/cpu", paragraph)
    assert found, paragraph
    assert found.group(1) in (ROOT / ".ci" / "run").read_text()  # the version CI installs
    assert "CPU-only" in paragraph and "CUDA" in paragraph
