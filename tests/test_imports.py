"""Start-up stays light: the CLI module pulls in neither numpy nor rich; JSON never needs rich."""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT, SEED_ARGS


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys\n{code}\nprint(' '.join(sorted(m for m in sys.modules if m in ('numpy', 'rich'))))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    return set(result.stdout.split())


def test_importing_the_cli_loads_neither_numpy_nor_rich() -> None:
    assert _loaded_after("import conv1dexplain.cli") == set()


def test_json_output_does_not_load_rich() -> None:
    code = (
        "from conv1dexplain.cli import main\nimport io, contextlib\n"
        f"with contextlib.redirect_stdout(io.StringIO()):\n    main({[*SEED_ARGS, '--json']!r})"
    )
    assert _loaded_after(code) == {"numpy"}


def test_errors_load_neither() -> None:
    code = (
        "from conv1dexplain.cli import main\nimport io, contextlib\n"
        "with contextlib.redirect_stderr(io.StringIO()):\n    main(['shape', '-i', '5x3', '-f', '0', '-k', '3'])"
    )
    assert _loaded_after(code) == set()


# cli.trace_json writes trace's arrays and is imported only once a trace runs
_CLI_MODULES = sorted(
    f"conv1dexplain.cli.{path.stem}"
    for path in (ROOT / "src" / "conv1dexplain" / "cli").glob("*.py")
    if path.stem not in ("__init__", "trace_json")
)


def test_every_cli_module_imports_without_numpy_or_rich() -> None:
    assert "conv1dexplain.cli.shape" in _CLI_MODULES and len(_CLI_MODULES) >= 6
    for module in _CLI_MODULES:
        assert _loaded_after(f"import {module}") == set(), module


def test_model_loads_no_numpy_in_json_or_tables() -> None:
    """`model` and its JSON need pure integers only: its start-up is typer's and rich's alone."""
    for extra in (["--json"], []):
        code = (
            "from conv1dexplain.cli import main\nimport io, contextlib\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert main(['model', 'Conv1D(8, 3), Dropout(0.1)', '--input', '50x4', *{extra!r}]) == 0"
        )
        assert "numpy" not in _loaded_after(code), extra
    assert _loaded_after(code.replace("[]", "['--json']")) == set()
