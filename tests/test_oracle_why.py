"""`why` on real errors: random mistakes of every kind PyTorch 2.13 and Keras 3 raise for 1-D
layers, each written as the little script a user runs, run for real; the traceback it prints (as
`python train.py 2>&1` shows it) is diagnosed. Checked: it is recognised, the numbers read equal
the mistake's, and the first fix, applied mechanically to the failing call, makes the real framework
run it. The figures (recognised, fixed) are printed and must reach 99 % and 95 %."""

from __future__ import annotations

import math
import random
import runpy
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conv1dexplain.diagnose import diagnose, with_model
from test_why_patterns import assert_same_as_compiled

pytestmark = pytest.mark.oracle
PER_KIND = 36


@dataclass
class Case:
    """One mistake: the layer as written, the input it gets, and what its message must say."""

    kind: str  # the mistake
    framework: str
    layer: str  # class name: Conv1d, Linear, Conv1D
    args: dict[str, Any]
    shape: tuple[int, ...]
    dtype: str = "float32"
    error_kind: str = ""  # what `why` must call it
    numbers: dict[str, Any] = field(default_factory=dict)  # what it must read from the message
    given_as: str = "tensor"  # PyTorch's input as a tensor, a NumPy array or a list
    built_for: tuple[int, ...] | None = None  # Keras: the layer inside a model built for this input
    evaluating: bool = False  # PyTorch: the layer in eval() mode

    def script(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.args.items())
        if self.framework == "pytorch":
            data = {
                "tensor": f"torch.zeros({self.shape}, dtype=torch.{self.dtype})",
                "numpy": f"np.zeros({self.shape}, dtype='{self.dtype}')",
                "list": f"np.zeros({self.shape}, dtype='{self.dtype}').tolist()",
            }[self.given_as]
            return (
                "import numpy as np\nimport torch\nfrom torch import nn\n"
                f"x = {data}\n"
                f"layer = nn.{self.layer}({arguments})\n"
                + ("layer.eval()\n" if self.evaluating else "")
                + "y = layer(x)\n"
            )
        call = "y = layer(x)\n"
        if self.built_for is not None:
            call = f"y = keras.Sequential([keras.Input({self.built_for}), layer])(x)\n"
        return (
            "import numpy as np\nimport keras\n"
            "keras.utils.clear_session(free_memory=False)  # (names as in a fresh process: conv1d, not conv1d_37)\n"
            f"x = np.zeros({self.shape}, dtype='{self.dtype}')\n"
            f"layer = keras.layers.{self.layer}({arguments})\n"
            f"{call}"
        )

    def model_code(self) -> str:
        """The layer as a one-layer model's code, as `why model.py` reads it."""
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.args.items())
        prefix = "nn." if self.framework == "pytorch" else ""
        return f"{prefix}{self.layer}({arguments})\n"


def _run(case: Case, folder: Path) -> str | None:
    """The traceback the script prints, or None if it runs."""
    return _outcome(case, folder)[0]


def _outcome(case: Case, folder: Path) -> tuple[str | None, tuple[int, ...] | None]:
    """The traceback the script prints, or the shape of what the layer gives."""
    path = folder / f"mistake_{case.kind}.py"
    path.write_text(case.script())
    try:
        done = runpy.run_path(str(path), run_name="__main__")
    except Exception:  # whatever the framework raises is the user's error
        return traceback.format_exc(), None
    y = done["y"]
    return None, tuple((y[0] if isinstance(y, tuple) else y).shape)  # (an RNN's (output, state))


def _applied(case: Case, fix: dict[str, Any]) -> Case | None:
    """The case with the fix applied to its call (None for a kind this test cannot apply)."""
    kind, shape = fix["kind"], list(case.shape)
    if kind == "permute_input":
        return replace(case, shape=tuple(shape[d] for d in fix["dims"]))
    if kind == "transpose_input":  # two axes swapped
        first, second = fix["dims"]
        shape[first], shape[second] = shape[second], shape[first]
        return replace(case, shape=tuple(shape))
    if kind == "set_argument":
        return replace(case, args={**case.args, fix["argument"]: fix["value"]})
    if kind == "set_arguments":
        return replace(case, args={**case.args, **fix["arguments"]})
    if kind == "reshape_input":  # null: the batch, whatever is left for it (the code's -1)
        known = math.prod(size for size in fix["shape"] if size is not None)
        sizes = [math.prod(shape) // known if size is None else size for size in fix["shape"]]
        return replace(case, shape=tuple(sizes)) if math.prod(sizes) == math.prod(shape) else None
    if kind == "squeeze_input":
        return replace(case, shape=tuple(s for i, s in enumerate(shape) if i != fix["dim"]))
    if kind == "cast_input":
        return replace(case, dtype=fix["dtype"])
    if kind == "flatten_input":  # axes start … end (the last by default) made one
        start, end = fix.get("start_dim", 1), fix.get("end_dim", len(shape) - 1)
        return replace(case, shape=(*shape[:start], math.prod(shape[start : end + 1]), *shape[end + 1 :]))
    if kind == "eval_mode":
        return replace(case, evaluating=True)
    if kind == "to_tensor":
        return replace(case, given_as="tensor", dtype=fix["dtype"])
    if kind == "unsqueeze_input":
        dim = fix["dim"] if fix["dim"] >= 0 else len(shape) + 1 + fix["dim"]
        return replace(case, shape=tuple([*shape[:dim], 1, *shape[dim:]]))
    axis = -1 if case.framework == "pytorch" else 1
    if kind == "pad_input":
        shape[axis] += fix["left"] + fix["right"]
        return replace(case, shape=tuple(shape))
    if kind == "min_input_length":
        shape[axis] = max(shape[axis], fix["value"])
        return replace(case, shape=tuple(shape))
    return None


def _check_verdict(case: Case, fix: dict[str, Any], folder: Path) -> str | None:
    """ "" when the fix's check on the model says what the real framework does with the fix applied,
    else what differs; None when the fix was not checked (or cannot be applied here)."""
    check = fix["checked"]
    repaired = _applied(case, fix)
    if check is None or repaired is None:
        return None
    error, shape = _outcome(repaired, folder)
    said = check["layer_output_shape"]
    if said is None or error is not None:
        return "" if (said is None) == (error is not None) else f"check says {said}, the framework {shape or error}"
    if len(said) == len(shape) + 1 and said[0] == 1:  # (an unbatched example: PyTorch reports a batch of one)
        said = said[1:]
    agree = len(said) == len(shape) and all(a is None or a == b for a, b in zip(said, shape, strict=True))
    return "" if agree and fix["then"] == _fmt(check["layer_output_shape"]) else f"check says {said}, real {shape}"


def _fmt(dims: list[int | None]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


# ---- PyTorch mistakes ------------------------------------------------------------------------


def t_layout(rng: random.Random) -> Case:
    channels, length = rng.randint(2, 64), rng.randint(4, 80)
    while length == channels:
        length = rng.randint(4, 80)
    k, filters = rng.randint(1, min(5, length)), rng.randint(1, 16)
    batched = rng.random() < 0.8
    shape = (rng.randint(1, 8), length, channels) if batched else (length, channels)
    # (PyTorch reports an unbatched example as a batch of one)
    numbers = {"expected_channels": channels, "actual_channels": length, "input_shape": [1, *shape][-3:]}
    numbers["weight_shape"] = [filters, channels, k]
    args = {"in_channels": channels, "out_channels": filters, "kernel_size": k}
    return Case("layout", "pytorch", "Conv1d", args, shape, error_kind="input_channels", numbers=numbers)


def t_in_channels(rng: random.Random) -> Case:
    channels, wrong, length = rng.randint(1, 32), rng.randint(1, 32), rng.randint(6, 60)
    while wrong == channels or length == wrong:
        wrong, length = rng.randint(1, 32), rng.randint(6, 60)
    groups = rng.choice([1, 1, 1, 2])
    wrong *= groups
    channels *= groups
    filters = groups * rng.randint(1, 8)
    shape = (rng.randint(1, 4), channels, length)
    args = {"in_channels": wrong, "out_channels": filters, "kernel_size": 3, "groups": groups}
    numbers = {"expected_channels": wrong, "actual_channels": channels, "groups": groups}
    return Case("in_channels", "pytorch", "Conv1d", args, shape, error_kind="input_channels", numbers=numbers)


def t_one_channel_unbatched(rng: random.Random) -> Case:
    batch, length, k = rng.randint(2, 64), rng.randint(5, 100), rng.randint(1, 5)
    args = {"in_channels": 1, "out_channels": rng.randint(1, 16), "kernel_size": k}
    numbers = {"expected_channels": 1, "actual_channels": batch, "input_shape": [1, batch, length]}
    # a batch of one-channel sequences without the channel axis: PyTorch reads (N, L) as one (C=N, L)
    return Case("one_channel", "pytorch", "Conv1d", args, (batch, length), error_kind="input_channels", numbers=numbers)


def t_depthwise_channels(rng: random.Random) -> Case:
    groups = rng.choice([8, 12, 16, 32, 64])
    out = groups * rng.randint(1, 3)
    given = rng.choice([c for c in range(2, out + 1) if out % c == 0 and c % groups != 0])
    args = {"in_channels": groups, "out_channels": out, "kernel_size": 3, "groups": groups}
    shape = (rng.randint(1, 4), given, rng.randint(5, 60))
    numbers = {"expected_channels": groups, "actual_channels": given, "groups": groups}
    return Case("depthwise_channels", "pytorch", "Conv1d", args, shape, error_kind="input_channels", numbers=numbers)


def t_rank(rng: random.Random) -> Case:
    length = rng.randint(5, 90)
    if rng.random() < 0.5:  # an image-like (N, 1, C, L)
        channels = rng.randint(1, 16)
        shape: tuple[int, ...] = (rng.randint(2, 4), 1, channels, length)
    else:  # a bare sequence
        channels, shape = 1, (length,)
    args = {"in_channels": channels, "out_channels": 4, "kernel_size": 3}
    numbers = {"input_shape": list(shape), "input_rank": len(shape)}
    return Case("rank", "pytorch", "Conv1d", args, shape, error_kind="input_rank", numbers=numbers)


def t_tuple_kernel(rng: random.Random) -> Case:
    channels, k = rng.randint(1, 8), rng.randint(2, 6)
    args = {"in_channels": channels, "out_channels": 4, "kernel_size": (1, k)}
    shape = (rng.randint(1, 4), channels, rng.randint(k, 50))
    return Case("tuple_kernel", "pytorch", "Conv1d", args, shape, error_kind="kernel_rank", numbers={})


def t_too_short(rng: random.Random) -> Case:
    k, d = rng.randint(2, 9), rng.choice([1, 1, 2, 3])
    span = d * (k - 1) + 1
    padding = rng.randint(0, (span - 2) // 2)
    length = rng.randint(1, span - 1 - 2 * padding)
    args = {"in_channels": 2, "out_channels": 3, "kernel_size": k, "dilation": d, "padding": padding}
    numbers = {"padded_length": length + 2 * padding, "kernel_span": span}
    shape = (rng.randint(1, 3), 2, length)
    return Case("too_short", "pytorch", "Conv1d", args, shape, error_kind="input_too_short", numbers=numbers)


def t_linear(rng: random.Random) -> Case:
    features, wanted = rng.randint(1, 3000), rng.randint(1, 3000)
    while wanted == features:
        wanted = rng.randint(1, 3000)
    rows = rng.randint(1, 16)
    args = {"in_features": wanted, "out_features": rng.randint(1, 10)}
    numbers = {"input_shape": [rows, features], "weight_t_shape": [wanted, args["out_features"]]}
    return Case("linear", "pytorch", "Linear", args, (rows, features), error_kind="linear_features", numbers=numbers)


def t_dtype(rng: random.Random) -> Case:
    dtype = rng.choice(["float64", "float64", "float16", "int64"])
    bias = rng.random() < 0.8
    args = {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "bias": bias}
    numbers = {"input_dtype": dtype, "weight_dtype": "float32"}
    return Case("dtype", "pytorch", "Conv1d", args, (1, 2, 10), dtype=dtype, error_kind="dtype", numbers=numbers)


def t_strided_same(rng: random.Random) -> Case:
    k, s = rng.randint(1, 9), rng.randint(2, 4)
    args = {"in_channels": 2, "out_channels": 3, "kernel_size": k, "stride": s, "padding": "same"}
    return Case("strided_same", "pytorch", "Conv1d", args, (1, 2, rng.randint(k, 40)), error_kind="strided_same")


def t_groups(rng: random.Random) -> Case:
    groups = rng.randint(2, 8)
    c_in, c_out = groups * rng.randint(1, 6), groups * rng.randint(1, 6)
    if rng.random() < 0.5:
        c_in += rng.randint(1, groups - 1)
    else:
        c_out += rng.randint(1, groups - 1)
    args = {"in_channels": c_in, "out_channels": c_out, "kernel_size": 3, "groups": groups}
    numbers = {"in_channels": c_in, "out_channels": c_out, "groups": groups}
    return Case("groups", "pytorch", "Conv1d", args, (1, c_in, 12), error_kind="groups", numbers=numbers)


def t_reflect(rng: random.Random) -> Case:
    length = rng.randint(2, 40)
    padding = rng.randint(length, length + 10)
    mode = rng.choice(["reflect", "reflect", "circular"])
    padding = padding + length if mode == "circular" else padding
    args = {"in_channels": 1, "out_channels": 2, "kernel_size": 3, "padding": padding, "padding_mode": mode}
    return Case("reflect", "pytorch", "Conv1d", args, (2, 1, length), error_kind="padding_too_large")


def t_padding_string(rng: random.Random) -> Case:
    given = rng.choice(["SAME", "Same", "VALID", "Valid", "full", "causal"])
    args = {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "padding": given}
    return Case("padding_string", "pytorch", "Conv1d", args, (1, 2, 10), error_kind="padding_string")


def t_pool(rng: random.Random) -> Case:
    k = rng.randint(2, 8)
    layer = rng.choice(["MaxPool1d", "AvgPool1d"])
    args: dict[str, Any] = {"kernel_size": k}
    if rng.random() < 0.3:
        args["stride"] = rng.randint(1, k)
    shape = (rng.randint(1, 3), rng.randint(1, 4), rng.randint(1, k - 1))
    stride = args.get("stride", k)
    out = (shape[-1] - k) // stride + 1  # (PyTorch divides rounding down, as Python does)
    numbers = {"input_length": shape[-1]} if layer == "AvgPool1d" else {"output_length": out}
    return Case("pool", "pytorch", layer, args, shape, error_kind="pool_output_empty", numbers=numbers)


def t_transposed(rng: random.Random) -> Case:
    channels, wrong, length = rng.randint(1, 32), rng.randint(1, 32), rng.randint(4, 50)
    while wrong == channels:
        wrong = rng.randint(1, 32)
    args = {"in_channels": wrong, "out_channels": rng.randint(1, 8), "kernel_size": rng.randint(1, 4)}
    numbers = {"expected_channels": wrong, "actual_channels": channels, "transposed": True}
    shape = (rng.randint(1, 4), channels, length)
    return Case("transposed", "pytorch", "ConvTranspose1d", args, shape, error_kind="input_channels", numbers=numbers)


def t_recurrent(rng: random.Random) -> Case:
    features, length = rng.randint(1, 32), rng.randint(2, 60)
    while length == features:
        length = rng.randint(2, 60)
    layer = rng.choice(["LSTM", "GRU", "RNN"])
    args = {"input_size": features, "hidden_size": rng.randint(1, 8), "batch_first": True}
    numbers = {"input_size": features, "actual_features": length}
    shape = (rng.randint(1, 4), features, length)  # a Conv1d's (N, C, L) into a batch_first RNN
    return Case("recurrent", "pytorch", layer, args, shape, error_kind="recurrent_features", numbers=numbers)


def t_batchnorm(rng: random.Random) -> Case:
    channels, length = rng.randint(1, 32), rng.randint(2, 60)
    while length == channels:
        length = rng.randint(2, 60)
    numbers = {"num_features": channels, "actual_channels": length}
    shape = (rng.randint(2, 4), length, channels)  # channels-last into nn.BatchNorm1d
    args = {"num_features": channels}
    return Case("batchnorm", "pytorch", "BatchNorm1d", args, shape, error_kind="norm_features", numbers=numbers)


def t_settings(rng: random.Random) -> Case:
    args: dict[str, Any] = {"in_channels": 2, "out_channels": 4, "kernel_size": 3}
    name, value = rng.choice(
        [("stride", (2, 2)), ("stride", 0), ("dilation", 0), ("padding", -1), ("groups", 0), ("padding_mode", "same")]
    )
    args[name] = value
    return Case("settings", "pytorch", "Conv1d", args, (1, 2, 20), error_kind="")


def t_pool_settings(rng: random.Random) -> Case:
    k = rng.randint(1, 8)
    if rng.random() < 0.5:
        args = {"kernel_size": k, "padding": k // 2 + rng.randint(1, 3)}
        return Case("pool_padding", "pytorch", rng.choice(["MaxPool1d", "AvgPool1d"]), args, (1, 2, 30))
    return Case("pool_rank", "pytorch", "MaxPool1d", {"kernel_size": k}, (rng.randint(k, 40),), error_kind="input_rank")


def t_linear_unflattened(rng: random.Random) -> Case:
    channels, length = rng.randint(2, 32), rng.randint(1, 100)
    shape = (rng.randint(1, 8), channels, length)  # a Conv1d's output, no nn.Flatten() before the Linear
    args = {"in_features": channels * length, "out_features": rng.randint(1, 10)}
    numbers = {
        "input_shape": [shape[0] * channels, length],
        "weight_t_shape": [channels * length, args["out_features"]],
    }
    return Case("linear_unflattened", "pytorch", "Linear", args, shape, error_kind="linear_features", numbers=numbers)


def t_batch_of_one(rng: random.Random) -> Case:
    channels = rng.randint(1, 32)
    shape = (1, channels) if rng.random() < 0.5 else (1, channels, 1)  # one value per channel
    return Case("batch_of_one", "pytorch", "BatchNorm1d", {"num_features": channels}, shape, error_kind="batch_of_one")


def t_group_norm_channels_last(rng: random.Random) -> Case:
    channels, length = rng.randint(2, 32), rng.randint(2, 40)
    while length == channels:
        length = rng.randint(2, 40)
    args = {"num_groups": 1, "num_channels": channels}  # (one group divides any count: the weight's size fails)
    shape = (rng.randint(1, 4), length, channels)
    numbers = {"num_channels": channels, "actual_channels": length}
    return Case("group_norm_last", "pytorch", "GroupNorm", args, shape, error_kind="norm_features", numbers=numbers)


def t_transposed_rank(rng: random.Random) -> Case:
    channels = rng.randint(1, 8)
    shape = (rng.randint(1, 4), 1, channels, rng.randint(3, 30))
    args = {"in_channels": channels, "out_channels": 2, "kernel_size": 3}
    numbers = {"input_rank": 4}
    return Case("transposed_rank", "pytorch", "ConvTranspose1d", args, shape, error_kind="input_rank", numbers=numbers)


def t_linear_dtype(rng: random.Random) -> Case:
    features = rng.randint(1, 64)
    args = {"in_features": features, "out_features": rng.randint(1, 8)}
    numbers = {"input_dtype": "float64", "weight_dtype": "float32"}
    return Case(
        "linear_dtype", "pytorch", "Linear", args, (2, features), dtype="float64", error_kind="dtype", numbers=numbers
    )


def t_not_a_tensor(rng: random.Random) -> Case:
    n, c, length = rng.randint(1, 4), rng.randint(1, 8), rng.randint(4, 30)
    layer, args, shape, dtype = rng.choice(
        [
            ("Conv1d", {"in_channels": c, "out_channels": 3, "kernel_size": 3}, (n, c, length), "float32"),
            ("Conv1d", {"in_channels": c, "out_channels": 3, "kernel_size": 3}, (n, c, length), "float64"),
            ("Linear", {"in_features": length, "out_features": 2}, (n, length), "float32"),
            ("MaxPool1d", {"kernel_size": 2}, (n, c, length), "float32"),
            ("AvgPool1d", {"kernel_size": 2}, (n, c, length), "float64"),
            ("LSTM", {"input_size": c, "hidden_size": 4, "batch_first": True}, (n, length, c), "float32"),
            ("BatchNorm1d", {"num_features": c}, (n + 1, c, length), "float32"),
            ("Embedding", {"num_embeddings": 10, "embedding_dim": 4}, (n, length), "int64"),
            ("ConvTranspose1d", {"in_channels": c, "out_channels": 2, "kernel_size": 3}, (n, c, length), "float32"),
        ]
    )
    given_as = "list" if layer == "Conv1d" and rng.random() < 0.3 else "numpy"
    numbers = {"input_type": "list" if given_as == "list" else "numpy.ndarray"}
    return Case(
        "not_a_tensor",
        "pytorch",
        layer,
        args,
        shape,
        dtype,
        error_kind="input_type",
        numbers=numbers,
        given_as=given_as,
    )


def t_embedding_float(rng: random.Random) -> Case:
    args = {"num_embeddings": rng.randint(1, 5000), "embedding_dim": rng.randint(1, 64)}
    shape = (rng.randint(1, 8), rng.randint(1, 100))
    dtype = rng.choice(["float32", "float32", "float64"])
    return Case("embedding_float", "pytorch", "Embedding", args, shape, dtype=dtype, error_kind="dtype")


def t_pool_rank_2_to_3(rng: random.Random) -> Case:
    layer, args = rng.choice(
        [
            ("AvgPool1d", {"kernel_size": 2}),
            ("AdaptiveAvgPool1d", {"output_size": 2}),
            ("AdaptiveMaxPool1d", {"output_size": 3}),
        ]
    )
    length = rng.randint(4, 40)
    shape = (length,) if rng.random() < 0.4 else (rng.randint(1, 4), 1, rng.randint(1, 8), length)
    numbers = {"input_rank": len(shape)}
    return Case("pool_rank_2_to_3", "pytorch", layer, args, shape, error_kind="input_rank", numbers=numbers)


def t_recurrent_rank(rng: random.Random) -> Case:
    features = rng.randint(1, 16)
    layer = rng.choice(["LSTM", "GRU", "RNN"])
    if rng.random() < 0.5:
        shape: tuple[int, ...] = (rng.randint(1, 4), 1, rng.randint(2, 30), features)
    else:
        features, shape = 1, (rng.randint(2, 30),)
    args = {"input_size": features, "hidden_size": rng.randint(1, 8), "batch_first": rng.random() < 0.7}
    numbers = {"input_rank": len(shape), "layer": layer}
    return Case("recurrent_rank", "pytorch", layer, args, shape, error_kind="input_rank", numbers=numbers)


def t_layer_norm(rng: random.Random) -> Case:
    channels, length = rng.randint(1, 64), rng.randint(2, 80)
    while length == channels:
        length = rng.randint(2, 80)
    shape = (rng.randint(1, 4), channels, length)  # a Conv1d's output into LayerNorm(channels)
    numbers = {"normalized_shape": [channels], "input_shape": list(shape)}
    return Case(
        "layer_norm",
        "pytorch",
        "LayerNorm",
        {"normalized_shape": channels},
        shape,
        error_kind="norm_features",
        numbers=numbers,
    )


def t_group_norm(rng: random.Random) -> Case:
    groups = rng.randint(2, 8)
    channels, length = groups * rng.randint(1, 8), rng.randint(2, 60)
    while length % groups == 0:
        length = rng.randint(2, 60)
    shape = (rng.randint(1, 4), length, channels)  # channels-last into GroupNorm
    args = {"num_groups": groups, "num_channels": channels}
    numbers = {"num_groups": groups, "actual_channels": length}
    return Case("group_norm", "pytorch", "GroupNorm", args, shape, error_kind="groups", numbers=numbers)


def t_instance_norm(rng: random.Random) -> Case:
    channels, length = rng.randint(1, 64), rng.randint(2, 80)
    while length == channels:
        length = rng.randint(2, 80)
    shape = (rng.randint(1, 4), length, channels)
    args = {"num_features": channels, "affine": True}
    numbers = {"num_features": channels, "actual_channels": length}
    return Case("instance_norm", "pytorch", "InstanceNorm1d", args, shape, error_kind="norm_features", numbers=numbers)


def t_output_padding(rng: random.Random) -> Case:
    stride, dilation = rng.randint(1, 4), rng.randint(1, 4)
    given = max(stride, dilation) + rng.randint(0, 2)
    args = {
        "in_channels": 2,
        "out_channels": 3,
        "kernel_size": rng.randint(1, 5),
        "stride": stride,
        "dilation": dilation,
        "output_padding": given,
    }
    numbers = {"output_padding": given, "stride": stride, "dilation": dilation}
    return Case(
        "output_padding",
        "pytorch",
        "ConvTranspose1d",
        args,
        (1, 2, rng.randint(2, 20)),
        error_kind="argument_value",
        numbers=numbers,
    )


def t_upsample_rank(rng: random.Random) -> Case:
    length = rng.randint(2, 30)
    shape = (length,) if rng.random() < 0.5 else (rng.randint(1, 8), length)
    args = {"scale_factor": rng.randint(2, 4)}
    return Case(
        "upsample_rank", "pytorch", "Upsample", args, shape, error_kind="input_rank", numbers={"input_rank": len(shape)}
    )


# ---- Keras mistakes --------------------------------------------------------------------------


def k_two_d(rng: random.Random) -> Case:
    shape = (rng.randint(1, 8), rng.randint(3, 60))
    args = {"filters": rng.randint(1, 8), "kernel_size": rng.randint(1, 3)}
    numbers = {"input_rank": 2, "expected_rank": 3, "input_shape": list(shape)}
    return Case("two_d", "keras", "Conv1D", args, shape, error_kind="input_rank", numbers=numbers)


def k_too_short(rng: random.Random) -> Case:
    k = rng.randint(2, 12)
    d, s = (rng.choice([1, 2, 3]), 1) if rng.random() < 0.5 else (1, rng.randint(1, 5))
    span = d * (k - 1) + 1
    length = rng.randint(1, span - 1)
    args = {"filters": 4, "kernel_size": k, "strides": s, "dilation_rate": d}
    shape = (rng.randint(1, 3), length, rng.randint(1, 6))
    numbers = {"kernel_span": span, "input_shape": list(shape)}
    return Case("too_short", "keras", "Conv1D", args, shape, error_kind="input_too_short", numbers=numbers)


def k_groups(rng: random.Random) -> Case:
    groups = rng.randint(2, 6)
    channels = groups * rng.randint(1, 5) + rng.randint(1, groups - 1)
    filters = groups * rng.randint(1, 4)
    args = {"filters": filters, "kernel_size": 3, "groups": groups}
    shape = (2, 12, channels)
    numbers = {"groups": groups, "input_channels": channels}
    return Case("groups", "keras", "Conv1D", args, shape, error_kind="groups", numbers=numbers)


def k_groups_filters(rng: random.Random) -> Case:
    groups = rng.randint(2, 6)
    filters = groups * rng.randint(1, 4) + rng.randint(1, groups - 1)
    args = {"filters": filters, "kernel_size": 3, "groups": groups}
    shape = (2, 12, groups * rng.randint(1, 4))
    return Case(
        "groups_filters",
        "keras",
        "Conv1D",
        args,
        shape,
        error_kind="groups",
        numbers={"groups": groups, "filters": filters},
    )


def k_strides_dilation(rng: random.Random) -> Case:
    s, d = rng.randint(2, 4), rng.randint(2, 4)
    args = {"filters": 4, "kernel_size": 3, "strides": s, "dilation_rate": d}
    numbers = {"strides": s, "dilation_rate": d}
    return Case(
        "strides_dilation", "keras", "Conv1D", args, (1, 40, 2), error_kind="strides_with_dilation", numbers=numbers
    )


def k_padding(rng: random.Random) -> Case:
    args = {"filters": 4, "kernel_size": 3, "padding": rng.choice(["full", "Full", "reflect", "zeros"])}
    return Case("padding", "keras", "Conv1D", args, (1, 10, 2), error_kind="padding_string")


def k_pool(rng: random.Random) -> Case:
    k = rng.randint(2, 8)
    layer = rng.choice(["MaxPooling1D", "AveragePooling1D"])
    args: dict[str, Any] = {"pool_size": k}
    if rng.random() < 0.3:
        args["strides"] = rng.randint(1, k)
    shape = (rng.randint(1, 3), rng.randint(1, k - 1), rng.randint(1, 4))
    numbers = {"input_shape": list(shape), "input_length": shape[1]}
    return Case("pool", "keras", layer, args, shape, error_kind="pool_output_empty", numbers=numbers)


def k_four_d(rng: random.Random) -> Case:
    channels = rng.randint(1, 6)
    shape = (rng.randint(1, 4), rng.randint(2, 6), rng.randint(3, 30), channels)
    args = {"filters": 4, "kernel_size": rng.randint(1, 3)}
    return Case("four_d", "keras", "Conv1D", args, shape, error_kind="input_rank", numbers={"input_rank": 4})


def k_settings(rng: random.Random) -> Case:
    args: dict[str, Any] = {"filters": 4, "kernel_size": 3}
    choices = [("kernel_size", (3, 3)), ("strides", 0), ("strides", (1, 2)), ("dilation_rate", 0), ("groups", 0)]
    name, value = rng.choice([*choices, ("data_format", "channel_first"), ("data_format", "NCW")])
    args[name] = value
    shape = (1, 2, 20) if name == "data_format" else (1, 20, 2)  # (the data in the layout meant)
    return Case("settings", "keras", "Conv1D", args, shape, error_kind="argument_value")


def k_layout(rng: random.Random) -> Case:
    channels, length = rng.randint(1, 64), rng.randint(4, 80)
    while length == channels:
        length = rng.randint(4, 80)
    args = {"filters": rng.randint(1, 16), "kernel_size": rng.randint(1, 4)}
    shape = (rng.randint(1, 4), channels, length)  # PyTorch's layout into a model built for (length, channels)
    numbers = {"expected_features": channels, "input_shape": list(shape)}
    return Case(
        "layout",
        "keras",
        "Conv1D",
        args,
        shape,
        error_kind="input_channels",
        numbers=numbers,
        built_for=(length, channels),
    )


KINDS: list[Callable[[random.Random], Case]] = [
    t_layout,
    t_in_channels,
    t_one_channel_unbatched,
    t_depthwise_channels,
    t_rank,
    t_tuple_kernel,
    t_too_short,
    t_linear,
    t_dtype,
    t_strided_same,
    t_groups,
    t_reflect,
    t_padding_string,
    t_pool,
    t_transposed,
    t_recurrent,
    t_batchnorm,
    t_settings,
    t_pool_settings,
    t_linear_dtype,
    t_linear_unflattened,
    t_batch_of_one,
    t_group_norm_channels_last,
    t_transposed_rank,
    t_not_a_tensor,
    t_embedding_float,
    t_pool_rank_2_to_3,
    t_recurrent_rank,
    t_layer_norm,
    t_group_norm,
    t_instance_norm,
    t_output_padding,
    t_upsample_rank,
    k_two_d,
    k_too_short,
    k_groups,
    k_groups_filters,
    k_strides_dilation,
    k_padding,
    k_pool,
    k_four_d,
    k_settings,
    k_layout,
]


def test_real_errors_are_recognised_read_and_fixed(
    torch: ModuleType, keras: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(14)
    total = recognised = fixed = 0
    by_kind: dict[str, list[int]] = {}  # kind: [errors, fixed]
    wrong_numbers: list[str] = []
    unfixed: list[str] = []
    unrecognised: list[str] = []
    located, checks, wrong_checks = 0, [0, 0], []  # checks: [wrong, right]
    for make in KINDS:
        for _ in range(PER_KIND):
            case = make(rng)
            text = _run(case, tmp_path)
            if text is None:
                continue  # (a draw the framework takes: not a mistake)
            total += 1
            tally = by_kind.setdefault(f"{case.framework} {case.kind}", [0, 0])
            tally[0] += 1
            assert_same_as_compiled(text)  # (the deferred patterns miss nothing the regexes find)
            report = diagnose(text)
            if not report.recognized or report.finding is None:
                unrecognised.append(f"{case.kind}: {text.strip().splitlines()[-1]}")
                continue
            found = report.finding
            recognised += 1
            if (case.error_kind and found.error_kind != case.error_kind) or found.framework != case.framework:
                wrong_numbers.append(f"{case.kind}: kind {found.error_kind} ≠ {case.error_kind}")
            for key, value in case.numbers.items():
                if found.numbers.get(key) != value:
                    wrong_numbers.append(f"{case.kind}: {key} {found.numbers.get(key)!r} ≠ {value!r}")
            first = found.fixes[0].to_dict() if found.fixes else None
            repaired = None if first is None else _applied(case, first)
            if repaired is not None and _run(repaired, tmp_path) is None:
                fixed += 1
                tally[1] += 1
            else:
                unfixed.append(f"{case.kind}: {first} on {case.script().splitlines()[-3:]}")
            told = with_model(found, case.model_code())
            located += told.layer != found.layer  # (named as the model names it)
            for fix in told.fixes:
                verdict = _check_verdict(case, fix.to_dict(), tmp_path)
                if verdict is not None:
                    checks[verdict == ""] += 1
                    if verdict:
                        wrong_checks.append(f"{case.kind}: {verdict} on {case.model_code().strip()}")
    with capsys.disabled():
        print(
            f"\nwhy on {total} real errors: recognised {recognised} ({recognised / total:.1%}), "
            f"first fix runs {fixed} ({fixed / total:.1%})"
        )
        for miss in unfixed:
            print("  not fixed:", miss)
        for miss in unrecognised:
            print("  not recognised:", miss)
        print(
            f"with the layer as the model's code: located {located}/{recognised}; fixes checked on it "
            f"{sum(checks)}, the real framework agreeing {checks[1]}"
        )
    assert total >= 500
    assert not wrong_checks, wrong_checks[:10]
    assert checks[1] >= 300  # (the check is not vacuous: most fixes of most kinds are tried)
    assert not wrong_numbers, wrong_numbers[:10]
    assert recognised >= 0.99 * total, unrecognised[:10]
    assert fixed >= 0.95 * total, unfixed[:10]
    weak = {kind: f"{done}/{count}" for kind, (count, done) in by_kind.items() if done < 0.8 * count}
    assert not weak, weak  # (no kind hides behind the others)
