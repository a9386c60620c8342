"""The `run` answer as one plain object: the single source of the human view and the JSON."""

from __future__ import annotations

from typing import Any

from conv1dexplain.records import asdict, record
from conv1dexplain.report.facts import LayerFacts
from conv1dexplain.vocabulary import SCHEMA_VERSION


@record(frozen=True)
class RunReport:
    """What `run` did: the layer's facts, the arrays' shapes, where data and weights came from, where
    the output went, its range."""

    facts: LayerFacts
    input_shape: list[int]  # the arrays' own shapes (the batch known)
    output_shape: list[int]
    dtype: str
    data_source: str
    weights_source: str
    padding: str | int | list[int]  # the setting as given
    padding_equivalent: str | None  # an explicit PyTorch pair: what it is in nn.Conv1d's own terms
    min: float | None  # null for an empty output (a batch of 0)
    max: float | None
    mean: float | None
    output_file: str | None
    output_bytes: int | None
    preview: list[list[float]]  # first positions × first channels of the first example
    output: Any  # the values (nested lists) when written to stdout, else null

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of `run --json` (and of `--output -`, with the values)."""
        facts, own = self.facts, asdict(self)
        layer = {"framework": facts.framework, "data_format": facts.data_format}
        shapes = {key: own[key] for key in ("input_shape", "output_shape")}
        shapes |= {"kernel_shape": facts.kernel_shape, "bias_shape": facts.bias_shape}
        sources = {key: own[key] for key in ("dtype", "data_source", "weights_source", "padding")}
        padding: dict[str, Any] = {"pad_left": facts.padding.left, "pad_right": facts.padding.right}
        padding |= {"padding_mode": facts.padding.padding_mode, "padding_equivalent": self.padding_equivalent}
        steps = {"strides": facts.strides, "dilation_rate": facts.dilation_rate, "groups": facts.groups}
        rest = ("min", "max", "mean", "output_file", "output_bytes", "preview", "output")
        body = layer | shapes | sources | padding | steps | {"activation": facts.activation}
        return {"type": "run", "schema_version": SCHEMA_VERSION, **body, **{key: own[key] for key in rest}}
