"""Drawn weights come a block at a time, yet are the numbers of one whole draw."""

from __future__ import annotations

import numpy as np
import pytest

from conv1dexplain.random_data import uniform_blocks


@pytest.mark.parametrize("size", [1, 5, 6, 7, 13, 30])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_blocks_give_the_numbers_of_one_draw(size: int, dtype: type) -> None:
    shape = (size, 1, 1)
    # blocks of 6: sizes below, at and across a block
    drawn = uniform_blocks(np.random.default_rng(3), 0.5, shape, np.dtype(dtype), block=6)
    whole = np.random.default_rng(3).uniform(-0.5, 0.5, shape).astype(dtype)
    assert drawn.dtype == dtype and drawn.shape == shape
    np.testing.assert_array_equal(drawn, whole)  # the same draw, then the same cast: bit for bit
