"""`conv1dexplain model` on the command line: the JSON contract, the exit codes, the sources
(layer calls, a file, stdin), and what a broken chain prints. Expected numbers are worked out here
from the layers' definitions (DESIGN.md), not copied from the program."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import run

CLASSIC = "Embedding(5000, 300), Dropout(0.2), Conv1D(filters=100, kernel_size=4, padding='same', activation='relu')"
LAYER_KEYS = {
    "index", "name", "type", "output_shape", "params", "trainable_params", "non_trainable_params", "macs",
    "window", "padding", "receptive_field", "jump", "reads", "inputs", "notes",
}  # fmt: skip
MODEL_KEYS = {
    "type", "schema_version", "framework", "input_shape", "input_from", "layers", "output_shape", "total_params",
    "trainable_params", "non_trainable_params", "params_bytes", "macs", "flops", "receptive_field",
    "min_input_length", "input_lengths_that_work", "notes", "error",
}  # fmt: skip


def model_json(*args: str) -> tuple[int, dict[str, object]]:
    result = run(["model", *args, "--json"])
    assert result.stdout.count("\n") == 1, result.stderr
    return result.code, json.loads(result.stdout)


def test_the_conv_layer_of_the_classic_question() -> None:
    code, out = model_json("Conv1D(filters=100, kernel_size=4, padding='same', activation='relu')", "--input", "50x300")
    assert code == 0 and set(out) == MODEL_KEYS and out["type"] == "model" and out["schema_version"] == 1
    (layer,) = out["layers"]  # type: ignore[misc]
    assert set(layer) == LAYER_KEYS
    assert layer["output_shape"] == [None, 50, 100]
    assert layer["params"] == 4 * 300 * 100 + 100 == 120_100
    assert layer["macs"] == 50 * 100 * 4 * 300
    # same with k=4 pads 3: 1 left, 2 right (the odd one right): output 0 reads rows −1…2
    assert layer["padding"] == {"left": 1, "right": 2} and layer["reads"] == [-1, 2]
    assert layer["receptive_field"] == 4 and layer["jump"] == 1 and layer["inputs"] == []
    assert out["input_shape"] == [None, 50, 300] and out["output_shape"] == [None, 50, 100]
    assert out["error"] is None and out["framework"] == "keras"


def test_a_dilated_strided_chain_counts_its_receptive_field() -> None:
    # spans 3 and 2·(3−1)+1 = 5; r = 1 + (3−1)·1 + (5−1)·2 = 11; jump 2·1 = 2
    code, out = model_json("Conv1D(8, 3, strides=2), Conv1D(8, 3, dilation_rate=2)", "--input", "40x3")
    assert code == 0
    first, second = out["layers"]  # type: ignore[misc]
    assert (first["receptive_field"], first["jump"]) == (3, 2)
    assert (second["receptive_field"], second["jump"]) == (11, 2)
    assert first["output_shape"] == [None, 19, 8] and second["output_shape"] == [None, 15, 8]
    assert out["receptive_field"] == 11
    # the shortest length: the second needs 5 inputs, so the first must give 5: 2·(5−1)+3 = 11
    assert out["min_input_length"] == 11


def test_pytorch_conv_after_embedding_without_permute_fails_with_its_message() -> None:
    code, out = model_json("nn.Embedding(5000, 300), nn.Conv1d(300, 100, 4)", "--input", "50")
    assert code == 2
    error = out["error"]
    assert isinstance(error, dict) and error["layer"] == 1
    assert "expected input[N, 50, 300] to have 300 channels, but got 50 channels instead" in error["framework_message"]
    assert "permute" in error["hint"]
    assert len(out["layers"]) == 1  # type: ignore[arg-type]  # the layers up to the failing one


def test_a_layer_we_do_not_read_is_unsupported_not_a_refusal() -> None:
    code, out = model_json("Conv1D(8, 3), ConvLSTM1D(4, 3), Dense(2)", "--input", "50x3")
    error = out["error"]
    assert code == 2 and isinstance(error, dict) and error["layer"] == 1 and error["type"] == "ConvLSTM1D"
    assert error["unsupported"] is True and error["framework_message"] is None  # Keras has no message: it may run it
    assert "Conv1D" in error["hint"] and len(out["layers"]) == 1  # type: ignore[arg-type]
    table = run(["model", "Conv1D(8, 3), ConvLSTM1D(4, 3), Dense(2)", "--input", "50x3", "--no-color"])
    assert "unsupported" in table.stdout and "fails" not in table.stdout
    assert "ConvLSTM1D (layer 1) is not read: line 1, column 15: ConvLSTM1D is not a layer" in table.stdout
    _, refused = model_json("Conv1D(8, 5), Conv1D(8, 5)", "--input", "6x2")
    assert refused["error"]["unsupported"] is False  # type: ignore[index]  # Keras refuses this one itself


def test_a_length_that_shrinks_to_nothing_says_the_shortest_input() -> None:
    code, out = model_json("Conv1D(8, 5), Conv1D(8, 5), Conv1D(8, 5)", "--input", "10x2")
    assert code == 2
    assert out["error"]["layer"] == 2  # type: ignore[index]  # 10 → 6 → 2, then a window of 5
    assert out["min_input_length"] == 13  # 13 → 9 → 5 → 1


def test_keras_2d_input_into_conv1d_is_refused_as_keras_does() -> None:
    code, out = model_json("Conv1D(8, 3)", "--input", "500")
    assert code == 2
    assert "expected min_ndim=3, found ndim=2" in out["error"]["framework_message"]  # type: ignore[index]


def test_a_file_and_stdin_and_framework_override(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("import torch.nn as nn\nmodel = nn.Sequential(\n    nn.Conv1d(1, 4, 3),\n    nn.ReLU(),\n)\n")
    code, out = model_json(str(path), "--input", "1x20")
    assert code == 0 and out["framework"] == "pytorch" and out["output_shape"] == [None, 4, 18]
    assert [layer["name"] for layer in out["layers"]] == ["0", "1"]  # type: ignore[index, union-attr]
    process = subprocess.run(
        [sys.executable, "-m", "conv1dexplain", "model", "-", "--input", "20x1", "--json", "--framework", "keras"],
        input="Conv1D(4, 3)\nReLU()\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["output_shape"] == [None, 18, 4]


def test_an_input_from_the_code_and_no_input_at_all() -> None:
    code, out = model_json("Input(shape=(None, 7)), Conv1D(2, 3)")
    assert code == 0 and out["input_shape"] == [None, None, 7] and out["output_shape"] == [None, None, 2]
    result = run(["model", "Conv1D(2, 3)"])
    assert result.code == 2 and "--input" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("no_such_file.py", "neither a file nor layer calls"),
        ("Conv1D(8, 3", "not Python"),
        ("class Net(nn.Module):\n    def forward(self, x): return x", "forward()"),
    ],
)
def test_bad_sources_give_one_error_line_and_a_hint(source: str, words: str) -> None:
    result = run(["model", source, "--input", "10x2"])
    assert result.code in (1, 2) and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error:") and words in lines[0] and lines[1].startswith("hint:")


def test_the_human_view_shows_the_rows_and_totals_as_keras_prints_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")  # each row on one line
    result = run(["model", CLASSIC, "--input", "50"])
    assert result.code == 0 and result.stderr == ""
    text = " ".join(result.stdout.split())
    # 5000·300 = 1,500,000 and 4·300·100 + 100 = 120,100; 1,620,100 float32 = 6,480,400 B = 6.18 MB
    assert "(None, 50, 300) │ 1,500,000" in text
    assert "(None, 50, 100)" in text and "120,100" in text and "k4 s1 p1+2" in text
    assert "Total params 1,620,100 6.18 MB" in text and "Non-trainable params 0 0.00 B" in text


# ---- what the adversarial pass found: each read as a user writes it, numbers worked out by hand ----


def test_a_loop_over_range_len_with_subscripts_builds_every_layer(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(
        "import torch.nn as nn\nchans = [4, 8, 16]\nlayers = []\nfor i in range(len(chans) - 1):\n"
        "    layers.append(nn.Conv1d(chans[i], chans[i + 1], 3))\nmodel = nn.Sequential(*layers)\n"
    )
    code, out = model_json(str(path), "--input", "4x64")
    # 4·3·8 + 8 = 104 and 8·3·16 + 16 = 400; 64 → 62 → 60
    assert code == 0 and out["total_params"] == 504 and out["output_shape"] == [None, 16, 60]


@pytest.mark.parametrize(
    "text",
    [
        "layers = []\nfor size in sizes_from_somewhere():\n    layers.append(Conv1D(size, 3))\nSequential(layers)",
        "layers = []\nn = 0\nwhile n < 3:\n    layers.append(Conv1D(8, 3))\n    n += 1\nSequential(layers)",
    ],
    ids=["unreadable-for", "while"],
)
def test_a_loop_that_builds_layers_and_cannot_be_read_is_refused_not_dropped(text: str) -> None:
    result = run(["model", text, "--input", "20x2"])
    assert result.code == 2 and "loop" in result.stderr.splitlines()[0] and result.stdout == ""


def test_the_body_of_if_main_is_read() -> None:
    code, out = model_json('if __name__ == "__main__":\n    model = Sequential([Conv1D(4, 3)])', "--input", "10x2")
    assert code == 0 and out["output_shape"] == [None, 8, 4]


def test_a_layer_object_used_twice_has_one_set_of_weights() -> None:
    keras_code = "inp = Input((20, 4))\nconv = Conv1D(4, 3, padding='same')\nx = conv(inp)\nx = conv(x)\nModel(inp, x)"
    code, out = model_json(keras_code)
    assert code == 0 and out["total_params"] == 3 * 4 * 4 + 4  # 52, once
    assert [layer["name"] for layer in out["layers"]] == ["conv1d", "conv1d"]  # type: ignore[index, union-attr]
    code, out = model_json("c = nn.Conv1d(4, 4, 3, padding=1)\nnn.Sequential(c, nn.ReLU(), c)", "--input", "4x20")
    assert code == 0 and out["total_params"] == 52


def test_keras_trainable_false_makes_the_weights_non_trainable() -> None:
    code, out = model_json("Conv1D(8, 5, trainable=False), BatchNormalization(trainable=False)", "--input", "50x3")
    # 5·3·8 + 8 = 128 and BatchNormalization's 4·8 = 32: all frozen
    assert code == 0 and (out["trainable_params"], out["non_trainable_params"]) == (0, 160)


def test_keras_aliases_are_their_classes_with_their_auto_names() -> None:
    code, out = model_json("Convolution1D(32, 3), MaxPool1D(2), GlobalAvgPool1D()", "--input", "100x1")
    assert code == 0
    names = [layer["name"] for layer in out["layers"]]  # type: ignore[index, union-attr]
    assert names == ["conv1d", "max_pooling1d", "global_average_pooling1d"]
    assert out["total_params"] == 3 * 1 * 32 + 32


def test_counts_given_as_tuples_are_refused_as_the_frameworks_refuse_them() -> None:
    code, out = model_json("Dense((3,))", "--input", "10x2")
    assert code == 2 and out["error"]["layer"] == 0 and "tuple" not in out["error"]["hint"]  # type: ignore[index]
    code, out = model_json("Conv1D(4, (3,))", "--input", "10x2")  # a window size may be a tuple of one
    assert code == 0 and out["output_shape"] == [None, 8, 4]


def test_after_nearest_upsampling_output_0_reads_what_it_reads() -> None:
    # ×2 nearest: positions 0 and 1 both copy input 0; a k2 window over them reads input 0 alone
    code, out = model_json("nn.Upsample(scale_factor=2), nn.Conv1d(2, 2, 2)", "--input", "2x20")
    assert code == 0 and out["layers"][1]["reads"] == [0, 0]  # type: ignore[index]


def test_a_merge_lists_every_input_in_the_shape_changes() -> None:
    from conv1dexplain.modeling import from_text

    code = (
        "import keras\nfrom keras import layers\ninp = keras.Input((50, 8))\n"
        "a = layers.Conv1D(64, 3, padding='same')(inp)\nb = layers.Conv1D(32, 5, padding='same')(inp)\n"
        "c = layers.Concatenate()([a, b, a])\nmodel = keras.Model(inp, c)\n"
    )
    changes = from_text(code).shape_changes()
    assert "concatenate (Concatenate): (None, 50, 64) + (None, 50, 32) + (None, 50, 64) → (None, 50, 160)" in changes


@pytest.mark.parametrize("inner", ["MaxPooling1D(2)", "LSTM(4)", "UpSampling1D(2)", "Conv1DTranspose(3, 3)"])
def test_time_distributed_on_a_sequence_is_not_given_a_made_up_keras_message(inner: str) -> None:
    """Keras refuses these at build, at call, or runs them (GlobalAveragePooling1D): we do not
    quote it; the fix (the layer without TimeDistributed) reads the same input."""
    from conv1dexplain.modeling import from_text

    report = from_text(f"TimeDistributed({inner})", "20x4", "keras")
    assert report.error is not None and report.error.framework_message is None
    assert "drop TimeDistributed" in report.error.hint
    assert from_text(inner, "20x4", "keras").error is None


def test_identity_takes_any_arguments_and_flatten_0_says_the_batch_decides() -> None:
    code, out = model_json("nn.Identity(54, foo=3), nn.Conv1d(3, 2, 3)", "--input", "3x20")
    assert code == 0 and out["output_shape"] == [None, 2, 18]  # (torch.nn.Identity(*args, **kwargs))
    code, out = model_json("nn.Conv1d(3, 8, 5), nn.Flatten(0), nn.Linear(8, 2)", "--input", "3x20")
    notes = out["layers"][1]["notes"]  # type: ignore[index]
    assert notes == ["start_dim=0 flattens the batch in: a batch of N gives N·128 values on one axis"]


def test_keras_refusals_of_names_and_inputs_the_reader_catches() -> None:
    code, out = model_json("Conv1D(4, 3, name='a'), Conv1D(4, 3, name='a')", "--input", "50x3")
    error = out["error"]
    assert code == 2 and isinstance(error, dict) and error["layer"] == 1
    assert error["framework_message"].startswith("ValueError: All layers added to a Sequential model should have")
    code, out = model_json("InputLayer(input_shape=(50, 3)), Conv1D(4, 3)")
    assert code == 0 and out["input_shape"] == [None, 50, 3]
    result = run(["model", "Input(shape=(50, 3)), Conv1D(4, 3), Input(shape=(20, 3))"])
    assert result.code == 2 and "a second Input in the Sequential: Keras refuses it" in result.stderr
