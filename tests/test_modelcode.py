"""Reading a model's code (parsed with ast, never run): every form users write, names bound to
literals, and hostile files that give one line and run nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from conv1dexplain.layers.node import Opaque
from conv1dexplain.modelcode import MAX_BYTES, ModelCodeError, read_model


def names(text: str) -> list[str]:
    return [call.name for call in read_model(text).calls]


def test_a_bare_list_of_layer_calls_keeps_arguments_as_written() -> None:
    source = read_model("Embedding(5000, 300), Dropout(0.2), Conv1D(filters=100, kernel_size=4, padding='same')")
    assert [call.name for call in source.calls] == ["Embedding", "Dropout", "Conv1D"]
    assert source.calls[0].args == (5000, 300)
    assert dict(source.calls[2].kwargs) == {"filters": 100, "kernel_size": 4, "padding": "same"}
    assert source.framework == "keras" and source.input is None
    assert (source.calls[2].line, source.calls[2].column) == (1, 37)


@pytest.mark.parametrize("prefix", ["", "keras.", "tf.keras.", "keras.models.", "tf.keras.models.", "models."])
def test_sequential_with_every_prefix(prefix: str) -> None:
    layer = "" if not prefix else prefix.replace("models.", "") + "layers."
    text = f"model = {prefix}Sequential([{layer}Conv1D(8, 3), {layer}GlobalMaxPooling1D()])"
    assert names(text) == ["Conv1D", "GlobalMaxPooling1D"]


FILE = '''"""A text CNN, as a tutorial writes it."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

max_features = 5000  # vocabulary
maxlen = 400
embedding_dims = 50
filters, kernel_size = 250, 3
hidden_dims = 2 * 125

model = keras.Sequential()
model.add(layers.Embedding(max_features,
                           embedding_dims,
                           input_length=maxlen))
model.add(layers.Dropout(0.2))
model.add(layers.Conv1D(filters, kernel_size, padding="valid", activation="relu", strides=1,
                        kernel_regularizer=keras.regularizers.l2(1e-4)))
model.add(layers.GlobalMaxPooling1D())
model.add(layers.Dense(hidden_dims)); model.add(layers.Activation("relu"))
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()
model.fit(np.zeros((4, maxlen)), np.zeros(4), batch_size=32, epochs=2)
'''


def test_a_file_with_imports_constants_continuations_and_training_code() -> None:
    source = read_model(FILE)
    assert [call.name for call in source.calls] == [
        "Embedding",
        "Dropout",
        "Conv1D",
        "GlobalMaxPooling1D",
        "Dense",
        "Activation",
    ]
    assert source.calls[0].args == (5000, 50)
    assert source.calls[2].args == (250, 3)
    assert source.calls[4].args == (250,)
    assert isinstance(source.calls[2].kwargs["kernel_regularizer"], Opaque)  # kept, never evaluated
    assert source.input is not None and source.input.dims == (400,) and source.input.origin == "input_length="
    assert any("deprecated" in note for note in source.notes)


def test_nn_sequential_with_an_ordered_dict_and_nesting_gives_pytorchs_paths() -> None:
    text = """
import torch.nn as nn
from collections import OrderedDict
block = nn.Sequential(nn.Conv1d(16, 32, 3), nn.ReLU())
model = nn.Sequential(OrderedDict([
    ("stem", nn.Conv1d(1, 16, kernel_size=80, stride=4)),
    ("blk", block),
    ("pool", nn.AdaptiveAvgPool1d(1)),
]))
"""
    source = read_model(text)
    assert [(call.name, call.path) for call in source.calls] == [
        ("Conv1d", "stem"),
        ("Conv1d", "blk.0"),
        ("ReLU", "blk.1"),
        ("AdaptiveAvgPool1d", "pool"),
    ]
    assert source.framework == "pytorch"


def test_nn_sequential_positional_gives_indices_and_nested_indices() -> None:
    text = "nn.Sequential(nn.Conv1d(1, 4, 3), nn.Sequential(nn.Conv1d(4, 4, 3), nn.ReLU()), nn.Flatten())"
    assert [call.path for call in read_model(text).calls] == ["0", "1.0", "1.1", "2"]


def test_list_built_in_a_loop_and_unpacked_into_sequential() -> None:
    text = """
layers = [nn.Conv1d(1, 8, 5)]
for i in range(3):
    layers.append(nn.Conv1d(8, 8, 3, padding=1))
    layers += [nn.ReLU()]
model = nn.Sequential(*layers, nn.Flatten())
"""
    assert names(text) == ["Conv1d"] + ["Conv1d", "ReLU"] * 3 + ["Flatten"]


def test_the_functional_api_kim_cnn_with_branches_and_concatenate() -> None:
    text = """
from keras import layers, Input, Model
inputs = Input(shape=(56,), dtype="int32")
x = layers.Embedding(20000, 128)(inputs)
branches = []
for size in (3, 4, 5):
    b = layers.Conv1D(100, size, activation="relu")(x)
    b = layers.GlobalMaxPooling1D()(b)
    branches.append(b)
x = layers.Concatenate()(branches)
unused = layers.Dense(7)(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = Model(inputs=inputs, outputs=outputs)
"""
    source = read_model(text)
    calls = source.calls
    assert [call.name for call in calls] == ["Embedding"] + ["Conv1D", "GlobalMaxPooling1D"] * 3 + [
        "Concatenate",
        "Dense",
    ]  # the unused Dense is not an ancestor of the outputs
    assert [call.args for call in calls if call.name == "Conv1D"] == [(100, 3), (100, 4), (100, 5)]
    assert calls[0].inputs == (-1,)
    assert calls[7].inputs == (2, 4, 6)
    assert calls[8].inputs == (7,)
    assert source.input is not None and source.input.dims == (56,)


def test_a_residual_block_with_add() -> None:
    text = """
x = keras.Input((100, 16))
y = layers.Conv1D(16, 3, padding="same")(x)
y = layers.ReLU()(y)
y = layers.Conv1D(16, 3, padding="same")(y)
out = layers.Add()([x, y])
model = keras.Model(x, out)
"""
    calls = read_model(text).calls
    assert [call.name for call in calls] == ["Conv1D", "ReLU", "Conv1D", "Add"]
    assert calls[3].inputs == (-1, 2)


def test_a_builder_function_uses_its_defaults() -> None:
    text = """
def build(length=128, width=32):
    model = keras.Sequential([keras.Input(shape=(length, 1))])
    model.add(layers.Conv1D(width, 7))
    return model
model = build()
"""
    source = read_model(text)
    assert [call.args for call in source.calls] == [(32, 7)]
    assert source.input is not None and source.input.dims == (128, 1)


def test_a_builder_called_in_a_sequential_gives_each_call_its_own_layers() -> None:
    text = """
def block(width=8):
    return nn.Sequential(nn.Conv1d(width, width, 3), nn.ReLU())
model = nn.Sequential(block(), block())
"""
    from conv1dexplain.modeling import from_text

    report = from_text(text, "8x50")
    assert [row.name for row in report.layers] == ["0.0", "0.1", "1.0", "1.1"]  # nn.Sequential's own paths
    assert report.total_params == 2 * (8 * 8 * 3 + 8)  # two blocks, two sets of weights (not one shared)
    assert report.output_shape == (None, 8, 46)


def test_a_builder_that_calls_itself_is_refused_in_one_line() -> None:
    with pytest.raises(ModelCodeError) as caught:
        read_model("def block():\n    return nn.Sequential(block())\nmodel = block()\n")
    assert "nests more than" in str(caught.value) or "too deeply" in str(caught.value)


def test_a_loop_the_reader_cannot_count_gets_a_hint_it_can_follow() -> None:
    text = "def block(n):\n    layers = []\n    for i in range(n):\n        layers.append(nn.Conv1d(8, 8, 3))\n"
    with pytest.raises(ModelCodeError) as caught:
        read_model(text + "    return nn.Sequential(*layers)\nmodel = block()\n")
    assert "range(n)" in str(caught.value) and caught.value.hint.startswith("bind n to a number")
    fixed = read_model(text.replace("block(n)", "block(n=2)") + "    return nn.Sequential(*layers)\nmodel = block()\n")
    assert [call.name for call in fixed.calls] == ["Conv1d", "Conv1d"]  # (what the hint says works)
    with pytest.raises(ModelCodeError) as caught:
        read_model("layers = []\ni = 0\nwhile i < 2:\n    layers.append(nn.Conv1d(8, 8, 3))\n    i += 1\n")
    assert "range(" in caught.value.hint and "range(n)" not in caught.value.hint


def test_an_if_reads_the_branch_its_literal_test_takes() -> None:
    text = "layers = [nn.Conv1d(3, 8, 3)]\nif {test}:\n    layers.append(nn.Conv1d(8, 8, 9))\nelse:\n"
    text += "    layers.append(nn.MaxPool1d(2))\nmodel = nn.Sequential(*layers)\n"
    taken = {"False": "MaxPool1d", "True": "Conv1d", "pool": "Conv1d", "not pool": "MaxPool1d"}
    taken |= {"k > 2 and pool": "Conv1d", "k in (1, 2) or not pool": "MaxPool1d"}
    for test, second in taken.items():
        calls = read_model("pool = 1\nk = 3\n" + text.format(test=test)).calls
        assert [call.name for call in calls] == ["Conv1d", second], test
    with pytest.raises(ModelCodeError) as caught:
        read_model("import sys\n" + text.format(test="len(sys.argv) > 1"))
    assert "which branch builds the layers is known only by running it" in str(caught.value)
    main = read_model('if __name__ == "__main__":\n    model = nn.Sequential(nn.Conv1d(1, 2, 3))\n').calls
    assert [call.name for call in main] == ["Conv1d"]
    loop = "m = keras.Sequential([keras.Input((128, 2))])\nfor i in range(3):\n    m.add(layers.Conv1D(8, 3))\n"
    loop += "    if i % 2 == 0:\n        m.add(layers.MaxPooling1D(2))\n"
    assert [call.name for call in read_model(loop).calls].count("MaxPooling1D") == 2  # i = 0 and 2


CHANGES = [
    "model.extend([nn.Linear(384, 5)])",
    "model[0] = nn.Conv1d(3, 8, 5)",
    "model.insert(1, nn.ReLU())",
    "model.pop(1)",
    "del model[1]",
    "model += [nn.ReLU()]",
    "model[1].stride = 2",
    "model = model[:1]",
    "model[0].weight.requires_grad = False",
    "for p in model.parameters():\n    p.requires_grad = False",
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_model_changed_after_it_is_built_is_refused_not_misread(change: str) -> None:
    text = "model = nn.Sequential(nn.Conv1d(3, 8, 3), nn.Conv1d(8, 8, 1), nn.Flatten())\n"
    with pytest.raises(ModelCodeError) as caught:
        read_model(text + change + "\n")
    assert "line 2" in str(caught.value), str(caught.value)
    assert [call.name for call in read_model(text + "model.eval()\nmodel.to('cpu')\n").calls] == [
        "Conv1d",
        "Conv1d",
        "Flatten",
    ]
    keras = "model = keras.Sequential([keras.Input((50, 3)), layers.Conv1D(4, 3)])\n"
    for change in ("model.pop()", "model.layers[0].trainable = False", "model.trainable = False"):
        with pytest.raises(ModelCodeError):
            read_model(keras + change + "\n")


def test_import_aliases_name_the_real_layers() -> None:
    swapped = "from keras.layers import Conv1D as Dense, Dense as Conv1D\n"
    swapped += "model = keras.Sequential([Dense(8, 3), Conv1D(2)])\n"
    assert [call.name for call in read_model(swapped).calls] == ["Conv1D", "Dense"]
    torch = read_model("from torch.nn import Conv1d as Conv1D\nimport torch.nn as tnn\nConv1D(3, 8, 3), tnn.ReLU()\n")
    assert [call.name for call in torch.calls] == ["Conv1d", "ReLU"] and torch.framework == "pytorch"
    short = read_model("from keras.layers import Conv1D as C1\nfrom keras import layers as kl\nC1(8, 3), kl.ReLU()\n")
    assert [call.name for call in short.calls] == ["Conv1D", "ReLU"] and short.framework == "keras"


def test_arithmetic_on_names_and_tuples() -> None:
    text = "n = 4\nk = (3,)\nConv1D(n * 8 + 1, k, strides=n // 2, dilation_rate=-(-n))"
    call = read_model(text).calls[0]
    assert call.args == (33, (3,))
    assert dict(call.kwargs) == {"strides": 2, "dilation_rate": 4}


def test_an_nn_module_subclass_is_refused_with_a_hint() -> None:
    text = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 8, 3)
    def forward(self, x):
        return self.conv(x).relu()
"""
    with pytest.raises(ModelCodeError) as caught:
        read_model(text)
    assert "forward()" in str(caught.value) and "line 2" in str(caught.value)
    assert "nn.Sequential" in caught.value.hint


def test_a_name_bound_to_nothing_readable_is_kept_opaque_and_named() -> None:
    call = read_model("units = int(input())\nDense(units)").calls[0]
    assert isinstance(call.args[0], Opaque) and call.args[0].text == "int(input())"


def test_syntax_errors_name_the_line() -> None:
    with pytest.raises(ModelCodeError) as caught:
        read_model("Conv1D(8, 3),\nDense(4")
    assert "line" in str(caught.value) and "not Python" in str(caught.value)


def test_text_with_no_model_says_so() -> None:
    with pytest.raises(ModelCodeError) as caught:
        read_model("x = 1\nprint(x)")
    assert "layer" in str(caught.value) and caught.value.hint


SIDE_EFFECTS = """
import os, socket
open({path!r}, "w").write("ran")
os.system("touch {path}.sh")
socket.create_connection(("127.0.0.1", 9))
__import__("os").remove({path!r})
exec("open({path!r}, 'w')")
model = keras.Sequential([layers.Conv1D(8, 3)])
eval("print('ran')")
"""


def test_code_with_side_effects_is_read_and_nothing_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = read_model(SIDE_EFFECTS.format(path=str(marker)))
    assert [call.name for call in source.calls] == ["Conv1D"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "text",
    [
        "x" * (MAX_BYTES + 1),
        "Conv1D(8, 3)\x00\x01\x02",
        "[" * 200_000 + "]" * 200_000,
        "Sequential([" * 300 + "Dense(1)" + "])" * 300,
        "x = " + " + ".join(["1"] * 100_000),
        "for i in range(10**9):\n    layers.append(Dense(1))\nSequential(layers)",
        "n = 10**10**10\nDense(n)",
    ],
    ids=["huge", "binary", "deep-brackets", "deep-sequential", "long-sum", "long-loop", "huge-power"],
)
def test_hostile_text_gives_one_line(text: str) -> None:
    with pytest.raises(ModelCodeError) as caught:
        read_model(text)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message and caught.value.hint


def test_a_huge_repeated_string_is_not_built() -> None:
    call = read_model("s = 'a' * 10**12\nDense(4, name=s)").calls[0]
    assert isinstance(call.kwargs["name"], Opaque)
