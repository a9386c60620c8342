"""The registry's index of families (which module holds which layer class) is what the modules'
RULES hold: a rule not listed would never be found, a name listed without its rule would crash."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys

import pytest

from conv1dexplain import layers
from conv1dexplain.conventions import convention
from conv1dexplain.errors import SpecError
from conv1dexplain.layers import rules
from conv1dexplain.layers.node import Call


def _every_rule() -> dict[tuple[str, str], set[int]]:
    """(framework, class) → the rules of that name in any module of layers/ (a module may re-export
    another's, as recurrent does recurrent_torch's: the same object)."""
    found: dict[tuple[str, str], set[int]] = {}
    for module_info in pkgutil.iter_modules(layers.__path__):
        module = importlib.import_module(f"conv1dexplain.layers.{module_info.name}")
        for rule in getattr(module, "RULES", ()):
            found.setdefault((rule.framework, rule.name), set()).add(id(rule))
    return found


def test_the_index_lists_every_rule_of_every_family_module() -> None:
    every = _every_rule()
    indexed = {
        (framework, name): family
        for family, classes in rules.FAMILIES.items()
        for framework, names in classes.items()
        for name in names.split()
    }
    assert sorted(indexed) == sorted(every)
    for (framework, name), family in indexed.items():
        module = importlib.import_module(f"conv1dexplain.layers.{family}")
        held = [rule for rule in module.RULES if (rule.framework, rule.name) == (framework, name)]
        assert len(every[(framework, name)]) == 1 and {id(rule) for rule in held} == every[(framework, name)]


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
def test_every_listed_name_and_alias_finds_its_rule(framework: str) -> None:
    named = convention(framework)
    names = rules.supported(named)
    assert len(names) == len(set(names)) > 20
    for name in names:
        rule = rules.rule_for(named, Call(name))
        assert rule.framework == framework
        assert rule.name in (name, rules.ALIASES.get(framework, {}).get(name))
        assert framework in rules.known(name)
    with pytest.raises(SpecError, match="not a layer conv1dexplain knows"):
        rules.rule_for(named, Call("Conv2D"))


def test_a_model_imports_only_the_families_it_uses() -> None:
    probe = (
        "import sys\n"
        "from conv1dexplain.modeling import from_text\n"
        "from_text('Conv1D(8, 3), ReLU(), Dropout(0.1)', input_text='50x4')\n"
        "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('conv1dexplain.layers.')))\n"
        "print(sorted(m for m in ('fractions', 'decimal', 'dataclasses') if m in sys.modules))\n"
    )
    lines = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    loaded = set(ast.literal_eval(lines[0]))
    assert loaded & set(rules.FAMILIES) == {"convolution", "pointwise"}
    assert ast.literal_eval(lines[1]) == []  # ints stay ints (no Fraction), records are not dataclasses
