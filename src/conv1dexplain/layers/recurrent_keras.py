"""keras.layers.LSTM, GRU and SimpleRNN in a model (Bidirectional and the registry: recurrent.py).

MACs count the matrix products only — the input kernel (features × gates·units) and the recurrent
kernel (units × gates·units) at every time step, whether or not the sequence is returned — not the
gates' element-wise products, activations or biases.
"""

from __future__ import annotations

from typing import Any

from conv1dexplain.layers.node import ChainError, Context, Step, Value
from conv1dexplain.layers.sequence import channels_axis_length
from conv1dexplain.tensor import fmt_shape

_CELLS = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn"}
GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}  # weight blocks per unit: LSTM's i, f, c, o; GRU's z, r, h
_SEQUENCES_NOTE = "output t reads input positions 0…t (the state carries every earlier step): no fixed receptive field"
_BACKWARDS_NOTE = "go_backwards=True: the output runs from the last step, so output t reads input positions L−1−t…L−1"


def keras_units(units: Any, gates: int) -> int:
    """Keras' own check of units, at construction."""
    if isinstance(units, bool) or not isinstance(units, int | float):
        raise ChainError(
            f"units={units!r} is not a whole number",
            "give units as a positive whole number, e.g. units=64",
            f"TypeError: '<=' not supported between instances of '{type(units).__name__}' and 'int'",
            argument="units",
            value=units,
        )
    if units <= 0:
        raise ChainError(
            f"units={units} must be positive",
            "give units as a positive whole number, e.g. units=64",
            f"ValueError: Received an invalid value for argument `units`, expected a positive integer, got {units}.",
            argument="units",
            value=units,
        )
    if not isinstance(units, int):  # Keras keeps 3.0 and fails when it builds the cell
        raise ChainError(
            f"units={units!r} is not a whole number",
            f"write units={int(units)}",
            f"ValueError: Cannot convert '(…, {gates * units})' to a shape. Found invalid dimension "
            f"'{gates * units}' of type '<class 'float'>'."
            if gates == GATES["LSTM"]
            else "ValueError: state_size must be an integer, or a list/tuple of integers (one for each state tensor).",
            argument="units",
            value=units,
        )
    return units


def keras_rnn_rank(value: Value, name: str) -> ChainError:
    """Keras' InputSpec(ndim=3) refusal, as Keras 3.15 words it."""
    return ChainError(
        f"a Keras RNN reads (batch, length, features); it gets {fmt_shape(value.dims)}",
        f"give it a rank-3 input: Reshape(({channels_axis_length(value)}, 1)) before it adds a features axis"
        if len(value.dims) < 3
        else "a Keras RNN reads (batch, length, features): reshape or flatten the extra axes first",
        f"ValueError: Input 0 with name 'None' of layer '{name}' is incompatible with the layer: "
        f"expected ndim=3, found ndim={len(value.dims)}. Full shape received: {fmt_shape(value.dims)}",
    )


def _check_input(args: dict[str, Any], value: Value, where: Context, kind: str) -> tuple[int, int | None]:
    """The features and length of a rank-3 input, or Keras' refusal."""
    if len(value.dims) != 3:
        raise keras_rnn_rank(value, where.name)
    batch, length, features = value.dims
    if features is None:
        width = GATES[kind] * args["units"] if isinstance(args.get("units"), int) else "…"
        raise ChainError(
            f"{kind} needs the number of features (the last axis); {fmt_shape(value.dims)} leaves it unknown",
            "give the input's last axis a size",
            "ValueError: Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
            f"Received: shape=(None, {width}) for variable path='{where.variable_path}/{_CELLS[kind]}_cell/kernel'",
        )
    if length == 0:
        raise ChainError(
            f"{kind} reads at least one time step; its input {fmt_shape(value.dims)} has none",
            "give a longer input, or fewer layers that shorten it before this one",
            f"IndexError: Exception encountered when calling {kind}.call(). "
            "index 0 is out of bounds for dimension 1 with size 0",
            too_short=True,
        )
    if args["stateful"] and batch is None:
        raise ChainError(
            f"{kind}(stateful=True) keeps a state per batch row, so it needs a fixed batch size",
            "give the batch: keras.Input(shape=…, batch_size=32)",
            "ValueError: When using `stateful=True` in a RNN, the batch size must be static. "
            f"Found dynamic batch size: sequence.shape={fmt_shape(value.dims)}",
        )
    return features, length


def keras_rnn(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """LSTM, GRU, SimpleRNN: (batch, length, features) to (batch, units), or (batch, length, units)
    with return_sequences; a list of the output and the states with return_state."""
    (value,) = inputs
    kind = where.call.name
    gates = GATES[kind]
    units = keras_units(args["units"], gates)
    features, length = _check_input(args, value, where, kind)
    biases = 2 if kind == "GRU" and args["reset_after"] else 1  # reset_after: one input and one recurrent bias
    weights = gates * units * (features + units)
    trainable = weights + (biases * gates * units if args["use_bias"] else 0)
    batch = value.dims[0]
    notes: tuple[str, ...] = ()
    if value.sequence_axis not in (1, None):  # channels_first before it: Keras RNNs have no data_format
        notes = (
            f"{kind} steps along axis 1, but the sequence runs along axis {value.sequence_axis}: it reads the "
            "channels as time steps (Permute((2, 1)) first)",
        )
    if args["return_sequences"]:
        output = Value((batch, length, units), 1)
        notes += (_SEQUENCES_NOTE, _BACKWARDS_NOTE) if args["go_backwards"] else (_SEQUENCES_NOTE,)
    else:
        output = Value((batch, units), None)
    if args["return_state"]:
        states = 2 if kind == "LSTM" else 1
        output = output._replace(is_tuple=True)
        notes += (
            f"return_state=True: {kind} returns a list [output, {', '.join(['state'] * states)}] and "
            "Sequential passes the whole list on: a layer with an input spec (Dense, Conv1D, Flatten, an RNN) "
            f'refuses it (ValueError: Layer "…" expects 1 input(s), but it received {1 + states} input tensors.); '
            "Dropout and Activation pass the list through",
        )
    return Step(
        output,
        trainable_params=trainable,
        macs=None if length is None else length * weights,
        slide=None,
        notes=notes,
    )
