"""Receptive fields after upsampling and transposed convolutions, measured: there an output's window
covers a varying number of input positions (upsampled positions repeat their source), so the
receptive field is the most any output position reads. In the real frameworks, on random linear
chains that mix them with convolutions and pooling, perturb one input position at a time and see
which outputs of every layer change: the widest dependence of a position away from the input's
edges is our receptive field, and output 0 reads within our `reads` (its ends, where inside)."""

from __future__ import annotations

import random
from types import ModuleType

import pytest

from conv1dexplain.modeling import from_text
from test_oracle_model_reach import check_reads, keras_depends, torch_depends

pytestmark = pytest.mark.oracle

CHAINS = 60  # per framework


def _layers(rng: random.Random) -> list[tuple[str, dict[str, int]]]:
    """2 to 6 layers, at least one that divides the stride (an upsampling or a transposed conv)."""
    kinds = ["conv", "pool", "up", "transposed"]
    chosen = [rng.choice(["up", "transposed"]), *(rng.choice(kinds) for _ in range(rng.randint(1, 5)))]
    rng.shuffle(chosen)
    layers = []
    for kind in chosen:
        if kind == "conv":
            layers.append((kind, {"k": rng.randint(1, 5), "s": rng.randint(1, 3), "d": rng.randint(1, 2)}))
        elif kind == "pool":
            layers.append((kind, {"k": rng.randint(2, 3), "s": rng.randint(1, 3)}))
        elif kind == "up":
            layers.append((kind, {"f": rng.randint(2, 3)}))
        else:
            layers.append((kind, {"k": rng.randint(1, 4), "s": rng.randint(2, 3)}))
    return layers


def _keras(kind: str, p: dict[str, int]) -> str:
    return {
        "conv": lambda: f"Conv1D(1, {p.get('k')}, strides={p.get('s')}, dilation_rate={p.get('d')})",
        "pool": lambda: f"AveragePooling1D({p.get('k')}, strides={p.get('s')})",
        "up": lambda: f"UpSampling1D({p.get('f')})",
        "transposed": lambda: f"Conv1DTranspose(1, {p.get('k')}, strides={p.get('s')})",
    }[kind]()


def _torch(kind: str, p: dict[str, int]) -> str:
    return {
        "conv": lambda: f"nn.Conv1d(1, 1, {p.get('k')}, stride={p.get('s')}, dilation={p.get('d')})",
        "pool": lambda: f"nn.AvgPool1d({p.get('k')}, stride={p.get('s')})",
        "up": lambda: f"nn.Upsample(scale_factor={p.get('f')})",
        "transposed": lambda: f"nn.ConvTranspose1d(1, 1, {p.get('k')}, stride={p.get('s')})",
    }[kind]()


def _check(report: object, depends: list[list[set[int]]], length: int, where: str) -> int:
    checked = 0
    for row, per_output in zip(report.layers, depends, strict=False):  # type: ignore[attr-defined]
        if row.receptive_field is None:
            continue
        inside = [seen for seen in per_output if seen and min(seen) > 0 and max(seen) < length - 1]
        widest = max((max(seen) - min(seen) + 1 for seen in inside), default=0)
        assert widest <= row.receptive_field, f"{row.name}: a position reads {widest}\n{where}"
        if len(inside) >= 24:  # (two periods of any pattern drawn here: up to 3 · 3 · 2 positions)
            assert widest == row.receptive_field, f"{row.name}: the widest reads {widest}\n{where}"
            checked += 1
        check_reads(row, per_output[0] if per_output else set(), length, where)
    return checked


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_uneven_receptive_fields_of_random_chains_are_measured(
    keras: ModuleType, torch: ModuleType, framework: str
) -> None:
    checked = 0
    for seed in range(CHAINS):
        rng = random.Random((70_000 if framework == "keras" else 80_000) + seed)
        write = _keras if framework == "keras" else _torch
        calls, length = [write(*layer) for layer in _layers(rng)], rng.randint(60, 160)
        shape = f"{length}x1" if framework == "keras" else f"1x{length}"
        model = ("Sequential([{}])" if framework == "keras" else "nn.Sequential({})").format(", ".join(calls))
        report = from_text(model, shape, framework)
        if report.error is not None:
            continue
        depends = (
            keras_depends(keras, calls, length, 1, seed)
            if framework == "keras"
            else torch_depends(torch, calls, length, 1, seed)
        )
        checked += _check(report, depends, length, "\n".join(calls))
    assert checked > 100


def test_the_reported_cases() -> None:
    """The adversarial pass's chains, with what perturbing them in the frameworks showed."""
    cases = [
        ("Conv1D(1, 2, strides=2), UpSampling1D(2), Conv1D(1, 2)", "20x1", "keras", [2, 2, 4], [0, 1]),
        ("Conv1D(1, 3, strides=4), UpSampling1D(4), Conv1D(1, 2)", "40x1", "keras", [3, 3, 7], [0, 2]),
    ]
    for text, shape, framework, fields, last_reads in cases:
        report = from_text(text, shape, framework)
        assert [row.receptive_field for row in report.layers] == fields
        assert list(report.layers[-1].reads) == last_reads  # type: ignore[arg-type]
