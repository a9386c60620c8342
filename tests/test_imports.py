"""Start-up stays light: the CLI module pulls in neither numpy nor rich; JSON never needs rich."""

from __future__ import annotations

import subprocess
import sys

from helpers import SEED_ARGS


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
