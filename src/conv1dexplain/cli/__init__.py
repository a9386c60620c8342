"""The command line: a thin typer adapter over the library. Errors become exit codes here only."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from conv1dexplain import __version__
from conv1dexplain.cli import run, shape, trace
from conv1dexplain.cli.output import write_error
from conv1dexplain.errors import Conv1dExplainError, ExitCode, UsageError

app = typer.Typer(
    name="conv1dexplain",
    help="Explain 1-D convolutions exactly as Keras and PyTorch compute them.\n\n"
    "Example: conv1dexplain shape --input 50x300 --filters 100 --kernel-size 4 --padding same",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command(name="shape", no_args_is_help=True)(shape.shape)
app.command(name="run", no_args_is_help=True)(run.run)
app.command(name="trace", no_args_is_help=True)(trace.trace)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"conv1dexplain {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Explain 1-D convolutions exactly as Keras and PyTorch compute them."""


def _usage_hint(args: list[str]) -> str:
    commands = [a for a in args if a in ("shape", "run", "trace")]
    return (
        f"run `conv1dexplain {commands[0]} --help` for its options"
        if commands
        else ("run `conv1dexplain --help` for the commands")
    )


def _quiet_broken_pipe() -> int:
    # The reader (e.g. `head`) went away: stop writing, say nothing, exit cleanly.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return ExitCode.OK


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    as_json = "--json" in args
    no_color = "--no-color" in args
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="conv1dexplain", standalone_mode=False)
    except Conv1dExplainError as error:
        write_error(error, as_json=as_json, no_color=no_color)
        return error.exit_code
    except typer.TyperException as error:  # the parser's usage errors (click's, vendored)
        usage = UsageError(error.format_message(), _usage_hint(args))
        write_error(usage, as_json=as_json, no_color=no_color)
        return ExitCode.USAGE if error.exit_code == 2 else ExitCode.DATA
    except typer.Abort:
        return ExitCode.INTERRUPTED
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        return _quiet_broken_pipe()
    return result if isinstance(result, int) else ExitCode.OK
