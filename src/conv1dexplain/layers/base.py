"""The protocol every layer kind follows, and the plan every kind's rule returns."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from conv1dexplain.conventions import Convention
from conv1dexplain.errors import Conv1dExplainError
from conv1dexplain.geometry import Axis
from conv1dexplain.records import record
from conv1dexplain.tensor import Tensor

Function = TypeVar("Function", bound=Callable[..., Any])


def in_layer(kind: str) -> Callable[[Function], Function]:
    """The function's errors name the layer kind they concern (unless a caller named it already)."""

    def decorate(function: Function) -> Function:
        @functools.wraps(function)
        def named(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except Conv1dExplainError as error:
                error.layer = error.layer or kind
                raise

        return named  # type: ignore[return-value]

    return decorate


@record(frozen=True)
class LayerPlan:
    """What one layer does to a tensor, in pure integers."""

    kind: str  # the layer's class name in its framework: "Conv1D", "nn.Conv1d"
    convention: Convention
    input: Tensor
    output: Tensor
    weights: tuple[tuple[str, tuple[int, ...]], ...]  # (name, shape) in the framework's layout
    trainable_params: int
    non_trainable_params: int
    macs: int  # multiply-adds per example, bias excluded
    axis: Axis | None  # for layers that slide along the sequence

    @property
    def params(self) -> int:
        """Every parameter, trainable or not."""
        return self.trainable_params + self.non_trainable_params

    @property
    def flops(self) -> int:
        """Floating-point operations per example: 2 · MACs."""
        return 2 * self.macs

    @property
    def batch_macs(self) -> int | None:
        """MACs for the whole batch, when the batch is known."""
        return None if self.input.batch is None else self.input.batch * self.macs


class LayerKind(Protocol):
    """A layer kind: its names, how its arguments are validated, and its rule."""

    names: tuple[str, ...]  # Keras' class name, PyTorch's

    def configure(self, convention: Convention, **arguments: Any) -> Any:
        """The validated, frozen config of these arguments, or a SpecError naming the argument."""
        ...

    def plan(self, config: Any, tensor: Tensor, convention: Convention) -> LayerPlan:
        """What the layer does to the tensor, or a SpecError the framework would raise."""
        ...
