"""The convolution by its definition (DESIGN.md's semantics), in float64, for the engine's tests.

Output position t of filter f in group g = bias[f] + Σ_j Σ_c x[t·s + j·d − pad_left, g·C/g + c] ·
kernel[j, c, f], over the rows that exist; with zero padding the others contribute nothing (they
are skipped, not multiplied), with PyTorch's other padding modes they are the rows NumPy's own
np.pad puts there (reflect: 'reflect', replicate: 'edge', circular: 'wrap').
"""

from __future__ import annotations

from typing import Any

import numpy as np

from conv1dexplain.engine import convolve

NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def output_length(length: int, k: int, s: int, d: int, pads: tuple[int, int]) -> int:
    return (length + pads[0] + pads[1] - d * (k - 1) - 1) // s + 1


def reference(
    x: np.ndarray,
    kernel: np.ndarray,
    bias: np.ndarray | None,
    s: int,
    d: int,
    pads: tuple[int, int],
    padding_mode: str = "zeros",
    groups: int = 1,
) -> np.ndarray:
    """out (N, L_out, F) from x (N, L, C) and kernel (k, C/g, F), channels-last, in float64."""
    batch, length, _ = x.shape
    k, cg, filters = kernel.shape
    fg = filters // groups
    l_out = output_length(length, k, s, d, pads)
    out = np.zeros((batch, l_out, filters))
    if bias is not None:
        out += bias.astype(np.float64)
    first = np.arange(l_out) * s - pads[0]  # the row tap 0 of each position reads
    if padding_mode != "zeros":  # which input row each padded row holds, by NumPy's np.pad
        source = np.pad(np.arange(length), pads, mode=NUMPY_MODES[padding_mode])  # type: ignore[call-overload]
    with np.errstate(invalid="ignore", over="ignore"):
        for j in range(k):
            rows = first + j * d
            if padding_mode == "zeros":
                where = np.nonzero((rows >= 0) & (rows < length))[0]
                rows = rows[where]
            else:
                where, rows = np.arange(l_out), source[rows + pads[0]]
            taps = x[:, rows].astype(np.float64).reshape(batch, len(rows), groups, cg)
            tap = kernel[j].astype(np.float64).reshape(cg, groups, fg)
            out[:, where] += np.einsum("ntgc,cgf->ntgf", taps, tap).reshape(batch, len(rows), filters)
    return out


def arrays(layer: dict[str, Any], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """x (N, L, C) and kernel (k, C/g, F) in float32, bias or None, with an inf or NaN if asked."""
    shape = (layer["batch"], layer["length"], layer["channels"])
    x = rng.standard_normal(shape).astype(np.float32)
    cg = layer["channels"] // layer["groups"]
    kernel = (rng.standard_normal((layer["k"], cg, layer["filters"])) / np.sqrt(layer["k"] * cg)).astype(np.float32)
    bias = rng.standard_normal(layer["filters"]).astype(np.float32) if layer["bias"] else None
    if layer["values"] == "inf kernel":
        kernel[int(rng.integers(layer["k"])), 0, int(rng.integers(layer["filters"]))] = np.inf
    if layer["values"] == "nan data" and x.size:
        x.reshape(-1)[int(rng.integers(x.size))] = np.nan
    return x, kernel, bias


def run_engine(
    layer: dict[str, Any], x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None, paths: list[str]
) -> np.ndarray:
    """The engine on the layer, channels-last or in PyTorch's layout (transposed views, NaN-filled output)."""
    l_out = output_length(layer["length"], layer["k"], layer["s"], layer["d"], layer["pads"])
    out = None
    if layer["layout"] == "pytorch":
        x = np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)
        out = np.full((x.shape[0], layer["filters"], l_out), np.nan, np.float32).transpose(0, 2, 1)
    return convolve(
        x,
        kernel,
        bias,
        strides=layer["s"],
        dilation_rate=layer["d"],
        pad_left=layer["pads"][0],
        pad_right=layer["pads"][1],
        padding_mode=layer["mode"],
        groups=layer["groups"],
        out=out,
        work_bytes=layer["work_bytes"],
        paths=paths,
    )


def check(layer: dict[str, Any], rng: np.random.Generator) -> list[str]:
    """The engine equals the definition on this layer; the paths it took."""
    x, kernel, bias = arrays(layer, rng)
    paths: list[str] = []
    got = run_engine(layer, x, kernel, bias, paths)
    expected = reference(x, kernel, bias, layer["s"], layer["d"], layer["pads"], layer["mode"], layer["groups"])
    assert got.shape == expected.shape, layer
    np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-4, err_msg=str(layer))
    assert (layer["batch"] == 0) == (paths == []), (layer, paths)
    return paths


def layer_of(**given: Any) -> dict[str, Any]:
    """A layer (the keys draw_layer makes): given sizes, the others small; length from l_out if given."""
    layer: dict[str, Any] = {
        "batch": 1,
        "channels": 4,
        "filters": 8,
        "groups": 1,
        "k": 3,
        "s": 1,
        "d": 1,
        "pads": (0, 0),
        "mode": "zeros",
        "layout": "keras",
        "bias": True,
        "work_bytes": 6 << 20,
        "values": "finite",
    }
    layer.update(given)
    if "l_out" in layer:
        span = layer["d"] * (layer["k"] - 1) + 1
        layer["length"] = (layer.pop("l_out") - 1) * layer["s"] + span - sum(layer["pads"])
    return layer
