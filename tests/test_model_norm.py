"""Normalisation, merge and transposed/separable convolution layers in a model, against the real
Keras 3 (PyTorch backend) and PyTorch: output shapes, parameters (trainable and not), refusals with
the framework's own message, and receptive fields measured by perturbing one input position.

Expected numbers come from the frameworks, built here for drawn settings; never from our code.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable, Iterator
from fractions import Fraction
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from conv1dexplain.chain import ModelPlan, Row, fold
from conv1dexplain.conventions import KERAS, PYTORCH
from conv1dexplain.layer_names import snake_case
from conv1dexplain.layers.node import Call, ChainError, Value

Dims = tuple[Any, ...]
_MERGES = ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate")
_ONEDNN_TOO_SMALL = "RuntimeError: could not construct a memory descriptor using a format tag"
_INCOMPATIBLE = "is incompatible with the layer"
Measured = Iterator[tuple[set[int], set[int]]]  # per input position: outputs changed, outputs we say read it


# ---- helpers shared by every family ----------------------------------------------------------


def keras_value(dims: Dims) -> Value:
    """A Keras (batch, length, channels) value, or (batch, features) without a sequence axis."""
    return Value(tuple(dims), 1 if len(dims) == 3 else None)


def torch_value(dims: Dims) -> Value:
    """A PyTorch (N, C, L) or unbatched (C, L) value; (N, C) after a Linear when `flat`."""
    return Value(tuple(dims), len(dims) - 1 if len(dims) >= 2 else None)


def plan_of(rules: Any, calls: tuple[Call, ...], value: Value) -> ModelPlan:
    return fold(calls, value, rules)


def framework_failure(run: Callable[[], Any]) -> tuple[Any, str | None, list[str]]:
    """The framework's result, its error as 'Type: message' (None when it ran), and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = run()
        except Exception as error:  # any framework refusal is the oracle's answer
            return None, f"{type(error).__name__}: {error}", [str(w.message) for w in caught]
    return result, None, [str(w.message) for w in caught]


def core_message(failure: str) -> str:
    """Keras wraps an error raised inside call(): 'Exception encountered when calling …' and the
    original message in bold; the original is the message."""
    if "Exception encountered" not in failure:
        return failure
    kind = failure.split(":", 1)[0]
    return f"{kind}: {failure.split(chr(27) + '[1m', 1)[1].split(chr(27) + '[0m', 1)[0]}"


def assert_same_refusal(plan: ModelPlan, failure: str, layer: int = 0) -> None:
    """We refuse at the same layer, with the framework's own message."""
    assert plan.error is not None, f"the framework refuses ({failure}) but we accept"
    assert plan.error_layer == layer
    if not isinstance(plan.error, ChainError):  # an argument the convention checks: its name is in both
        assert plan.error.argument is not None and plan.error.argument[:6] in failure, (plan.error, failure)
        return
    ours = plan.error.framework_message
    if "{'same', 'valid'}" in failure:  # Keras prints a set of strings: its order follows PYTHONHASHSEED
        failure = failure.replace("{'same', 'valid'}", "{'valid', 'same'}")
    if _INCOMPATIBLE in failure:  # Keras ≥ 3.13 names the input and quotes the layer its own way
        ours, failure = ours.split(_INCOMPATIBLE)[1], failure.split(_INCOMPATIBLE)[1]
    assert ours == failure


def keras_counts(layer: Any) -> tuple[int, int]:
    trainable = sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
    return trainable, sum(int(np.prod(w.shape)) for w in layer.non_trainable_weights)


def torch_counts(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())


def keras_check(keras: ModuleType, call: Call, dims: Dims) -> str:
    """Build the real Keras layer on zeros of `dims` and compare it with our one-layer plan."""
    built: list[Any] = []

    def run() -> Any:
        built.append(getattr(keras.layers, call.name)(*call.args, **call.kwargs))
        return built[0](keras.ops.zeros(dims))

    out, failure, _ = framework_failure(run)
    plan = plan_of(KERAS, (call,), keras_value(dims))
    if failure is not None:
        if built:  # Keras numbers its layers across the session; a model's first is unnumbered
            failure = failure.replace(f"'{built[0].name}/", f"'{snake_case(call.name)}/")
        assert_same_refusal(plan, failure)
        return "refused"
    layer = built[0]
    assert plan.error is None, (call, dims, plan.error)
    step = plan.rows[0].step
    assert step.output.dims == tuple(out.shape)
    assert (step.trainable_params, step.non_trainable_params) == keras_counts(layer)
    assert step.trainable_params + step.non_trainable_params == layer.count_params()
    return "ok"


def torch_check(torch: ModuleType, call: Call, dims: Dims) -> str:
    """Build the real PyTorch module (in eval mode) on zeros of `dims` and compare with our plan."""
    built: list[Any] = []

    def run() -> Any:
        built.append(getattr(torch.nn, call.name)(*call.args, **call.kwargs).eval())
        return built[0](torch.zeros(dims))

    with torch.no_grad():
        out, failure, caught = framework_failure(run)
    plan = plan_of(PYTORCH, (call,), torch_value(dims))
    if failure == _ONEDNN_TOO_SMALL or (failure is None and 0 in out.shape):
        # oneDNN's kernel, which PyTorch picks for some sizes, says this, or makes an empty output; its
        # own kernel says what we say
        assert plan.error is not None and "Output size is too small" in plan.error.framework_message
        return "refused"
    if failure is not None:
        assert_same_refusal(plan, failure)
        return "refused"
    module = built[0]
    assert plan.error is None, (call, dims, plan.error)
    step = plan.rows[0].step
    assert step.output.dims == tuple(out.shape)
    assert (step.trainable_params, step.non_trainable_params) == (torch_counts(module), 0)
    for message in caught:
        assert message in step.notes, (message, step.notes)
    return "ok"


def tally(outcomes: list[str], least_refused: int, least_ok: int) -> None:
    """The drawn settings reached both paths: accepted and refused."""
    assert outcomes.count("ok") >= least_ok, outcomes
    assert outcomes.count("refused") >= least_refused, outcomes


def changed_positions(before: np.ndarray, after: np.ndarray, axis: int) -> set[int]:
    moved = np.abs(after - before) > 1e-5
    other = tuple(i for i in range(moved.ndim) if i != axis)
    return {int(t) for t in np.nonzero(moved.any(axis=other))[0]}


def expected_positions(row: Row, position: int, outputs: int) -> set[int]:
    """Output positions whose reads (per chain: Row.reads shifted by reach.jump) cover `position`."""
    if row.reads is None:
        return set(range(outputs))
    assert row.reach is not None
    first, last = row.reads
    jump = row.reach.jump
    return {t for t in range(outputs) if first + t * jump <= position <= last + t * jump}


def measure_keras(keras: ModuleType, calls: tuple[Call, ...], dims: Dims, seed: int) -> Measured:
    """For each input position: the outputs the real layers change, and the ones our reads say."""
    layers = [getattr(keras.layers, call.name)(*call.args, **call.kwargs) for call in calls]

    def run(x: np.ndarray) -> np.ndarray:
        values = {-1: keras.ops.convert_to_tensor(x)}
        for index, (call, layer) in enumerate(zip(calls, layers, strict=True)):
            feeds = [values[i] for i in (call.inputs if call.inputs is not None else (index - 1,))]
            values[index] = layer(feeds) if call.name in _MERGES else layer(feeds[0])
        return np.asarray(keras.ops.convert_to_numpy(values[len(calls) - 1]))

    x = np.random.default_rng(seed).normal(size=dims).astype("float32")
    before = run(x)
    plan = plan_of(KERAS, calls, keras_value(dims))
    assert plan.error is None, plan.error
    for position in range(dims[1]):
        nudged = x.copy()
        nudged[:, position, :] += 1.0
        yield changed_positions(before, run(nudged), 1), expected_positions(plan.rows[-1], position, before.shape[1])


def measure_torch(torch: ModuleType, calls: tuple[Call, ...], dims: Dims, seed: int) -> Measured:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(*[getattr(torch.nn, c.name)(*c.args, **c.kwargs) for c in calls]).eval()
    x = torch.randn(dims)
    plan = plan_of(PYTORCH, calls, torch_value(dims))
    assert plan.error is None, plan.error
    with torch.no_grad():
        before = model(x).numpy()
        for position in range(dims[-1]):
            nudged = x.clone()
            nudged[..., position] += 1.0
            after = model(nudged).numpy()
            said = expected_positions(plan.rows[-1], position, before.shape[-1])
            yield changed_positions(before, after, before.ndim - 1), said


# ---- normalisation: Keras ----------------------------------------------------------------------


def _keras_norm_calls(rng: random.Random) -> Iterator[tuple[Call, Dims]]:
    for _ in range(36):
        dims = (rng.choice([1, 2, 3]), rng.randint(1, 7), rng.randint(1, 8))
        flags = {"center": rng.random() < 0.7, "scale": rng.random() < 0.7}
        axis = rng.choice([-1, -1, 1, 2, -2, 0, 3, -4, [1, 2]])
        yield Call("BatchNormalization", (), {"axis": axis, "renorm": rng.random() < 0.3, **flags}), dims
        groups = rng.choice([-1, 1, 2, 3, 4, 0, 32])
        yield Call("GroupNormalization", (groups,), {"axis": rng.choice([-1, -1, 2, 1, 3]), **flags}), dims
        ln_axis = rng.choice([-1, 2, [1, 2], (-2, -1), [-1], 3])
        yield Call("LayerNormalization", (), {"axis": ln_axis, **flags}), dims
    yield Call("BatchNormalization"), (3, 5)  # after Flatten or Dense: (batch, features)
    yield Call("GroupNormalization", (2,)), (3, 6)
    yield Call("LayerNormalization"), (3, 6)


def test_keras_normalisations_equal_keras(keras: ModuleType) -> None:
    outcomes = [keras_check(keras, call, dims) for call, dims in _keras_norm_calls(random.Random(13))]
    tally(outcomes, least_refused=15, least_ok=60)


@pytest.mark.parametrize("axis", [1, -2, [1], 0])
def test_keras_layer_norm_on_a_leading_axis(keras: ModuleType, axis: Any) -> None:
    """Keras' PyTorch backend hands a lone non-last axis to F.layer_norm as if it were the last and fails;
    the layer itself (its weights, its output shape) is what TensorFlow and JAX run: we give that, and say so."""
    dims = (2, 5, 4)
    layer = keras.layers.LayerNormalization(axis=axis)
    _, failure, _ = framework_failure(lambda: layer(keras.ops.zeros(dims)))
    assert failure is not None and "expected input with shape [*," in failure
    plan = plan_of(KERAS, (Call("LayerNormalization", (), {"axis": axis}),), keras_value(dims))
    assert plan.error is None
    step = plan.rows[0].step
    assert step.output.dims == tuple(layer.compute_output_shape(dims))
    assert step.trainable_params == layer.count_params()
    assert any("F.layer_norm" in note for note in step.notes)


@pytest.mark.parametrize(
    ("call", "dims"),
    [
        (Call("BatchNormalization"), (None, None, 4)),
        (Call("BatchNormalization", (), {"axis": 1}), (None, None, 4)),
        (Call("BatchNormalization", (), {"axis": 1, "scale": False}), (None, None, 4)),
        (Call("BatchNormalization"), (None, 6, None)),
        (Call("LayerNormalization"), (None, None, 4)),
        (Call("LayerNormalization", (), {"axis": [1, 2]}), (None, None, 4)),
        (Call("LayerNormalization", (), {"axis": 1, "center": False, "scale": False}), (None, None, 4)),
        (Call("GroupNormalization", (2,)), (None, None, 4)),
        (Call("GroupNormalization", (2,)), (None, 5, None)),
    ],
)
def test_keras_normalisations_on_an_unknown_length(keras: ModuleType, call: Call, dims: Dims) -> None:
    keras.backend.clear_session()  # (a model of one call is a Sequential: Keras' first names it `sequential`)
    layer = getattr(keras.layers, call.name)(*call.args, **call.kwargs)
    out, failure, _ = framework_failure(lambda: keras.Sequential([keras.Input(batch_shape=dims), layer]).outputs[0])
    plan = plan_of(KERAS, (call,), keras_value(dims))
    if failure is not None:
        assert_same_refusal(
            plan, failure.replace(f"'sequential/{layer.name}/", f"'sequential/{snake_case(call.name)}/")
        )
        return
    assert plan.error is None and plan.rows[0].step.output.dims == tuple(out.shape)
    assert plan.rows[0].step.trainable_params + plan.rows[0].step.non_trainable_params == layer.count_params()


# ---- normalisation: PyTorch --------------------------------------------------------------------


def _torch_norm_calls(rng: random.Random) -> Iterator[tuple[Call, Dims]]:
    for _ in range(36):
        rank = rng.choice([3, 3, 2, 1, 4])
        dims = tuple(rng.randint(1, 6) for _ in range(rank))
        channels = dims[1] if rank >= 2 else 3
        near = rng.choice([channels, channels, max(1, channels + rng.choice([-1, 1]))])
        flags = {"affine": rng.random() < 0.6, "track_running_stats": rng.random() < 0.6, "bias": rng.random() < 0.7}
        yield Call("BatchNorm1d", (near,), flags), dims
        feature = dims[-2] if rank == 2 else channels
        yield Call("InstanceNorm1d", (rng.choice([feature, feature, feature + 1]),), flags), dims
        groups = rng.choice([1, 2, 3, near, 4])
        yield (
            Call("GroupNorm", (groups, rng.choice([near, groups * rng.randint(1, 3)])), {"affine": flags["affine"]}),
            dims,
        )
        tail = list(dims[-rng.randint(1, min(2, rank)) :]) if rng.random() < 0.7 else [rng.randint(1, 6)]
        shape: Any = tail[0] if len(tail) == 1 and rng.random() < 0.5 else tail
        yield Call("LayerNorm", (shape,), {"elementwise_affine": flags["affine"], "bias": flags["bias"]}), dims
    yield Call("GroupNorm", (0, 4)), (2, 4, 3)
    yield Call("LayerNorm", ([],)), (2, 4, 3)
    yield Call("InstanceNorm1d", (4,), {"track_running_stats": True}), (2, 5, 3)
    yield Call("InstanceNorm1d", (4,), {"track_running_stats": True}), (5, 3)


def test_torch_normalisations_equal_pytorch(torch: ModuleType) -> None:
    outcomes = [torch_check(torch, call, dims) for call, dims in _torch_norm_calls(random.Random(29))]
    tally(outcomes, least_refused=20, least_ok=60)


def test_buffers_are_not_parameters_but_keras_statistics_are(torch: ModuleType, keras: ModuleType) -> None:
    """PyTorch keeps running statistics as buffers; Keras counts its moving ones as non-trainable."""
    module = torch.nn.BatchNorm1d(8)
    assert {name for name, _ in module.named_buffers()} == {"running_mean", "running_var", "num_batches_tracked"}
    step = plan_of(PYTORCH, (Call("BatchNorm1d", (8,)),), torch_value((None, 8, 20))).rows[0].step
    assert (step.trainable_params, step.non_trainable_params) == (torch_counts(module), 0)
    layer = keras.layers.BatchNormalization()
    layer.build((None, 20, 8))
    step = plan_of(KERAS, (Call("BatchNormalization"),), keras_value((None, 20, 8))).rows[0].step
    assert (step.trainable_params, step.non_trainable_params) == keras_counts(layer) == (16, 16)


def test_the_constructor_orders_and_defaults_are_the_frameworks(torch: ModuleType, keras: ModuleType) -> None:
    import inspect

    from conv1dexplain.layers.rules import rule_for

    for rules, module, names in (
        (KERAS, keras.layers, ("BatchNormalization", "LayerNormalization", "GroupNormalization", *_MERGES)),
        (KERAS, keras.layers, ("Conv1DTranspose", "DepthwiseConv1D", "SeparableConv1D")),
        (PYTORCH, torch.nn, ("BatchNorm1d", "LayerNorm", "GroupNorm", "InstanceNorm1d", "ConvTranspose1d")),
    ):
        for name in names:
            real = [p for p in inspect.signature(getattr(module, name)).parameters.values() if p.kind != p.VAR_KEYWORD]
            rule = rule_for(rules, Call(name))
            ours = rule.params
            # the framework's order and defaults; initializers and the like after them, taken by name
            assert [p.name for p in ours] == [p.name for p in real][: len(ours)], name
            assert {p.name for p in real[len(ours) :]} <= rule.accepts_extra, name
            for mine, theirs in zip(ours, real, strict=False):
                if theirs.default is not inspect.Parameter.empty:
                    assert mine.default == theirs.default, (name, mine)


# ---- normalisation: receptive fields, measured -------------------------------------------------

_KERAS_FIELDS = [
    Call("BatchNormalization"),
    Call("BatchNormalization", (), {"axis": 1}),
    Call("LayerNormalization"),
    Call("LayerNormalization", (), {"axis": [1, 2]}),
    Call("GroupNormalization", (2,)),
    Call("GroupNormalization", (-1,), {"axis": 1}),  # one group per position: each position by itself
]


@pytest.mark.parametrize("call", _KERAS_FIELDS, ids=lambda call: f"{call.name}{call.args}{dict(call.kwargs)}")
def test_keras_normalisation_reads_measured(keras: ModuleType, call: Call) -> None:
    conv = Call("Conv1D", (4, 3), {"strides": 2, "padding": "same"})
    for changed, said in measure_keras(keras, (conv, call), (1, 11, 2), seed=5):
        assert changed == said


_TORCH_FIELDS = [
    Call("BatchNorm1d", (4,)),
    Call("BatchNorm1d", (4,), {"track_running_stats": False}),
    Call("InstanceNorm1d", (4,)),
    Call("InstanceNorm1d", (4,), {"track_running_stats": True}),
    Call("GroupNorm", (2, 4)),
    Call("LayerNorm", (5,)),  # over the length
]


@pytest.mark.parametrize("call", _TORCH_FIELDS, ids=lambda call: f"{call.name}{call.args}{dict(call.kwargs)}")
def test_torch_normalisation_reads_measured(torch: ModuleType, call: Call) -> None:
    conv = Call("Conv1d", (2, 4, 3), {"stride": 2, "padding": 1})
    for changed, said in measure_torch(torch, (conv, call), (2, 2, 10), seed=7):
        assert changed == said


# ---- merges (Keras only: PyTorch's torch.cat and + are functions, not modules) -----------------


def _branches(rng: random.Random, length: int) -> list[Call]:
    """Conv1D branches from the model's input, of near shapes: equal, one shorter, one of 1 channel, …"""
    filters = rng.choice([3, 4])
    calls = []
    for _ in range(rng.choice([1, 2, 2, 2, 2, 3])):
        kernel = rng.choice([1, 1, min(2, length), min(3, length), length])
        padding = rng.choice(["same", "same", "valid", "causal"])
        calls.append(
            Call("Conv1D", (rng.choice([filters, filters, 1, filters + 1]), kernel), {"padding": padding}, inputs=(-1,))
        )
    return calls


def keras_graph(keras: ModuleType, calls: tuple[Call, ...], dims: Dims) -> tuple[Any, list[Any]]:
    """The functional graph of these calls on Input(batch_shape=dims): its outputs, and its layers."""
    values = {-1: keras.Input(batch_shape=dims)}
    layers = []
    for index, call in enumerate(calls):
        layer = getattr(keras.layers, call.name)(*call.args, **call.kwargs)
        layers.append(layer)
        feeds = call.inputs if call.inputs is not None else (index - 1,)
        many = [values[i] for i in feeds]
        values[index] = layer(many) if call.name in _MERGES else layer(many[0])
    return values[len(calls) - 1], layers


def keras_graph_check(keras: ModuleType, calls: tuple[Call, ...], dims: Dims) -> str:
    out, failure, _ = framework_failure(lambda: keras_graph(keras, calls, dims))
    plan = plan_of(KERAS, calls, keras_value(dims))
    if failure is not None:
        assert_same_refusal(plan, core_message(failure), len(calls) - 1)
        return "refused"
    assert plan.error is None, (calls, plan.error)
    output, layers = out
    assert plan.rows[-1].step.output.dims == tuple(output.shape)
    assert [row.step.trainable_params for row in plan.rows] == [layer.count_params() for layer in layers]
    return "ok"


def _merge_graphs(rng: random.Random) -> Iterator[tuple[tuple[Call, ...], Dims]]:
    for index in range(110):
        length = rng.randint(1, 6)
        branches = _branches(rng, length)
        name = _MERGES[index % len(_MERGES)] if index % 3 else "Concatenate"
        kwargs = {"axis": rng.choice([-1, -1, 1, 2, -2, 0, 3, -4])} if name == "Concatenate" else {}
        merge = Call(name, (), kwargs, inputs=tuple(range(len(branches))))
        yield (*branches, merge), (2, length, 3)


def test_keras_merges_equal_keras(keras: ModuleType) -> None:
    outcomes = [keras_graph_check(keras, calls, dims) for calls, dims in _merge_graphs(random.Random(41))]
    tally(outcomes, least_refused=30, least_ok=45)


@pytest.mark.parametrize(("name", "axis"), [(name, -1) for name in _MERGES] + [("Concatenate", 1)])
def test_keras_merges_on_an_unknown_length(keras: ModuleType, name: str, axis: int) -> None:
    branches = (Call("Dropout", (0.1,), inputs=(-1,)), Call("LayerNormalization", inputs=(-1,)))
    merge = Call(name, (), {"axis": axis} if name == "Concatenate" else {}, inputs=(0, 1))
    assert keras_graph_check(keras, (*branches, merge), (None, None, 3)) == "ok"


_OFFSET_BRANCHES = (
    Call("Conv1D", (3, 2), {"padding": "causal"}, inputs=(-1,)),  # output t reads t−1, t
    Call("Conv1D", (3, 2), {"padding": "same"}, inputs=(-1,)),  # output t reads t, t+1
    Call("Conv1D", (3, 3), {"padding": "same", "dilation_rate": 2}, inputs=(-1,)),  # t−2, t, t+2
)


@pytest.mark.parametrize("name", ["Add", "Subtract", "Multiply", "Average", "Concatenate"])
@pytest.mark.parametrize("after", [False, True])
def test_keras_merge_reads_the_union_of_its_branches_measured(keras: ModuleType, name: str, after: bool) -> None:
    branches = _OFFSET_BRANCHES[:2] if name == "Subtract" else _OFFSET_BRANCHES
    calls: tuple[Call, ...] = (*branches, Call(name, inputs=tuple(range(len(branches)))))
    if after:  # a strided layer after the merge: the jump and field grow from the union
        calls += (Call("Conv1D", (2, 3), {"strides": 2}),)
    for changed, said in measure_keras(keras, calls, (1, 13, 2), seed=11):
        assert changed == said


def test_keras_concatenate_along_the_sequence_reads_no_one_window(keras: ModuleType) -> None:
    """The branches follow one another: we say no window (every position), a bound the measure keeps."""
    calls = (*_OFFSET_BRANCHES[:2], Call("Concatenate", (), {"axis": 1}, inputs=(0, 1)))
    seen = [(changed, said) for changed, said in measure_keras(keras, calls, (1, 9, 2), seed=3)]
    assert all(changed <= said for changed, said in seen)
    assert all(said == set(range(18)) for _, said in seen)


# ---- transposed, depthwise and separable convolutions ------------------------------------------


def _keras_conv_calls(rng: random.Random) -> Iterator[tuple[Call, Dims]]:
    for _ in range(40):
        data_format = rng.choice(["channels_last", "channels_last", "channels_first"])
        length, channels = rng.randint(1, 7), rng.randint(1, 4)
        dims = (2, length, channels) if data_format == "channels_last" else (2, channels, length)
        kernel, strides = rng.randint(1, 5), rng.choice([1, 1, 2, 3])
        dilation = rng.choice([1, 1, 2]) if strides == 1 or rng.random() < 0.2 else 1
        common = {"strides": strides, "dilation_rate": dilation, "data_format": data_format}
        common |= {"padding": rng.choice(["valid", "same", "same", "SAME", "causal"]), "use_bias": rng.random() < 0.7}
        extra = rng.choice([None, None, 0, 1, 2])
        yield Call("Conv1DTranspose", (rng.randint(1, 4), kernel), {**common, "output_padding": extra}), dims
        multiplier = rng.choice([1, 2, 3, 0]) if rng.random() < 0.9 else 1
        yield Call("DepthwiseConv1D", (kernel,), {**common, "depth_multiplier": multiplier}), dims
        yield Call("SeparableConv1D", (rng.randint(1, 4), kernel), {**common, "depth_multiplier": multiplier}), dims
    yield Call("Conv1DTranspose", (4, 3)), (2, 7)
    for data_format in ("channels_last", "channels_first"):  # too short, kernels of several channels
        yield Call("DepthwiseConv1D", (5,), {"depth_multiplier": 2, "data_format": data_format}), (2, 2, 3)
        yield Call("SeparableConv1D", (4, 5), {"depth_multiplier": 3, "data_format": data_format}), (2, 2, 3)
    yield Call("DepthwiseConv1D", (3,)), (2, 7)
    yield Call("SeparableConv1D", (4, 3)), (2, 7)


def test_keras_transposed_and_separable_convolutions_equal_keras(keras: ModuleType) -> None:
    outcomes = [keras_check(keras, call, dims) for call, dims in _keras_conv_calls(random.Random(53))]
    tally(outcomes, least_refused=20, least_ok=60)


@pytest.mark.parametrize(
    "call",
    [
        Call("Conv1DTranspose", (4, 3), {"strides": 2, "padding": "same"}),
        Call("Conv1DTranspose", (4, 3), {"strides": 2, "output_padding": 1}),
        Call("SeparableConv1D", (4, 3), {"padding": "same", "depth_multiplier": 2}),
        Call("DepthwiseConv1D", (3,), {"strides": 2}),
    ],
)
def test_keras_convolutions_on_an_unknown_length(keras: ModuleType, call: Call) -> None:
    layer = getattr(keras.layers, call.name)(*call.args, **call.kwargs)
    out = layer(keras.Input(batch_shape=(None, None, 3)))
    plan = plan_of(KERAS, (call,), keras_value((None, None, 3)))
    assert plan.error is None and plan.rows[0].step.output.dims == tuple(out.shape)
    assert plan.rows[0].step.trainable_params == layer.count_params()


def _torch_transposed_calls(rng: random.Random) -> Iterator[tuple[Call, Dims]]:
    for _ in range(90):
        groups = rng.choice([1, 1, 2, 3])
        channels, out = groups * rng.randint(1, 3), groups * rng.randint(1, 3)
        stride, dilation = rng.choice([1, 2, 3]), rng.choice([1, 1, 2])
        kwargs = {"stride": stride, "dilation": dilation, "groups": groups, "bias": rng.random() < 0.7}
        kwargs |= {"padding": rng.choice([0, 0, 1, 2, 3]), "output_padding": rng.choice([0, 0, 0, 1, 2])}
        if rng.random() < 0.1:
            kwargs |= rng.choice([{"padding_mode": "reflect"}, {"padding": "same"}, {"padding": -1}])
        given = rng.choice([channels, channels, channels + groups])
        length = rng.randint(1, 6)
        dims = (2, channels, length) if rng.random() < 0.8 else (channels, length)
        yield Call("ConvTranspose1d", (given, out, rng.randint(1, 4)), kwargs), dims
    yield Call("ConvTranspose1d", (3, 4, 3)), (2, 3, 4, 5)
    yield Call("ConvTranspose1d", (3, 4, 3), {"groups": 2}), (2, 3, 5)


def test_torch_transposed_convolutions_equal_pytorch(torch: ModuleType) -> None:
    outcomes = [torch_check(torch, call, dims) for call, dims in _torch_transposed_calls(random.Random(61))]
    tally(outcomes, least_refused=20, least_ok=35)


def _reads_by_output(run: Callable[[np.ndarray], np.ndarray], x: np.ndarray, axis: int) -> dict[int, set[int]]:
    """For each output position, the input positions whose nudge changes it (measured)."""
    before = run(x)
    reads: dict[int, set[int]] = {t: set() for t in range(before.shape[axis])}
    for position in range(x.shape[axis]):
        nudged = x.copy()
        np.moveaxis(nudged, axis, 0)[position] += 1.0
        for t in changed_positions(before, run(nudged), axis):
            reads[t].add(position)
    return reads


def assert_transposed_reach(row: Row, reads: dict[int, set[int]], stride: int, jump_before: int) -> None:
    """The widest measured reach is our receptive field; output 0's reads lie inside Row.reads; the
    pattern repeats every `stride` outputs, one input step (jump_before model positions) on."""
    widths = [max(seen) - min(seen) + 1 for seen in reads.values() if seen]
    assert row.receptive_field == max(widths)
    assert row.reach is not None and row.reach.jump == Fraction(jump_before, stride)
    assert row.reads is not None
    assert not reads[0] or row.reads[0] <= min(reads[0]) <= max(reads[0]) <= row.reads[1]
    middle = range(len(reads) // 3, 2 * len(reads) // 3)  # away from the edges, where reads are cut
    assert middle and all(reads[t + stride] == {p + jump_before for p in reads[t]} for t in middle)
    # output 0's first read, were the input unbounded on the left: output s·m reads it m input steps on
    m = len(reads) // (2 * stride)
    if reads[stride * m]:
        assert row.reads[0] == min(reads[stride * m]) - m * jump_before


@pytest.mark.parametrize(
    ("kernel", "strides", "padding", "extra", "dilation"),
    [
        (3, 2, "same", None, 1),
        (4, 3, "valid", None, 1),
        (5, 2, "same", 1, 1),
        (2, 3, "valid", 2, 1),
        (3, 1, "same", 0, 2),
    ],
)
@pytest.mark.parametrize("conv_first", [False, True])
def test_keras_transposed_reach_measured(
    keras: ModuleType, kernel: int, strides: int, padding: str, extra: Any, dilation: int, conv_first: bool
) -> None:
    transposed = Call(
        "Conv1DTranspose",
        (2, kernel),
        {"strides": strides, "padding": padding, "output_padding": extra, "dilation_rate": dilation},
    )
    calls = ((Call("Conv1D", (2, 3), {"strides": 2}),) if conv_first else ()) + (transposed,)
    layers = [getattr(keras.layers, call.name)(*call.args, **call.kwargs) for call in calls]

    def run(x: np.ndarray) -> np.ndarray:
        y = keras.ops.convert_to_tensor(x)
        for layer in layers:
            y = layer(y)
        return np.asarray(keras.ops.convert_to_numpy(y))

    x = np.random.default_rng(1).normal(size=(1, 24, 2)).astype("float32")
    plan = plan_of(KERAS, calls, keras_value(x.shape))
    assert plan.error is None
    assert_transposed_reach(plan.rows[-1], _reads_by_output(run, x, 1), strides, 2 if conv_first else 1)


@pytest.mark.parametrize(
    ("kernel", "stride", "padding", "extra", "dilation"),
    [(3, 2, 1, 1, 1), (4, 3, 0, 0, 1), (5, 2, 2, 0, 2), (3, 3, 1, 2, 2), (2, 1, 0, 0, 3), (7, 2, 4, 1, 1)],
)
@pytest.mark.parametrize("conv_first", [False, True])
def test_torch_transposed_reach_measured(
    torch: ModuleType, kernel: int, stride: int, padding: int, extra: int, dilation: int, conv_first: bool
) -> None:
    transposed = Call(
        "ConvTranspose1d",
        (2, 2, kernel),
        {"stride": stride, "padding": padding, "output_padding": extra, "dilation": dilation},
    )
    calls = ((Call("Conv1d", (2, 2, 3), {"stride": 2}),) if conv_first else ()) + (transposed,)
    torch.manual_seed(2)
    model = torch.nn.Sequential(*[getattr(torch.nn, c.name)(*c.args, **c.kwargs) for c in calls]).eval()

    def run(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return model(torch.from_numpy(x)).numpy()

    x = np.random.default_rng(1).normal(size=(1, 2, 24)).astype("float32")
    plan = plan_of(PYTORCH, calls, torch_value(x.shape))
    assert plan.error is None
    assert_transposed_reach(plan.rows[-1], _reads_by_output(run, x, 2), stride, 2 if conv_first else 1)


@pytest.mark.parametrize(
    "call",
    [
        Call("DepthwiseConv1D", (3,), {"strides": 2, "dilation_rate": 2, "padding": "same"}),
        Call("SeparableConv1D", (3, 4), {"padding": "same", "depth_multiplier": 2}),
        Call("SeparableConv1D", (3, 2), {"strides": 3}),
    ],
)
def test_keras_depthwise_and_separable_reads_measured(keras: ModuleType, call: Call) -> None:
    conv = Call("Conv1D", (2, 2), {"padding": "causal"})
    for changed, said in measure_keras(keras, (conv, call), (1, 13, 2), seed=9):
        assert changed == said


def _flops(torch: ModuleType, run: Callable[[], Any]) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        run()
    return int(counter.get_total_flops())


def test_convolution_macs_are_half_of_torchs_flop_count(torch: ModuleType, keras: ModuleType) -> None:
    """torch.utils.flop_counter counts 2 per multiply-add of a convolution (bias excluded), the ops
    Keras' PyTorch backend runs included: one example's count is our MACs."""
    compared = 0
    for call, dims in _keras_conv_calls(random.Random(53)):
        one = (1, *dims[1:])
        plan = plan_of(KERAS, (call,), keras_value(one))
        if plan.error is None:
            layer = getattr(keras.layers, call.name)(*call.args, **call.kwargs)
            layer.build(one)
            zeros = keras.ops.zeros(one)
            assert 2 * plan.rows[0].step.macs == _flops(torch, lambda f=layer, x=zeros: f(x))
            compared += 1
    for call, dims in _torch_transposed_calls(random.Random(61)):
        one = (1, *dims[1:]) if len(dims) == 3 else dims
        plan = plan_of(PYTORCH, (call,), torch_value(one))
        if plan.error is None:
            module = torch.nn.ConvTranspose1d(*call.args, **call.kwargs)
            with torch.no_grad():
                zeros = torch.zeros(one)
                assert 2 * plan.rows[0].step.macs == _flops(torch, lambda f=module, x=zeros: f(x))
            compared += 1
    assert compared >= 90


@pytest.mark.parametrize(
    "call",
    [
        Call("BatchNorm1d", (4,)),
        Call("InstanceNorm1d", (4,), {"affine": True}),
        Call("GroupNorm", (2, 4)),
        Call("ConvTranspose1d", (4, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ],
)
def test_torch_layers_on_an_unknown_length(torch: ModuleType, call: Call) -> None:
    """PyTorch has no symbolic length: for an unknown one we give what every length gives, None for the length."""
    plan = plan_of(PYTORCH, (call,), torch_value((None, 4, None)))
    assert plan.error is None
    step = plan.rows[0].step
    module = getattr(torch.nn, call.name)(*call.args, **call.kwargs).eval()
    with torch.no_grad():
        shapes = {tuple(module(torch.zeros(2, 4, length)).shape)[:2] for length in (3, 8, 13)}
    assert shapes == {(2, step.output.dims[1])} and step.output.dims[::2] == (None, None)
    assert step.trainable_params == torch_counts(module)
