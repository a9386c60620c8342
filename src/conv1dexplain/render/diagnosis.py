"""Draw a Diagnosis: the message, what happened in its numbers, the likely causes and the fixes."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.text import Text

from conv1dexplain.report.diagnosis import Check, Diagnosis
from conv1dexplain.tensor import fmt_shape

_TITLES = {"pytorch": "PyTorch", "keras": "Keras"}


def diagnosis_view(report: Diagnosis) -> Group:
    found = report.finding
    assert found is not None
    parts: list[RenderableType] = [
        Text.assemble(
            (f"{_TITLES[found.framework]}: {found.error_kind.replace('_', ' ')}", "bold"), f" ({found.wording})"
        ),
        Text(found.message, style="dim"),
        Text(),
        Text.assemble(("What happened: ", "bold"), found.explanation),
    ]
    if found.layer:
        parts.append(Text.assemble(("Layer: ", "bold"), found.layer))
    if found.causes:
        parts.append(Text("Likely causes:", style="bold"))
        parts.extend(Text(f"  {i}. {cause}") for i, cause in enumerate(found.causes, 1))
    if found.fixes:
        parts.append(Text("Fix:" if len(found.fixes) == 1 else "Fixes, most likely first:", style="bold"))
        for fix in found.fixes:
            then = f"   # then: {fix.then}" if fix.then else ""
            parts.append(Text.assemble("  ", (fix.code, "green"), (then, "dim")))
            if fix.check is not None:
                parts.append(Text(f"    {_checked(fix.check)}", style="dim"))
    return Group(*parts)


def _checked(check: Check) -> str:
    """What the fix gives in the user's model."""
    if check.layer_output is None:
        return f"on your model: the layer {check.stops_at} still refuses: {check.error}"
    if check.model_output is not None:
        return f"on your model: every later layer takes it; the model gives {fmt_shape(check.model_output)}"
    return f"on your model: next, the layer {check.stops_at} would refuse: {check.error}"


def render_diagnosis(report: Diagnosis, console: Console) -> None:
    console.print(diagnosis_view(report))
