"""conv1d() on the inputs the frameworks settle: empty batches, 2-D input, integer input, kernels
longer than the input, and arrays in the other framework's layout (each checked against the real
Keras / PyTorch first)."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from conv1dexplain import conv1d
from conv1dexplain.errors import DataError, SpecError

pytestmark = pytest.mark.oracle


def _keras(keras: ModuleType, x: np.ndarray, kernel: np.ndarray, **options: object) -> np.ndarray:
    layer = keras.layers.Conv1D(kernel.shape[2], kernel.shape[0], use_bias=False, **options)
    layer.build(x.shape)
    layer.set_weights([kernel])
    return keras.ops.convert_to_numpy(layer(x))  # type: ignore[no-any-return]


def _torch(torch: ModuleType, x: np.ndarray, weight: np.ndarray, **options: object) -> np.ndarray:
    with torch.no_grad():
        return torch.nn.functional.conv1d(torch.from_numpy(x), torch.from_numpy(weight), **options).numpy()  # type: ignore[no-any-return]


@pytest.mark.parametrize("activation", [None, "relu", "softmax", "glu"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_an_empty_batch_gives_an_empty_batch_as_in_keras(
    keras: ModuleType, activation: str | None, data_format: str
) -> None:
    dims = (10, 3) if data_format == "channels_last" else (3, 10)
    x, kernel = np.zeros((0, *dims), np.float32), np.ones((3, 3, 4), np.float32)
    real = _keras(keras, x, kernel, activation=activation, data_format=data_format, padding="same")
    mine = conv1d(x, kernel, activation=activation, data_format=data_format, padding="same")
    assert mine.shape == real.shape and mine.shape[0] == 0


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
def test_an_empty_batch_gives_an_empty_batch_as_in_pytorch(torch: ModuleType, padding_mode: str) -> None:
    x = np.zeros((0, 3, 10), np.float32)
    layer = torch.nn.Conv1d(3, 4, 3, padding=2, padding_mode=padding_mode, stride=2)
    with torch.no_grad():
        real = layer(torch.from_numpy(x)).numpy()
    weight, bias = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    mine = conv1d(x, weight, bias, framework="pytorch", padding=2, padding_mode=padding_mode, strides=2)
    assert mine.shape == real.shape == (0, 4, 6)


def test_keras_refuses_2d_input_and_pytorch_takes_it_unbatched(keras: ModuleType, torch: ModuleType) -> None:
    x = np.random.default_rng(0).standard_normal((32, 300)).astype(np.float32)
    with pytest.raises(ValueError, match="expected min_ndim=3, found ndim=2"):
        keras.layers.Conv1D(4, 3)(x)
    with pytest.raises(DataError) as refused:
        conv1d(x, np.ones((3, 300, 4), np.float32))
    assert "min_ndim=3" in refused.value.message
    assert "x[None]" in refused.value.hint and "(1, 32, 300)" in refused.value.hint  # one example of 32 positions
    assert "x[..., None]" in refused.value.hint and "(32, 300, 1)" in refused.value.hint  # 32 examples, 1 channel
    weight = np.random.default_rng(1).standard_normal((4, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(conv1d(x, weight, framework="pytorch"), _torch(torch, x, weight), rtol=2e-4, atol=2e-4)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
def test_integer_input_is_refused_as_both_frameworks_refuse_it(
    keras: ModuleType, torch: ModuleType, dtype: str
) -> None:
    x = np.ones((2, 10, 3), dtype)
    with pytest.raises((RuntimeError, NotImplementedError)):  # "expected scalar type Long but found Float"
        keras.layers.Conv1D(4, 3)(x)
    with pytest.raises((RuntimeError, NotImplementedError)):
        torch.nn.Conv1d(3, 4, 3)(torch.from_numpy(x.transpose(0, 2, 1).copy()))
    for framework, array, kernel in (
        ("keras", x, np.ones((3, 3, 4))),
        ("pytorch", x.transpose(0, 2, 1), np.ones((4, 3, 3))),
    ):
        with pytest.raises(DataError) as refused:
            conv1d(array, kernel, framework=framework)
        assert dtype in refused.value.message and "astype(np.float32)" in refused.value.hint


def test_integer_weights_are_cast_as_the_frameworks_cast_them(keras: ModuleType) -> None:
    x = np.random.default_rng(2).standard_normal((2, 10, 3)).astype(np.float32)
    kernel = np.arange(36).reshape(3, 3, 4) % 5 - 2
    np.testing.assert_allclose(conv1d(x, kernel), _keras(keras, x, kernel), rtol=2e-5, atol=2e-5)


def test_a_kernel_longer_than_the_input_is_the_frameworks_refusal(keras: ModuleType, torch: ModuleType) -> None:
    """(1, 4, 2) data, weight (1, 4, 3): k = 3 > L = 2. Its transpose (3, 4, 1) would fit, but that
    is no evidence of a layout mistake: both frameworks say the kernel is too long."""
    x, weight = np.ones((1, 4, 2), np.float32), np.ones((1, 4, 3), np.float32)
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        _torch(torch, x, weight)
    with pytest.raises(SpecError) as torch_words:
        conv1d(x, weight, framework="pytorch")
    assert "kernel size can't be greater" in torch_words.value.message
    assert "transpose" not in torch_words.value.message + torch_words.value.hint
    with pytest.raises(ValueError, match="zero or negative"):
        _keras(keras, x.transpose(0, 2, 1), weight.transpose(2, 1, 0))
    with pytest.raises(SpecError) as keras_words:
        conv1d(x.transpose(0, 2, 1), weight.transpose(2, 1, 0))
    assert "zero or negative" in keras_words.value.message and "transpose" not in keras_words.value.hint


def test_a_kernel_in_the_other_layout_is_named_by_its_filter_axis() -> None:
    """A bias (one value per filter) or groups show which axis holds the filters."""
    x = np.ones((1, 20, 3), np.float32)
    weight = np.ones((8, 3, 5), np.float32)  # PyTorch (F, C, k), given to Keras with its bias of 8
    with pytest.raises(DataError) as with_bias:
        conv1d(x, weight, np.zeros(8, np.float32))
    # a bias of 8 fits the transposed kernel, and a bias of 5 this one: either may be the mistake
    hint = with_bias.value.hint
    assert "bias of shape (5,)" in hint and "PyTorch weight" in hint and "transpose(2, 1, 0)" in hint
    depthwise = np.ones((6, 1, 3), np.float32)  # PyTorch (F=6, 1, k=3), groups=6: Keras reads F=3
    with pytest.raises(DataError) as grouped:
        conv1d(np.ones((1, 20, 6), np.float32), depthwise, groups=6)
    assert "PyTorch weight" in grouped.value.message
    assert conv1d(x, weight.transpose(2, 1, 0), np.zeros(8, np.float32)).shape == (1, 16, 8)


@pytest.mark.parametrize("batched", [True, False])
def test_pytorch_data_in_keras_layout_is_named_with_the_permute(torch: ModuleType, batched: bool) -> None:
    """(32, 50, 300) with weight (100, 300, 4): the data is (N, L, C); PyTorch itself only says
    'expected input[32, 50, 300] to have 300 channels, but got 50 channels'."""
    x = np.ones((2, 50, 300) if batched else (50, 300), np.float32)
    weight = np.ones((100, 300, 4), np.float32)
    with pytest.raises(RuntimeError, match="to have 300 channels, but got 50 channels"):
        _torch(torch, x, weight)
    with pytest.raises(DataError) as refused:
        conv1d(x, weight, framework="pytorch")
    permute = "x.permute(0, 2, 1)" if batched else "x.permute(1, 0)"
    assert "(N, L, C)" in refused.value.message and permute in refused.value.hint
    assert "x.transpose" in refused.value.hint
    fixed = conv1d(x.transpose(0, 2, 1) if batched else x.T, weight, framework="pytorch")
    assert fixed.shape == ((2, 100, 47) if batched else (100, 47))


def test_keras_data_in_pytorch_layout_is_named_with_the_transpose(keras: ModuleType) -> None:
    x = np.ones((2, 300, 50), np.float32)  # (N, C, L) given to Keras, kernel (4, 300, 100)
    kernel = np.ones((4, 300, 100), np.float32)
    with pytest.raises(ValueError):  # Keras: the kernel does not fit the input's 50 channels
        _keras(keras, x, kernel)
    with pytest.raises(DataError) as refused:
        conv1d(x, kernel)
    assert "(N, C, L)" in refused.value.message
    assert "x.transpose(0, 2, 1)" in refused.value.hint and "data_format='channels_first'" in refused.value.hint
    assert conv1d(x, kernel, data_format="channels_first").shape == (2, 100, 47)


def test_channels_that_fit_neither_layout_say_what_shape_would() -> None:
    with pytest.raises(DataError) as refused:
        conv1d(np.ones((1, 20, 5), np.float32), np.ones((3, 6, 8), np.float32))
    assert "(3, 5, 8)" in refused.value.hint and "transpose" not in refused.value.hint


def test_groups_that_do_not_divide_the_channels_are_no_layout_evidence(keras: ModuleType) -> None:
    """(3, 4, 2) read as PyTorch's would give 3 filters, divisible by groups=3: but 4 channels are
    not, in either layout, and that is what Keras refuses."""
    with pytest.raises(ValueError, match="divisible"):
        keras.layers.Conv1D(2, 3, groups=3)(np.ones((1, 12, 4), np.float32))
    with pytest.raises(SpecError) as refused:
        conv1d(np.ones((1, 12, 4), np.float32), np.ones((3, 4, 2), np.float32), groups=3)
    assert "divisible by groups=3" in refused.value.message and "transpose" not in refused.value.hint


def test_ragged_nested_lists_are_a_data_error_not_numpys() -> None:
    import numpy as np

    from conv1dexplain import DataError, conv1d

    with pytest.raises(DataError) as caught:
        conv1d([[[1.0, 2.0], [3.0]]], np.ones((3, 4, 5), np.float32))
    assert "different lengths" in str(caught.value) and "equal lengths" in caught.value.hint
