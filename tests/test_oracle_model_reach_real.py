"""Receptive fields and jumps measured, not computed, on the real models of test_oracle_model_real.py
(research/models.md), as test_oracle_model_reach.py measures them on random chains: in the real
framework, on a linear copy of each model, perturb one input position at a time and see which
outputs of every layer change; `_check` holds our receptive_field, jump and reads to that.

The linear copy, the same text for our report and for the framework: activation=… arguments taken
out, ReLU and GELU layers made Identity, MaxPooling1D / GlobalMaxPooling1D / nn.MaxPool1d made
their average-pooling twins (same size, stride and padding), nn.GroupNorm made Identity (its
statistics span the whole sequence: not a per-position map, and ours says so, null from it on; that
claim is measured on the real model below), nn.ReplicationPad1d made the zero nn.ConstantPad1d of
the same widths (a repeated end position is a real position read again, which `reads`, the padded
window, does not promise; test_oracle_model_reach.py takes padding_mode out for the same reason).
Dropout, AlphaDropout and BatchNorm stay: the framework runs them in inference mode, where Dropout is
the identity and BatchNorm an affine map per position. An Embedding is measured on its own (one
token changed changes its own position only), and the rest from its output: the embedded sequence
is what gets perturbed. After a layer that leaves no sequence axis (global pooling, LSTM, Flatten,
Dense on a vector, Concatenate of pooled branches) the comparison stops, and our rows there must be
null. The functional models are measured along every branch (a Keras model whose outputs are every
layer's output), so are the Add joins of the TCN.

Compared, layer by layer (every layer with a sequence axis; rows · windows inside the input):
  kim-cnn              the Embedding and the three branch convolutions, length 64      4 ·   247
  char-cnn-kim         the Embedding and the four branch convolutions, length 100      5 ·   479
                       (not its 1,014: a thousand passes of 1,014 × 128 → 4 × 256 take minutes)
  tutorial             Embedding, Conv1D, pooling, length 500                          3 · 1,246
  imdb-cnn-lstm        Embedding, Dropout, Conv1D, pooling, length 100                 4 ·   320
  fcn-forda            the three Conv1D / BatchNormalization / ReLU blocks, length 500  9 · 4,464
  tcn                  the dilated causal stack, its Adds, the Dense per position, 150 18 · 2,284
  wav2vec-encoder      all layers at 512 channels, length 465 (the shortest; 16,000    65 ·   517
                       would take hours): the 20 encoder layers show windows, the 45
                       context layers (785 to 3,345 wide) output 0's reads only; so
                       again at 8 channels, length 3,505, two windows every layer      65 · 4,556
                       (a window's positions do not depend on the number of channels)
  wav2vec2-positional  both layers at 768 channels, its length 49: the reads only      2 ·     0
                       (its 128-wide window never fits); at 32 channels, length 200     2 ·   146
  m5-speech-commands   the 17 layers up to AdaptiveAvgPool1d, length 10,944 (its      17 · 2,913
                       8,000 leave the last pooling one output, 10,944 two)
194 layer rows in 11 measurements, 17,172 windows; every one agrees with the framework."""

from __future__ import annotations

import functools
import random
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

import test_oracle_model_real as real
from conv1dexplain import records
from conv1dexplain.modeling import from_text
from conv1dexplain.report.model import LayerRow, ModelReport
from test_oracle_model_reach import _check, _dependence, _torch_outputs

pytestmark = pytest.mark.oracle

_LINEARIZE = (  # the same text edits for our report and for the framework
    (re.compile(r",\s*activation=(['\"])\w+\1"), ""),
    (re.compile(r"\bActivation\((['\"])\w+\1\)"), "Activation('linear')"),
    (re.compile(r"\b(ReLU|GELU)\b"), "Identity"),  # keras.layers.ReLU(), nn.ReLU(), nn.GELU()
    (re.compile(r"\bGroupNorm\([^)]*\)"), "Identity()"),
    (re.compile(r"\bGlobalMaxPooling1D\b"), "GlobalAveragePooling1D"),
    (re.compile(r"\bMaxPooling1D\b"), "AveragePooling1D"),
    (re.compile(r"\bMaxPool1d\b"), "AvgPool1d"),
    (re.compile(r"\bReplicationPad1d\((\([^)]*\))\)"), r"ConstantPad1d(\1, 0.0)"),
)
_NONLINEAR = re.compile(r"activation=|Max|ReLU|GELU|GroupNorm|Replication|Activation\('(?!linear)")


def linear_copy(code: str) -> str:
    """The model's code with its nonlinear parts replaced by linear ones of the same geometry."""
    for pattern, replacement in _LINEARIZE:
        code = pattern.sub(replacement, code)
    assert not _NONLINEAR.search(code), code
    return code


@dataclass(frozen=True)
class Case:
    """A real model measured at one input: its code edited (length, width), the number of layers
    compared, and the least number of windows inside the input that every one must show (2: its
    jump is seen too; a layer with fewer outputs, all of them), except the layers from `deep` on,
    whose windows are wider than this input (there the measure holds ours to the positions output 0
    reads only)."""

    model: str
    input_text: str | None
    layers: int
    edits: tuple[tuple[str, str], ...] = ()
    windows: int = 2
    deep: int | None = None
    label: str = ""

    @property
    def code(self) -> str:
        code = {**real.KERAS_MODELS, **real.TORCH_MODELS}[self.model][0]
        for old, new in self.edits:
            assert old in code, (self.model, old)
            code = code.replace(old, new)
        return code

    @property
    def id(self) -> str:
        return self.model + (f"-{self.label}" if self.label else "")


KERAS_CASES = (
    Case("kim-cnn", None, 4),
    Case("char-cnn-kim", None, 5, (("input_size = 1014", "input_size = 100"),)),
    Case("tutorial", "500", 3),
    Case("imdb-cnn-lstm", "100", 4),
    Case("fcn-forda", None, 9),
    Case("tcn", "150x1", 18),
)
TORCH_CASES = (
    # 512 channels: the context layers' windows (785 to 3,345 wide) reach past 465 positions
    Case("wav2vec-encoder", "1x465", 65, windows=1, deep=20),
    Case("wav2vec-encoder", "1x3505", 65, (("512", "8"),), label="8-channels"),
    Case("wav2vec2-positional", "768x49", 2, deep=0),  # the 128-wide window never fits in 49
    Case("wav2vec2-positional", "32x200", 2, (("768", "32"),), label="32-channels"),
    Case("m5-speech-commands", "1x10944", 17),
)


def _dependence_at_once(outputs_of: Any, base: list[Any], length: int, rng: random.Random) -> list[list[set[int]]]:
    """test_oracle_model_reach._dependence, each layer's changed outputs found in one NumPy step
    rather than one output at a time (M5 and the narrow wav2vec run 10⁷ of them): the same sets,
    as test_the_dependence_at_once_is_the_shared_one shows."""
    import numpy as np

    depends: list[list[set[int]]] = [[set() for _ in range(out.shape[0])] for out in base]
    for position in range(length):
        for layer, (out, ref) in enumerate(zip(outputs_of(position, rng.uniform(0.5, 2.0)), base, strict=True)):
            for t in np.flatnonzero((out != ref).reshape(out.shape[0], -1).any(axis=1)):
                depends[layer][int(t)].add(position)
    return depends


def _compare(report: ModelReport, rows: list[LayerRow], depends: list[list[set[int]]], length: int, case: Case) -> int:
    """_check on each row by itself, so that each shows its windows inside the input; the number
    of rows."""
    for row, per_output in zip(rows, depends, strict=True):
        assert row.receptive_field is not None and row.jump is not None and row.reads is not None, row
        windows = _check(records.replace(report, layers=(row,)), [per_output], length, case.id)
        wanted = 0 if case.deep is not None and row.index >= case.deep else min(case.windows, len(per_output))
        assert windows >= wanted, f"{case.id} {row.name}: {windows} windows inside the input"
    return len(rows)


def _ours(case: Case) -> tuple[ModelReport, ModelReport]:
    """Our report on the copy, which must be our report on the model itself (same input), row for
    row, up to the first nn.GroupNorm, after which the model's rows are null (it reads everything)."""
    model = from_text(case.code, case.input_text)
    copy = from_text(linear_copy(case.code), case.input_text)
    assert model.error is None and copy.error is None, (model.error, copy.error)
    assert len(model.layers) == len(copy.layers)
    normalized = False
    for ours, linear in zip(model.layers, copy.layers, strict=True):
        normalized = normalized or ours.type == "GroupNorm"
        geometry = (linear.receptive_field, linear.jump, linear.reads, linear.reach_first)
        if normalized:
            assert (ours.receptive_field, ours.jump, ours.reads) == (None, None, None), ours
        else:
            assert (ours.receptive_field, ours.jump, ours.reads, ours.reach_first) == geometry, ours.name
    return model, copy


def _no_sequence_after(rows: list[tuple[LayerRow, int]]) -> list[LayerRow]:
    """The rows the framework gives a sequence axis (rank 3); the rest must be null in ours."""
    kept = []
    for row, rank in rows:
        if rank == 3:
            kept.append(row)
        else:
            assert (row.receptive_field, row.jump, row.reads, row.reach_first) == (None, None, None, None), row
    assert kept
    return kept


# ---- Keras ---------------------------------------------------------------------------------------


@contextmanager
def _float64(keras: ModuleType) -> Iterator[None]:
    """Layers built in float64 (the dtype policy follows floatx after clear_session)."""
    floatx = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        keras.config.set_floatx(floatx)
        keras.backend.clear_session()


def _keras_outputs(
    keras: ModuleType, model: Any, shape: tuple[int, ...], position: int | None, value: float
) -> list[Any]:
    """Every output of a multi-output model, on zeros with one position set to value."""
    import numpy as np

    x = np.zeros(shape, dtype="float64")
    if position is not None:
        x[0, position, :] = value
    outs = model(x)
    return [keras.ops.convert_to_numpy(out)[0] for out in (outs if isinstance(outs, list) else [outs])]


def _token_outputs(keras: ModuleType, embedding: Any, length: int, position: int | None, value: float) -> list[Any]:
    """The Embedding on token 0 everywhere but one position, given another token."""
    import numpy as np

    tokens = np.zeros((1, length), dtype="int32")
    if position is not None:
        tokens[0, position] = 1 + int(value * 1000) % (embedding.input_dim - 1)
    return [keras.ops.convert_to_numpy(embedding(tokens))[0]]


def _measure_keras(keras: ModuleType, case: Case, dependence: Callable[..., Any] = _dependence_at_once) -> int:
    _, report = _ours(case)
    length = report.input_shape[1]
    assert isinstance(length, int)
    with _float64(keras):
        model = real._keras_built(keras, linear_copy(case.code))
        if not model.built:
            model.build((None, length))
        layers = {layer.name: layer for layer in model.layers}
        rows = _no_sequence_after([(row, len(layers[row.name].output.shape)) for row in report.layers])
        compared = 0
        start = model.inputs[0]
        if rows[0].type == "Embedding":  # measured on tokens; the rest from its output
            embedding = layers[rows[0].name]
            outputs_of = functools.partial(_token_outputs, keras, embedding, length)
            depends = dependence(outputs_of, outputs_of(None, 0.0), length, random.Random(1))
            compared += _compare(report, rows[:1], depends, length, case)
            start, rows = embedding.output, rows[1:]
        assert all(row.type != "Embedding" for row in rows)
        tail = keras.Model(start, [layers[row.name].output for row in rows])
        outputs_of = functools.partial(_keras_outputs, keras, tail, (1, length, int(start.shape[-1])))
        depends = dependence(outputs_of, outputs_of(None, 0.0), length, random.Random(2))
    return compared + _compare(report, rows, depends, length, case)


@pytest.mark.parametrize("case", KERAS_CASES, ids=lambda case: case.id)
def test_receptive_fields_and_jumps_of_the_real_keras_models_are_measured(case: Case, keras: ModuleType) -> None:
    assert _measure_keras(keras, case) == case.layers


def test_the_dependence_at_once_is_the_shared_one(keras: ModuleType) -> None:
    """The faster bookkeeping finds the very sets test_oracle_model_reach._dependence finds."""
    case = Case("tcn", "40x1", 18, deep=0)
    seen: dict[str, list[Any]] = {"shared": [], "at once": []}

    def recording(name: str, helper: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            seen[name].append(helper(*args))
            return seen[name][-1]

        return run

    _measure_keras(keras, case, recording("shared", _dependence))
    _measure_keras(keras, case, recording("at once", _dependence_at_once))
    assert seen["shared"] == seen["at once"] and len(seen["shared"]) == 1


# ---- PyTorch -------------------------------------------------------------------------------------


def _leaves(torch: ModuleType, code: str) -> list[tuple[str, Any]]:
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    model = namespace["model"].double().eval()
    return [(path, m) for path, m in model.named_modules() if not isinstance(m, torch.nn.Sequential)]


def _ranks(torch: ModuleType, modules: list[Any], shape: tuple[int, ...]) -> list[int]:
    x = torch.zeros(shape, dtype=torch.float64)
    ranks = []
    with torch.no_grad():
        for module in modules:
            x = module(x)
            ranks.append(x.dim())
    return ranks


@pytest.mark.parametrize("case", TORCH_CASES, ids=lambda case: case.id)
def test_receptive_fields_and_jumps_of_the_real_pytorch_models_are_measured(case: Case, torch: ModuleType) -> None:
    _, report = _ours(case)
    shape = (1, *(int(d) for d in (case.input_text or "").split("x")))
    leaves = _leaves(torch, linear_copy(case.code))
    assert [row.name for row in report.layers] == [path for path, _ in leaves]
    modules = [module for _, module in leaves]
    rows = _no_sequence_after(list(zip(report.layers, _ranks(torch, modules, shape), strict=True)))
    assert [row.index for row in rows] == list(range(len(rows)))  # a chain: the sequence ends once
    outputs_of = functools.partial(_torch_outputs, torch, modules[: len(rows)], shape)
    depends = _dependence_at_once(outputs_of, outputs_of(None, 0.0), shape[2], random.Random(3))
    assert _compare(report, rows, depends, shape[2], case) == case.layers


def test_group_norm_reads_the_whole_sequence_as_ours_says(torch: ModuleType) -> None:
    """The real wav2vec encoder (not the copy): ours is null from its first nn.GroupNorm on, its
    positions reading everything; one input position changed changes every output there."""
    report = from_text(real.WAV2VEC, "1x465")
    assert report.layers[2].type == "GroupNorm" and report.layers[2].receptive_field is None
    assert report.layers[1].receptive_field == 10
    modules = [module for _, module in _leaves(torch, real.WAV2VEC)][:3]
    outputs_of = functools.partial(_torch_outputs, torch, modules, (1, 1, 465))
    depends = _dependence_at_once(outputs_of, outputs_of(None, 0.0), 465, random.Random(4))
    assert all(seen == set(range(465)) for seen in depends[2])
    assert all(len(seen) <= 10 for seen in depends[1])  # before it, the convolution's windows
