"""Recurrent layers in a model: keras.layers.Bidirectional (here), LSTM, GRU and SimpleRNN
(recurrent_keras.py), torch.nn.LSTM, GRU and RNN (recurrent_torch.py); RULES has them all."""

from __future__ import annotations

from typing import Any

from conv1dexplain.layers import recurrent_torch
from conv1dexplain.layers.node import KERAS_COMMON, Call, ChainError, Context, LayerRule, Step, Value, params
from conv1dexplain.layers.recurrent_keras import GATES, keras_rnn, keras_rnn_rank, keras_units

MERGE_MODES = ("sum", "mul", "ave", "concat", None)
_COMMON = ("stateful", "return_sequences", "return_state")  # Bidirectional's two layers must agree


def _inner(layer: Any, where: Context, what: str) -> tuple[Call, dict[str, Any]]:
    """A layer given to Bidirectional: a Keras RNN call, bound as its class binds it."""
    from conv1dexplain.layers.rules import rule_for

    if not isinstance(layer, Call):
        raise ChainError(
            f"Bidirectional's {what} must be a layer, such as LSTM(64); it is {layer!r}",
            "write the layer itself: Bidirectional(LSTM(64))",
            "ValueError: Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
            f"Received: {layer!r}",
        )
    rule = rule_for(where.rules, layer)
    if rule.apply is not keras_rnn:
        raise ChainError(
            f"Bidirectional wraps a recurrent layer (LSTM, GRU, SimpleRNN); {layer.name} is not one",
            "wrap an LSTM, GRU or SimpleRNN, or use the layer without Bidirectional",
            f"TypeError: <class '{layer.name}'> could not be deserialized properly. Please ensure that components "
            "that are Python object instances (layers, models, etc.) returned by `get_config()` are explicitly "
            "deserialized in the model's `from_config()` method.",
        )
    return layer, rule.bind(layer)


def _pair(args: dict[str, Any], where: Context) -> tuple[tuple[Call, dict[str, Any]], tuple[Call, dict[str, Any]]]:
    """The forward and backward layers, checked as Bidirectional's __init__ checks them."""
    forward = _inner(args["layer"], where, "layer")
    if args["merge_mode"] not in MERGE_MODES:
        raise ChainError(
            f"merge_mode={args['merge_mode']!r} is not one Bidirectional knows",
            "give merge_mode='concat', 'sum', 'mul', 'ave' or None",
            f"ValueError: Invalid merge mode. Received: {args['merge_mode']}. Merge mode should be one of "
            '{"sum", "mul", "ave", "concat", None}',
            argument="merge_mode",
            value=args["merge_mode"],
        )
    if args["backward_layer"] is None:  # a copy of the forward layer, going backwards
        backward = (forward[0], forward[1] | {"go_backwards": True})
    else:
        backward = _inner(args["backward_layer"], where, "backward_layer")
    for call, bound in (forward, backward):
        keras_units(bound["units"], GATES[call.name])
    if forward[1]["go_backwards"] == backward[1]["go_backwards"]:
        raise ChainError(
            "Bidirectional's two layers must run in opposite directions",
            "give the backward layer go_backwards=True and the forward layer go_backwards=False",
            "ValueError: Forward layer and backward layer should have different `go_backwards` value. Received: "
            f"forward_layer.go_backwards {forward[1]['go_backwards']}, "
            f"backward_layer.go_backwards={backward[1]['go_backwards']}",
        )
    for attribute in _COMMON:
        ahead, behind = forward[1][attribute], backward[1][attribute]
        if ahead != behind:
            raise ChainError(
                f"Bidirectional's two layers must agree on {attribute}",
                f"give both layers {attribute}={ahead}",
                "ValueError: Forward layer and backward layer are expected to have the same value for attribute "
                f'"{attribute}", got "{ahead}" for forward layer and "{behind}" for backward layer',
            )
    return forward, backward


_SNAKE = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn"}  # Keras' names of the wrapped layers


def keras_bidirectional(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """Two RNNs over the sequence, one each way, their outputs merged (concat: the units add up)."""
    (value,) = inputs
    forward, backward = _pair(args, where)
    if len(value.dims) != 3:
        raise keras_rnn_rank(value, where.name)
    steps = [
        keras_rnn(
            bound,
            inputs,
            Context(call, f"{where.name}/{side}_{_SNAKE.get(call.name, call.name)}", where.rules, None, where.scope),
        )
        for side, (call, bound) in zip(("forward", "backward"), (forward, backward), strict=True)
    ]
    output = _merged(args["merge_mode"], steps)
    notes: tuple[str, ...] = ()
    if args["merge_mode"] is not None and output.sequence_axis is not None:
        notes = ("output t reads every input position: forwards 0…t, backwards t…L−1",)
    if args["merge_mode"] == "concat" and forward[1]["units"] != backward[1]["units"]:
        notes += (
            "Keras' summary (compute_output_shape) says the output has twice the forward layer's units, "
            f"{2 * forward[1]['units']}; run, it has both layers' units, {output.dims[-1]}",
        )
    if args["merge_mode"] is None or forward[1]["return_state"]:
        output = output._replace(is_tuple=True)
        notes += (
            "Bidirectional returns a list (merge_mode=None: the two outputs; return_state=True: the output and "
            "each direction's states) and Sequential passes the whole list on: the next layer refuses it",
        )
    macs = [step.macs for step in steps]
    return Step(
        output,
        trainable_params=sum(step.trainable_params for step in steps),
        macs=None if None in macs else sum(count or 0 for count in macs),
        slide=None,
        notes=notes,
    )


def _merged(mode: str | None, steps: list[Step]) -> Value:
    """The two directions' outputs merged: concat adds the units; sum, mul and ave need them equal."""
    ahead, behind = (step.output.dims[-1] or 0 for step in steps)
    if mode in ("sum", "mul", "ave") and ahead != behind:
        axis = len(steps[0].output.dims) - 1
        raise ChainError(
            f"merge_mode={mode!r} adds the two directions' outputs, so their units must match: {ahead} and {behind}",
            "give both layers the same units, or merge_mode='concat'",
            "RuntimeError: Exception encountered when calling Bidirectional.call(). The size of tensor a "
            f"({ahead}) must match the size of tensor b ({behind}) at non-singleton dimension {axis}",
        )
    merged = (*steps[0].output.dims[:-1], ahead + behind if mode == "concat" else ahead)
    return Value(merged, steps[0].output.sequence_axis)


_RNN_COMMON = {
    "dropout": 0.0,
    "recurrent_dropout": 0.0,
    "seed": None,
    "return_sequences": False,
    "return_state": False,
    "go_backwards": False,
    "stateful": False,
    "unroll": False,
}
_NAMES = (
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
)
_INITIALIZERS = {"kernel_initializer": "glorot_uniform", "recurrent_initializer": "orthogonal"}
_KEEP = {name: _INITIALIZERS.get(name, "zeros" if name == "bias_initializer" else None) for name in _NAMES}

RULES = (
    LayerRule(
        "keras",
        "LSTM",
        params(
            "units",
            activation="tanh",
            recurrent_activation="sigmoid",
            use_bias=True,
            **{name: _KEEP[name] for name in _NAMES[:3]},
            unit_forget_bias=True,
            **{name: _KEEP[name] for name in _NAMES[3:]},
            **_RNN_COMMON,
            use_cudnn="auto",
        ),
        keras_rnn,
        accepts_extra=KERAS_COMMON,
    ),
    LayerRule(
        "keras",
        "GRU",
        params(
            "units",
            activation="tanh",
            recurrent_activation="sigmoid",
            use_bias=True,
            **_KEEP,
            **_RNN_COMMON,
            reset_after=True,
            use_cudnn="auto",
        ),
        keras_rnn,
        accepts_extra=KERAS_COMMON,
    ),
    LayerRule(
        "keras",
        "SimpleRNN",
        params(
            "units",
            activation="tanh",
            use_bias=True,
            **_KEEP,
            **{key: value for key, value in _RNN_COMMON.items() if key != "seed"},
            seed=None,
        ),
        keras_rnn,
        accepts_extra=KERAS_COMMON,
    ),
    LayerRule(
        "keras",
        "Bidirectional",
        params("layer", merge_mode="concat", weights=None, backward_layer=None),
        keras_bidirectional,
        accepts_extra=KERAS_COMMON,
    ),
    *recurrent_torch.RULES,
)
