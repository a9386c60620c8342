"""The fixes that model's refusals print work: each suggested argument, built in the real framework
and read by us, runs."""

from __future__ import annotations

import re
from types import ModuleType

import numpy as np
import pytest

from conv1dexplain.modeling import from_text

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize(("layer", "value"), [("Cropping1D", "(2,)"), ("ZeroPadding1D", "(3,)"), ("Cropping1D", "[1]")])
def test_a_one_element_pair_gets_fixes_that_run(keras: ModuleType, layer: str, value: str) -> None:
    name = "cropping" if layer == "Cropping1D" else "padding"
    report = from_text(f"Conv1D(2, 3), {layer}({value})", "12x1")
    assert report.error is not None and report.error.layer == 1
    with pytest.raises(ValueError):  # Keras refuses it too
        getattr(keras.layers, layer)(eval(value))  # (the test's own literal, not user code)
    fixes = re.findall(rf"{name}=(\d+|\(\d+, \d+\))", report.error.hint)
    assert len(fixes) == 2, report.error.hint
    for fix in fixes:
        fixed = from_text(f"Conv1D(2, 3), {layer}({fix})", "12x1")
        assert fixed.error is None, fix
        out = getattr(keras.layers, layer)(eval(fix))(np.zeros((1, 10, 2), np.float32))
        assert tuple(out.shape)[1:] == fixed.layers[1].output_shape[1:], fix
