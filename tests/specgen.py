"""A seeded generator of Conv1D specs as a user would type them, valid and invalid alike."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    """One layer + input, in CLI terms (padding as typed)."""

    framework: str
    batch: int | None
    length: int
    channels: int
    filters: int
    kernel_size: int
    strides: int
    padding: str
    dilation_rate: int
    groups: int
    use_bias: bool
    activation: str | None
    data_format: str
    padding_mode: str

    @property
    def input_text(self) -> str:
        """`--input` in the layout of the case's convention."""
        dims = (self.length, self.channels) if self.data_format == "channels_last" else (self.channels, self.length)
        prefix = "" if self.batch is None else f"{self.batch}x"
        return prefix + "x".join(map(str, dims))

    def cli_args(self) -> list[str]:
        """The `shape` command line for this case."""
        args = ["--framework", self.framework, "--input", self.input_text, "--filters", str(self.filters),
                "--kernel-size", str(self.kernel_size), "--strides", str(self.strides), "--padding", self.padding,
                "--dilation-rate", str(self.dilation_rate), "--groups", str(self.groups),
                "--use-bias" if self.use_bias else "--no-bias", "--padding-mode", self.padding_mode]  # fmt: skip
        if self.activation is not None:
            args += ["--activation", self.activation]
        if self.framework == "keras":
            args += ["--data-format", self.data_format]
        return args

    def build_kwargs(self) -> dict[str, object]:
        """Keyword arguments of conv1dexplain.layers.conv1d.build."""
        return dict(
            framework=self.framework, input_shape=self.input_text, filters=self.filters,
            kernel_size=self.kernel_size, strides=self.strides, padding=self.padding,
            dilation_rate=self.dilation_rate, groups=self.groups, use_bias=self.use_bias,
            activation=self.activation, data_format=self.data_format if self.framework == "keras" else None,
            padding_mode=self.padding_mode,
        )  # fmt: skip


def _sometimes(rng: random.Random, p: float, odd: int, usual: int) -> int:
    return odd if rng.random() < p else usual


def random_case(rng: random.Random, framework: str) -> Case:
    """Mostly valid specs, with tiny and odd lengths, and a share of what the framework refuses."""
    groups = _sometimes(rng, 0.03, 0, rng.choice([1, 1, 1, 2, 3, 4]))
    g = max(groups, 1)
    channels = rng.randint(1, 9) if rng.random() < 0.1 else g * rng.randint(1, 3)
    filters = rng.randint(1, 9) if rng.random() < 0.1 else g * rng.randint(1, 3)
    filters = _sometimes(rng, 0.02, rng.choice([0, -1]), filters)
    kernel_size = _sometimes(rng, 0.03, rng.choice([0, -2]), rng.randint(1, 7))
    strides = _sometimes(rng, 0.03, 0, rng.choice([1, 1, 1, 2, 3, 4]))
    dilation = _sometimes(rng, 0.03, 0, rng.choice([1, 1, 1, 2, 3]))
    if framework == "keras":
        padding = rng.choice(["valid", "same", "causal"] * 5 + ["SAME", "Causal", "full", "1"])
        data_format = rng.choice(["channels_last", "channels_first"])
        activation = rng.choice([None] * 12 + ["relu", "tanh", "softmax", "RELU", "nope", "glu", "gelu"])
        padding_mode = "zeros"
        if strides > 1 and dilation > 1 and rng.random() < 0.7:  # keep most specs valid
            dilation = 1
    else:
        padding = rng.choice(["valid", "same", "0", "1", "2", "3", "5"] * 3 + ["SAME", "causal", "-1", "full"])
        data_format = "channels_first"
        activation = None
        padding_mode = rng.choice(["zeros"] * 4 + ["reflect", "replicate", "circular"])
        if padding == "same" and strides != 1 and rng.random() < 0.7:
            strides = 1
    return Case(
        framework=framework, batch=rng.choice([None, None, 1, 3]), length=rng.randint(1, 24),
        channels=channels, filters=filters, kernel_size=kernel_size, strides=strides, padding=padding,
        dilation_rate=dilation, groups=groups, use_bias=rng.random() < 0.7, activation=activation,
        data_format=data_format, padding_mode=padding_mode,
    )  # fmt: skip


def cases(framework: str, count: int, seed: int) -> list[Case]:
    """`count` cases from one seed (the same every run)."""
    rng = random.Random(seed)
    return [random_case(rng, framework) for _ in range(count)]
