"""torch.nn.LSTM, GRU and RNN in a model: checked as RNNBase.__init__ and forward check them.

They read (L, N, H_in) — (N, L, H_in) with batch_first=True, (L, H_in) unbatched — and return a
tuple (output, h_n), or (output, (h_n, c_n)) for nn.LSTM: the step's output is the output tensor,
marked as a tuple, since nn.Sequential passes the whole tuple to the next module.
MACs count the matrix products only: weight_ih (gates·hidden × layer input), weight_hh (gates·hidden ×
hidden, or proj_size) and LSTM's weight_hr (proj_size × hidden) at every step of every layer and
direction; not the gates' element-wise products, activations or the two biases.
"""

from __future__ import annotations

import functools
import numbers
from typing import Any

from conv1dexplain.layers.node import TORCH_COMMON, ChainError, Context, LayerRule, Step, Value, params
from conv1dexplain.tensor import fmt_shape

GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}


def _refuse(message: str, hint: str, framework_message: str, argument: str | None = None) -> ChainError:
    return ChainError(message, hint, framework_message, argument=argument)


def _check_construction(kind: str, args: dict[str, Any], rules: Any = None) -> None:
    """RNNBase.__init__'s checks, in its order (nn.GRU and nn.RNN check proj_size and nonlinearity first)."""
    if kind != "LSTM" and "proj_size" in args:
        raise _refuse(
            f"nn.{kind} has no projection: proj_size is nn.LSTM's",
            "drop proj_size, or use nn.LSTM",
            "ValueError: proj_size argument is only supported for LSTM, not RNN or GRU",
            "proj_size",
        )
    if kind == "RNN" and args["nonlinearity"] not in ("tanh", "relu"):
        raise _refuse(
            f"nonlinearity={args['nonlinearity']!r} is not one nn.RNN has",
            "give nonlinearity='tanh' or 'relu'",
            f"ValueError: Unknown nonlinearity '{args['nonlinearity']}'. Select from 'tanh' or 'relu'.",
            "nonlinearity",
        )
    dropout = args["dropout"]
    if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:  # type: ignore[operator]
        raise _refuse(
            f"dropout={dropout!r} is not a probability",
            "give dropout between 0 and 1",
            "ValueError: dropout should be a number in range [0, 1] representing the probability of an element "
            "being zeroed",
            "dropout",
        )
    for name in ("bias", "batch_first"):
        if not isinstance(args[name], bool):
            raise _refuse(
                f"{name}={args[name]!r} is not True or False",
                f"give {name}=True or {name}=False",
                f"TypeError: {name} should be of type bool, got: {type(args[name]).__name__}",
                name,
            )
    _check_sizes(args)


def _check_sizes(args: dict[str, Any]) -> None:
    for name in ("input_size", "hidden_size"):
        value = args[name]
        if not isinstance(value, int):
            raise _refuse(
                f"{name}={value!r} is not a whole number",
                f"give {name} as a whole number, e.g. {name}=64 (nn.{name} takes no tuple)",
                f"TypeError: {name} should be of type int, got: {type(value).__name__}",
                name,
            )
        if value <= 0:
            raise _refuse(
                f"{name}={value} must be positive",
                f"give {name} ≥ 1",
                f"ValueError: {name} must be greater than zero",
                name,
            )
    layers = args["num_layers"]
    if not isinstance(layers, int) or layers <= 0:
        raise _refuse(
            f"num_layers={layers!r} must be a positive whole number",
            "give num_layers ≥ 1",
            "ValueError: num_layers must be greater than zero"
            if isinstance(layers, int | float) and layers <= 0
            else f"TypeError: '{type(layers).__name__}' object cannot be interpreted as an integer",
            "num_layers",
        )
    proj = args.get("proj_size", 0)
    if not isinstance(proj, int) or proj < 0:
        raise _refuse(
            f"proj_size={proj!r} must be 0 or a positive whole number",
            "give proj_size=0 (no projection) or a size below hidden_size",
            "ValueError: proj_size should be a positive integer or zero to disable projections",
            "proj_size",
        )
    if proj >= args["hidden_size"]:
        raise _refuse(
            f"proj_size={proj} must be smaller than hidden_size={args['hidden_size']}",
            f"give proj_size below {args['hidden_size']}, or 0",
            "ValueError: proj_size has to be smaller than hidden_size",
            "proj_size",
        )


def _check_input(args: dict[str, Any], value: Value, kind: str) -> int:
    """forward's checks of the input; the time axis."""
    rank = len(value.dims)
    if rank not in (2, 3):
        tensor = " tensor" if kind == "RNN" else ""
        raise _refuse(
            f"nn.{kind} reads (L, N, H_in), (N, L, H_in) with batch_first=True, or unbatched (L, H_in); "
            f"it gets {fmt_shape(value.dims)}",
            "reshape the input to rank 3",
            f"ValueError: {kind}: Expected input to be 2D or 3D, got {rank}D{tensor} instead",
        )
    features = value.dims[-1]
    if features is not None and features != args["input_size"]:
        raise _refuse(
            f"nn.{kind}({args['input_size']}, …) reads {args['input_size']} features on the last axis; "
            f"its input {fmt_shape(value.dims)} has {features} there",
            _features_hint(value, args["input_size"]),
            f"RuntimeError: input.size(-1) must be equal to input_size. Expected {args['input_size']}, got {features}",
            "input_size",
        )
    time = 1 if rank == 3 and args["batch_first"] else 0
    if value.dims[time] == 0:
        raise ChainError(
            f"nn.{kind} reads at least one time step; its input {fmt_shape(value.dims)} has none on axis {time}",
            "give a longer input",
            "RuntimeError: Expected sequence length to be larger than 0 in RNN",
            too_short=time == value.sequence_axis,
        )
    return time


def _features_hint(value: Value, input_size: int) -> str:
    if value.sequence_axis == len(value.dims) - 1 or value.dims[-2] == input_size:
        return (
            "nn.Conv1d gives (N, C, L) and an RNN reads features last: permute between them "
            "(x.permute(0, 2, 1), with batch_first=True)"
        )
    return f"set input_size={value.dims[-1]} (what the previous layer gives)"


def torch_rnn(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """The output tensor (…, L, …, directions·(proj_size or hidden_size)), and the weights of every
    layer and direction: weight_ih, weight_hh, bias_ih and bias_hh (two biases), weight_hr."""
    (value,) = inputs
    kind = where.call.name
    time = _check_input(args, value, kind)
    hidden, proj = args["hidden_size"], args.get("proj_size", 0)
    out = proj or hidden
    directions = 2 if args["bidirectional"] else 1
    gate = GATES[kind] * hidden
    per_step = 0  # multiply-adds of one time step, every layer and direction
    trainable = 0
    for layer in range(args["num_layers"]):
        layer_input = args["input_size"] if layer == 0 else out * directions
        weights = gate * (layer_input + out) + proj * hidden
        per_step += directions * weights
        trainable += directions * (weights + (2 * gate if args["bias"] else 0))
    length = value.dims[time]
    return Step(
        Value((*value.dims[:-1], directions * out), time, is_tuple=True),
        trainable_params=trainable,
        macs=None if length is None else length * per_step,
        slide=None,
        notes=_notes(args, value, time, kind),
    )


def _notes(args: dict[str, Any], value: Value, time: int, kind: str) -> tuple[str, ...]:
    notes = [f"nn.{kind} returns a tuple (output, {'(h_n, c_n)' if kind == 'LSTM' else 'h_n'}); the output is shown"]
    if args["bidirectional"]:
        notes.append("bidirectional: output t reads every input position (forwards 0…t, backwards t…L−1)")
    else:
        notes.append("output t reads input positions 0…t (the state carries every earlier step)")
    if value.sequence_axis is not None and value.sequence_axis != time:
        notes.append(
            f"nn.{kind} steps along axis {time}, but the sequence runs along axis {value.sequence_axis}: "
            "it reads the sequence as features"
        )
    if value.dims[-1] is None:
        notes.append(f"the last axis is unknown: nn.{kind} needs it to equal input_size={args['input_size']}")
    if args["dropout"] and args["num_layers"] == 1:
        notes.append(
            "UserWarning: dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
            f"expects num_layers greater than 1, but got dropout={args['dropout']} and num_layers=1"
        )
    return tuple(notes)


_BASE = {"num_layers": 1, "bias": True, "batch_first": False, "dropout": 0.0, "bidirectional": False}

RULES = (
    LayerRule(
        "pytorch",
        "LSTM",
        params("input_size", "hidden_size", **_BASE, proj_size=0),
        torch_rnn,
        accepts_extra=TORCH_COMMON,
        construct=functools.partial(_check_construction, "LSTM"),
    ),
    LayerRule(
        "pytorch",
        "GRU",
        params("input_size", "hidden_size", **_BASE),
        torch_rnn,
        accepts_extra=TORCH_COMMON | {"proj_size"},
        construct=functools.partial(_check_construction, "GRU"),
    ),
    LayerRule(
        "pytorch",
        "RNN",
        params("input_size", "hidden_size", num_layers=1, nonlinearity="tanh", **dict(list(_BASE.items())[1:])),
        torch_rnn,
        accepts_extra=TORCH_COMMON | {"proj_size"},
        construct=functools.partial(_check_construction, "RNN"),
    ),
)
