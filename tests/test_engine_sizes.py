"""Layers large enough that the engine picks its fast paths by itself (no constant forced), in both
layouts, against a float64 sum over the taps."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from conv1dexplain.engine import (
    convolve,
    depthwise_einsum,
    depthwise_rows,
    im2col,
    in_place,
    per_tap,
    tap_stack,
    unfold_first,
)

PATHS = {  # each algorithm, where the engine looks it up
    "windows read in place": (in_place, "inside_windows"),
    "tap-stacked products": (tap_stack, "tap_stack"),
    "im2col and polyphase rows": (im2col, "product"),
    "one product per tap": (per_tap, "shifted_products"),
    "depthwise einsum": (depthwise_einsum, "depthwise"),
    "taps unfolded along L (PyTorch's layout)": (unfold_first, "convolve_unfolded"),
    "depthwise rows (PyTorch's layout)": (depthwise_rows.DepthwiseRows, "block"),
}


def reference(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None, layer: dict[str, Any]) -> np.ndarray:
    """The definition: Σ over taps of the padded input's shifted rows times the tap, group by group."""
    s, d, (left, right), groups = layer["s"], layer["d"], layer["pads"], layer["groups"]
    k, cg, filters = kernel.shape
    fg = filters // groups
    padded = np.pad(x.astype(np.float64), ((0, 0), (left, right), (0, 0)))
    l_out = (padded.shape[1] - d * (k - 1) - 1) // s + 1
    out = np.zeros((x.shape[0], l_out, filters))
    for g in range(groups):
        for j in range(k):
            taps = padded[:, j * d : j * d + (l_out - 1) * s + 1 : s, g * cg : (g + 1) * cg]
            out[:, :, g * fg : (g + 1) * fg] += taps @ kernel[j, :, g * fg : (g + 1) * fg].astype(np.float64)
    return out if bias is None else out + bias


def random_layer(rng: np.random.Generator) -> dict[str, Any]:
    groups = int(rng.choice([1, 1, 1, 2, 4]))
    k = int(rng.integers(1, 10))
    s = int(rng.choice([1, 1, 2, 3, 4]))
    d = 1 if s > 1 else int(rng.choice([1, 1, 2, 4]))
    span = d * (k - 1) + 1
    return {
        "groups": groups,
        "cg": int(rng.choice([1, 3, 16, 32, 48, 64])),
        "fg": int(rng.choice([1, 8, 16, 32, 64])),
        "k": k,
        "s": s,
        "d": d,
        "length": int(rng.integers(span, 6000)),
        "batch": int(rng.choice([1, 2, 3, 8])),
        "pads": [(0, 0), (span // 2, span - 1 - span // 2), (span - 1, 0)][int(rng.integers(3))],
        "layout": str(rng.choice(["keras", "pytorch"])),
        "bias": bool(rng.random() < 0.7),
    }


def test_large_random_layers_equal_the_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    """150 layers of up to 6,000 positions and 256 channels; every path is taken at least once."""
    taken: Counter[str] = Counter()
    for name, (module, function) in PATHS.items():
        original = getattr(module, function)

        def counted(*args: Any, _name: str = name, _original: Callable[..., Any] = original) -> Any:
            taken[_name] += 1
            return _original(*args)

        monkeypatch.setattr(module, function, counted)
    rng = np.random.default_rng(0)
    for _ in range(150):
        layer = random_layer(rng)
        channels, filters = layer["cg"] * layer["groups"], layer["fg"] * layer["groups"]
        x = rng.standard_normal((layer["batch"], layer["length"], channels)).astype(np.float32)
        kernel = (rng.standard_normal((layer["k"], layer["cg"], filters)) / np.sqrt(layer["k"] * layer["cg"])).astype(
            np.float32
        )
        bias = rng.standard_normal(filters).astype(np.float32) if layer["bias"] else None
        expected = reference(x, kernel, bias, layer)
        out = None
        if layer["layout"] == "pytorch":  # (N, C, L) data and a NaN-filled (N, F, L_out) output, seen channels-last
            x = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)
            out = np.full((x.shape[0], filters, expected.shape[1]), np.nan, np.float32).transpose(0, 2, 1)
        got = convolve(
            x,
            kernel,
            bias,
            strides=layer["s"],
            dilation_rate=layer["d"],
            pad_left=layer["pads"][0],
            pad_right=layer["pads"][1],
            groups=layer["groups"],
            out=out,
        )
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4, err_msg=str(layer))
    assert set(taken) == set(PATHS), f"paths never taken: {set(PATHS) - set(taken)}"
