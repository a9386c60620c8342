"""The shape of the code itself: small functions and modules, one place that knows the frameworks.

Complexity is radon's cyclomatic count (boolean operators and comprehensions count too, unlike
ruff's C901, which CI also runs): no function in src/ over 15, no module over 300 lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import ROOT

SRC = ROOT / "src" / "conv1dexplain"
MODULES = sorted(SRC.rglob("*.py"))
MAX_COMPLEXITY = 15
MAX_LINES = 300
# A comparison with a framework's name: the convention is asked instead (conventions/ answers).
FRAMEWORK_TEST = re.compile(r"""(==|!=)\s*["'](keras|pytorch|torch|tensorflow)["']|["'](keras|pytorch)["']\s*(==|!=)""")


def _relative(path: Path) -> str:
    return str(path.relative_to(SRC))


def test_there_are_modules_to_measure() -> None:
    assert len(MODULES) > 40 and any(path.name == "conv1d.py" for path in MODULES)


def test_no_function_is_over_the_complexity_bar() -> None:
    radon = pytest.importorskip("radon.complexity")
    over = [
        f"{_relative(path)}:{block.lineno} {block.name} ({block.complexity})"
        for path in MODULES
        for block in radon.cc_visit(path.read_text())
        if block.complexity > MAX_COMPLEXITY and type(block).__name__ == "Function"
    ]
    assert not over, over


def test_no_module_is_over_the_size_bar() -> None:
    long = {_relative(path): n for path in MODULES if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def test_only_conventions_compares_framework_names() -> None:
    found = [
        f"{_relative(path)}:{number}: {line.strip()}"
        for path in MODULES
        if "conventions" not in path.parts and path.name != "vocabulary.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if FRAMEWORK_TEST.search(line)
    ]
    assert not found, found


def test_the_formatter_lays_out_every_line() -> None:
    skipped = [_relative(path) for path in MODULES if "fmt: skip" in path.read_text() or "fmt: off" in path.read_text()]
    assert not skipped, skipped
