"""The fixes that model's refusals print work: each suggested argument, built in the real framework
and read by us, runs."""

from __future__ import annotations

import re
from types import ModuleType

import numpy as np
import pytest

from conv1dexplain.modeling import from_text

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize(("layer", "value"), [("Cropping1D", "(2,)"), ("ZeroPadding1D", "(3,)"), ("Cropping1D", "[1]")])
def test_a_one_element_pair_gets_fixes_that_run(keras: ModuleType, layer: str, value: str) -> None:
    name = "cropping" if layer == "Cropping1D" else "padding"
    report = from_text(f"Conv1D(2, 3), {layer}({value})", "12x1")
    assert report.error is not None and report.error.layer == 1
    with pytest.raises(ValueError):  # Keras refuses it too
        getattr(keras.layers, layer)(eval(value))  # (the test's own literal, not user code)
    fixes = re.findall(rf"{name}=(\d+|\(\d+, \d+\))", report.error.hint)
    assert len(fixes) == 2, report.error.hint
    for fix in fixes:
        fixed = from_text(f"Conv1D(2, 3), {layer}({fix})", "12x1")
        assert fixed.error is None, fix
        out = getattr(keras.layers, layer)(eval(fix))(np.zeros((1, 10, 2), np.float32))
        assert tuple(out.shape)[1:] == fixed.layers[1].output_shape[1:], fix


def _shrinking(rng: object, framework: str) -> list[str]:
    import random

    assert isinstance(rng, random.Random)
    calls = []
    for _ in range(rng.randint(2, 4)):
        k, s = rng.randint(2, 6), rng.randint(1, 3)
        if framework == "keras":
            calls.append(f"Conv1D(2, {k}, strides={s})" if rng.random() < 0.6 else f"MaxPooling1D({k}, strides={s})")
        else:
            calls.append(
                f"nn.Conv1d(2, 2, {k}, stride={s})" if rng.random() < 0.6 else f"nn.MaxPool1d({k}, stride={s})"
            )
    return calls


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_a_too_short_input_gets_the_models_shortest_length(
    keras: ModuleType, torch: ModuleType, framework: str
) -> None:
    """A layer past the first that gets too short an input: the fix names the model's input length
    (the layer's own need is for its input, not the model's), and in the framework that length
    runs and one less does not."""
    import random
    import warnings

    def runs(calls: list[str], length: int) -> bool:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if framework == "keras":
                    x = keras.ops.zeros((1, length, 2))
                    for code in calls:
                        x = eval(code, dict(vars(keras.layers)))(x)
                else:
                    x = torch.zeros(1, 2, length)
                    for code in calls:
                        x = eval(code, {"nn": torch.nn})(x)
            return min(x.shape) > 0
        except Exception:
            return False

    rng, checked = random.Random(5), 0
    while checked < 25:
        calls = _shrinking(rng, framework)
        text = ", ".join(calls)
        report = from_text(text, "2x3" if framework == "pytorch" else "3x2", framework)
        if report.error is None or report.min_input_length is None:
            continue
        found = re.search(r"input of length ≥ ([\d,]+)", report.error.hint)
        assert found, report.error.hint
        shortest = int(found.group(1).replace(",", ""))
        assert shortest == report.min_input_length
        assert runs(calls, shortest) and not runs(calls, shortest - 1), text
        checked += 1


@pytest.mark.parametrize("mode", ["reflect", "circular", "replicate"])
def test_padding_modes_need_the_lengths_pytorch_needs(torch: ModuleType, mode: str) -> None:
    """reflect pads less than the length, circular at most the length: with the length unknown the
    layer is still read, and the shortest input that works is PyTorch's; too short an input is
    refused as too short, in F.pad's words."""
    for padding in range(1, 7):
        for kernel in (1, 3):
            code = f"nn.Conv1d(2, 2, {kernel}, padding={padding}, padding_mode='{mode}')"
            report = from_text(code, "2x?", "pytorch")
            assert report.error is None, code
            module = eval(code, {"nn": torch.nn})

            def runs(length: int, module: object = module) -> bool:
                try:
                    module(torch.zeros(1, 2, length))  # type: ignore[operator]
                    return True
                except RuntimeError:
                    return False

            shortest = next(length for length in range(1, 20) if runs(length))
            assert report.min_input_length == shortest, code
            if shortest > 1:
                refused = from_text(code, f"2x{shortest - 1}", "pytorch").error
                assert refused is not None and refused.framework_message, code
                with pytest.raises(RuntimeError) as raised:
                    module(torch.zeros(1, 2, shortest - 1))
                assert refused.framework_message.split(": ", 1)[1].split(" of input")[0] in str(raised.value), code


def test_an_unknown_length_into_linear_is_read_with_the_lengths_that_run(torch: ModuleType) -> None:
    """Flatten → Linear on an unknown length: PyTorch builds it and runs it at one length only;
    the report shows the layers (no made-up refusal with None in it) and that length."""
    code = "nn.Conv1d(2, 4, 3), nn.Flatten(), nn.Linear(80, 3)"
    report = from_text(code, "2x?", "pytorch")
    assert report.error is None and report.output_shape == (None, 3)
    assert "None" not in " ".join(note for row in report.layers for note in row.notes)
    model = torch.nn.Sequential(*eval(f"[{code}]", {"nn": torch.nn}))
    works = []
    for length in range(3, 40):
        try:
            model(torch.zeros(1, 2, length))
            works.append(length)
        except RuntimeError:
            pass
    assert report.lengths_that_work == (works[0], works[-1]) and len(works) == 1


def test_a_conv1d_input_without_its_channels_asks_for_them() -> None:
    report = from_text("nn.Conv1d(3, 8, 3)", "50", "pytorch")
    assert report.error is not None and "None channels" not in report.error.message
    assert "=None" not in report.error.hint and "3x50" in report.error.hint  # (it said in_channels=None)


@pytest.mark.parametrize(("filters", "kernel", "channels"), [(4, 3, 2), (8, (5,), 1), (1, 1, 7)])
def test_time_distributed_conv1d_on_a_sequence_says_what_keras_says(
    keras: ModuleType, filters: int, kernel: object, channels: int
) -> None:
    report = from_text(f"TimeDistributed(Conv1D({filters}, {kernel!r}))", f"10x{channels}", "keras")
    assert report.error is not None and report.error.framework_message
    with pytest.raises(ValueError) as raised:
        keras.Sequential(
            [keras.Input((10, channels)), keras.layers.TimeDistributed(keras.layers.Conv1D(filters, kernel))]
        )
    assert report.error.framework_message == f"ValueError: {raised.value}"
    fixed = from_text(f"Conv1D({filters}, {kernel!r})", f"10x{channels}", "keras")  # the fix: no TimeDistributed
    assert fixed.error is None and "drop TimeDistributed" in report.error.hint


def test_keyword_dicts_are_merged_as_python_merges_them(torch: ModuleType) -> None:
    code = (
        "import torch.nn as nn\ncfg = dict(kernel_size=5, stride=2)\nkw = {'padding': 1}\n"
        "model = nn.Sequential(nn.Conv1d(1, 4, **cfg), nn.Conv1d(4, 4, 3, **kw), nn.Conv1d(4, 4, 3, **{'stride': 2}))\n"
    )
    report = from_text(code, "1x20")
    namespace: dict[str, object] = {}
    exec(code.replace("import torch.nn as nn\n", ""), {"nn": torch.nn}, namespace)  # (the test's own code)
    x = torch.zeros(1, 1, 20)
    for row, module in zip(report.layers, namespace["model"], strict=True):  # type: ignore[call-overload]
        x = module(x)
        assert row.output_shape[1:] == tuple(x.shape)[1:]


@pytest.mark.parametrize(
    "line",
    ["model = build(k=30)", "model = build(16)", "model = nn.Sequential(build(4))", "x = Conv1D(8, 3, **k)"],
)
def test_what_is_known_only_by_running_is_refused_not_guessed(line: str) -> None:
    """A call of the file's own function with arguments (its body is read with its defaults), or a
    **name that is not a dict: refused in one line, never read as something else."""
    from conv1dexplain.errors import SpecError

    code = "import torch.nn as nn\nk = 5\ndef build(n=8, k=3):\n    return nn.Sequential(nn.Conv1d(1, n, k))\n" + line
    with pytest.raises(SpecError) as refused:
        from_text(code, "1x20")
    assert "\n" not in refused.value.message and ("function of the file" in refused.value.message or "**k" in line)
