"""Recurrent layers (Keras LSTM, GRU, SimpleRNN, Bidirectional; nn.LSTM, nn.GRU, nn.RNN) against the
real frameworks: drawn settings built in Keras 3 (torch backend) and PyTorch and run on zeros; output
shapes, parameter counts and MACs (counted here from the built layer's own weight matrices) equal
what chain.fold says; settings the framework refuses are refused by us with its kind of error."""

from __future__ import annotations

import contextlib
import inspect
import math
import random
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from conv1dexplain.chain import ModelPlan, fold
from conv1dexplain.conventions import convention
from conv1dexplain.layers.node import REQUIRED, Call, ChainError, Value
from conv1dexplain.layers.rules import rule_for

KERAS = convention("keras")
TORCH = convention("pytorch")
KERAS_KINDS = ("LSTM", "GRU", "SimpleRNN")
TORCH_KINDS = ("LSTM", "GRU", "RNN")


def _one(call: Call, start: Value, rules: Any) -> ModelPlan:
    return fold((call,), start, rules)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --- signatures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*KERAS_KINDS, "Bidirectional"])
def test_keras_signatures_are_the_classes_own(name: str, keras: ModuleType) -> None:
    real = inspect.signature(getattr(keras.layers, name).__init__).parameters.values()
    expected = [(p.name, REQUIRED if p.default is inspect.Parameter.empty else p.default) for p in real]
    expected = [pair for pair in expected if pair[0] not in ("self", "kwargs")]
    ours = [(param.name, param.default) for param in rule_for(KERAS, Call(name)).params]
    assert ours == expected


def test_torch_signatures_are_the_modules_own(torch: ModuleType) -> None:
    base = inspect.signature(torch.nn.modules.rnn.RNNBase.__init__).parameters.values()
    order = [(p.name, REQUIRED if p.default is inspect.Parameter.empty else p.default) for p in base]
    order = [pair for pair in order if pair[0] not in ("self", "mode", "device", "dtype")]
    assert [(p.name, p.default) for p in rule_for(TORCH, Call("LSTM")).params] == order
    assert [(p.name, p.default) for p in rule_for(TORCH, Call("GRU")).params] == order[:-1]  # no proj_size
    # nn.RNN takes nonlinearity fourth (its __init__ pops args[3]): bias is then the fifth
    module = torch.nn.RNN(4, 3, 1, "relu", False)
    bound = rule_for(TORCH, Call("RNN")).bind(Call("RNN", (4, 3, 1, "relu", False)))
    assert (bound["nonlinearity"], bound["bias"]) == (module.nonlinearity, module.bias) == ("relu", False)


# --- Keras oracle ---------------------------------------------------------------------------------


def _keras_settings(rng: random.Random, kind: str) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "use_bias": rng.random() < 0.7,
        "return_sequences": rng.random() < 0.5,
        "return_state": rng.random() < 0.3,
        "go_backwards": rng.random() < 0.3,
    }
    if kind == "GRU":
        settings["reset_after"] = rng.random() < 0.5
    if rng.random() < 0.2:
        settings |= {"dropout": 0.1, "recurrent_dropout": 0.2, "unroll": True}
    return settings


def _keras_macs(layer: Any, length: int) -> int:
    cells = [layer.forward_layer.cell, layer.backward_layer.cell] if hasattr(layer, "forward_layer") else [layer.cell]
    return length * sum(math.prod(cell.kernel.shape) + math.prod(cell.recurrent_kernel.shape) for cell in cells)


def _keras_outputs(result: Any) -> list[tuple[int, ...]]:
    tensors = result if isinstance(result, list | tuple) else [result]
    return [tuple(tensor.shape) for tensor in tensors]


def _check_keras(keras: ModuleType, layer: Any, call: Call, length: int, features: int) -> None:
    result = layer(keras.ops.zeros((2, length, features)))
    shapes = _keras_outputs(result)
    plan = _one(call, Value((2, length, features), 1), KERAS)
    assert plan.error is None, plan.error
    (row,) = plan.rows
    assert row.step.output.dims == shapes[0], call
    assert row.step.output.is_tuple == (len(shapes) > 1), call
    assert row.step.output.sequence_axis == (1 if len(shapes[0]) == 3 else None)
    assert (row.step.trainable_params, row.step.non_trainable_params) == (layer.count_params(), 0), call
    assert row.step.macs == _keras_macs(layer, length), call
    assert row.step.slide is None and row.reach is None
    unknown = _one(call, Value((None, None, features), 1), KERAS).rows[0].step
    if hasattr(layer, "forward_layer"):  # its compute_output_shape doubles the forward layer's units
        expected = (None, None, shapes[0][-1]) if len(shapes[0]) == 3 else (None, shapes[0][-1])
    else:
        expected = layer.compute_output_shape((None, None, features))
        expected = expected[0] if isinstance(expected, list | tuple) and isinstance(expected[0], tuple) else expected
    assert unknown.output.dims == tuple(expected) and unknown.macs is None, call


@pytest.mark.oracle
@pytest.mark.parametrize("kind", KERAS_KINDS)
def test_keras_rnns_equal_keras(kind: str, keras: ModuleType) -> None:
    rng = random.Random(kind)
    for _ in range(30):
        units, features = rng.choice([1, rng.randint(2, 9)]), rng.choice([1, rng.randint(2, 9)])
        length = rng.choice([1, 2, rng.randint(3, 9), rng.randint(10, 40)])
        settings = _keras_settings(rng, kind)
        layer = getattr(keras.layers, kind)(units, **settings)
        _check_keras(keras, layer, Call(kind, (units,), settings), length, features)


def _backward(rng: random.Random, forward: dict[str, Any], merge_mode: str | None) -> tuple[Any, Call] | None:
    if rng.random() < 0.5:
        return None
    kind = rng.choice(KERAS_KINDS)
    units = forward["units"] if merge_mode != "concat" else rng.randint(1, 5)
    settings = {key: forward[key] for key in ("return_sequences", "return_state")} | {"go_backwards": True}
    return (kind, units, settings), Call(kind, (units,), settings)


@pytest.mark.oracle
def test_keras_bidirectional_equals_keras(keras: ModuleType) -> None:
    rng = random.Random(13)
    for _ in range(40):
        kind, merge_mode = rng.choice(KERAS_KINDS), rng.choice(["concat", "sum", "mul", "ave", None])
        forward = {"units": rng.randint(1, 5), "return_sequences": rng.random() < 0.5, "return_state": False}
        if rng.random() < 0.2 and merge_mode is not None:
            forward["return_state"] = True
        features, length = rng.randint(1, 4), rng.choice([1, rng.randint(2, 7)])
        backward = _backward(rng, forward, merge_mode)
        inner = getattr(keras.layers, kind)(**forward)
        kwargs: dict[str, Any] = {"merge_mode": merge_mode}
        ours: dict[str, Any] = {"merge_mode": merge_mode}
        if backward is not None:
            (back_kind, back_units, back_settings), ours["backward_layer"] = backward
            kwargs["backward_layer"] = getattr(keras.layers, back_kind)(back_units, **back_settings)
        layer = keras.layers.Bidirectional(inner, **kwargs)
        call = Call("Bidirectional", (Call(kind, (), forward),), ours)
        _check_keras(keras, layer, call, length, features)


# --- PyTorch oracle -------------------------------------------------------------------------------


def _torch_settings(rng: random.Random, kind: str) -> tuple[tuple[int, int], dict[str, Any]]:
    hidden = rng.choice([1, 2, rng.randint(3, 9)])
    settings: dict[str, Any] = {
        "num_layers": rng.choice([1, 1, 2, 3]),
        "bias": rng.random() < 0.7,
        "batch_first": rng.random() < 0.5,
        "bidirectional": rng.random() < 0.4,
    }
    if kind == "LSTM" and hidden > 1 and rng.random() < 0.4:
        settings["proj_size"] = rng.randint(1, hidden - 1)
    if kind == "RNN" and rng.random() < 0.5:
        settings["nonlinearity"] = "relu"
    if rng.random() < 0.2:
        settings["dropout"] = 0.25
    return (rng.choice([1, rng.randint(2, 9)]), hidden), settings


def _torch_input(rng: random.Random, settings: dict[str, Any], features: int) -> tuple[tuple[int, ...], int]:
    length = rng.choice([1, 2, rng.randint(3, 9), rng.randint(10, 40)])
    if rng.random() < 0.25:
        return (length, features), 0  # unbatched (L, H_in)
    return ((2, length, features), 1) if settings["batch_first"] else ((length, 2, features), 0)


@pytest.mark.oracle
@pytest.mark.parametrize("kind", TORCH_KINDS)
def test_torch_rnns_equal_pytorch(kind: str, torch: ModuleType) -> None:
    rng = random.Random(kind + "torch")
    for _ in range(40):
        (features, hidden), settings = _torch_settings(rng, kind)
        with _quiet():
            module = getattr(torch.nn, kind)(features, hidden, **settings)
        shape, time = _torch_input(rng, settings, features)
        with torch.no_grad(), _quiet():  # LSTM with proj_size warns that oneDNN cannot run it
            result = module(torch.zeros(shape))
        assert isinstance(result, tuple)
        call = Call(kind, (features, hidden), settings)
        plan = _one(call, Value(shape, time), TORCH)
        assert plan.error is None, plan.error
        step = plan.rows[0].step
        assert step.output.dims == tuple(result[0].shape) and step.output.is_tuple, call
        assert step.output.sequence_axis == time
        assert step.trainable_params == sum(p.numel() for p in module.parameters()), call
        weights = sum(p.numel() for name, p in module.named_parameters() if name.startswith("weight_"))
        assert step.macs == shape[time] * weights, call
        unknown_dims = tuple(None if axis == time else size for axis, size in enumerate(shape))
        unknown = _one(call, Value(unknown_dims, time), TORCH).rows[0].step
        assert unknown.output.dims[time] is None and unknown.macs is None


# --- refusals -------------------------------------------------------------------------------------


def _agree(build: Any, call: Call, start: Value, rules: Any, *words: str) -> ChainError:
    with _quiet(), pytest.raises(Exception) as real:
        build()
    plan = _one(call, start, rules)
    assert isinstance(plan.error, ChainError), (call, plan.error, real.value)
    kind = plan.error.framework_message.split(":", 1)[0]
    assert kind == type(real.value).__name__, (plan.error.framework_message, real.value)
    for word in words:
        assert word in str(real.value) and word in plan.error.framework_message, (word, real.value)
    return plan.error


@pytest.mark.oracle
def test_keras_refusals_agree(keras: ModuleType) -> None:
    layers, zeros = keras.layers, keras.ops.zeros
    v3 = Value((None, 5, 4), 1)
    _agree(lambda: layers.LSTM(0), Call("LSTM", (0,)), v3, KERAS, "expected a positive integer, got 0")
    _agree(lambda: layers.GRU(-2), Call("GRU", (-2,)), v3, KERAS, "got -2")
    _agree(lambda: layers.LSTM((3,)), Call("LSTM", ((3,),)), v3, KERAS, "'<=' not supported", "'tuple'")
    _agree(lambda: layers.SimpleRNN("3"), Call("SimpleRNN", ("3",)), v3, KERAS, "'<=' not supported", "'str'")
    _agree(lambda: layers.GRU(3.0)(zeros((2, 5, 4))), Call("GRU", (3.0,)), v3, KERAS, "state_size must be")
    _agree(lambda: layers.LSTM(2.0)(zeros((2, 5, 4))), Call("LSTM", (2.0,)), v3, KERAS, "Cannot convert", "8.0")
    for dims in ((2, 5), (2, 5, 4, 1)):
        error = _agree(
            lambda d=dims: layers.SimpleRNN(3)(zeros(d)),  # type: ignore[misc]
            Call("SimpleRNN", (3,)),
            Value(dims, 1),
            KERAS,
            f"expected ndim=3, found ndim={len(dims)}",
            "Full shape received",
        )
        assert not error.too_short
    error = _agree(lambda: layers.LSTM(3)(zeros((2, 0, 4))), Call("LSTM", (3,)), Value((2, 0, 4), 1), KERAS, "index 0")
    assert error.too_short
    _agree(
        lambda: keras.Sequential([keras.Input((5, 4)), layers.LSTM(3, stateful=True)]),
        Call("LSTM", (3,), {"stateful": True}),
        v3,
        KERAS,
        "batch size must be static",
        "sequence.shape=(None, 5, 4)",
    )


@pytest.mark.oracle
def test_keras_bidirectional_refusals_agree(keras: ModuleType) -> None:
    layers, zeros = keras.layers, keras.ops.zeros
    v3 = Value((2, 5, 4), 1)

    def bidirectional(inner: Call, **kwargs: Any) -> Call:
        return Call("Bidirectional", (inner,), kwargs)

    lstm = Call("LSTM", (3,))
    _agree(
        lambda: layers.Bidirectional(layers.LSTM(3), merge_mode="max"),
        bidirectional(lstm, merge_mode="max"),
        v3,
        KERAS,
        "Invalid merge mode. Received: max",
    )
    _agree(
        lambda: layers.Bidirectional(layers.LSTM(3), backward_layer=layers.LSTM(4)),
        bidirectional(lstm, backward_layer=Call("LSTM", (4,))),
        v3,
        KERAS,
        "different `go_backwards` value",
    )
    _agree(  # the default backward layer is a copy that goes backwards: both go backwards
        lambda: layers.Bidirectional(layers.GRU(3, go_backwards=True)),
        bidirectional(Call("GRU", (3,), {"go_backwards": True})),
        v3,
        KERAS,
        "forward_layer.go_backwards True",
    )
    back = {"go_backwards": True, "return_sequences": True}
    _agree(
        lambda: layers.Bidirectional(layers.LSTM(3), backward_layer=layers.LSTM(3, **back)),
        bidirectional(lstm, backward_layer=Call("LSTM", (3,), back)),
        v3,
        KERAS,
        'attribute "return_sequences"',
    )
    _agree(
        lambda: layers.Bidirectional(layers.LSTM(3), "sum", backward_layer=layers.LSTM(4, go_backwards=True))(
            zeros((2, 5, 4))
        ),
        bidirectional(lstm, merge_mode="sum", backward_layer=Call("LSTM", (4,), {"go_backwards": True})),
        v3,
        KERAS,
        "size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
    )
    _agree(
        lambda: layers.Bidirectional(layers.Conv1D(3, 2)),
        bidirectional(Call("Conv1D", (3, 2))),
        v3,
        KERAS,
        "could not be deserialized properly",
    )
    _agree(
        lambda: layers.Bidirectional(layers.LSTM(3))(zeros((2, 5))),
        bidirectional(lstm),
        Value((2, 5), 1),
        KERAS,
        "of layer 'bidirectional",
        "expected ndim=3, found ndim=2",
    )


TORCH_REFUSED: list[tuple[str, tuple[Any, ...], dict[str, Any], tuple[int, ...], str]] = [
    ("LSTM", (4, 0), {}, (5, 4), "hidden_size must be greater than zero"),
    ("GRU", (0, 3), {}, (5, 4), "input_size must be greater than zero"),
    ("RNN", (4, 3, 0), {}, (5, 4), "num_layers must be greater than zero"),
    ("GRU", (4, 3, 2.0), {}, (5, 4), "'float' object cannot be interpreted as an integer"),
    ("LSTM", (4, 3), {"proj_size": 3}, (5, 4), "proj_size has to be smaller than hidden_size"),
    ("LSTM", (4, 3), {"proj_size": -1}, (5, 4), "positive integer or zero"),
    ("GRU", (4, 3), {"proj_size": 0}, (5, 4), "only supported for LSTM"),
    ("RNN", (4, 3), {"dropout": 2}, (5, 4), "dropout should be a number in range [0, 1]"),
    ("LSTM", (4, 3), {"bias": 1}, (5, 4), "bias should be of type bool, got: int"),
    ("GRU", (4, 3), {"batch_first": None}, (5, 4), "batch_first should be of type bool, got: NoneType"),
    ("LSTM", (4, (3,)), {}, (5, 4), "hidden_size should be of type int, got: tuple"),
    ("LSTM", (4.0, 3), {}, (5, 4), "input_size should be of type int, got: float"),
    ("RNN", (4, 3), {"nonlinearity": "sigmoid"}, (5, 4), "Unknown nonlinearity 'sigmoid'"),
    ("LSTM", (4, 3), {}, (4,), "LSTM: Expected input to be 2D or 3D, got 1D instead"),
    ("GRU", (4, 3), {}, (1, 2, 3, 4), "GRU: Expected input to be 2D or 3D, got 4D instead"),
    ("RNN", (4, 3), {}, (1, 2, 3, 4), "RNN: Expected input to be 2D or 3D, got 4D tensor instead"),
    ("LSTM", (4, 3), {}, (5, 2, 6), "input.size(-1) must be equal to input_size. Expected 4, got 6"),
    ("RNN", (4, 3), {"batch_first": True}, (2, 0, 4), "Expected sequence length to be larger than 0"),
    ("GRU", (4, 3), {}, (0, 4), "Expected sequence length to be larger than 0"),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("kind", "args", "kwargs", "shape", "words"), TORCH_REFUSED)
def test_torch_refusals_agree(
    kind: str, args: tuple[Any, ...], kwargs: dict[str, Any], shape: tuple[int, ...], words: str, torch: ModuleType
) -> None:
    def build() -> Any:
        with torch.no_grad():
            return getattr(torch.nn, kind)(*args, **kwargs)(torch.zeros(shape))

    time = 1 if len(shape) == 3 and kwargs.get("batch_first") else 0
    error = _agree(build, Call(kind, args, kwargs), Value(shape, time), TORCH, words)
    assert error.too_short == ("length to be larger" in words)


# --- in chains ------------------------------------------------------------------------------------


@pytest.mark.oracle
def test_a_layer_after_a_torch_rnn_is_refused_as_pytorch_refuses_it(torch: ModuleType) -> None:
    model = torch.nn.Sequential(torch.nn.LSTM(4, 3), torch.nn.ReLU())
    with torch.no_grad(), pytest.raises(Exception) as real:
        model(torch.zeros(5, 2, 4))
    plan = fold((Call("LSTM", (4, 3)), Call("ReLU")), Value((5, 2, 4), 0), TORCH)
    assert plan.error_layer == 1 and len(plan.rows) == 1
    assert isinstance(plan.error, ChainError)
    assert plan.error.framework_message.split(":", 1)[0] == type(real.value).__name__


@pytest.mark.oracle
def test_keras_return_state_is_a_list_sequential_refuses_to_pass_on(keras: ModuleType) -> None:
    lstm = {"return_state": True, "return_sequences": True}
    with pytest.raises(ValueError, match="expects 1 input"):
        keras.Sequential([keras.Input((5, 4)), keras.layers.LSTM(3, **lstm), keras.layers.Conv1D(2, 1)])
    plan = fold((Call("LSTM", (3,), lstm), Call("Conv1D", (2, 1))), Value((None, 5, 4), 1), KERAS)
    assert plan.error_layer == 1 and plan.rows[0].step.output.is_tuple
    assert any("expects 1 input" in note for note in plan.rows[0].step.notes)


def test_after_a_conv_the_receptive_field_ends_at_the_rnn() -> None:
    calls = (Call("Conv1D", (8, 3)), Call("LSTM", (5,), {"return_sequences": True}), Call("Dropout", (0.1,)))
    plan = fold(calls, Value((None, 20, 3), 1), KERAS)
    assert plan.error is None
    assert [row.receptive_field for row in plan.rows] == [3, None, None]
    assert plan.rows[1].step.output.dims == (None, 18, 5) and plan.rows[1].step.notes


@pytest.mark.oracle
def test_measured_output_t_reads_inputs_up_to_t(torch: ModuleType, keras: ModuleType) -> None:
    # The note's claim, measured: perturb input position p, outputs 0…p−1 stay, p… change.
    rnn = torch.nn.RNN(2, 3, batch_first=True)
    layer = keras.layers.SimpleRNN(3, return_sequences=True)
    length, position = 7, 3
    base = torch.zeros(1, length, 2)
    bumped = base.clone()
    bumped[0, position] = 1.0
    with torch.no_grad():
        changed = (rnn(bumped)[0] != rnn(base)[0]).any(-1)[0].tolist()
    assert changed == [t >= position for t in range(length)]
    base_k = layer(keras.ops.zeros((1, length, 2)))
    changed_k = (layer(keras.ops.convert_to_tensor(bumped.numpy())) != base_k).cpu().numpy().any(-1)[0].tolist()
    assert changed_k == [t >= position for t in range(length)]
    for plan in (
        fold((Call("RNN", (2, 3), {"batch_first": True}),), Value((1, length, 2), 1), TORCH),
        fold((Call("SimpleRNN", (3,), {"return_sequences": True}),), Value((1, length, 2), 1), KERAS),
    ):
        assert plan.rows[0].step.slide is None and any("0…t" in note for note in plan.rows[0].step.notes)


def test_keras_rnn_after_a_channels_first_conv_reads_channels_as_time() -> None:
    calls = (Call("Conv1D", (8, 3), {"data_format": "channels_first"}), Call("GRU", (4,), {"return_sequences": True}))
    plan = fold(calls, Value((None, 3, 20), 2), KERAS)
    assert plan.error is None
    step = plan.rows[1].step
    assert step.output.dims == (None, 8, 4) and step.trainable_params == 3 * 4 * (18 + 4) + 2 * 3 * 4
    assert any("reads the channels as time steps" in note for note in step.notes)


@pytest.mark.oracle
def test_torch_rnn_after_conv1d_without_a_permute(torch: ModuleType) -> None:
    model = torch.nn.Sequential(torch.nn.Conv1d(3, 8, 3), torch.nn.GRU(8, 4, batch_first=True))
    with torch.no_grad(), pytest.raises(RuntimeError) as real:
        model(torch.zeros(2, 3, 20))
    plan = fold((Call("Conv1d", (3, 8, 3)), Call("GRU", (8, 4), {"batch_first": True})), Value((2, 3, 20), 2), TORCH)
    assert isinstance(plan.error, ChainError) and plan.error_layer == 1
    assert plan.error.framework_message == f"RuntimeError: {real.value}"
    assert "permute" in plan.error.raw_hint
