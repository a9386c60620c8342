"""Notes on a Conv1D layer: what differs in the other framework for it, and how to port it.

One writer per framework (what a Keras layer's user should know of PyTorch, and the reverse),
then the notes true in both."""

from __future__ import annotations

from collections.abc import Callable

from conv1dexplain.geometry import keras_same_padding
from conv1dexplain.layers.conv1d import Conv1DPlan


def _keras_same(plan: Conv1DPlan) -> list[str]:
    spec, axis = plan.config, plan.axis
    k, s, d = spec.kernel_size, spec.strides, spec.dilation_rate
    if spec.padding != "same":
        return []
    if s == 1:
        notes = ["PyTorch padding='same' gives the same split at stride 1."]
    elif axis.pad_left == axis.pad_right:
        notes = [
            f"PyTorch refuses padding='same' with stride {s}; this split is even, so the PyTorch "
            f"code uses padding={axis.pad_left}."
        ]
    else:
        notes = [
            f"PyTorch refuses padding='same' with stride {s}. The PyTorch code pads first: "
            f"F.pad(x, ({axis.pad_left}, {axis.pad_right})) then padding=0; no symmetric int "
            "padding reproduces this uneven split."
        ]
    if k % 2 == 0 and s == 1 and d == 1:
        wrong = (axis.length + 2 * (k // 2) - axis.span) // s + 1
        notes.append(
            f"In PyTorch, padding=kernel_size//2={k // 2} with this even kernel gives length {wrong}, "
            f"not {axis.output_length}: it pads {k // 2} on both sides."
        )
    return notes


def _keras_notes(plan: Conv1DPlan) -> list[str]:
    spec = plan.config
    notes = _keras_same(plan)
    if spec.padding == "causal":
        notes.append(
            f"PyTorch has no 'causal' padding: F.pad(x, ({spec.dilation_rate * (spec.kernel_size - 1)}, 0)) "
            "then padding=0."
        )
    notes.append(
        "Keras is (batch, length, channels); PyTorch is (batch, channels, length): x.permute(0, 2, 1)."
        if spec.data_format == "channels_last"
        else "channels_first is PyTorch's (batch, channels, length) order; the kernel layout stays (k, C/g, F)."
    )
    return notes


def _torch_padding_notes(plan: Conv1DPlan) -> list[str]:
    spec, axis = plan.config, plan.axis
    k, s, d = spec.kernel_size, spec.strides, spec.dilation_rate
    notes = []
    if isinstance(spec.padding, int) and k % 2 == 0 and spec.padding == k // 2 and s == 1 and d == 1:
        notes.append(
            f"padding=kernel_size//2 with an even kernel gives L+1 = {axis.output_length}; "
            "padding='same' keeps the length (1 fewer on the left)."
        )
    if spec.padding == "same" or (isinstance(spec.padding, int) and spec.padding > 0):
        left, right = keras_same_padding(axis.length, k, s, d)
        if (left, right) == (axis.pad_left, axis.pad_right):
            notes.append("Keras padding='same' gives the same split here.")
        else:
            notes.append(f"Keras padding='same' would pad {left} left and {right} right here.")
    return notes


def _torch_notes(plan: Conv1DPlan) -> list[str]:
    spec = plan.config
    s = spec.strides
    notes = _torch_padding_notes(plan)
    notes.append("PyTorch is (batch, channels, length); Keras is (batch, length, channels): x.permute(0, 2, 1).")
    notes.append("nn.Conv1d also takes an unbatched (C, L) input and returns (out_channels, L_out).")
    if spec.padding_mode != "zeros":
        notes.append(
            f"Keras' Conv1D pads with zeros only: the Keras code pads the {spec.padding_mode} way "
            "in a layer of its own first, then uses padding='valid'."
        )
    if s > 1 and spec.dilation_rate > 1:
        notes.append(
            f"Keras refuses strides > 1 with dilation_rate > 1: the Keras code slides the dilated "
            f"window with stride 1 and keeps one output in {s} (y[:, ::{s}]): the same numbers."
        )
    return notes


_BY_FRAMEWORK: dict[str, Callable[[Conv1DPlan], list[str]]] = {"keras": _keras_notes, "pytorch": _torch_notes}


def framework_notes(plan: Conv1DPlan) -> list[str]:
    """What differs between Keras and PyTorch for this layer, and how to port it."""
    spec = plan.config
    notes = _BY_FRAMEWORK[plan.convention.name](plan)
    if spec.activation in ("softmax", "log_softmax") and plan.output_shape[-1] == 1:
        notes.append(
            f"{spec.activation} runs over the last axis, which has size 1 here: the output is constant "
            "(Keras warns too); sigmoid is probably meant."
        )
    if spec.activation == "glu":
        notes.append(
            "activation='glu' splits the last axis in two halves a·sigmoid(b): that axis of the output is halved."
        )
    notes.append(
        "A Keras kernel (k, C/g, F) is a PyTorch weight (F, C/g, k) transposed by (2, 1, 0): "
        "weight = kernel.transpose(2, 1, 0)."
    )
    return notes
