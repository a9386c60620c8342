"""completions/ holds what the CLI itself generates, and completion answers real prefixes."""

from __future__ import annotations

import os

import pytest

from helpers import ROOT, run_process

SHELLS = {"bash": "conv1dexplain.bash", "zsh": "conv1dexplain.zsh", "fish": "conv1dexplain.fish",
          "powershell": "conv1dexplain.ps1"}  # fmt: skip
UPDATE = os.environ.get("CONV1DEXPLAIN_UPDATE_SNAPSHOTS") == "1"


@pytest.mark.parametrize("shell", SHELLS)
def test_completion_script_is_current(shell: str) -> None:
    generated = run_process([], env={"_CONV1DEXPLAIN_COMPLETE": f"source_{shell}"})
    assert generated.returncode == 0 and "conv1dexplain" in generated.stdout
    # The script calls the program by the name it was run as; users run `conv1dexplain`.
    path = ROOT / "completions" / SHELLS[shell]
    if UPDATE:
        path.write_text(generated.stdout)
    assert path.read_text() == generated.stdout, "regenerate with CONV1DEXPLAIN_UPDATE_SNAPSHOTS=1"


def _bash_complete(words: str) -> list[str]:
    env = {
        "_CONV1DEXPLAIN_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    }
    return run_process([], env=env).stdout.split()


def test_completes_commands_options_and_values() -> None:
    assert "shape" in _bash_complete("conv1dexplain sh")
    assert "--framework" in _bash_complete("conv1dexplain shape --fram")
    assert set(_bash_complete("conv1dexplain shape --framework ")) == {"keras", "pytorch"}
    assert {"valid", "same", "causal"} <= set(_bash_complete("conv1dexplain shape --padding "))
    assert "relu" in _bash_complete("conv1dexplain shape --activation ")
