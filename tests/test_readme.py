"""The README's examples run, and CI runs the README's test command."""

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
BLOCKS = re.findall(r"```bash\n(.*?)```", README, flags=re.S)


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)[0].strip().splitlines()


def usage_examples() -> list[str]:
    section = README.split("## Usage", 1)[1]
    return [line for block in re.findall(r"```bash\n(.*?)```", section, flags=re.S)
            for line in block.splitlines() if line.startswith("conv1dexplain ")]  # fmt: skip


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


@pytest.mark.parametrize("line", usage_examples())
def test_usage_example_runs(line: str) -> None:
    if "| jq" in line and shutil.which("jq") is None:
        pytest.skip("jq not installed")
    expected = int(m.group(1)) if (m := re.search(r"# exits (\d+)", line)) else 0
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ["PATH"], "COLUMNS": "100"}
    command = line.replace("conv1dexplain ", f"{sys.executable} -m conv1dexplain ", 1)
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == expected, result.stderr
    assert result.stdout.strip() if expected == 0 else result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
