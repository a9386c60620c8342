"""Dense, embedding, reshaping and recurrent layers against the real Keras 3 and PyTorch layers.

Each drawn setting builds the real layer once, runs it (Keras: symbolically on the shape, unknown
sizes included, and eagerly on zeros; PyTorch: on zeros under no_grad) and compares the output
shape and the parameter counts with chain.fold; where the framework raises, fold stops at the same
layer and its framework_message carries the framework's words.
"""

from __future__ import annotations

import inspect
import random
import re
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from conv1dexplain.chain import fold
from conv1dexplain.conventions import convention
from conv1dexplain.layers.node import REQUIRED, Call, ChainError, Value
from conv1dexplain.layers.rules import rule_for

KERAS = convention("keras")
PYTORCH = convention("pytorch")
Case = tuple[str, tuple[Any, ...], dict[str, Any], tuple[int | None, ...]]


def _norm(text: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    text = re.sub(r"layer '[^']*'", "layer 'X'", text)
    text = re.sub(r"path='[^/']*", "path='X", text)
    text = re.sub(r"_\d+/", "/", text)
    return " ".join(text.split())


def _ours(rules: Any, call: Call, dims: tuple[int | None, ...], axis: int | None) -> Any:
    return fold((call,), Value(dims, axis, integer=call.name == "Embedding"), rules)  # token ids


def _concrete(dims: tuple[int | None, ...]) -> tuple[int, ...]:
    return tuple(3 if d is None else d for d in dims)


# ---------------------------------------------------------------- Keras


def _keras_layer(keras: ModuleType, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    def real(value: Any) -> Any:
        return (
            getattr(keras.layers, value.name)(*value.args, **dict(value.kwargs)) if isinstance(value, Call) else value
        )

    return getattr(keras.layers, name)(*(real(a) for a in args), **{k: real(v) for k, v in kwargs.items()})


def _keras_check(keras: ModuleType, case: Case, axis: int | None = 1, dtype: str = "float32") -> str:
    name, args, kwargs, dims = case
    plan = _ours(KERAS, Call(name, args, kwargs), dims, axis)
    try:
        layer = _keras_layer(keras, name, args, kwargs)
        out = layer(keras.Input(batch_shape=dims, dtype=dtype))
    except Exception as error:  # the framework refuses: so must we, in its words
        assert isinstance(plan.error, ChainError), (case, error, plan.error)
        with pytest.raises(type(error)) as in_sequential:  # (a model of one call: a Sequential, as its paths say)
            keras.Sequential([keras.Input(batch_shape=dims, dtype=dtype), _keras_layer(keras, name, args, kwargs)])
        want = _norm(f"{type(in_sequential.value).__name__}: {in_sequential.value}")
        got = _norm(plan.error.framework_message)
        assert got == want or got in want, (case, want, got)
        return "refused"
    assert plan.error is None, (case, plan.error)
    step = plan.rows[0].step
    shape = tuple(out[0].shape) if isinstance(out, (list, tuple)) else tuple(out.shape)
    assert step.output.dims == shape, (case, shape)
    assert step.output.is_tuple == isinstance(out, (list, tuple)), case
    trainable = sum(int(w.numpy().size) for w in layer.trainable_weights)
    assert (step.trainable_params, step.non_trainable_params) == (trainable, layer.count_params() - trainable), case
    if None in dims[1:]:
        return "accepted"  # eagerly, an unknown size becomes one real size: what that size gives
    eager = layer(keras.ops.zeros(_concrete(dims), dtype=dtype))
    eager_shape = tuple(eager[0].shape) if isinstance(eager, (list, tuple)) else tuple(eager.shape)
    assert all(ours in (None, real) for ours, real in zip(step.output.dims, eager_shape, strict=True)), (
        case,
        eager_shape,
    )
    return "accepted"


def _draw_keras(seed: int) -> list[Case]:
    draw = random.Random(seed)
    cases: list[Case] = []
    for _ in range(30):
        rank = draw.choice((2, 3, 3, 4))
        dims = (None, *(draw.choice((None, 1, 2, 5)) for _ in range(rank - 2)), draw.choice((1, 3, 7)))
        cases.append(("Dense", (draw.choice((0, 1, 4)),), {"use_bias": draw.random() < 0.5}, dims))
        cases.append(
            ("Embedding", (draw.choice((0, 1, 9)), draw.choice((1, 4))), {"mask_zero": draw.random() < 0.3}, dims[:-1])
        )
        cases.append(("Flatten", (), {"data_format": draw.choice((None, "channels_first", "channels_last"))}, dims))
        cases.append(("RepeatVector", (draw.choice((0, 1, 3)),), {}, dims))
        order = list(range(1, rank))
        draw.shuffle(order)
        if draw.random() < 0.2:
            order[0] = draw.choice((0, rank, order[-1]))
        cases.append(("Permute", (tuple(order),), {}, dims))
        size = draw.choice((1, 2, 3, 4, 6, 8, 12))
        target = tuple(draw.choice((size, -1, 2, 3)) for _ in range(draw.choice((1, 2, 3))))
        cases.append(("Reshape", (target,), {}, (None, *draw.choice(((2, 3), (4, 3), (None, 3), (2, 2, 2))))))
    return cases


def test_keras_dense_embedding_reshaping_match_the_real_layers(keras: ModuleType) -> None:
    kinds = {"refused": 0, "accepted": 0}
    for case in _draw_keras(13):
        kinds[_keras_check(keras, case, dtype="int32" if case[0] == "Embedding" else "float32")] += 1
    assert kinds["refused"] > 10 and kinds["accepted"] > 60, kinds


def _draw_rnn(seed: int) -> list[Case]:
    draw = random.Random(seed)
    cases: list[Case] = []
    for _ in range(40):
        kind = draw.choice(("LSTM", "GRU", "SimpleRNN"))
        kwargs: dict[str, Any] = {
            "return_sequences": draw.random() < 0.5,
            "return_state": draw.random() < 0.3,
            "go_backwards": draw.random() < 0.2,
            "use_bias": draw.random() < 0.8,
        }
        if kind == "GRU":
            kwargs["reset_after"] = draw.random() < 0.5
        dims = draw.choice(
            ((None, 5, 3), (None, None, 2), (None, 1, 1), (None, 3), (2, 3, 4), (None, 2, 3, 4), (None, 4, None))
        )
        units = draw.choice((0, 1, 4, 4, 2))
        cases.append((kind, (units,), kwargs, dims))
        inner = Call(kind, (max(units, 1),), {"return_sequences": kwargs["return_sequences"]})
        bidirectional: dict[str, Any] = {"merge_mode": draw.choice(("concat", "sum", "mul", "ave", None, "max"))}
        if draw.random() < 0.3:
            backward_kind = draw.choice(("LSTM", "GRU", "SimpleRNN"))
            back = {"go_backwards": draw.random() < 0.8, "return_sequences": kwargs["return_sequences"]}
            bidirectional["backward_layer"] = Call(backward_kind, (max(units, 1),), back)
        cases.append(("Bidirectional", (inner,), bidirectional, dims))
    return cases


def test_keras_recurrent_layers_match_the_real_layers(keras: ModuleType) -> None:
    kinds = {"refused": 0, "accepted": 0}
    for case in _draw_rnn(7):
        kinds[_keras_check(keras, case)] += 1
    assert kinds["refused"] > 10 and kinds["accepted"] > 30, kinds


@pytest.mark.parametrize(
    "case",
    [
        ("TimeDistributed", (Call("Dense", (4,)),), {}, (None, 5, 3)),
        ("TimeDistributed", (Call("Dense", (4,)),), {}, (None, None, 3)),
        ("TimeDistributed", (Call("Dense", (4,)),), {}, (None, 3)),
        ("TimeDistributed", (Call("Conv1D", (4, 3)),), {}, (None, 5, 7, 3)),
        ("TimeDistributed", (Call("LSTM", (4,)),), {}, (None, 2, 5, 3)),
        ("TimeDistributed", (3,), {}, (None, 5, 3)),
        ("Dense", (4,), {}, (None, 3, None)),
        ("Reshape", (15,), {}, (None, 5, 3)),
        ("Reshape", ((-1, -1),), {}, (None, 5, 3)),
    ],
)
def test_keras_time_distributed_and_edges(keras: ModuleType, case: Case) -> None:
    _keras_check(keras, case)


def test_bidirectional_with_a_wider_backward_layer_is_sized_as_it_runs(keras: ModuleType) -> None:
    """Keras' symbolic shape doubles the forward units; the eager call concatenates both outputs."""
    layer = keras.layers.Bidirectional(
        keras.layers.LSTM(4, return_sequences=True),
        backward_layer=keras.layers.LSTM(5, go_backwards=True, return_sequences=True),
    )
    eager = tuple(layer(keras.ops.zeros((2, 5, 3))).shape)
    inner = Call("LSTM", (4,), {"return_sequences": True})
    back = Call("LSTM", (5,), {"go_backwards": True, "return_sequences": True})
    plan = _ours(KERAS, Call("Bidirectional", (inner,), {"backward_layer": back}), (2, 5, 3), 1)
    assert plan.rows[0].step.output.dims == eager == (2, 5, 9)


# ---------------------------------------------------------------- PyTorch


def _torch_check(torch: ModuleType, case: Case, axis: int | None, dtype: Any = None) -> str:
    name, args, kwargs, dims = case
    plan = _ours(PYTORCH, Call(name, args, kwargs), dims, axis)
    try:
        module = getattr(torch.nn, name)(*args, **kwargs)
        with torch.no_grad():
            out = module(torch.zeros(_concrete(dims), dtype=dtype or torch.float32))
    except Exception as error:
        assert isinstance(plan.error, ChainError), (case, error, plan.error)
        want = _norm(f"{type(error).__name__}: {error}")
        got = _norm(plan.error.framework_message)
        if name == "Linear":  # an unknown batch is shown as 1 in the rows of mat1
            got, want = re.sub(r"\(\d+x", "(x", got), re.sub(r"\(\d+x", "(x", want)
        assert got == want, (case, want, got)
        return "refused"
    assert plan.error is None, (case, plan.error)
    step = plan.rows[0].step
    tensor = out[0] if isinstance(out, tuple) else out
    assert all(o in (None, r) for o, r in zip(step.output.dims, tuple(tensor.shape), strict=True)), (case, tensor.shape)
    assert None not in dims or None in step.output.dims or name == "Embedding", case
    assert step.output.is_tuple == isinstance(out, tuple), case
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    every = sum(p.numel() for p in module.parameters())
    assert (step.trainable_params, step.non_trainable_params) == (trainable, every - trainable), case
    return "accepted"


def test_torch_linear_embedding_flatten_unflatten_match(torch: ModuleType) -> None:
    draw = random.Random(5)
    kinds = {"refused": 0, "accepted": 0}
    for _ in range(40):
        rank = draw.choice((1, 2, 3, 3, 4))
        dims = tuple(draw.choice((1, 2, 5, 6)) for _ in range(rank))
        features = draw.choice((dims[-1], dims[-1], 1, 6))
        cases: list[tuple[Case, Any]] = [
            (("Linear", (features, draw.choice((0, 1, 3))), {"bias": draw.random() < 0.5}, dims), None),
            (("Flatten", (draw.randint(-rank - 1, rank), draw.randint(-rank - 1, rank)), {}, dims), None),
            (
                (
                    "Unflatten",
                    (draw.randint(-rank, rank), draw.choice(((2, 3), (2, -1), (-1,), (1, 5, 1), 6))),
                    {},
                    dims,
                ),
                None,
            ),
            (
                (
                    "Embedding",
                    (9, draw.choice((1, 4))),
                    {"padding_idx": draw.choice((None, 0, 8, -9, 9, -10)), "_freeze": draw.random() < 0.3},
                    dims,
                ),
                torch.long,
            ),
        ]
        for case, dtype in cases:
            kinds[_torch_check(torch, case, None if rank < 2 else rank - 1, dtype)] += 1
    assert kinds["refused"] > 15 and kinds["accepted"] > 60, kinds


def test_torch_recurrent_modules_match(torch: ModuleType) -> None:
    draw = random.Random(11)
    kinds = {"refused": 0, "accepted": 0}
    for _ in range(90):
        kind = draw.choice(("LSTM", "GRU", "RNN"))
        hidden = draw.choice((0, 1, 4, 4, 5))
        kwargs: dict[str, Any] = {
            "num_layers": draw.choice((0, 1, 1, 2, 2, 3)),
            "bias": draw.random() < 0.7,
            "batch_first": draw.random() < 0.5,
            "dropout": draw.choice((0.0, 0.0, 0.5, 1.5)) if draw.random() < 0.5 else 0.0,
            "bidirectional": draw.random() < 0.5,
        }
        if draw.random() < (0.5 if kind == "LSTM" else 0.1):
            kwargs["proj_size"] = draw.choice((0, 1, 3, 4, -1))
        if kind == "RNN" and draw.random() < 0.3:
            kwargs["nonlinearity"] = draw.choice(("relu", "tanh", "sig"))
        dims = draw.choice(((5, 2, 3), (1, 1, 3), (4, 3), (2, 5, 3, 1), (3,), (2, 3, 5), (2, 4, 3), (1, 3)))
        size = draw.choice((3, 3, 3, 5))
        case: Case = (kind, (size, hidden), kwargs, dims)
        kinds[_torch_check(torch, case, 1 if len(dims) > 1 else 0)] += 1
    assert kinds["refused"] > 15 and kinds["accepted"] > 15, kinds


# ---------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    ("framework", "name"),
    [
        ("keras", n)
        for n in (
            *("Dense", "Embedding", "Flatten", "Reshape", "Permute", "RepeatVector", "TimeDistributed"),
            *("LSTM", "GRU", "SimpleRNN", "Bidirectional"),
        )
    ]
    + [("pytorch", n) for n in ("Linear", "Embedding", "Flatten", "Unflatten")],
)
def test_signatures_are_the_frameworks(keras: ModuleType, torch: ModuleType, framework: str, name: str) -> None:
    rules = KERAS if framework == KERAS.name else PYTORCH
    owner = keras.layers if rules is KERAS else torch.nn
    real = [
        (p.name, REQUIRED if p.default is inspect.Parameter.empty else p.default)
        for p in inspect.signature(getattr(owner, name).__init__).parameters.values()
        if p.name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD and p.name not in ("device", "dtype")
    ]
    ours = [(p.name, p.default) for p in rule_for(rules, Call(name)).params]
    assert ours == real


def test_torch_recurrent_positional_order(torch: ModuleType) -> None:
    """nn.LSTM/GRU take (input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
    proj_size); nn.RNN puts nonlinearity after num_layers. Checked by building them positionally."""
    for kind, extra in (
        ("LSTM", (True, True, 0.0, True, 3)),
        ("GRU", (False, True, 0.0, True)),
        ("RNN", ("relu", False, True)),
    ):
        args = (5, 4, 2, *extra)
        _torch_check(torch, (kind, args, {}, (2, 6, 5)), 1)


# ---------------------------------------------------------------- what the sequence reads


def _changed_positions(before: Any, after: Any, axis: int) -> set[int]:
    moved = (before - after).abs().movedim(axis, 0).reshape(before.shape[axis], -1).sum(1)
    return {i for i, v in enumerate(moved.tolist()) if v > 0}


def test_dense_after_conv_reads_the_conv_window(torch: ModuleType, keras: ModuleType) -> None:
    """Perturb one input position of Conv1D(k) → Dense / TimeDistributed(Dense): output 0 changes
    exactly for the positions row.reads gives; PyTorch's Linear on (N, C, L) mixes the length."""
    torch.manual_seed(0)
    for kernel, stride, dense in ((3, 1, "Dense"), (4, 2, "Dense"), (2, 3, "TimeDistributed")):
        conv = keras.layers.Conv1D(2, kernel, strides=stride)
        top = keras.layers.Dense(3) if dense == "Dense" else keras.layers.TimeDistributed(keras.layers.Dense(3))
        inner = Call("Dense", (3,))
        ours = fold(
            (Call("Conv1D", (2, kernel), {"strides": stride}), inner if dense == "Dense" else Call(dense, (inner,))),
            Value((1, 12, 2), 1),
            KERAS,
        )
        base = keras.ops.zeros((1, 12, 2))
        reads = set()
        for position in range(12):
            bumped = torch.zeros((1, 12, 2))
            bumped[0, position] = 1.0
            if 0 in _changed_positions(top(conv(base)), top(conv(bumped)), 1):
                reads.add(position)
        first, last = ours.rows[-1].reads
        assert reads == set(range(first, last + 1)), (kernel, stride, reads)
        assert ours.rows[-1].reach.jump == stride
    linear = fold((Call("Conv1d", (2, 2, 3)), Call("Linear", (10, 4))), Value((1, 2, 12), 2), PYTORCH)
    assert linear.rows[-1].reads is None and linear.rows[-1].step.output.sequence_axis is None


def test_recurrent_output_t_reads_every_earlier_position(keras: ModuleType, torch: ModuleType) -> None:
    layer = keras.layers.SimpleRNN(3, return_sequences=True)
    base = layer(keras.ops.zeros((1, 6, 2)))
    bumped = torch.zeros((1, 6, 2))
    bumped[0, 2] = 1.0
    assert _changed_positions(base, layer(bumped), 1) == {2, 3, 4, 5}
    plan = fold((Call("SimpleRNN", (3,), {"return_sequences": True}),), Value((1, 6, 2), 1), KERAS)
    assert plan.rows[0].reads is None and plan.rows[0].step.output.sequence_axis == 1


def test_embedding_gives_a_sequence_and_linear_refusal_is_too_short_only_when_fewer() -> None:
    plan = fold((Call("Embedding", (100, 8)), Call("Conv1D", (4, 3))), Value((None, 20), 1), KERAS)
    assert plan.error is None and plan.rows[-1].step.output.dims == (None, 18, 4) and plan.rows[-1].reads == (0, 2)
    short = fold((Call("Flatten"), Call("Linear", (64, 2))), Value((None, 4, 10), 2), PYTORCH)
    assert isinstance(short.error, ChainError) and short.error.too_short
    long = fold((Call("Flatten"), Call("Linear", (16, 2))), Value((None, 4, 10), 2), PYTORCH)
    assert isinstance(long.error, ChainError) and not long.error.too_short


# ---------------------------------------------------------------- MACs


def _flops(torch: ModuleType, run: Any) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        run()
    return int(counter.get_total_flops())


@pytest.mark.parametrize(
    "case",
    [
        ("Linear", (3, 4), {}, (1, 5, 3)),
        ("Linear", (6, 2), {"bias": False}, (1, 6)),
        ("GRU", (3, 4), {"num_layers": 2, "bidirectional": True, "batch_first": True}, (1, 5, 3)),
        ("RNN", (3, 4), {"num_layers": 3}, (7, 1, 3)),
        ("LSTM", (3, 4), {"proj_size": 2, "num_layers": 2, "bidirectional": True}, (6, 1, 3)),
    ],
)
def test_torch_macs_are_the_flop_counters_half(torch: ModuleType, case: Case) -> None:
    """torch's FlopCounterMode counts 2 per multiply-add of mm/addmm (bias adds not counted). nn.LSTM
    without projections runs a fused kernel the counter does not see, so its projected form is used."""
    name, args, kwargs, dims = case
    module = getattr(torch.nn, name)(*args, **kwargs)
    plan = _ours(PYTORCH, Call(name, args, kwargs), dims, 1)
    assert plan.error is None and 2 * plan.macs == _flops(torch, lambda: module(torch.zeros(dims)))


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "dims"),
    [
        ("Dense", (4,), {}, (1, 5, 3)),
        ("Dense", (4,), {}, (1, 2, 5, 3)),
        ("LSTM", (4,), {"return_sequences": True}, (1, 5, 3)),
        ("GRU", (4,), {}, (1, 6, 2)),
        ("TimeDistributed", (Call("Dense", (4,)),), {}, (1, 5, 3)),
        ("Bidirectional", (Call("LSTM", (3,)),), {}, (1, 4, 2)),
    ],
)
def test_keras_macs_are_the_flop_counters_half(
    keras: ModuleType, torch: ModuleType, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], dims: Any
) -> None:
    """On Keras' PyTorch backend (its fused LSTM and reset_after GRU)."""
    layer = _keras_layer(keras, name, args, kwargs)
    layer(keras.ops.zeros(dims))
    plan = _ours(KERAS, Call(name, args, kwargs), dims, 1)
    assert plan.error is None and 2 * plan.macs == _flops(torch, lambda: layer(keras.ops.zeros(dims)))


@pytest.mark.parametrize(("name", "kwargs"), [("SimpleRNN", {}), ("GRU", {"reset_after": False})])
def test_keras_generic_rnn_loop_runs_step_zero_twice(
    keras: ModuleType, torch: ModuleType, name: str, kwargs: dict[str, Any]
) -> None:
    """Keras' PyTorch backend runs the generic rnn loop's step 0 once more to learn the output's shape:
    the counter sees L + 1 steps, the model's work is L of them."""
    layer = getattr(keras.layers, name)(4, **kwargs)
    layer(keras.ops.zeros((1, 6, 2)))
    plan = _ours(KERAS, Call(name, (4,), kwargs), (1, 6, 2), 1)
    assert plan.error is None and 2 * plan.macs * 7 == 6 * _flops(torch, lambda: layer(keras.ops.zeros((1, 6, 2))))


@pytest.mark.parametrize(
    ("inner", "given", "shape"),
    [
        ("Conv1D(4, 3)", "5x20x3", (2, 5, 20, 3)),  # (time, length, channels): the batch added
        ("Conv1D(4, 3)", "2x5x20x3", (2, 5, 20, 3)),  # … or given
        ("Dense(4)", "5x3", (2, 5, 3)),
        ("Dense(4)", "2x5x3", (2, 5, 3)),
        ("LSTM(6)", "4x7x3", (2, 4, 7, 3)),
    ],
)
def test_time_distributed_first_reads_input_in_its_layers_terms(
    keras: ModuleType, inner: str, given: str, shape: tuple[int, ...]
) -> None:
    """--input for a model that starts with TimeDistributed(layer): the wrapped layer's dimensions
    with a time axis before them, and an optional batch first; the shapes are those Keras gives."""
    from conv1dexplain.modeling import from_text

    report = from_text(f"TimeDistributed({inner})", given)
    assert report.error is None
    batch = shape[0] if len(given.split("x")) == len(shape) else None
    assert report.input_shape == (batch, *shape[1:])
    layer = keras.layers.TimeDistributed(eval(f"keras.layers.{inner}"))  # (the test's own literal)
    out = layer(np.zeros(shape, np.float32))
    assert report.layers[0].output_shape == (batch, *tuple(out.shape)[1:])
