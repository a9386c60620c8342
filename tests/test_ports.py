"""Every printed layer runs, as printed, in the real framework it is written for, and gives its numbers.

For layers drawn across every padding kind and mode, stride, dilation, groups, bias, activation and
layout, `shape --json`'s `code` is evaluated in its own framework and `other_framework.code` is run
in the other one (weights copied over, transposed by (2, 1, 0)); the outputs must agree in shape and
value (float32 tolerance), and the shapes must be the ones the answer gives.
"""

from __future__ import annotations

import json
import random
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from conv1dexplain.vocabulary import KERAS_ACTIVATIONS
from helpers import run

pytestmark = pytest.mark.oracle

COUNT = 160
ACTIVATIONS = [a for a in KERAS_ACTIVATIONS if a != "threshold"]  # threshold cannot be named alone


def _layer(rng: random.Random, framework: str) -> dict[str, Any]:
    groups = rng.choice([1, 1, 1, 2, 3])
    layer: dict[str, Any] = {
        "framework": framework, "length": rng.randint(1, 30), "channels": groups * rng.randint(1, 3),
        "filters": groups * rng.choice([1, 2, 4]), "kernel_size": rng.randint(1, 6),
        "strides": rng.choice([1, 1, 2, 3, 4]), "dilation_rate": rng.choice([1, 1, 2, 3]), "groups": groups,
        "use_bias": rng.random() < 0.7, "activation": None, "data_format": "channels_first", "padding_mode": "zeros",
    }  # fmt: skip
    if framework == "keras":
        layer["padding"] = rng.choice(["valid", "same", "causal"])
        layer["data_format"] = rng.choice(["channels_last", "channels_first"])
        layer["activation"] = rng.choice([None, None, *ACTIVATIONS])
        if layer["strides"] > 1 and layer["dilation_rate"] > 1:
            layer[rng.choice(["strides", "dilation_rate"])] = 1  # Keras refuses both (tested elsewhere)
    else:
        layer["padding_mode"] = rng.choice(["zeros", "reflect", "replicate", "circular"])
        choices = ["valid", "same", "0", "1", "2", "3", "5"] + ["-1", "-2"] * (layer["padding_mode"] != "zeros")
        layer["padding"] = rng.choice(choices)
        if layer["padding"] == "same":
            layer["strides"] = 1
    return layer


def _args(layer: dict[str, Any]) -> list[str]:
    dims = (layer["length"], layer["channels"])
    if layer["data_format"] == "channels_first":
        dims = dims[::-1]
    args = ["shape", "--framework", layer["framework"], "--input", "x".join(map(str, dims)), "-f",
            str(layer["filters"]), "-k", str(layer["kernel_size"]), "-s", str(layer["strides"]),
            f"--padding={layer['padding']}", "-d", str(layer["dilation_rate"]), "-g", str(layer["groups"]),
            "--use-bias" if layer["use_bias"] else "--no-bias", "--padding-mode", layer["padding_mode"],
            "--json"]  # fmt: skip
    if layer["framework"] == "keras":
        args += ["--data-format", layer["data_format"]]
    if layer["activation"]:
        args += ["--activation", layer["activation"]]
    return args


def _answers(framework: str, seed: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(layer, shape's JSON answer) for the drawn layers shape accepts."""
    rng = random.Random(seed)
    accepted = []
    while len(accepted) < COUNT:
        layer = _layer(rng, framework)
        result = run(_args(layer))
        assert result.code in (0, 2), result
        if result.code == 0:
            accepted.append((layer, json.loads(result.stdout)))
    return accepted


KERAS_LAYERS = _answers("keras", seed=11)
TORCH_LAYERS = _answers("pytorch", seed=12)


def _batched(shape: list[int | None]) -> tuple[int, ...]:
    return tuple(2 if d is None else d for d in shape)


def _swap(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a.transpose(0, 2, 1))


def _keras_output(keras: ModuleType, code: str, x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> Any:
    layer = eval(code, {"keras": keras})  # the printed constructor, as a user pastes it
    layer.build(x.shape)
    layer.kernel.assign(kernel)
    if bias is not None:
        layer.bias.assign(bias)
    return keras.ops.convert_to_numpy(layer(x))


def _torch_output(torch: ModuleType, code: str, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None) -> Any:
    layer = eval(code, {"nn": torch.nn})
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(weight))
        if bias is not None:
            layer.bias.copy_(torch.from_numpy(bias))
        return layer(torch.from_numpy(x)).numpy()


def _run_statements(namespace: dict[str, Any], code: str, set_weights: Any, x: Any) -> Any:
    """Run the port's statements: all but the last define `conv`; set its weights; the last gives y."""
    *define, forward = code.split("\n")
    assert forward.startswith("y = "), code
    exec("\n".join(define), namespace)  # the printed code, line for line
    set_weights(namespace["conv"])
    namespace["x"] = x
    exec(forward, namespace)
    return namespace["y"]


def _check(torch: ModuleType, keras: ModuleType, layer: dict[str, Any], answer: dict[str, Any]) -> None:
    rng = np.random.default_rng(len(json.dumps(layer)))
    own_in = _batched(answer["input_shape"])
    x = rng.standard_normal(own_in).astype(np.float32)
    kernel_shape = tuple(answer["kernel_shape"])
    fan_in = layer["kernel_size"] * layer["channels"] // layer["groups"]
    weights = (rng.standard_normal(kernel_shape) / np.sqrt(fan_in)).astype(np.float32)
    bias = rng.standard_normal(layer["filters"]).astype(np.float32) if layer["use_bias"] else None
    other = answer["other_framework"]
    other_weights = np.ascontiguousarray(weights.transpose(2, 1, 0))
    assert list(other_weights.shape) == other["kernel_shape"]
    # PyTorch's layout is (N, C, L); Keras' channels_first is the same, its channels_last swapped.
    swapped = not (layer["framework"] == "keras" and layer["data_format"] == "channels_first")
    x_other = _swap(x) if swapped else x
    assert x_other.shape == _batched(other["input_shape"])
    if layer["framework"] == "keras":
        own = _keras_output(keras, answer["code"], x, weights, bias)

        def set_torch(conv: Any) -> None:
            with torch.no_grad():
                conv.weight.copy_(torch.from_numpy(other_weights))
                if bias is not None:
                    conv.bias.copy_(torch.from_numpy(bias))

        namespace = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional}
        with torch.no_grad():
            ported = _run_statements(namespace, other["code"], set_torch, torch.from_numpy(x_other)).numpy()
    else:
        own = _torch_output(torch, answer["code"], x, weights, bias)

        def set_keras(conv: Any) -> None:
            conv.build((None, None, layer["channels"]))
            conv.kernel.assign(other_weights)
            if bias is not None:
                conv.bias.assign(bias)

        ported = keras.ops.convert_to_numpy(_run_statements({"keras": keras}, other["code"], set_keras, x_other))
    assert own.shape == _batched(answer["output_shape"]), (layer, answer["code"])
    assert ported.shape == _batched(other["output_shape"]), (layer, other["code"])
    back = _swap(ported) if swapped else ported
    np.testing.assert_allclose(back, own, rtol=1e-4, atol=1e-4, err_msg=f"{layer}\n{other['code']}")


@pytest.mark.parametrize(("layer", "answer"), KERAS_LAYERS, ids=[f"keras{i}" for i in range(COUNT)])
def test_keras_layer_runs_in_both_frameworks(
    torch: ModuleType, keras: ModuleType, layer: dict[str, Any], answer: dict[str, Any]
) -> None:
    _check(torch, keras, layer, answer)


@pytest.mark.parametrize(("layer", "answer"), TORCH_LAYERS, ids=[f"torch{i}" for i in range(COUNT)])
def test_pytorch_layer_runs_in_both_frameworks(
    torch: ModuleType, keras: ModuleType, layer: dict[str, Any], answer: dict[str, Any]
) -> None:
    _check(torch, keras, layer, answer)


def test_the_drawn_layers_cover_every_kind() -> None:
    keras_layers = [layer for layer, _ in KERAS_LAYERS]
    torch_layers = [layer for layer, _ in TORCH_LAYERS]
    assert {layer["padding"] for layer in keras_layers} == {"valid", "same", "causal"}
    assert {layer["data_format"] for layer in keras_layers} == {"channels_last", "channels_first"}
    assert len({layer["activation"] for layer in keras_layers}) >= 20
    assert {layer["padding"] for layer in torch_layers} == {"valid", "same", "0", "1", "2", "3", "5", "-1", "-2"}
    assert {layer["padding_mode"] for layer in torch_layers} == {"zeros", "reflect", "replicate", "circular"}
    assert any(layer["strides"] > 1 and layer["dilation_rate"] > 1 for layer in torch_layers)
    for drawn in (keras_layers, torch_layers):
        assert {layer["strides"] for layer in drawn} >= {1, 2, 3, 4}
        assert {layer["dilation_rate"] for layer in drawn} >= {1, 2, 3}
        assert {layer["groups"] for layer in drawn} >= {1, 2, 3}
        assert {layer["use_bias"] for layer in drawn} == {True, False}


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
@pytest.mark.parametrize(("pads", "mode"), [((1, 2), "zeros"), ((0, 3), "zeros"), ((2, 1), "reflect")])
def test_explicit_padding_code_runs_as_printed(
    torch: ModuleType, keras: ModuleType, framework: str, pads: tuple[int, int], mode: str
) -> None:
    """The Python API's padding=(left, right) is printed as a padding layer, then the convolution."""
    from conv1dexplain.layers import conv1d
    from conv1dexplain.report.code import layer_code

    if framework == "keras" and mode != "zeros":
        return  # Keras' Conv1D has no padding_mode (refused, tested in test_cli)
    plan = conv1d.build(framework, "9x3" if framework == "keras" else "3x9", filters=2, kernel_size=3, padding=pads,
                        padding_mode=mode, use_bias=False)  # fmt: skip
    code = layer_code(plan)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 9, 3)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 2)).astype(np.float32)
    # The definition: pad as the mode says (np.pad), then a valid convolution, in (N, L, C).
    padded = np.pad(x[0], (pads, (0, 0)), mode={"zeros": "constant", "reflect": "reflect"}[mode])
    expected = np.stack([sum(padded[t + j] @ kernel[j] for j in range(3)) for t in range(len(padded) - 2)])[None]
    if framework == "keras":
        layer = eval(code, {"keras": keras})
        layer.build(x.shape)
        layer.layers[-1].kernel.assign(kernel)
        out = keras.ops.convert_to_numpy(layer(x))
    else:
        layer = eval(code, {"nn": torch.nn})
        with torch.no_grad():
            layer[-1].weight.copy_(torch.from_numpy(kernel.transpose(2, 1, 0).copy()))
            out = _swap(layer(torch.from_numpy(_swap(x))).numpy())
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5, err_msg=code)
