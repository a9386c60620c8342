"""Drawn weights come a block at a time, yet are the numbers of one whole draw."""

from __future__ import annotations

import numpy as np
import pytest

from conv1dexplain import data


@pytest.mark.parametrize("size", [1, 5, 6, 7, 13, 30])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_blocks_give_the_numbers_of_one_draw(monkeypatch: pytest.MonkeyPatch, size: int, dtype: type) -> None:
    monkeypatch.setattr(data, "WEIGHT_BLOCK", 6)  # blocks of 6: sizes below, at and across a block
    shape = (size, 1, 1)
    drawn = data.uniform_blocks(np.random.default_rng(3), 0.5, shape, np.dtype(dtype))
    whole = np.random.default_rng(3).uniform(-0.5, 0.5, shape).astype(dtype)
    assert drawn.dtype == dtype and drawn.shape == shape
    np.testing.assert_array_equal(drawn, whole)  # the same draw, then the same cast: bit for bit
