"""completions/ holds what the CLI itself generates, and completion answers real prefixes."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from types import ModuleType

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


def _bash_tab(words: list[str], tmp_path: Path) -> list[str]:
    """What bash offers after `words` (the last one being typed), through completions/conv1dexplain.bash."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    (bindir / "conv1dexplain").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m conv1dexplain "$@"\n')
    (bindir / "conv1dexplain").chmod(0o755)
    script = (f"source {shlex.quote(str(ROOT / 'completions' / SHELLS['bash']))}\n"
              f"COMP_WORDS=(conv1dexplain {' '.join(map(shlex.quote, words))}); COMP_CWORD={len(words)}\n"
              "_conv1dexplain_completion conv1dexplain\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")  # fmt: skip
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60, check=True)
    return [line for line in result.stdout.splitlines() if line]


@pytest.mark.parametrize(
    ("words", "offered"),
    [
        (["shape", "--padding", ""], {"valid", "same", "causal"}),
        (["shape", "--framework", "keras", "--padding", ""], {"valid", "same", "causal"}),
        (["shape", "--framework", "pytorch", "--padding", ""], {"valid", "same"}),  # nn.Conv1d has no causal
        (["trace", "-F", "torch", "--padding", ""], {"valid", "same"}),
        (["run", "--framework=pytorch", "--padding", "s"], {"same"}),
        (["shape", "--padding", "c"], {"causal"}),
        (["shape", "--framework", "pytorch", "--activation", ""], set()),  # nn.Conv1d has no activation
        (["shape", "--framework", "pytorch", "--data-format", ""], {"channels_first"}),  # (N, C, L) only
        (["shape", "--data-format", ""], {"channels_last", "channels_first"}),
        (["shape", "--padding-mode", ""], {"zeros"}),  # Keras pads with zeros only
        (["shape", "--framework", "pytorch", "--padding-mode", ""], {"zeros", "reflect", "replicate", "circular"}),
        (["shape", "--framework", "pytorch", "--padding-mode", "re"], {"reflect", "replicate"}),
        (["shape", "--framework", ""], {"keras", "pytorch"}),
    ],
)
def test_bash_offers_what_the_chosen_framework_accepts(words: list[str], offered: set[str], tmp_path: Path) -> None:
    assert set(_bash_tab(words, tmp_path)) == offered


def test_bash_offers_keras_activations_for_keras(tmp_path: Path) -> None:
    from conv1dexplain.vocabulary import KERAS_ACTIVATIONS

    assert set(_bash_tab(["shape", "--activation", ""], tmp_path)) == set(KERAS_ACTIVATIONS)
    assert set(_bash_tab(["shape", "--activation", "re"], tmp_path)) == {"relu", "relu6"}


@pytest.mark.oracle
def test_what_completion_offers_pytorch_accepts_and_what_it_leaves_out_pytorch_refuses(torch: ModuleType) -> None:
    """The facts behind the PyTorch completions, from nn.Conv1d itself."""
    x = torch.zeros(1, 2, 8)
    for padding in ("valid", "same"):
        torch.nn.Conv1d(2, 2, 3, padding=padding)(x)
    for mode in ("zeros", "reflect", "replicate", "circular"):
        torch.nn.Conv1d(2, 2, 3, padding=1, padding_mode=mode)(x)
    with pytest.raises(ValueError):
        torch.nn.Conv1d(2, 2, 3, padding="causal")
    import inspect

    assert not {"activation", "data_format"} & set(inspect.signature(torch.nn.Conv1d).parameters)


@pytest.mark.oracle
def test_keras_pads_with_zeros_only_and_knows_causal(keras: ModuleType) -> None:
    import inspect

    import numpy as np

    assert "padding_mode" not in inspect.signature(keras.layers.Conv1D).parameters
    for padding in ("valid", "same", "causal"):
        keras.layers.Conv1D(2, 3, padding=padding)(np.zeros((1, 8, 2), "float32"))
