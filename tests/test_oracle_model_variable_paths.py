"""Refusals in the frameworks' own words where the length is not simply the model's: Keras'
messages that name a variable's path ('sequential/dense/kernel' in a Sequential, 'dense/kernel' in
a functional model), a model no input length gets through (PyTorch refuses every length), and a
convolution whose input length the layers before it fix (the model's input has no length axis)."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from conv1dexplain.modeling import from_text

pytestmark = pytest.mark.oracle

# Layers Keras cannot build on an input whose last axis is unknown (its variables need a size).
UNKNOWN_LAST = [
    ("Conv1D(4, 3)", "Flatten()", "Dense(2)"),
    ("Conv1D(4, 3)", "Flatten()", "LayerNormalization()"),
    ("Permute((2, 1))", "LSTM(3)"),
    ("Permute((2, 1))", "SeparableConv1D(4, 3)"),
    ("Permute((2, 1))", "Conv1DTranspose(4, 3)"),
    ("Conv1D(4, 3)", "Permute((2, 1))", "Conv1D(2, 3)"),  # (a TypeError: the channels' count is None)
]


def _keras_message(keras: ModuleType, build: object) -> str:
    keras.backend.clear_session()  # (names as in a fresh session: sequential, dense, …)
    with pytest.raises((ValueError, TypeError)) as refused:
        build()  # type: ignore[operator]
    return f"{type(refused.value).__name__}: {refused.value}"


@pytest.mark.parametrize("layers", UNKNOWN_LAST)
def test_a_sequential_and_a_functional_model_name_the_variable_as_keras_does(
    keras: ModuleType, layers: tuple[str, ...]
) -> None:
    def made() -> list[object]:  # (made after the session is cleared: their names are a fresh session's)
        return [eval(f"keras.layers.{layer}", {"keras": keras}) for layer in layers]  # (the test's own literals)

    sequential = _keras_message(keras, lambda: keras.Sequential([keras.Input((None, 1)), *made()]))
    report = from_text(f"Input(shape=(None, 1)), {', '.join(layers)}")
    assert report.error is not None and report.error.framework_message == sequential

    def functional() -> None:
        x = keras.Input((None, 1))
        y = x
        for layer in layers:
            y = eval(f"keras.layers.{layer}", {"keras": keras})(y)
        keras.Model(x, y)

    expected = _keras_message(keras, functional)
    code = "x = Input(shape=(None, 1))\ny = x\n" + "".join(f"y = {layer}(y)\n" for layer in layers)
    report = from_text(code + "model = Model(x, y)\n")
    assert report.error is not None and report.error.framework_message == expected
    if "path=" in sequential:  # (the two differ: both are checked)
        assert "path='sequential/" in sequential and "path='sequential/" not in expected


def test_a_linear_no_length_feeds_is_refused_for_every_length(torch: ModuleType) -> None:
    report = from_text("nn.Conv1d(1, 4, 3), nn.Flatten(), nn.Linear(63, 2)", "1xNone")
    assert report.error is not None and report.error.layer == 2 and report.min_input_length is None
    assert report.error.message.startswith("no input length works: at length 17, ")
    model = torch.nn.Sequential(torch.nn.Conv1d(1, 4, 3), torch.nn.Flatten(), torch.nn.Linear(63, 2))
    for length in range(1, 300):  # 4·(L − 2) features is never 63
        with pytest.raises(RuntimeError) as refused:
            model(torch.zeros(1, 1, length))
        if length == 18:
            assert report.error.framework_message == f"RuntimeError: {refused.value}".replace("1x64", "Nx64")
    fits = from_text("nn.Conv1d(1, 4, 3), nn.Flatten(), nn.Linear(64, 2)", "1xNone")
    assert fits.error is None and fits.lengths_that_work == (18, 18)
    assert model[:2](torch.zeros(1, 1, 18)).shape[-1] == 64  # (length 18: the 64 features Linear(64) takes)


def test_a_length_the_layers_fix_is_too_short_in_the_frameworks_words(keras: ModuleType, torch: ModuleType) -> None:
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Unflatten(1, (3, 1)), torch.nn.Conv1d(3, 2, 3))
    with pytest.raises(RuntimeError) as refused:
        model(torch.zeros(2, 4))
    report = from_text("nn.Linear(4, 3), nn.Unflatten(1, (3, 1)), nn.Conv1d(3, 2, 3)", "4")
    assert report.error is not None and report.error.layer == 2
    assert report.error.framework_message == f"RuntimeError: {refused.value}"
    assert report.error.hint.startswith("the model's input has no length axis, so the layers before this one fix")
    keras.backend.clear_session()
    with pytest.raises(ValueError) as said:
        layers = [keras.layers.Dense(3), keras.layers.Reshape((1, 3)), keras.layers.Conv1D(2, 3)]
        keras.Sequential([keras.Input((4,)), *layers])
    report = from_text("Dense(3), Reshape((1, 3)), Conv1D(2, 3)", "4")
    assert report.error is not None and report.error.framework_message == f"ValueError: {said.value}"


@pytest.mark.parametrize("pool", ["nn.AvgPool1d(6, padding=3, ceil_mode=True)", "nn.MaxPool1d(2)"])
def test_a_pool_of_an_empty_sequence_is_refused_as_pytorch_refuses_it(torch: ModuleType, pool: str) -> None:
    report = from_text(f"nn.ConstantPad1d((-2, 0), 1.0), {pool}", "1x2")
    model = torch.nn.Sequential(torch.nn.ConstantPad1d((-2, 0), 1.0), eval(pool, {"nn": torch.nn}))  # (its literal)
    with pytest.raises(RuntimeError) as refused:
        model(torch.zeros(1, 1, 2))
    assert report.error is not None and report.error.layer == 1
    assert report.error.framework_message == f"RuntimeError: {refused.value}".replace("[1, ", "[N, ")
    shortest = report.min_input_length
    assert shortest is not None and model(torch.zeros(1, 1, shortest)).shape[-1] >= 1
    with pytest.raises(RuntimeError):
        model(torch.zeros(1, 1, shortest - 1))


@pytest.mark.parametrize(
    ("layer", "shape"),
    [("Conv1D(4, 5, groups=2)", (3, 8)), ("Conv1D(4, 5, groups=2, data_format='channels_first')", (8, 3))],
)
def test_a_grouped_keras_conv_too_long_for_its_input_is_refused_in_keras_words(
    keras: ModuleType, layer: str, shape: tuple[int, int]
) -> None:
    message = _keras_message(
        keras, lambda: keras.Sequential([keras.Input(shape), eval(f"keras.layers.{layer}", {"keras": keras})])
    )
    report = from_text(f"Input(shape={shape}), {layer}")
    assert report.error is not None and report.error.framework_message == message  # (all the channels: Keras')


@pytest.mark.parametrize("pinning", ["nn.LayerNorm(48)", "nn.Unflatten(2, (6, 8))"])
def test_a_layer_that_pins_the_length_gives_the_only_length_that_works(torch: ModuleType, pinning: str) -> None:
    report = from_text(f"nn.Conv1d(3, 8, 3), {pinning}", "3x50")
    assert report.error is None and report.lengths_that_work == (50, 50)
    model = torch.nn.Sequential(torch.nn.Conv1d(3, 8, 3), eval(pinning, {"nn": torch.nn}))  # (the test's literal)
    model(torch.zeros(1, 3, 50))
    for length in (49, 51):
        with pytest.raises(RuntimeError):
            model(torch.zeros(1, 3, length))


def test_a_keras_reshape_that_pins_the_length_gives_the_only_length_that_works(keras: ModuleType) -> None:
    report = from_text("Conv1D(64, 3), Reshape((6, 64))", "50x3")
    assert report.error is not None and report.lengths_that_work == (8, 8)
    assert "give the model an input of length 8, the only one every layer takes" in report.error.hint
    for length, works in ((7, False), (8, True), (9, False)):
        layers = [keras.layers.Conv1D(64, 3), keras.layers.Reshape((6, 64))]
        if works:
            keras.Sequential([keras.Input((length, 3)), *layers])
        else:
            with pytest.raises(ValueError):
                keras.Sequential([keras.Input((length, 3)), *layers])


def test_a_keras_layer_used_again_on_other_features_is_refused_as_keras_refuses_it(keras: ModuleType) -> None:
    code = (
        "inp = keras.Input(shape=(100, 8))\nshared = layers.Conv1D(4, 3)\na = shared(inp)\n"
        "b = layers.Conv1D(16, 1)(inp)\nc = shared(b)\nd = layers.Concatenate(axis=1)([a, c])\n"
        "model = keras.Model(inp, d)\n"
    )

    def build() -> None:
        namespace = {"keras": keras, "layers": keras.layers}
        exec(code, namespace)  # (the test's own code, built in Keras: not user input)

    message = _keras_message(keras, build)
    report = from_text(code)
    assert report.error is not None and report.error.framework_message == message
    fine = from_text(code.replace("Conv1D(16, 1)", "Conv1D(8, 1)"))
    assert fine.error is None  # (built on 8 features, used again on 8)


@pytest.mark.parametrize(
    "options",
    [
        "padding='same'",
        "padding='same', dilation=2",
        "padding=2, padding_mode='reflect'",
        "padding='same', padding_mode='circular'",
        "padding=1",
    ],
)
def test_a_conv_with_the_wrong_channels_shows_the_input_as_pytorch_pads_it(torch: ModuleType, options: str) -> None:
    layer = f"nn.Conv1d(300, 100, 4, {options})"
    with pytest.raises(RuntimeError) as refused:
        eval(layer, {"nn": torch.nn})(torch.zeros(2, 50, 40))  # (the test's literal)
    report = from_text(layer, "2x50x40")
    assert report.error is not None and report.error.framework_message == f"RuntimeError: {refused.value}"


def test_a_built_keras_model_takes_only_the_lengths_its_weights_fit(keras: ModuleType) -> None:
    import conv1dexplain

    layers = keras.layers
    model = keras.Sequential([keras.Input((50, 3)), layers.Conv1D(8, 5), layers.MaxPooling1D(2), layers.Flatten()])
    model.add(layers.Dense(2))  # (built: its kernel is (184, 2))
    report = conv1dexplain.summary(model)
    assert report.error is None and report.total_params == model.count_params() == 498
    assert report.lengths_that_work == (50, 51)
    for length in (49, 50, 51, 52):
        x = np.zeros((1, length, 3), np.float32)
        if length in (50, 51):
            model(x)
        else:
            with pytest.raises(ValueError):
                model(x)
    other = conv1dexplain.summary(model, input_shape=(60, 3))
    assert other.error is not None and other.error.framework_message is not None
    assert "expected axis -1 of input shape to have value 184, but received input with shape (None, 224)" in (
        other.error.framework_message
    )


def test_a_too_short_layer_no_input_length_gets_past_says_so(torch: ModuleType) -> None:
    code = "nn.Conv1d(1, 8, 5), nn.Flatten(), nn.Linear(640, 10), nn.Unflatten(1, (1, 10)), nn.Conv1d(1, 2, 11)"
    report = from_text(code, "1x84")
    assert report.error is not None and report.error.layer == 4 and report.min_input_length is None
    assert report.error.hint.startswith("no input length gets through every layer (from length 85")
    model = eval(f"nn.Sequential({code})", {"nn": torch.nn})  # (the test's literal)
    for length in range(5, 200):  # Linear(640) fixes the last Conv1d's input at 10 < 11
        with pytest.raises(RuntimeError):
            model(torch.zeros(1, 1, length))


def test_keras_groups_that_do_not_divide_the_input_channels_in_keras_words(keras: ModuleType) -> None:
    message = _keras_message(
        keras, lambda: keras.Sequential([keras.Input((8, 3)), keras.layers.Conv1D(4, 3, groups=2)])
    )
    report = from_text("Conv1D(4, 3, groups=2)", "8x3")
    assert report.error is not None and report.error.framework_message == message


def test_reflect_same_padding_longer_than_the_input_in_pytorch_words(torch: ModuleType) -> None:
    layer = "nn.Conv1d(6, 36, 5, padding='same', dilation=2, padding_mode='reflect')"
    with pytest.raises(RuntimeError) as refused:
        eval(layer, {"nn": torch.nn})(torch.zeros(1, 6, 1))  # (the test's literal)
    report = from_text(layer, "1x6x1")
    assert report.error is not None and report.error.framework_message == f"RuntimeError: {refused.value}"
