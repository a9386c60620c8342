"""Random model chains (valid and invalid mixed) read by `model` and built in the real Keras 3
(torch backend) and PyTorch, run on zeros layer by layer: every layer's output shape and parameter
counts (trainable and not) equal, and a chain the framework refuses is refused at the same layer,
with an exception of the same type where we quote the framework's message."""

from __future__ import annotations

import random
import warnings
from collections.abc import Callable
from types import ModuleType

import pytest

from conv1dexplain.modeling import from_text
from conv1dexplain.report.model import ModelReport
from model_chains import KERAS, TORCH, Built, Family, State, build_keras, build_torch, draw_chain

pytestmark = pytest.mark.oracle

CHAINS = 320  # per framework


def _input(rng: random.Random) -> State:
    # lengths across where layers change path: 1 (too short for most), small, and long enough
    length = rng.choice([1, 2, 3, rng.randint(4, 12), rng.randint(13, 80)])
    return State(channels=rng.randint(1, 8), length=length)


def _compare(report: ModelReport, built: Built, calls: list[str]) -> None:
    where = "\n".join(f"{i}: {c}" for i, c in enumerate(calls))
    ours_failed = None if report.error is None else report.error.layer
    for index, row in enumerate(report.layers):
        if index >= len(built.shapes):
            break
        assert row.output_shape == built.shapes[index], f"layer {index} shape\n{where}"
        assert (row.trainable_params, row.non_trainable_params) == built.params[index], f"layer {index} params\n{where}"
    assert ours_failed == built.failed_at, (
        f"ours fails at {ours_failed} ({report.error}), the framework at {built.failed_at} "
        f"({type(built.exception).__name__}: {built.exception})\n{where}"
    )
    if report.error is not None and report.error.framework_message and built.exception is not None:
        kind = report.error.framework_message.split(":", 1)[0]
        assert kind == type(built.exception).__name__, f"{report.error.framework_message}\n{built.exception}\n{where}"


def _chain(family: Family, seed: int) -> tuple[list[str], State, State]:
    rng = random.Random(seed)
    start = _input(rng)
    state = State(start.channels, start.length)
    calls = draw_chain(family, rng, state, rng.randint(1, 7))
    return calls, start, state


# How each framework's model is written and built: its Sequential, its Embedding, its layout, its builder.
_SETUPS: dict[str, tuple[str, str, bool, Callable[..., Built]]] = {
    "keras": ("Sequential([{}])", "Embedding(", True, build_keras),
    "pytorch": ("nn.Sequential({})", "nn.Embedding(", False, build_torch),
}


def _check(framework: str, calls: list[str], start: State, module: ModuleType) -> None:
    """Our report of the chain against the framework's build, with the input in its layout."""
    wrap, embedding, channels_last, build = _SETUPS[framework]
    tokens = calls[0].startswith(embedding)
    sizes = (start.length, start.channels) if channels_last else (start.channels, start.length)
    shape = (2, start.length) if tokens else (2, *sizes)
    report = from_text(wrap.format(", ".join(calls)), "x".join(map(str, shape)), framework)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        built = build(module, calls, shape, tokens=tokens)
    _compare(report, built, calls)


@pytest.mark.parametrize("block", range(8))
def test_random_keras_chains_equal_keras(block: int, keras: ModuleType) -> None:
    for seed in range(block * CHAINS // 8, (block + 1) * CHAINS // 8):
        calls, start, _ = _chain(KERAS, seed)
        _check("keras", calls, start, keras)


@pytest.mark.parametrize("block", range(8))
def test_random_pytorch_chains_equal_pytorch(block: int, torch: ModuleType) -> None:
    for seed in range(block * CHAINS // 8, (block + 1) * CHAINS // 8):
        calls, start, _ = _chain(TORCH, 10_000 + seed)
        _check("pytorch", calls, start, torch)
