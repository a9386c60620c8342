"""`conv1dexplain why` end to end: the message as an argument or a traceback on stdin, the human
view, the JSON contract, exit codes, unknown, binary and huge input; and hostile text (random
strings, truncated messages, absurd numbers) never gives a traceback or hangs."""

from __future__ import annotations

import json
import random
import string
import time

import pytest

from conv1dexplain.diagnose import diagnose
from conv1dexplain.diagnose.text import MAX_BYTES
from helpers import run, run_process

CHANNELS = (
    "RuntimeError: Given groups=1, weight of size [100, 300, 4], expected input[32, 50, 300] to have 300 "
    "channels, but got 50 channels instead"
)
KEYS = {
    "type",
    "schema_version",
    "recognized",
    "framework",
    "error_kind",
    "message",
    "wording",
    "numbers",
    "explanation",
    "causes",
    "fixes",
    "layer",
}


def test_the_classic_message_explained_with_its_numbers() -> None:
    result = run(["why", CHANNELS])
    assert result.code == 0 and result.stderr == ""
    out = " ".join(result.stdout.split())
    assert "expects 300 input channels on axis 1; your input has 50 there and 300 on axis 2" in out
    assert "x = x.permute(0, 2, 1)" in out and "(32, 100, 47)" in out
    assert "nn.Conv1d(..., in_channels=50)" in out


def test_json_contract() -> None:
    result = run(["why", CHANNELS, "--json"])
    assert result.code == 0
    report = json.loads(result.stdout)
    assert set(report) == KEYS and report["type"] == "diagnosis" and report["schema_version"] == 1
    assert report["recognized"] is True and report["framework"] == "pytorch"
    assert report["numbers"]["weight_shape"] == [100, 300, 4]
    assert report["fixes"][0] == {
        "kind": "permute_input",
        "dims": [0, 2, 1],
        "code": "x = x.permute(0, 2, 1)",
        "then": "(32, 100, 47) with stride 1 and no padding (the message gives neither)",
        "checked": None,  # (only with the model's code)
    }


def test_a_traceback_on_stdin_names_the_failing_line_s_arguments() -> None:
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "/home/me/train.py", line 7, in <module>\n'
        "    conv = nn.Conv1d(6, 4, 3, groups=4)\n"
        '  File "/usr/lib/python3/site-packages/torch/nn/modules/conv.py", line 103, in __init__\n'
        '    raise ValueError("in_channels must be divisible by groups")\n'
        "ValueError: in_channels must be divisible by groups\n"
    )
    result = run_process(["why", "--json"], input=traceback)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["numbers"] == {"in_channels": 6, "out_channels": 4, "groups": 4}
    assert report["fixes"][0]["value"] == 2  # the largest groups both 6 and 4 split into


def test_unknown_text_exit_1_with_what_we_know() -> None:
    result = run(["why", "NameError: name 'x' is not defined"])
    assert result.code == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and "not a shape error conv1dexplain knows" in lines[0]
    assert lines[1].startswith("hint: ") and "mat1 and mat2" in lines[1]
    as_json = run(["why", "hello", "--json"])
    assert as_json.code == 1 and json.loads(as_json.stdout)["recognized"] is False


def test_binary_stdin_and_the_last_megabyte() -> None:
    binary = run_process(["why"], input="\x00\x01\x02 not text")
    assert binary.returncode == 1 and "binary" in binary.stderr and "Traceback" not in binary.stderr
    late = "x" * (MAX_BYTES + 1000) + "\n" + CHANNELS + "\n"  # over 1 MB: the error at its end is read
    found = run_process(["why", "--json"], input=late)
    assert found.returncode == 0 and json.loads(found.stdout)["recognized"] is True
    early = CHANNELS + "\n" + "x" * (MAX_BYTES + 1000)  # … and what came before the last megabyte is not
    lost = run_process(["why", "--json"], input=early)
    assert lost.returncode == 1 and json.loads(lost.stdout)["recognized"] is False


def test_why_json_loads_neither_numpy_nor_rich() -> None:
    probe = (
        "import sys, runpy; sys.argv = ['conv1dexplain', 'why', sys.argv[1], '--json']\n"
        "try:\n    runpy.run_module('conv1dexplain', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('numpy', 'rich') if m in sys.modules), file=sys.stderr)"
    )
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", probe, CHANNELS], capture_output=True, text=True, check=False)
    assert result.stderr.strip().splitlines()[-1] == "[]"


def _hostile(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:  # random text
        return "".join(rng.choice(string.printable + "[]()x,·—é") for _ in range(rng.randint(0, 300)))
    if kind == 1:  # a real message cut anywhere
        return CHANNELS[: rng.randint(0, len(CHANNELS))]
    if kind == 2:  # absurd numbers
        big = str(10 ** rng.randint(18, 40))
        return (
            f"Given groups={rng.choice(['1', '0', big])}, weight of size [{big}, {big}, {rng.choice(['0', big])}], "
            f"expected input[{big}, {rng.choice(['0', big])}, {big}] to have {big} channels, but got 0 channels instead"
        )
    if kind == 3:  # other messages' absurd numbers
        n = str(10 ** rng.randint(1, 40))
        return rng.choice(
            [
                f"Calculated padded input size per channel: ({n}). Kernel size: (0). Kernel size can't be greater "
                "than actual input size",
                f"mat1 and mat2 shapes cannot be multiplied (0x{n} and {n}x0)",
                "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
                f"[{', '.join([n] * 9)}]",
                f"Computed output size would be zero or negative. Received `inputs shape=({n}, 0, {n})`, "
                f"`kernel shape=({n}, 1, 1)`, `dilation_rate=[{n}]`, `strides=({n},)`, `padding=valid`.",
                f"Given input size: ({n}x1x{n}). Calculated output size: ({n}x1x-{n}). Output size is too small",
                f"Padding size should be less than the corresponding input dimension, but got: padding ({n}, 0) at "
                f"dimension 9 of input [{n}]",
                f"The number of input channels must be evenly divisible by the number of groups. Received "
                f"groups=0, but the input has {n} channels (full input shape is (None, {n}, {n})).",
            ]
        )
    return "Negative dimension size caused by subtracting 3 from 2 for " * rng.randint(1, 50)


def test_hostile_text_never_breaks_or_hangs() -> None:
    rng = random.Random(3)
    start = time.perf_counter()
    for _ in range(10_000):
        text = _hostile(rng)
        report = diagnose(text)  # no exception of any kind
        json.dumps(report.to_dict())
    assert time.perf_counter() - start < 60


def _halves() -> list[str]:
    """The first half of every message the fixtures hold: a pattern's start without its end."""
    from test_why_fixtures import FIXTURES

    return [message[: len(message) // 2] for message, *_ in FIXTURES] + [CHANNELS[: len(CHANNELS) // 2]]


@pytest.mark.parametrize("repeat", _halves())
def test_a_megabyte_of_a_repeated_half_message_is_quick(repeat: str) -> None:
    """A message's first half repeated through a megabyte, on one line and on many: no quadratic search."""
    for separator in (" ", "\n"):
        text = (repeat + separator) * (MAX_BYTES // (len(repeat) + 1))
        start = time.perf_counter()
        diagnose(text)
        assert time.perf_counter() - start < 10, (repeat, repr(separator))


def test_with_the_model_s_code_the_layer_is_named(tmp_path: pytest.TempPathFactory) -> None:
    """`why model.py < error.txt`: the layer whose arguments give the message's numbers, named as
    `model` names it (a Sequential's path; Keras' auto-name with its class)."""
    torch_model = tmp_path / "net.py"  # type: ignore[operator]
    torch_model.write_text(
        "import torch.nn as nn\n"
        "net = nn.Sequential(nn.Embedding(5000, 300), nn.Sequential(nn.Conv1d(300, 64, 3), nn.Conv1d(300, 100, 4)))\n"
    )
    result = run_process(["why", str(torch_model), "--json"], input=CHANNELS)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["layer"] == "1.1 (Conv1d)"
    keras_model = tmp_path / "k.py"  # type: ignore[operator]
    keras_model.write_text("from keras import layers\nlayers.Conv1D(8, 3), layers.ReLU(), layers.Conv1D(4, 5)\n")
    message = (
        "ValueError: Input 0 with name 'None' of layer 'conv1d_1' is incompatible with the layer: "
        "expected min_ndim=3, found ndim=2. Full shape received: (None, 30)"
    )
    result = run_process(["why", str(keras_model), "--json"], input=message)
    assert json.loads(result.stdout)["layer"] == "conv1d_1 (Conv1D)"
    unmatched = run_process(["why", str(torch_model), "--json"], input=CHANNELS.replace("[100, 300, 4]", "[7, 300, 4]"))
    assert json.loads(unmatched.stdout)["layer"] is None  # no layer of the model gives that weight


def test_with_the_model_s_code_each_fix_is_tried_on_the_model(tmp_path: pytest.TempPathFactory) -> None:
    """The fixes folded through the user's model from the failing layer on. Worked by hand: the
    permuted (32, 300, 50) through Conv1d(300, 100, 4) is (32, 100, 47), pooled by 2 (32, 100, 23),
    flattened 2300 = Linear's in_features: (32, 10). in_channels=50 on the unpermuted (32, 50, 300)
    gives (32, 100, 297), pooled 148, flattened 14800: Linear(2300, 10) refuses it."""
    model = tmp_path / "net.py"  # type: ignore[operator]
    model.write_text(
        "import torch.nn as nn\nnet = nn.Sequential(\n    nn.Embedding(5000, 300),\n    nn.Conv1d(300, 100, 4),\n"
        "    nn.ReLU(),\n    nn.MaxPool1d(2),\n    nn.Flatten(),\n    nn.Linear(100 * 23, 10),\n)\n"
    )
    result = run_process(["why", str(model), "--json"], input=CHANNELS)
    assert result.returncode == 0, result.stderr
    permute, in_channels = json.loads(result.stdout)["fixes"]
    assert permute["kind"] == "permute_input" and permute["then"] == "(32, 100, 47)"
    assert permute["checked"] == {
        "runs": True,
        "layer_output_shape": [32, 100, 47],
        "output_shape": [32, 10],
        "stops_at": None,
        "error": None,
    }
    assert in_channels["argument"] == "in_channels" and in_channels["then"] == "(32, 100, 297)"
    checked = in_channels["checked"]
    assert checked["runs"] is False and checked["layer_output_shape"] == [32, 100, 297]
    assert checked["stops_at"] == "5 (Linear)" and "14800" in checked["error"]
    view = " ".join(run_process(["why", str(model)], input=CHANNELS).stdout.split())
    assert "every later layer takes it; the model gives (32, 10)" in view
    assert "next, the layer 5 (Linear) would refuse" in view
    # A fix the model refuses further on goes after one it takes: this Linear was sized for
    # in_channels=50 on length 300 (100 · 297), so the permute (4700 features) is refused there.
    other = tmp_path / "other.py"  # type: ignore[operator]
    other.write_text("nn.Conv1d(300, 100, 4), nn.Flatten(), nn.Linear(100 * 297, 10)\n")
    first, second = json.loads(run_process(["why", str(other), "--json"], input=CHANNELS).stdout)["fixes"]
    assert first["argument"] == "in_channels" and first["checked"]["output_shape"] == [32, 10]
    assert second["kind"] == "permute_input" and second["checked"]["stops_at"] == "2 (Linear)"


def test_a_traceback_names_the_call_on_the_user_s_own_line() -> None:
    """The last frame outside the installed libraries shows the failing call: it names the layer
    (a line with one layer call; functions such as F.relu are not layers)."""
    frames = (
        'Traceback (most recent call last):\n  File "/home/me/train.py", line 9, in <module>\n'
        "    y = self.pool(F.relu(self.conv2(x)))\n"
        '  File "/usr/lib/python3.11/site-packages/torch/nn/modules/conv.py", line 375, in forward\n'
        "    return F.conv1d(input, weight, bias)\n"
    )
    report = diagnose(frames + CHANNELS + "\n")
    assert report.finding is not None and report.finding.layer is None  # two layer calls: which one is not said
    one = frames.replace("self.pool(F.relu(self.conv2(x)))", "F.relu(self.conv2(x))")
    report = diagnose(one + CHANNELS + "\n")
    assert report.finding is not None and report.finding.layer == "self.conv2 (train.py, line 9)"
    view = run(["why", one + CHANNELS])
    assert "Layer: self.conv2 (train.py, line 9)" in " ".join(view.stdout.split())


def test_an_unreadable_model_file_is_said_and_the_diagnosis_stands(tmp_path: pytest.TempPathFactory) -> None:
    broken = tmp_path / "broken.py"  # type: ignore[operator]
    broken.write_text("import torch; (\n")
    result = run_process(["why", str(broken), "--json"], input=CHANNELS)
    assert result.returncode == 0
    report = json.loads(result.stdout)
    assert report["error_kind"] == "input_channels" and report["layer"] is None
    assert report["numbers"]["weight_shape"] == [100, 300, 4]
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(f"warning: {broken} was not read (line 1, column 15") and "not named" in warning
