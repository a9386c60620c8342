"""trace's records: the JSON lines and the pages read the same facts, and each tap reads the data and
the kernel the user gave (checked against those arrays, not against the tracer's own copies)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conv1dexplain.layer_arguments import LayerArguments
from conv1dexplain.runner import RunRequest, prepare
from conv1dexplain.trace import Tracer

# zeros padding on both sides, grouped with a bias, dilated causal, PyTorch's layout with a batch
LAYERS = [
    RunRequest(layer=LayerArguments(filters=2, kernel_size=3, padding="same"), input_shape="10x3", seed=1),
    RunRequest(
        layer=LayerArguments(filters=4, kernel_size=2, groups=2, padding="same", strides=2), input_shape="13x6", seed=2
    ),
    RunRequest(
        layer=LayerArguments(filters=3, kernel_size=3, dilation_rate=3, padding="causal"), input_shape="11x2", seed=3
    ),
    RunRequest(
        layer=LayerArguments(framework="pytorch", filters=2, kernel_size=4, padding="2"), input_shape="2x4x9", seed=4
    ),
]


@pytest.mark.parametrize("request_", LAYERS)
def test_windows_and_steps_hold_the_same_positions_and_outputs(request_: RunRequest) -> None:
    tracer = Tracer(prepare(request_), chunk=4)
    length = tracer.output_length
    windows = list(tracer.windows(0, length, None))
    positions = [row for w in windows for row in w.input_indices]
    padding = [row for w in windows for row in w.padding_taps]
    outputs = [row for w in windows for row in w.outputs]
    assert [w.first for w in windows] == list(range(0, length, 4))
    for step in tracer.steps(0, length, 1):
        t = step.output_index
        assert step.input_indices == positions[t]
        assert step.padding_taps == list(padding[t])
        assert step.outputs.tolist() == outputs[t]  # the same chunk: the same bits
        assert step.output == outputs[t][1]


@pytest.mark.parametrize("request_", LAYERS)
def test_each_tap_reads_the_data_and_kernel_given_and_the_products_add_up(request_: RunRequest) -> None:
    ready = prepare(request_)
    tracer = Tracer(ready, chunk=3)
    spec = ready.plan.config
    example = ready.x[0] if ready.x.ndim == 3 else ready.x
    rows = example if spec.data_format == "channels_last" else example.T  # (L, C)
    for f in range(spec.filters):
        for step in tracer.steps(0, tracer.output_length, f):
            taps = tracer.taps(step, list(range(spec.kernel_size)))
            channels = slice(step.first_channel, step.first_channel + step.channels)
            for tap in taps:
                inside = 0 <= tap.input_index < rows.shape[0]
                assert tap.padding == (not inside) == (tap.tap in step.padding_taps)
                read = rows[tap.input_index, channels] if inside else np.zeros(step.channels)
                assert tap.values == read.tolist()
                given = (
                    ready.kernel[tap.tap, :, f]
                    if ready.plan.convention.name == "keras"
                    else ready.kernel[f, :, tap.tap]
                )
                assert tap.weights == given.tolist()
                assert math.isclose(tap.product, float(np.dot(read, given)), rel_tol=1e-6, abs_tol=1e-6)
            assert math.isclose(sum(tap.product for tap in taps), step.sum, rel_tol=1e-5, abs_tol=1e-5)
            bias = 0.0 if ready.bias is None else float(ready.bias[f])
            assert step.sum_with_bias == step.sum + bias
