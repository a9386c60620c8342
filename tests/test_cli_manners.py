"""CLI manners: help that reads whole at 80 columns, no options means help, `| head` ends quietly,
Ctrl-C says so. Each through a real process, as a shell runs it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import run_process

PROGRAM = f'"{sys.executable}" -m conv1dexplain'
SMALL = ["--input", "50x300", "-f", "100", "-k", "4"]


def _options_of(command: str) -> list[str]:
    import typer

    from conv1dexplain.cli import build_app

    group = typer.main.get_command(build_app())
    params = group.commands[command].params  # type: ignore[attr-defined]
    return [name for param in params for name in (*param.opts, *param.secondary_opts)]


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("command", ["shape", "run", "trace"])
def test_every_option_name_reads_whole_in_help(command: str, columns: int) -> None:
    result = run_process([command, "--help"], env={"COLUMNS": str(columns), "TERMINAL_WIDTH": str(columns)})
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= columns
    names = _options_of(command)
    assert len(names) > 20 and "--out-channels" in names and "--dilation" in names
    for name in names:  # whole: not cut (…) nor glued to another name
        assert re.search(rf"(?<![\w…-]){re.escape(name)}(?![\w…-])", result.stdout), (name, result.stdout)
    assert "…" not in result.stdout


@pytest.mark.parametrize("args", [[], ["shape"], ["run"], ["trace"]], ids=["root", "shape", "run", "trace"])
def test_no_options_shows_the_help_alone_with_exit_2(args: list[str]) -> None:
    """typer's convention for no_args_is_help (help on stdout, exit 2), with no `error: ` line after it."""
    result = run_process(args, env={"COLUMNS": "80"})
    assert result.returncode == 2
    assert result.stderr == ""
    assert result.stdout.startswith(f"Usage: conv1dexplain {' '.join(args)}".rstrip() + " [OPTIONS]")
    assert result.stdout == run_process([*args, "--help"], env={"COLUMNS": "80"}).stdout


def _piped(command: str, reader: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-o", "pipefail", "-c", f"{PROGRAM} {command} | {reader}"], capture_output=True,
                          text=True, timeout=120, check=False)  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        "shape " + " ".join(SMALL),
        "shape " + " ".join(SMALL) + " --json",
        "trace --input 2000x3 -f 2 -k 3 --no-interactive",
        "trace --input 2000x3 -f 2 -k 3 --compact",
        "trace --input 100000000x1 -f 1 -k 1 --json",  # 10^8 windows: only a closed pipe ends it in time
        "run --input 5000x8 -f 8 -k 3 --output -",  # one JSON line of 40,000 numbers
        "run --input 50x8 -f 8 -k 3",
    ],
)
@pytest.mark.parametrize("reader", ["head -n 1", "true"])
def test_a_closed_pipe_ends_quietly_with_exit_0(command: str, reader: str) -> None:
    """`| head -n 1` reads one line then closes; `| true` closes before the first byte is written."""
    result = _piped(command, reader)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    if reader.startswith("head"):
        assert result.stdout.count("\n") == 1
        assert result.stdout.startswith(('{"type": "run"', "Conv1D", "Trace", '{"type": "shape"', '{"type": "layer"'))


def test_a_closed_pipe_with_more_to_write_than_the_pipe_holds() -> None:
    """The 10^8-window stream stops as soon as head is done, not after writing it all."""
    started = time.monotonic()
    result = _piped("trace --input 100000000x1 -f 1 -k 1 --json", "head -n 3")
    assert time.monotonic() - started < 60
    assert result.returncode == 0 and result.stderr == ""
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["type"] for line in lines] == ["layer", "window", "window"]
    assert [line["output_index"] for line in lines[1:]] == [0, 1]


def _interrupt_when(args: list[str], ready: Path | None, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Start the CLI, send SIGINT (what Ctrl-C sends) once `ready` exists (or after 3 s), collect it."""
    process = subprocess.Popen([sys.executable, "-m", "conv1dexplain", *args], cwd=cwd, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + (60 if ready else 3)
    while time.monotonic() < deadline and not (ready and ready.exists()):
        assert process.poll() is None, "finished before it could be interrupted: make the layer bigger"
        time.sleep(0.05)
    time.sleep(0.5)  # well inside the command
    assert process.poll() is None, "finished before it could be interrupted: make the layer bigger"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_ctrl_c_during_a_long_run_says_interrupted_and_exits_130(tmp_path: Path) -> None:
    import numpy as np

    # A zero input as a sparse file: instant to make, minutes to convolve (184 G multiply-adds).
    np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(1, 5_000_000, 64)).flush()
    args = ["run", "--data", "x.npy", "-f", "64", "-k", "9", "--output", "out.npy"]
    result = _interrupt_when(args, tmp_path / "out.npy", tmp_path)
    assert result.returncode == 130
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["error: interrupted (Ctrl-C)", "hint: run the command again to finish it"]
    assert not (tmp_path / "out.npy").exists(), "a half-written output is removed"


def test_ctrl_c_with_json_says_it_as_json(tmp_path: Path) -> None:
    result = _interrupt_when(["trace", "--input", "100000000x1", "-f", "1", "-k", "1", "--json"], None, tmp_path)
    assert result.returncode == 130
    error = json.loads(result.stderr.splitlines()[-1])["error"]
    assert error["code"] == "interrupted" and "interrupted" in error["message"]


@pytest.mark.parametrize(
    "args",
    [
        ["shape", "--input", "50x300", "-f", "100", "-k", "4"],
        ["shape", "--input", "50x300", "-f", "100", "-k", "4", "--json"],
        ["run", "--input", "2x20x3", "-f", "4", "-k", "3", "--output", "-"],
        ["model", "Conv1D(8, 3)", "--input", "20x2", "--json"],
    ],
)
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_disk_on_stdout_is_one_error_line_not_a_traceback(args: list[str]) -> None:
    with Path("/dev/full").open("w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "conv1dexplain", *args], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    lines = result.stderr.splitlines()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    if "--json" in args:
        assert len(lines) == 1 and json.loads(lines[0])["error"]["code"] == "data_error"
    else:
        assert len(lines) == 2 and lines[0].startswith("error: could not write") and lines[1].startswith("hint:")
