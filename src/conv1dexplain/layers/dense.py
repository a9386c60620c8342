"""Dense layers and embeddings in a model: keras.layers.Dense / Embedding / TimeDistributed and
torch.nn.Linear / Embedding. Dense and Linear act on the last axis; position by position when the
sequence axis is another one, mixing every position when it is the last."""

from __future__ import annotations

import math
from typing import Any

from conv1dexplain.layers.node import (
    IDENTITY,
    KERAS_COMMON,
    TORCH_COMMON,
    Call,
    ChainError,
    Context,
    Dims,
    LayerRule,
    Step,
    Value,
    one_int,
    params,
)
from conv1dexplain.layers.per_step import conv_per_step, per_step_refusal
from conv1dexplain.layers.sequence import keras_rank_error, torch_allocates
from conv1dexplain.tensor import fmt_shape


def _positions(dims: Dims) -> int | None:
    """Rows a last-axis layer applies to in one example (the dims between batch and last)."""
    middle = dims[1:-1]
    return None if None in middle else math.prod(d for d in middle if d is not None)


def _last_axis(value: Value, units: int, trainable: int, macs_per_row: int) -> Step:
    dims = (*value.dims[:-1], units)
    rows = _positions(value.dims)
    on_sequence = value.sequence_axis is not None and value.sequence_axis == len(value.dims) - 1
    output = Value(dims, None if on_sequence else value.sequence_axis)
    return Step(
        output,
        trainable_params=trainable,
        macs=None if rows is None else rows * macs_per_row,
        slide=None if on_sequence or value.sequence_axis is None else IDENTITY,
        notes=("acts on the last axis, the sequence: every output mixes all positions",) if on_sequence else (),
    )


def keras_dense(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    args = one_int(args, "units")
    if len(value.dims) < 2:
        raise keras_rank_error(value, where, 2)
    features = value.dims[-1]
    if features is None:
        raise ChainError(
            f"Dense's input {fmt_shape(value.dims)} has an unknown last axis: its kernel needs it",
            "give the input's features (its last axis) a size",
            "ValueError: Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
            f"Received: shape=(None, {args['units']}) for variable path='{where.variable_path}/kernel'",
        )
    units = args["units"]
    return _last_axis(value, units, features * units + (units if args["use_bias"] else 0), features * units)


def _rows(dims: Dims) -> str:
    """The rows of mat1 as PyTorch counts them (every axis but the last); N for an unknown batch."""
    known = math.prod(d for d in dims[:-1] if d is not None)
    if None not in dims[:-1]:
        return str(known)
    return "N" if known == 1 else f"{known}N"


def torch_linear(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    args = one_int(args, "in_features", "out_features")
    wanted, units = args["in_features"], args["out_features"]
    features = value.dims[-1] if value.dims else None
    if features is None and value.dims:  # (an unknown length flattened): it runs if the length gives `wanted`
        step = _last_axis(value, units, wanted * units + (units if args["bias"] else 0), wanted * units)
        note = f"runs only when its input has {wanted} features (a size the model's input decides)"
        return step._replace(notes=(*step.notes, note))
    if features != wanted:
        raise ChainError(
            f"nn.Linear({wanted}, {units}) reads {wanted} features; its input {fmt_shape(value.dims)} has {features}",
            f"set in_features={features} (what the layer before gives)",
            f"RuntimeError: mat1 and mat2 shapes cannot be multiplied ({_rows(value.dims)}x{features} "
            f"and {wanted}x{units})",
            too_short=features is not None and features < wanted,
            too_long=features is not None and features > wanted,
            argument="in_features",
            value=wanted,
        )
    return _last_axis(value, units, wanted * units + (units if args["bias"] else 0), wanted * units)


def torch_linear_construct(args: dict[str, Any], rules: Any) -> None:
    args = one_int(args, "in_features", "out_features")
    for name in ("out_features", "in_features"):
        torch_allocates([args["out_features"], args["in_features"]], args[name] < 0, name)


def torch_embedding_construct(args: dict[str, Any], rules: Any) -> None:
    args = one_int(args, "num_embeddings", "embedding_dim")
    rows = args["num_embeddings"]
    for name in ("num_embeddings", "embedding_dim"):
        torch_allocates([rows, args["embedding_dim"]], args[name] < 0, name)
    index = args["padding_idx"]
    if isinstance(index, int) and not -rows <= index < rows:
        raise ChainError(
            f"padding_idx={index} is not a row of the {rows} embeddings",
            f"give padding_idx from {-rows} to {rows - 1}",
            "AssertionError: Padding_idx must be within num_embeddings",
            argument="padding_idx",
        )


def _positive(args: dict[str, Any], name: str, message: str) -> None:
    value = args[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ChainError(
            f"{name}={value!r} is not a positive whole number",
            f"give {name} as a whole number of 1 or more",
            "ValueError: " + message.format(value=value, kind=type(value).__name__),
            argument=name,
        )


def keras_dense_construct(args: dict[str, Any], rules: Any) -> None:
    _positive(
        args, "units", "Received an invalid value for `units`, expected a positive integer. Received: units={value}"
    )


def keras_embedding_construct(args: dict[str, Any], rules: Any) -> None:
    for name in ("input_dim", "output_dim"):
        _positive(args, name, f"`{name}` must be a positive integer. Received: {name}={{value}} (of type {{kind}}).")


def keras_time_distributed_construct(args: dict[str, Any], rules: Any) -> None:
    if not isinstance(args["layer"], Call):
        raise ChainError(
            f"TimeDistributed wraps a layer; it gets {args['layer']!r}",
            "give it a layer, e.g. TimeDistributed(Dense(8))",
            "ValueError: Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
            f"Received: {args['layer']!r}",
        )


def keras_embedding(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    args = one_int(args, "input_dim", "output_dim")
    return _embedding(value, args["input_dim"], args["output_dim"], frozen=False)


def torch_embedding(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    (value,) = inputs
    args = one_int(args, "num_embeddings", "embedding_dim")
    if not value.integer:
        raise ChainError(
            "nn.Embedding reads token ids (integers); the layer before gives floats",
            "put nn.Embedding first, on the token ids",
            "RuntimeError: Expected tensor for argument #1 'indices' to have one of the following scalar types: "
            "Long, Int; but got torch.FloatTensor instead (while checking arguments for embedding)",
        )
    return _embedding(value, args["num_embeddings"], args["embedding_dim"], frozen=bool(args["_freeze"]))


def _embedding(value: Value, rows: int, width: int, frozen: bool) -> Step:
    count = rows * width
    return Step(
        Value((*value.dims, width), value.sequence_axis),
        trainable_params=0 if frozen else count,
        non_trainable_params=count if frozen else 0,
        slide=IDENTITY if value.sequence_axis is not None else None,
    )


def keras_time_distributed(args: dict[str, Any], inputs: tuple[Value, ...], where: Context) -> Step:
    """The inner layer on each step of axis 1: (batch, T, *rest) → (batch, T, *inner output)."""
    from conv1dexplain.layers.rules import rule_for

    (value,) = inputs
    if len(value.dims) < 3:
        raise ChainError(
            f"TimeDistributed needs (batch, time, …) with at least 3 axes; it gets {fmt_shape(value.dims)}",
            "give it a sequence: (batch, time, features)",
            "ValueError: `TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
            f"received: {fmt_shape(value.dims)}",
        )
    inner_call = args["layer"]
    rule = rule_for(where.rules, inner_call)
    inner_value = Value((value.dims[0], *value.dims[2:]), 1 if len(value.dims) == 4 else None)
    bound = rule.bind(inner_call)
    if inner_call.name in ("Conv1D", "Convolution1D") and len(inner_value.dims) == 2:
        raise conv_per_step(bound, inner_value, value)
    try:
        inner = rule.apply(bound, (inner_value,), Context(inner_call, where.name, where.rules, None, where.scope))
    except ChainError as refused:
        if len(inner_value.dims) != 2:
            raise
        raise per_step_refusal(inner_call.name, inner_value, refused) from None
    steps = value.dims[1]
    macs = None if inner.macs is None or steps is None else steps * inner.macs
    return Step(
        Value((value.dims[0], steps, *inner.output.dims[1:]), 1),
        trainable_params=inner.trainable_params,
        non_trainable_params=inner.non_trainable_params,
        macs=macs,
        slide=IDENTITY if value.sequence_axis == 1 else None,
    )


RULES = (
    LayerRule(
        "keras",
        "Dense",
        params(
            "units",
            activation=None,
            use_bias=True,
            kernel_initializer="glorot_uniform",
            bias_initializer="zeros",
            kernel_regularizer=None,
            bias_regularizer=None,
            activity_regularizer=None,
            kernel_constraint=None,
            bias_constraint=None,
            lora_rank=None,
            lora_alpha=None,
            quantization_config=None,
        ),
        keras_dense,
        accepts_extra=KERAS_COMMON,
        construct=keras_dense_construct,
    ),
    LayerRule(
        "pytorch",
        "Linear",
        params("in_features", "out_features", bias=True),
        torch_linear,
        accepts_extra=TORCH_COMMON,
        construct=torch_linear_construct,
    ),
    LayerRule(
        "keras",
        "Embedding",
        params(
            "input_dim",
            "output_dim",
            embeddings_initializer="uniform",
            embeddings_regularizer=None,
            embeddings_constraint=None,
            mask_zero=False,
            weights=None,
            lora_rank=None,
            lora_alpha=None,
            quantization_config=None,
        ),
        keras_embedding,
        accepts_extra=KERAS_COMMON,
        construct=keras_embedding_construct,
    ),
    LayerRule(
        "pytorch",
        "Embedding",
        params(
            "num_embeddings",
            "embedding_dim",
            padding_idx=None,
            max_norm=None,
            norm_type=2.0,
            scale_grad_by_freq=False,
            sparse=False,
            _weight=None,
            _freeze=False,
        ),
        torch_embedding,
        accepts_extra=TORCH_COMMON,
        construct=torch_embedding_construct,
    ),
    LayerRule(
        "keras",
        "TimeDistributed",
        params("layer"),
        keras_time_distributed,
        accepts_extra=KERAS_COMMON,
        construct=keras_time_distributed_construct,
    ),
)
