"""What the real frameworks do with an empty batch and with inf or NaN weights over padding, and
the rule the engine takes: zero padding contributes nothing (its taps are skipped, never
multiplied), as in PyTorch's batched kernels; other padding modes hold input rows, which count."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np
import pytest

from conv1dexplain import conv1d
from conv1dexplain.engine import convolve

pytestmark = pytest.mark.oracle

EMPTY_LAYERS = {  # a layer for each path (as a batch of 2 takes it), and the path
    "im2col": dict(channels=3, filters=40, k=3, groups=1, d=1, pads=(1, 1), layout="keras"),
    "one product per tap": dict(channels=64, filters=8, k=3, groups=1, d=2, pads=(2, 2), layout="keras"),
    "tap-stacked products, input rows in place": dict(
        channels=64, filters=8, k=3, groups=1, d=1, pads=(1, 1), layout="keras"
    ),
    "depthwise einsum": dict(channels=6, filters=12, k=3, groups=6, d=1, pads=(1, 1), layout="keras"),
    "taps unfolded along L": dict(channels=3, filters=4, k=3, groups=1, d=1, pads=(1, 1), layout="pytorch"),
    "depthwise rows": dict(channels=6, filters=12, k=3, groups=6, d=1, pads=(1, 1), layout="pytorch"),
    "input taps only": dict(channels=4, filters=4, k=2, groups=1, d=1 << 19, pads=(1 << 18, 1 << 18), layout="keras"),
}


@pytest.mark.parametrize("path", list(EMPTY_LAYERS))
def test_an_empty_batch_gives_an_empty_output_on_every_path(path: str, torch: ModuleType) -> None:
    """PyTorch's conv1d on a (0, C, L) input gives (0, F, L_out); so does the engine, whichever
    path the layer takes with examples."""
    layer: dict[str, Any] = EMPTY_LAYERS[path]
    length = 200
    rng = np.random.default_rng(0)
    kernel = rng.standard_normal((layer["k"], layer["channels"] // layer["groups"], layer["filters"]))
    outputs = []
    for batch in (2, 0):
        x = rng.standard_normal((batch, length, layer["channels"]))
        out = None
        if layer["layout"] == "pytorch":  # (N, C, L) and (N, F, L_out), seen channels-last
            x = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)
            l_out = length + sum(layer["pads"]) - layer["d"] * (layer["k"] - 1)
            out = np.empty((batch, layer["filters"], l_out)).transpose(0, 2, 1)
        paths: list[str] = []
        outputs.append(
            convolve(
                x,
                kernel,
                dilation_rate=layer["d"],
                pad_left=layer["pads"][0],
                pad_right=layer["pads"][1],
                groups=layer["groups"],
                out=out,
                paths=paths,
            )
        )
        assert paths == ([path] if batch else [])
    weight = torch.from_numpy(np.ascontiguousarray(kernel.transpose(2, 1, 0)))
    empty = torch.zeros((0, layer["channels"], length), dtype=torch.float64)
    expected = torch.nn.functional.conv1d(
        empty, weight, padding=layer["pads"][0], dilation=layer["d"], groups=layer["groups"]
    )
    assert tuple(expected.shape) == (0, layer["filters"], outputs[0].shape[1])
    assert outputs[1].shape == (0, outputs[0].shape[1], layer["filters"])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("padding", ["valid", "same", "causal"])
def test_keras_and_conv1d_give_an_empty_batch_its_shape(data_format: str, padding: str, keras: ModuleType) -> None:
    layer = keras.layers.Conv1D(4, 3, padding=padding, data_format=data_format)
    shape = (0, 9, 3) if data_format == "channels_last" else (0, 3, 9)
    expected = tuple(layer(np.zeros(shape, np.float32)).shape)
    kernel = np.ones((3, 3, 4), np.float32)
    assert conv1d(np.zeros(shape, np.float32), kernel, padding=padding, data_format=data_format).shape == expected


def inf_weights(rng: np.random.Generator, filters: int, channels: int, k: int, value: float) -> np.ndarray:
    """A PyTorch weight (F, C, k) with an inf or NaN on the first tap of filter 0 and the last of filter 1."""
    weight = rng.standard_normal((filters, channels, k)).astype(np.float32)
    weight[0, 0, 0] = value
    weight[1, -1, -1] = -value
    return weight


@pytest.mark.parametrize("value", [np.inf, np.nan])
@pytest.mark.parametrize(("k", "padding"), [(2, 1), (3, 1), (3, 2), (5, 2), (3, "same"), (5, "same")])
@pytest.mark.parametrize(("batch", "channels", "length"), [(2, 1, 3), (3, 4, 7), (2, 16, 300)])
def test_zero_padding_contributes_nothing_as_in_pytorchs_batched_kernel(
    batch: int, channels: int, length: int, k: int, padding: int | str, value: float, torch: ModuleType
) -> None:
    """PyTorch, batch ≥ 2, symmetric zero padding: an inf or NaN weight over the padding leaves
    the positions it would multiply by zero finite; conv1d gives every number PyTorch gives."""
    rng = np.random.default_rng(k)
    x = rng.standard_normal((batch, channels, length)).astype(np.float32)
    weight = inf_weights(rng, 3, channels, k, value)
    expected = torch.nn.functional.conv1d(torch.from_numpy(x), torch.from_numpy(weight), padding=padding).numpy()
    assert np.isfinite(expected[:, 0, 0]).all()  # tap 0 of position 0 is over the padding: skipped
    assert np.isfinite(expected[:, 1, -1]).all()  # so is the last tap of the last position
    got = conv1d(x, weight, padding=padding, framework="pytorch")
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    keras_like = conv1d(
        x.transpose(0, 2, 1),
        weight.transpose(2, 1, 0),
        padding=(padding, padding) if isinstance(padding, int) else padding,
    )
    np.testing.assert_allclose(keras_like.transpose(0, 2, 1), expected, rtol=1e-5, atol=1e-5)


def test_keras_same_batched_skips_zero_padding_too(keras: ModuleType) -> None:
    """Keras' 'same' (symmetric here: k = 3, stride 1), batch 2: the same rule as PyTorch's batched kernel."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 20, 4)).astype(np.float32)
    kernel = inf_weights(rng, 3, 4, 3, np.inf).transpose(2, 1, 0).copy()
    layer = keras.layers.Conv1D(3, 3, padding="same", use_bias=False)
    layer.build(x.shape)
    layer.kernel.assign(kernel)
    expected = keras.ops.convert_to_numpy(layer(x))
    assert np.isfinite(expected[:, 0, 0]).all()
    np.testing.assert_allclose(conv1d(x, kernel, padding="same"), expected, rtol=1e-5, atol=1e-5)


def test_where_the_frameworks_multiply_the_zero_padding(torch: ModuleType, keras: ModuleType) -> None:
    """The rule is ours where the frameworks disagree with themselves: PyTorch with one example
    (its batch-1 path), or padding laid out first (an uneven 'same', Keras' 'causal') multiplies
    the zeros, and 0·inf is NaN there; conv1d gives the batched kernels' number everywhere."""
    x = np.ones((2, 1, 3), np.float32)
    weight = np.array([[[np.inf, 1.0]]], np.float32)
    functional = torch.nn.functional
    batched = functional.conv1d(torch.from_numpy(x), torch.from_numpy(weight), padding=1).numpy()
    single = functional.conv1d(torch.from_numpy(x[:1]), torch.from_numpy(weight), padding=1).numpy()
    np.testing.assert_array_equal(batched[0, 0], [1, np.inf, np.inf, np.inf])  # the numbers
    np.testing.assert_array_equal(single[0, 0], [np.nan, np.inf, np.inf, np.inf])
    for n in (1, 2):
        np.testing.assert_array_equal(conv1d(x[:n], weight, padding=1, framework="pytorch"), batched[:n])
    uneven = functional.conv1d(torch.from_numpy(x), torch.from_numpy(weight[..., ::-1].copy()), padding="same")
    assert np.isnan(uneven.numpy()[0, 0, -1])  # right padding only: laid out, multiplied
    assert conv1d(x, weight[..., ::-1].copy(), padding="same", framework="pytorch")[0, 0, -1] == 1
    layer = keras.layers.Conv1D(1, 2, padding="causal", use_bias=False)
    layer.build((2, 3, 1))
    layer.kernel.assign(weight.transpose(2, 1, 0))
    causal = keras.ops.convert_to_numpy(layer(x.transpose(0, 2, 1)))
    assert np.isnan(causal[0, 0, 0])
    assert conv1d(x.transpose(0, 2, 1), weight.transpose(2, 1, 0), padding="causal")[0, 0, 0] == 1


@pytest.mark.parametrize("padding_mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("batch", [1, 2])
def test_other_padding_modes_count_their_padding(padding_mode: str, batch: int, torch: ModuleType) -> None:
    """Reflect, replicate and circular padding hold input rows: an inf weight over them multiplies
    real numbers, as in PyTorch, one example or several."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((batch, 4, 9)).astype(np.float32)
    weight = inf_weights(rng, 3, 4, 3, np.inf)
    layer = torch.nn.Conv1d(4, 3, 3, padding=1, padding_mode=padding_mode, bias=False)
    layer.weight.data = torch.from_numpy(weight)
    expected = layer(torch.from_numpy(x)).detach().numpy()
    assert np.isinf(expected[:, 0, 0]).all()
    got = conv1d(x, weight, padding=1, padding_mode=padding_mode, framework="pytorch")
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
