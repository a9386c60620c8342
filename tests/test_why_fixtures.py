"""`why` on the older wordings of ../shared/research/errors.md (earlier PyTorch, tf.keras 2,
Keras 3.0–3.12, the TensorFlow backend's Conv2D forms), as users paste them: each recognised, with
the numbers it carries and the first fix. (The current wordings are provoked for real in
tests/test_oracle_why.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from conv1dexplain.diagnose import diagnose

# (message, framework, error_kind, numbers that must be read, the first fix's fields)
FIXTURES: list[tuple[str, str, str, dict[str, Any], dict[str, Any] | None]] = [
    # PyTorch ≥ 2.1 names types by device and dtype (CUDAFloatType); GPU and Apple-GPU wordings (no GPU here)
    (
        "RuntimeError: Input type (CUDAFloatType) and weight type (CPUFloatType) should be the same",
        "pytorch",
        "device",
        {"input_device": "cuda", "weight_device": "cpu", "input_dtype": "float32"},
        {"kind": "to_device", "device": "cpu"},
    ),
    (
        "RuntimeError: Input type (MPSFloatType) and weight type (torch.FloatTensor) should be the same",
        "pytorch",
        "device",
        {"input_device": "mps", "weight_device": "cpu"},
        {"kind": "to_device", "device": "cpu"},
    ),
    (
        "RuntimeError: Input type (CUDAFloatType) and weight type (CUDAHalfType) should be the same",
        "pytorch",
        "dtype",
        {"input_dtype": "float32", "weight_dtype": "float16"},
        {"kind": "cast_input", "dtype": "float16"},
    ),
    (
        "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!",
        "pytorch",
        "device",
        {"devices": ["cuda:0", "cpu"]},
        {"kind": "to_device"},
    ),
    (
        "RuntimeError: Expected all tensors to be on the same device, but got weight is on cpu, different from other "
        "tensors on cuda:0 (when checking argument in method wrapper_CUDA__cudnn_convolution)",
        "pytorch",
        "device",
        {"devices": ["cpu", "cuda:0"]},
        {"kind": "to_device"},
    ),
    # TensorFlow's pooling and tf.keras 2's downsampling wordings
    (
        "ValueError: Negative dimension size caused by subtracting 2 from 1 for '{{node max_pooling1d/MaxPool}} = "
        'MaxPool[T=DT_FLOAT, data_format="NHWC", ksize=[1, 2, 1, 1], padding="VALID", strides=[1, 2, 1, 1]]'
        "(max_pooling1d/ExpandDims)' with input shapes: [?,1,1,16].",
        "keras",
        "input_too_short",
        {"op": "MaxPool"},
        {"kind": "set_argument", "argument": "padding", "value": "same"},
    ),
    (
        "ValueError: One of the dimensions in the output is <= 0 due to downsampling in conv1d_2. Consider increasing "
        "the input size. Received input shape [None, 3, 5] which would produce output shape with a zero or negative "
        "value in a dimension.",
        "keras",
        "input_too_short",
        {"input_shape": [None, 3, 5]},
        {"kind": "set_argument", "argument": "padding", "value": "same"},
    ),
    (
        "RuntimeError: Given groups=1, weight of size [[32, 768, 1]], expected input[16, 528, 768] to have 768 "
        "channels, but got 528 channels instead",
        "pytorch",
        "input_channels",
        {"weight_shape": [32, 768, 1], "input_shape": [16, 528, 768], "expected_channels": 768, "actual_channels": 528},
        {"kind": "permute_input", "dims": [0, 2, 1]},
    ),
    (
        "RuntimeError: Expected 3-dimensional input for 3-dimensional weight [16, 1, 17], but got 1-dimensional "
        "input of size [741] instead",
        "pytorch",
        "input_rank",
        {"weight_shape": [16, 1, 17], "input_shape": [741]},
        {"kind": "reshape_input", "shape": [1, 1, 741]},
    ),
    (
        "Expected 4-dimensional input for 4-dimensional weight [1, 1, 1, 2], but got 3-dimensional input of size "
        "[1, 32, 324] instead",
        "pytorch",
        "kernel_rank",
        {"weight_shape": [1, 1, 1, 2], "input_shape": [1, 32, 324]},
        {"kind": "set_argument", "argument": "kernel_size", "value": 2},
    ),
    (
        "RuntimeError: Given input size: (16x1x50). Calculated output size: (16x1x-272823246). "
        "Output size is too small",
        "pytorch",
        "pool_output_empty",
        {"input_length": 50, "output_length": -272823246},
        {"kind": "set_argument", "argument": "ceil_mode", "value": True},
    ),
    (
        "RuntimeError: Input type (torch.cuda.FloatTensor) and weight type (torch.FloatTensor) should be the same",
        "pytorch",
        "device",
        {"input_cuda": True, "weight_cuda": False},
        {"kind": "to_device", "device": "cpu"},
    ),
    (
        "RuntimeError: Input type (torch.cuda.FloatTensor) and weight type (torch.cuda.DoubleTensor) "
        "should be the same",
        "pytorch",
        "dtype",
        {"input_dtype": "float32", "weight_dtype": "float64"},
        {"kind": "cast_input", "dtype": "float64"},
    ),
    (
        "UserWarning: Using padding='same' with even kernel lengths and odd dilation may require a zero-padded copy "
        "of the input be created",
        "pytorch",
        "same_even_kernel",
        {},
        None,
    ),
    (
        'ValueError: Input 0 of layer "conv1d" is incompatible with the layer: expected min_ndim=3, found ndim=2. '
        "Full shape received: (None, 30)",
        "keras",
        "input_rank",
        {"layer": "conv1d", "input_rank": 2, "input_shape": [None, 30]},
        {"kind": "reshape_input", "shape": [None, 30, 1]},
    ),
    (
        "ValueError: Input 0 of layer conv1d_1 is incompatible with the layer: : expected min_ndim=3, found ndim=2. "
        "Full shape received: [None, 1886]",
        "keras",
        "input_rank",
        {"layer": "conv1d_1", "input_rank": 2, "input_shape": [None, 1886]},
        {"kind": "reshape_input", "shape": [None, 1886, 1]},
    ),
    (
        "ValueError: Input 0 is incompatible with layer conv1d_39: expected ndim=3, found ndim=4",
        "keras",
        "input_rank",
        {"layer": "conv1d_39", "expected_rank": 3, "input_rank": 4},
        None,
    ),
    (
        "ValueError: Error when checking input: expected conv1d_37_input to have 3 dimensions, but got array with "
        "shape (50000, 2)",
        "keras",
        "input_rank",
        {"layer": "conv1d_37", "expected_rank": 3, "input_shape": [50000, 2]},
        {"kind": "reshape_input", "shape": [50000, 2, 1]},
    ),
    (
        "ValueError: Negative dimension size caused by subtracting 3 from 2 for 'conv1d_3/convolution/Conv2D' "
        "(op: 'Conv2D') with input shapes: [?,1,2,128], [1,3,128,128].",
        "keras",
        "input_too_short",
        {"kernel_span": 3, "input_length": 2, "input_shape": [None, 2, 128], "kernel_shape": [3, 128, 128]},
        {"kind": "pad_input", "left": 0, "right": 1},  # 2 positions + 1 = one window of 3
    ),
    (
        "ValueError: Negative dimension size caused by subtracting 5 from 2 for '{{node sequential/conv1d/Conv1D}} = "
        'Conv2D[T=DT_FLOAT, data_format="NHWC", dilations=[1, 1, 1, 1], explicit_paddings=[], padding="VALID", '
        "strides=[1, 1, 1, 1], use_cudnn_on_gpu=true](sequential/conv1d/Conv1D/ExpandDims, "
        "sequential/conv1d/Conv1D/ExpandDims_1)' with input shapes: [?,1,2,100], [1,5,100,64].",
        "keras",
        "input_too_short",
        {"kernel_span": 5, "input_length": 2, "input_shape": [None, 2, 100], "kernel_shape": [5, 100, 64]},
        {"kind": "pad_input", "left": 0, "right": 3},
    ),
    (
        "ValueError: Computed output size would be negative. Received `inputs shape=(None, 10, 128)`, "
        "`kernel shape=(11, 128, 256)`, `dilation_rate=[1]`.",
        "keras",
        "input_too_short",
        {"input_shape": [None, 10, 128], "kernel_shape": [11, 128, 256], "kernel_span": 11},
        {"kind": "pad_input", "left": 0, "right": 1},  # 10 + 1 = 11
    ),
    (
        "ValueError: Input 0 of layer dense is incompatible with the layer: expected axis -1 of input shape to have "
        "value 448 but received input with shape (None, 14944)",
        "keras",
        "dense_features",
        {"layer": "dense", "expected_features": 448, "input_shape": [None, 14944]},
        None,
    ),
    (
        "tensorflow.python.framework.errors_impl.UnimplementedError: The Conv2D op currently only supports the NHWC "
        "tensor format on the CPU. The op was given the format: NCHW [Op:Conv2D]",
        "keras",
        "data_format",
        {},
        {"kind": "set_argument", "argument": "data_format", "value": "channels_last"},
    ),
    (
        "ValueError: Argument `input_length` is deprecated. Just remove it.",
        "keras",
        "deprecated_argument",
        {"argument": "input_length"},
        {"kind": "remove_argument", "argument": "input_length"},
    ),
    (
        "UserWarning: Do not pass an `input_shape`/`input_dim` argument to a layer. When using Sequential models, "
        "prefer using an `Input(shape)` object as the first layer in the model instead.",
        "keras",
        "deprecated_argument",
        {"argument": "input_shape"},
        {"kind": "remove_argument", "argument": "input_shape"},
    ),
]


@pytest.mark.parametrize(("message", "framework", "kind", "numbers", "fix"), FIXTURES, ids=[f[2] for f in FIXTURES])
def test_older_wordings_are_read(
    message: str, framework: str, kind: str, numbers: dict[str, Any], fix: dict[str, Any] | None
) -> None:
    report = diagnose(message)
    assert report.recognized and report.finding is not None, message
    found = report.finding
    assert (found.framework, found.error_kind) == (framework, kind)
    for key, value in numbers.items():
        assert found.numbers.get(key) == value, key
    if fix is None:
        return
    first = found.fixes[0].to_dict()
    assert {key: first[key] for key in fix} == fix


def test_a_traceback_with_colours_and_a_wrapped_line() -> None:
    """A terminal's paste: ANSI colours, the message wrapped over two lines, frames around it."""
    text = (
        "Traceback (most recent call last):\n"
        '  File "train.py", line 12, in <module>\n'
        "    y = model(x)\n"
        "\x1b[31mRuntimeError\x1b[0m: Given groups=1, weight of size [100, 300, 4], expected input[32, 50, 300] to\n"
        "have 300 channels, but got 50 channels instead\n"
    )
    found = diagnose(text).finding
    assert found is not None and found.numbers["actual_channels"] == 50
    assert found.fixes[0].code == "x = x.permute(0, 2, 1)"
    assert found.fixes[0].then is not None and "(32, 100, 47)" in found.fixes[0].then


@pytest.mark.parametrize("width", [37, 60, 80, 100])
@pytest.mark.parametrize("margin", ["", "    ", "E   "])
def test_a_message_hard_wrapped_at_any_column_and_in_pytest_s_margin(width: int, margin: str) -> None:
    """A terminal's hard wrap cuts words and numbers anywhere ("chan" / "nels", "3" / "00"); pytest
    prefixes each line with "E   ". Each wrapping reads as the one-line message does."""
    for message, framework, kind, numbers, _ in FIXTURES:
        lines = [message[i : i + width] for i in range(0, len(message), width)]
        text = "Traceback (most recent call last):\n" + "\n".join(margin + line for line in lines) + "\n"
        found = diagnose(text).finding
        assert found is not None and (found.framework, found.error_kind) == (framework, kind), (width, message)
        assert all(found.numbers.get(key) == value for key, value in numbers.items()), (width, message)
