"""`conv1dexplain.summary()`: a whole model from its code, a list of layers, or a live
keras.Sequential / torch.nn.Sequential, read through its configuration (no forward pass; neither
framework is imported here). No NumPy."""

from __future__ import annotations

from typing import Any

from conv1dexplain.errors import SpecError
from conv1dexplain.live import read_live
from conv1dexplain.modelcode import read_model
from conv1dexplain.modeling import ModelRequest, build
from conv1dexplain.report.model import ModelReport


def summary(obj: Any, input_shape: Any = None, framework: str | None = None) -> ModelReport:
    """The model's layers, output shapes, parameters, MACs, windows and receptive fields.

    obj: the model's code as a string ("Embedding(5000, 300), Conv1D(100, 4)" or a whole file's
    text), a live keras.Sequential or torch.nn.Sequential, or a list of one framework's layers.
    input_shape: the first layer's input without the batch (an Embedding: (500,); a Conv1D:
    (50, 300), PyTorch: (300, 50)), or with it first; a string as the CLI's --input ("50x300") also
    does. None: the code's Input(shape=…) or the live model's input shape.
    framework: "keras" or "pytorch" (default: what the layers say).

    The result prints as a table (print(report), rich, Jupyter) and has .to_dict(), the CLI's JSON.
    When the framework would refuse a layer, report.error says which and why (nothing is raised).
    """
    source = read_model(obj) if isinstance(obj, str) else read_live(obj)
    text = input_shape if isinstance(input_shape, str) else None
    dims = None if input_shape is None or text is not None else _dims(input_shape)
    return build(ModelRequest(source, text, dims, framework))


def _dims(value: Any) -> tuple[int | None, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, tuple | list) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in value
    ):
        return tuple(value)
    raise SpecError(
        f"input_shape={value!r} is not a shape",
        "give input_shape as sizes of 0 or more (None for an unknown length), e.g. input_shape=(50, 300)",
        argument="input_shape",
    )
