"""What shape says in words is true of the very layer it describes, for layers drawn across the options.

Each statement is checked against the numbers of the answer itself (its windows, its padding), or
against the real framework where it describes the framework (what a padding_mode puts where).
"""

from __future__ import annotations

import json
import re
from types import ModuleType

import pytest

from conv1dexplain.check import check_plan
from conv1dexplain.errors import SpecError
from conv1dexplain.layers import conv1d
from conv1dexplain.report.shape import ShapeReport, build_shape_report
from helpers import human, run
from specgen import Case, cases


def _report(case: Case) -> ShapeReport | None:
    try:
        plan = conv1d.build(**case.build_kwargs())  # type: ignore[arg-type]
    except SpecError:
        return None
    return build_shape_report(plan, check_plan(plan))


DRAWN = [(c, r) for c in cases("keras", 300, seed=31) + cases("pytorch", 300, seed=32) if (r := _report(c))]


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("case", "report"), DRAWN, ids=lambda value: "")
def test_the_explanation_is_true_of_the_layer(case: Case, report: ShapeReport) -> None:
    text, pad = _words(report.explanation), report.facts.padding
    s = report.facts.strides
    assert f"moving {s} position{'s' if s > 1 else ''} at a time" in text
    assert "steps at a time" not in text and "near the ends" not in text
    if report.facts.dilation_rate > 1 and report.kernel_size > 1:
        assert "neighbouring" not in text and "consecutive" not in text
    if report.facts.activation not in (None, "linear"):
        assert report.facts.activation in text, "the activation is part of the layer"
    a, b = report.facts.output_shape[1:]
    assert f"The output: {a} × {b} " in text
    if pad.left >= 0 and pad.right >= 0 and (pad.left, pad.right) != (0, 0):
        said = re.search(r"puts (\d+) (?:zeros?|positions?) before the sequence and (\d+|none) after", text)
        assert said and (int(said[1]), int(said[2].replace("none", "0"))) == (pad.left, pad.right), text
    last = report.windows[-1]
    length = report.facts.input_shape[1 if report.facts.data_format == "channels_last" else 2]
    assert isinstance(length, int)
    if pad.mode == "causal" and pad.left:
        assert all(w.last_input_index == w.output_index * s for w in report.windows)  # "up to t·s"
        assert f"reads positions up to {'t' if s == 1 else f't·{s}'} and never a later one" in text
    reach = re.search(r"the last window reaches only (\d+) of the (\d+) after", text)
    if reach:
        assert int(reach[1]) == max(0, last.last_input_index - (length - 1))
        assert int(reach[1]) < int(reach[2]) == pad.right
    elif pad.right > 0:
        assert last.last_input_index == length - 1 + pad.right, "the last window reaches the whole padding"


@pytest.mark.parametrize(("case", "report"), DRAWN, ids=lambda value: "")
def test_the_padding_reason_and_notes_are_true_of_the_layer(case: Case, report: ShapeReport) -> None:
    pad, last = report.facts.padding, report.windows[-1]
    length = report.facts.input_shape[1 if report.facts.data_format == "channels_last" else 2]
    assert isinstance(length, int)
    unread = re.search(r"no window reaches the input's last (\d+ positions|position)", pad.reason)
    if pad.mode == "valid" or pad.value == 0:
        assert "no window goes past either end" in pad.reason
        said = 0 if not unread else 1 if unread[1] == "position" else int(unread[1].split()[0])
        assert said == length - 1 - last.last_input_index
    else:
        assert not unread
    notes = " ".join(report.notes)
    l_out = last.output_index + 1  # the last window shown is the last output position
    if "gives L+1" in notes:
        assert l_out == length + 1
    even = re.search(r"padding=kernel_size//2=(\d+) with this even kernel gives length (\d+), not (\d+)", notes)
    if even:  # what PyTorch's padding=k//2 would give: its own formula, by hand
        k, d = report.kernel_size, report.facts.dilation_rate
        assert int(even[2]) == length + 2 * (k // 2) - d * (k - 1) != int(even[3]) == l_out


@pytest.mark.parametrize(("case", "report"), DRAWN, ids=lambda value: "")
def test_the_check_names_the_windows_shown(case: Case, report: ShapeReport) -> None:
    assert report.check is not None
    named = re.search(r"windows? ([\d, ]+) reads? the positions shown", report.check.note)
    if report.check.status == "confirmed":
        assert named, report.check.note
        assert [int(t) for t in named[1].split(", ")] == [w.output_index for w in report.windows]
    else:
        assert not named


@pytest.mark.parametrize(
    ("args", "word", "not_word"),
    [
        (["shape", "-i", "50x300", "-f", "100", "-k", "4", "-p", "same"], "rows", "columns"),
        (["shape", "-F", "pytorch", "-i", "3x20", "-f", "2", "-k", "3", "-p", "1"], "columns", "rows"),
        (["shape", "-i", "3x20", "-f", "2", "-k", "3", "--data-format", "channels_first"], "columns", "rows"),
    ],
)
def test_sequence_positions_are_rows_in_length_by_channels_only(
    eighty_columns: None, args: list[str], word: str, not_word: str
) -> None:
    text = human(args)
    section = text[text.index("Which input") : text.index("In ")]
    assert f"Which input {word} each output position reads" in section
    assert f"← {word}" in section and not_word not in section


@pytest.mark.oracle
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize(("length", "padding"), [(2, 1), (5, 3), (7, 2), (4, 4)])
def test_what_a_padding_mode_puts_there_is_what_pytorch_puts(
    torch: ModuleType, mode: str, length: int, padding: int
) -> None:
    result = run(["shape", "-F", "pytorch", "-i", f"1x{length}", "-f", "1", "-k", "1", "-p", str(padding),
                  "--padding-mode", mode, "--json"])  # fmt: skip
    if result.code:
        assert mode == "reflect" and padding >= length  # PyTorch's refusal, tested in test_oracle_shape
        return
    text = _words(json.loads(result.stdout)["explanation"])
    pairs = re.findall(r"(-?\d+) holds (\d+)", text)
    assert len(pairs) == 2 * min(padding, 3), text
    padded = torch.nn.functional.pad(torch.arange(length, dtype=torch.float64)[None], (padding, padding), mode=mode)
    for position, source in pairs:
        assert padded[0, int(position) + padding].item() == int(source), (position, source)


@pytest.mark.parametrize(
    ("args", "says", "never"),
    [
        (["-p", "0"], "--padding valid", "ZeroPadding1D((0, 0))"),
        (["-p", "-2"], "Cropping1D((2, 2))", "ZeroPadding1D"),
        (["-p", "2"], "ZeroPadding1D((2, 2))", "Cropping1D"),
        (["-s", "2", "-d", "3"], "--strides 1 and keep one output position in 2 (y[:, ::2]", "a strided one"),
    ],
)
def test_keras_hints_name_a_true_equivalent(args: list[str], says: str, never: str) -> None:
    result = run(["shape", "-i", "23x1", "-f", "1", "-k", "2", *args])
    hint = result.stderr.splitlines()[1]
    assert result.code == 2 and says in hint and never not in hint, hint


def test_the_dilation_help_says_what_the_windows_show() -> None:
    """'Gap between the taps' left open whether 2 means one skipped position or two."""
    import typer

    from conv1dexplain.cli import build_app

    shape = typer.main.get_command(build_app()).commands["shape"]  # type: ignore[attr-defined]
    (option,) = [p for p in shape.params if p.name == "dilation_rate"]
    assert "1 = adjacent" in option.help and "Gap" not in option.help
    windows = json.loads(run(["shape", "-i", "9x1", "-f", "1", "-k", "3", "-d", "2", "--json"]).stdout)
    assert windows["windows"][0]["input_indices"] == [0, 2, 4]  # step 2: every other position


@pytest.mark.parametrize(
    ("length", "kernel", "strides", "dilation"), [(10, 3, 2, 2), (23, 4, 3, 2), (7, 2, 2, 3), (40, 5, 4, 3)]
)
def test_the_strided_dilated_same_hint_gives_the_same_numbers(
    length: int, kernel: int, strides: int, dilation: int, torch: ModuleType
) -> None:
    """What Keras' 'same' would give at strides > 1 with dilation (TensorFlow's rule: pad for
    ceil(L/s) outputs, the odd zero right), against the hint's recipe, in PyTorch."""
    args = ["shape", "-i", f"{length}x3", "-f", "2", "-k", str(kernel), "-s", str(strides), "-d", str(dilation)]
    hint = run([*args, "--padding", "same"]).stderr.splitlines()[1]
    left, right = (int(n) for n in re.search(r"ZeroPadding1D\(\((\d+), (\d+)\)\)", hint).groups())  # type: ignore[union-attr]
    assert "--padding valid" in hint and "--strides 1" in hint and f"y[:, ::{strides}]" in hint
    span = dilation * (kernel - 1) + 1
    total = max(0, (-(-length // strides) - 1) * strides + span - length)
    x, w = torch.randn(1, 3, length, dtype=torch.float64), torch.randn(2, 3, kernel, dtype=torch.float64)
    keras_rule = torch.nn.functional.conv1d(
        torch.nn.functional.pad(x, (total // 2, total - total // 2)), w, stride=strides, dilation=dilation
    )
    recipe = torch.nn.functional.conv1d(torch.nn.functional.pad(x, (left, right)), w, dilation=dilation)[..., ::strides]
    assert recipe.shape == keras_rule.shape and torch.allclose(recipe, keras_rule)
