"""The shape check can fail: break a rule of geometry.py or the engine, and it reports the mismatch.

And the check's own reference (the convolution computed from the settings alone) is the real
frameworks' convolution: compared here with Keras and PyTorch on drawn layers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from types import ModuleType

import numpy as np
import pytest

from conv1dexplain import check, geometry
from conv1dexplain.errors import SpecError
from conv1dexplain.layers import conv1d
from specgen import Case, cases


def _status(**kwargs: object) -> str:
    return check.check_plan(conv1d.build(**{"framework": "keras", "use_bias": False, **kwargs})).status  # type: ignore[arg-type]


SEED = {"input_shape": "50x300", "filters": 100, "kernel_size": 4, "padding": "same"}


def test_unbroken_rules_are_confirmed() -> None:
    assert _status(**SEED) == "confirmed"
    assert _status(input_shape="12x2", filters=3, kernel_size=3, dilation_rate=2, padding="causal") == "confirmed"
    assert _status(framework="pytorch", input_shape="3x20", filters=2, kernel_size=4, padding="same") == "confirmed"


def test_a_swapped_same_split_is_a_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    def swapped(length: int, kernel_size: int, strides: int, dilation_rate: int) -> tuple[int, int]:
        total = max(0, (-(-length // strides) - 1) * strides + dilation_rate * (kernel_size - 1) + 1 - length)
        return total - total // 2, total // 2  # the odd one first: wrong

    monkeypatch.setattr(geometry, "keras_same_padding", swapped)
    assert conv1d.build(framework="keras", **SEED).axis.pad_left == 2  # type: ignore[arg-type]
    assert _status(**SEED) == "mismatch"


def test_a_swapped_pytorch_same_split_is_a_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geometry, "torch_same_padding", lambda k, d: (d * (k - 1) - d * (k - 1) // 2, d * (k - 1) // 2))
    assert _status(framework="pytorch", input_shape="3x20", filters=2, kernel_size=4, padding="same") == "mismatch"


def test_a_wrong_causal_side_is_a_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geometry, "causal_padding", lambda k, d: (0, d * (k - 1)))
    assert _status(input_shape="12x2", filters=3, kernel_size=3, padding="causal") == "mismatch"


@pytest.mark.parametrize("strides", [1, 3])
def test_a_wrong_output_length_formula_is_a_mismatch(monkeypatch: pytest.MonkeyPatch, strides: int) -> None:
    def one_short(self: geometry.Axis) -> int:
        return max(0, (self.padded_length - self.span) // self.strides)  # the + 1 forgotten

    monkeypatch.setattr(geometry.Axis, "output_length", property(one_short))
    assert _status(input_shape="40x3", filters=2, kernel_size=3, strides=strides) == "mismatch"


def test_a_wrong_padding_mode_in_the_engine_is_a_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    real = check.convolve

    def zeros_only(*args: object, **kwargs: object) -> np.ndarray:
        return real(*args, **{**kwargs, "padding_mode": "zeros"})  # type: ignore[arg-type]

    layer = {"framework": "pytorch", "input_shape": "2x9", "filters": 2, "kernel_size": 3, "padding": 2}
    assert _status(**layer, padding_mode="reflect") == "confirmed"
    monkeypatch.setattr(check, "convolve", zeros_only)
    assert _status(**layer, padding_mode="reflect") == "mismatch"


def test_a_shorter_input_with_another_phase_is_a_mismatch(monkeypatch: pytest.MonkeyPatch) -> None:
    layer = {"input_shape": f"{10**9 + 1}x8", "filters": 4, "kernel_size": 5, "strides": 3, "padding": "same"}
    assert _status(**layer) == "confirmed_shorter"
    real = check._shorter_axis
    monkeypatch.setattr(check, "_shorter_axis", lambda axis: geometry.Axis(**{**vars(real(axis)), "length": 61}))
    assert _status(**layer) == "mismatch"  # 61 % 3 != (10**9 + 1) % 3: Keras would split it otherwise


def test_the_note_says_mismatch_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(geometry, "causal_padding", lambda k, d: (0, d * (k - 1)))
    result = check.check_plan(conv1d.build("keras", "12x2", filters=3, kernel_size=3, padding="causal"))
    assert result.note.startswith("MISMATCH") and result.reference_padding == [2, 0]


def _reference(case: Case, x: np.ndarray, kernel: np.ndarray) -> np.ndarray | None:
    """The check's reference on one example (x (L, C), kernel (k, C/g, F)), or None if refused."""
    try:  # the activation is not part of the reference (nor of the real layers it is compared with)
        plan = conv1d.build(**replace(case, activation=None).build_kwargs())  # type: ignore[arg-type]
    except SpecError:
        return None
    before, after = check.reference_padding(plan, case.length)
    return check.reference_output(plan.config, x, kernel, before, after)


def _example(case: Case) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(case.length * 31 + case.kernel_size)
    g = max(case.groups, 1)
    x = rng.standard_normal((case.length, case.channels))
    kernel = rng.standard_normal((max(case.kernel_size, 1), max(case.channels // g, 1), max(case.filters, 1)))
    return x, kernel


def _agrees(case: Case, real_output: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> None:
    """The reference equals the real layer's output; a layer we refuse, the framework refuses too."""
    x, kernel = _example(case)
    ours = _reference(case, x, kernel)
    if ours is None:
        with pytest.raises((ValueError, RuntimeError, TypeError)):
            real_output(x, kernel)
        return
    np.testing.assert_allclose(ours, real_output(x, kernel), rtol=1e-9, atol=1e-9, err_msg=str(case))


@pytest.mark.oracle
@pytest.mark.parametrize("case", cases("pytorch", 150, seed=21), ids=lambda c: "")
def test_the_reference_is_pytorchs_convolution(torch: ModuleType, case: Case) -> None:
    def real_output(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        padding: str | int = int(case.padding) if case.padding.lstrip("-").isdigit() else case.padding
        layer = torch.nn.Conv1d(case.channels, case.filters, case.kernel_size, stride=case.strides, padding=padding,
                                dilation=case.dilation_rate, groups=case.groups, bias=False,
                                padding_mode=case.padding_mode, dtype=torch.float64)  # fmt: skip
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(kernel.transpose(2, 1, 0).copy()))
            return layer(torch.from_numpy(x.T[None].copy()))[0].numpy().T  # type: ignore[no-any-return]

    _agrees(case, real_output)


@pytest.mark.oracle
@pytest.mark.parametrize("case", cases("keras", 150, seed=22), ids=lambda c: "")
def test_the_reference_is_keras_convolution(keras: ModuleType, case: Case) -> None:
    def real_output(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
        layer = keras.layers.Conv1D(case.filters, case.kernel_size, strides=case.strides,
                                    padding=case.padding.lower(), dilation_rate=case.dilation_rate,
                                    groups=case.groups, use_bias=False, dtype="float64")  # fmt: skip
        layer.build((1, case.length, case.channels))
        layer.kernel.assign(kernel)
        return keras.ops.convert_to_numpy(layer(x[None]))[0]  # type: ignore[no-any-return]

    _agrees(case, real_output)
