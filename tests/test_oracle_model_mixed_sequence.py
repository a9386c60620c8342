"""A layer that reads the model's sequence as its channels (nn.Embedding into nn.Conv1d without a
permute; a Permute before a Keras Conv1D) mixes every position: we say so, with no receptive
field, and the frameworks agree when one input position is changed."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from conv1dexplain.modeling import from_text

pytestmark = pytest.mark.oracle


def test_an_embedding_into_a_conv_without_permute_mixes_the_sequence(torch: ModuleType) -> None:
    report = from_text("nn.Embedding(100, 8), nn.Conv1d(50, 4, 3)", "50")
    conv = report.layers[1]
    assert report.error is None and conv.receptive_field is None and conv.reads is None
    assert any("x.permute(0, 2, 1)" in note for note in conv.notes)
    assert report.lengths_that_work == (50, 50)  # in_channels=50: the length must be 50
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Embedding(100, 8), torch.nn.Conv1d(50, 4, 3))
    tokens = torch.zeros(1, 50, dtype=torch.long)
    changed = tokens.clone()
    changed[0, 49] = 7  # the last token
    with torch.no_grad():
        assert not torch.equal(model(tokens)[..., 0], model(changed)[..., 0])  # output 0 reads it
    for length in (49, 51):
        with pytest.raises(RuntimeError):
            model(torch.zeros(1, length, dtype=torch.long))


def test_a_permute_before_a_keras_conv_mixes_the_sequence(keras: ModuleType) -> None:
    report = from_text("Permute((2, 1)), Conv1D(4, 3)", "20x8")
    conv = report.layers[1]
    assert report.error is None and conv.receptive_field is None and conv.reads is None
    assert any("Permute((2, 1))" in note for note in conv.notes)
    model = keras.Sequential([keras.Input((20, 8)), keras.layers.Permute((2, 1)), keras.layers.Conv1D(4, 3)])
    x = np.zeros((1, 20, 8), np.float32)
    changed = x.copy()
    changed[0, 19, :] = 1.0  # the last position
    out, out_changed = (keras.ops.convert_to_numpy(model(value)) for value in (x, changed))
    assert not np.allclose(out[0, 0], out_changed[0, 0])


def test_the_mixing_check_follows_the_axes_not_the_sizes() -> None:  # (it is not always on)
    report = from_text("nn.Embedding(100, 50), nn.Conv1d(50, 4, 3)", "50")
    assert report.error is None and report.layers[1].receptive_field is None  # still the missing permute
    permuted = from_text("Embedding(100, 8), Conv1D(4, 3)", "50")
    assert permuted.layers[1].receptive_field == 3 and not permuted.layers[1].notes


@pytest.mark.parametrize("layer", ["nn.Softmax(dim=-1)", "nn.LogSoftmax(-1)", "nn.Softmax(dim=1)"])
def test_a_pytorch_softmax_along_the_length_reads_every_position(torch: ModuleType, layer: str) -> None:
    report = from_text(f"nn.Conv1d(1, 2, 1), {layer}", "1x20")
    model = torch.nn.Sequential(torch.nn.Conv1d(1, 2, 1), eval(layer, {"nn": torch.nn}))  # (the test's literal)
    x = torch.rand(1, 1, 20)
    changed = x.clone()
    changed[0, 0, 19] += 1.0
    with torch.no_grad():
        reads_last = not torch.allclose(model(x)[0, :, 0], model(changed)[0, :, 0])
    assert (report.layers[1].receptive_field is None) == reads_last, layer


@pytest.mark.parametrize("layer", ["Softmax(axis=1)", "Softmax()", "Activation('softmax')"])
def test_a_keras_softmax_along_the_length_reads_every_position(keras: ModuleType, layer: str) -> None:
    report = from_text(f"Conv1D(2, 1), {layer}", "20x1")
    made = eval(f"keras.layers.{layer}", {"keras": keras})  # (the test's literal)
    model = keras.Sequential([keras.Input((20, 1)), keras.layers.Conv1D(2, 1), made])
    x = np.random.default_rng(0).random((1, 20, 1)).astype(np.float32)
    changed = x.copy()
    changed[0, 19, 0] += 1.0
    out, out_changed = (keras.ops.convert_to_numpy(model(value)) for value in (x, changed))
    assert (report.layers[1].receptive_field is None) == (not np.allclose(out[0, 0], out_changed[0, 0])), layer
