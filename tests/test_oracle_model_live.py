"""conv1dexplain.summary() on live models: a keras.Sequential and a torch.nn.Sequential read
through their configuration (no forward pass), against what the frameworks compute on zeros."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

import pytest

import conv1dexplain

pytestmark = pytest.mark.oracle


def test_a_live_keras_sequential_reads_as_keras_runs_it(keras: ModuleType) -> None:
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((50, 300)),
            layers.Conv1D(100, 4, padding="same", activation="relu", name="first"),
            layers.Dropout(0.2),
            layers.Conv1D(10, (3,), strides=2, dilation_rate=1, groups=2, use_bias=False),
            layers.PReLU(shared_axes=[1]),
        ]
    )
    report = conv1dexplain.summary(model)
    assert report.error is None
    x = keras.ops.zeros((2, 50, 300))
    for row, layer in zip(report.layers, model.layers, strict=True):
        x = layer(x)
        assert row.output_shape[1:] == tuple(x.shape)[1:], row.name
        assert row.params == layer.count_params(), row.name
    assert [row.name for row in report.layers][:1] == ["first"]
    assert report.total_params == model.count_params()


def test_a_live_torch_sequential_with_nesting_reads_as_torch_runs_it(torch: ModuleType) -> None:
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv1d(1, 8, 80, stride=16),
        nn.ReLU(),
        nn.Sequential(nn.Conv1d(8, 16, (3,), padding=1, bias=False, padding_mode="reflect"), nn.Dropout(0.1)),
        nn.PReLU(16),
    )
    report = conv1dexplain.summary(model, input_shape=(1, 16000))
    assert report.error is None
    assert [row.name for row in report.layers] == ["0", "1", "2.0", "2.1", "3"]
    leaves = [m for m in model.modules() if not isinstance(m, nn.Sequential)]
    x = torch.zeros(2, 1, 16000)
    with torch.no_grad():
        for row, module in zip(report.layers, leaves, strict=True):
            x = module(x)
            assert row.output_shape[1:] == tuple(x.shape)[1:], row.name
            assert row.params == sum(p.numel() for p in module.parameters()), row.name
    assert report.total_params == sum(p.numel() for p in model.parameters())


def test_a_live_torch_module_without_gradients_counts_as_non_trainable(torch: ModuleType) -> None:
    """requires_grad_(False) on a whole module, and on one weight of another: torchinfo's split of
    trainable and non-trainable parameters, read from each parameter's requires_grad."""
    nn = torch.nn
    model = nn.Sequential(nn.Conv1d(2, 8, 5), nn.BatchNorm1d(8), nn.Conv1d(8, 4, 3))
    model[0].requires_grad_(False)
    model[2].bias.requires_grad_(False)
    report = conv1dexplain.summary(model, input_shape=(2, 50))
    assert report.error is None
    for row, module in zip(report.layers, model, strict=True):
        assert row.trainable_params == sum(p.numel() for p in module.parameters() if p.requires_grad), row.name
        assert row.non_trainable_params == sum(p.numel() for p in module.parameters() if not p.requires_grad)
    assert report.trainable_params == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert report.non_trainable_params == 2 * 8 * 5 + 8 + 4


def test_summary_of_text_and_of_a_list_of_layers(torch: ModuleType) -> None:
    nn = torch.nn
    report = conv1dexplain.summary([nn.Conv1d(4, 6, 5), nn.GELU()], input_shape="4x30")
    assert report.output_shape == (None, 6, 26)
    text = conv1dexplain.summary("Conv1D(6, 5)", input_shape=(30, 4))
    assert text.output_shape == (None, 26, 6) and "Total params" in str(text)
    assert text.to_dict()["total_params"] == 5 * 4 * 6 + 6


def test_summary_never_imports_a_framework() -> None:
    probe = (
        "import sys, conv1dexplain\n"
        "conv1dexplain.summary('Conv1D(6, 5), Dropout(0.1)', input_shape=(30, 4))\n"
        "print(sorted(m for m in ('keras', 'torch', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


LIVE_CHAINS = 160  # per framework


def _same_rows(live: object, text: object, where: str) -> None:
    rows = [(r.output_shape, r.trainable_params, r.non_trainable_params) for r in text.layers]  # type: ignore[attr-defined]
    assert [(r.output_shape, r.trainable_params, r.non_trainable_params) for r in live.layers] == rows, where  # type: ignore[attr-defined]


def test_random_live_keras_models_read_as_their_code(keras: ModuleType) -> None:
    """Every layer kind, built live and read through get_config(), gives what its code gives (the
    code's reading is held to real Keras elsewhere): sizes come back as tuples of one, (3,)."""
    import random
    import warnings

    from model_chains import KERAS, State, draw_chain

    compared = 0
    for seed in range(LIVE_CHAINS):
        rng = random.Random(90_000 + seed)
        channels, length = rng.randint(1, 6), rng.choice([8, 40, 200])
        calls = draw_chain(KERAS, rng, State(channels=channels, length=length), rng.randint(1, 6))
        if calls[0].startswith("Embedding"):  # (token ids in: the input shape differs; tested above)
            continue
        shape = f"{length}x{channels}"
        text = conv1dexplain.summary(", ".join(calls), input_shape=shape, framework="keras")
        if text.error is not None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                model = keras.Sequential([keras.Input((length, channels))])
                for code in calls:
                    model.add(eval(code, dict(vars(keras.layers))))
            except Exception:  # (a layer Keras builds only in a functional model: its code is tested)
                continue
        _same_rows(conv1dexplain.summary(model), text, "\n".join(calls))
        compared += 1
    assert compared > 50


def test_random_live_torch_models_read_as_their_code(torch: ModuleType) -> None:
    """Every module kind, read through its attributes (sizes as tuples of one), gives what its code gives."""
    import random

    from model_chains import TORCH, State, draw_chain

    compared = 0
    for seed in range(LIVE_CHAINS):
        rng = random.Random(91_000 + seed)
        channels, length = rng.randint(1, 6), rng.choice([8, 40, 200])
        calls = draw_chain(TORCH, rng, State(channels=channels, length=length), rng.randint(1, 6))
        if calls[0].startswith("nn.Embedding"):
            continue
        shape = f"{channels}x{length}"
        text = conv1dexplain.summary(", ".join(calls), input_shape=shape, framework="pytorch")
        if text.error is not None:
            continue
        try:
            model = torch.nn.Sequential(*(eval(code, {"nn": torch.nn}) for code in calls))
        except Exception:
            continue
        _same_rows(conv1dexplain.summary(model, input_shape=(channels, length)), text, "\n".join(calls))
        compared += 1
    assert compared > 50
