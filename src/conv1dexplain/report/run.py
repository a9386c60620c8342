"""The `run` answer as one plain object: the single source of the human view and the JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from conv1dexplain.vocabulary import SCHEMA_VERSION


@dataclass(frozen=True)
class RunReport:
    """What `run` did: shapes, where data and weights came from, where the output went, its range."""

    framework: str
    data_format: str
    input_shape: list[int]
    output_shape: list[int]
    kernel_shape: list[int]
    bias_shape: list[int] | None
    dtype: str
    data_source: str
    weights_source: str
    padding: str | int | list[int]
    pad_left: int
    pad_right: int
    padding_mode: str
    padding_equivalent: str | None  # an explicit PyTorch pair: what it is in nn.Conv1d's own terms
    strides: int
    dilation_rate: int
    groups: int
    activation: str | None
    min: float | None  # null for an empty output (a batch of 0)
    max: float | None
    mean: float | None
    output_file: str | None
    output_bytes: int | None
    preview: list[list[float]]  # first positions × first channels of the first example
    output: Any  # the values (nested lists) when written to stdout, else null

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of `run --json` (and of `--output -`, with the values)."""
        return {"type": "run", "schema_version": SCHEMA_VERSION, **asdict(self)}
