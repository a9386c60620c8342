"""The README's examples run (each usage block in order, in a fresh folder), and CI runs its test command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

README = (ROOT / "README.md").read_text()
USAGE = README.split("## Usage", 1)[1]


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)[0].strip().splitlines()


def usage_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", USAGE, flags=re.S)


def test_quick_start_is_two_commands_install_then_answer_then_test() -> None:
    first, second = quick_start()
    assert (
        first.startswith("pip install") and "shape --input 50x300 --filters 100 --kernel-size 4 --padding same" in first
    )
    assert second.startswith("pip install") and "pytest" in second


def test_ci_runs_the_readmes_test_command() -> None:
    test_command = quick_start()[1].split("&&", 1)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_command in ci


@pytest.fixture
def shell_env(tmp_path: Path) -> dict[str, str]:
    """PATH with `conv1dexplain` and `python` meaning this interpreter and this checkout."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name, target in (("conv1dexplain", f'"{sys.executable}" -m conv1dexplain'), ("python", f'"{sys.executable}"')):
        script = bindir / name
        script.write_text(f'#!/bin/sh\nexec {target} "$@"\n')
        script.chmod(0o755)
    return {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "100"}


@pytest.mark.parametrize("block", usage_blocks("bash"), ids=lambda b: b.split("\n")[0][:60])
def test_usage_block_runs(block: str, shell_env: dict[str, str], tmp_path: Path) -> None:
    if "| jq" in block and shutil.which("jq") is None:
        pytest.skip("jq not installed")
    for line in [ln for ln in block.splitlines() if ln.strip()]:
        expected = int(m.group(1)) if (m := re.search(r"# exits (\d+)", line)) else 0
        result = subprocess.run(["bash", "-o", "pipefail", "-c", line], capture_output=True, text=True,
                                env=shell_env, cwd=tmp_path, timeout=120)  # fmt: skip
        assert result.returncode == expected, f"{line}\n{result.stderr}"
        assert "Traceback" not in result.stderr
        if line.startswith("conv1dexplain") or "| conv1dexplain" in line:
            assert result.stdout.strip() if expected == 0 else result.stderr.startswith("error: "), line


@pytest.mark.parametrize("block", usage_blocks("python"), ids=lambda b: b.split("\n")[-2][:60])
def test_usage_python_block_runs(block: str) -> None:
    exec(compile(block, "README.md", "exec"), {})
