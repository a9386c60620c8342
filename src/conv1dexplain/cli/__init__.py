"""The command line: a thin typer adapter over the library. Errors become exit codes here only."""

import functools
import importlib
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from conv1dexplain import __version__
from conv1dexplain.cli.help import PanelledCommand
from conv1dexplain.cli.output import write_error
from conv1dexplain.errors import Conv1dExplainError, DataError, ExitCode, UsageError

COMMANDS = (
    "shape",
    "run",
    "trace",
    "model",
    "why",
    "explore",
)  # each in conv1dexplain.cli.<name>, a function of that name
COMPLETE_VAR = "_CONV1DEXPLAIN_COMPLETE"


class Interrupted(Conv1dExplainError):
    """Ctrl-C: the user stopped the command."""

    exit_code = ExitCode.INTERRUPTED
    code = "interrupted"


class _PipeClosed(Exception):
    """The reader of stdout went away (e.g. `| head`): not an OSError, so the parser lets it through."""


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"conv1dexplain {__version__}\n")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Explain 1-D convolutions exactly as Keras and PyTorch compute them."""


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """The command, with Ctrl-C and a closed stdout turned into our own exceptions before the
    parser sees them: it would make the first a silent 130 and the second an exit 1."""

    @functools.wraps(function)
    def command(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except BrokenPipeError:
            raise _PipeClosed from None
        except KeyboardInterrupt:
            raise _interrupted() from None

    return command


def _interrupted() -> Interrupted:
    return Interrupted("interrupted (Ctrl-C)", "run the command again to finish it")


def build_app(only: str | None = None) -> typer.Typer:
    """The typer app with every command, or with just the one being run (faster start-up: typer
    builds every option of every registered command on each call)."""
    app = typer.Typer(
        name="conv1dexplain",
        help="Explain 1-D convolutions exactly as Keras and PyTorch compute them.\n\n"
        "Example: conv1dexplain shape --input 50x300 --filters 100 --kernel-size 4 --padding same",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        # Plain help: rich's option table cuts long option names (`--filters,--out-channe…`) at 80 columns.
        rich_markup_mode=None,
    )
    app.callback()(_root)
    for name in COMMANDS if only is None else (only,):
        function = getattr(importlib.import_module(f"conv1dexplain.cli.{name}"), name)
        reads_stdin = name in ("why", "explore")  # (without arguments: stdin, or the classic layer)
        app.command(name=name, no_args_is_help=not reads_stdin, cls=PanelledCommand)(_guarded(function))
    return app


def _command_named(args: list[str]) -> str | None:
    """The command a call (or a tab completion) is about, when it is certainly one of ours."""
    words = args
    if os.environ.get(COMPLETE_VAR):  # completing: the words typed so far
        line = os.environ.get("COMP_WORDS") or os.environ.get("_TYPER_COMPLETE_ARGS") or ""
        words = line.split()[1:]
        if len(words) < 2 and not line.endswith(" "):
            return None  # still typing the command's name: every command is a candidate
    return words[0] if words and words[0] in COMMANDS else None


def _usage_hint(args: list[str]) -> str:
    commands = [a for a in args if a in COMMANDS]
    return (
        f"run `conv1dexplain {commands[0]} --help` for its options"
        if commands
        else ("run `conv1dexplain --help` for the commands")
    )


def _quiet_broken_pipe() -> int:
    # The reader (e.g. `head`) went away: stop writing, say nothing, exit cleanly. Whatever is still
    # buffered for stdout goes to /dev/null when Python flushes it at exit.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return ExitCode.OK


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    as_json = "--json" in args
    no_color = "--no-color" in args
    try:
        command = typer.main.get_command(build_app(_command_named(args)))
        result = command.main(args=args, prog_name="conv1dexplain", standalone_mode=False)
        sys.stdout.flush()  # a block-buffered stdout fails here, not at exit, when it cannot be written
    except Conv1dExplainError as error:
        error.voice = "cli"  # the core names arguments (strides=1): the command line says --strides 1
        write_error(error, as_json=as_json, no_color=no_color)
        return error.exit_code
    except typer.TyperException as error:  # the parser's usage errors (click's, vendored)
        if type(error).__name__ == "NoArgsIsHelpError":  # no options at all: the help, as typer shows it
            sys.stdout.write(error.format_message() + "\n")
            return ExitCode.USAGE
        usage = UsageError(error.format_message(), _usage_hint(args))
        write_error(usage, as_json=as_json, no_color=no_color)
        return ExitCode.USAGE if error.exit_code == 2 else ExitCode.DATA
    except typer.Abort:
        return ExitCode.INTERRUPTED
    except KeyboardInterrupt:
        write_error(_interrupted(), as_json=as_json, no_color=no_color)
        return ExitCode.INTERRUPTED
    except (BrokenPipeError, _PipeClosed):
        return _quiet_broken_pipe()
    except OSError as error:  # stdout (or a file) cannot be written: a full disk, /dev/full
        unwritable = DataError(
            f"could not write the output: {error.strerror or error}",
            "free space where the output goes, or send it elsewhere (another file or a pipe)",
        )
        write_error(unwritable, as_json=as_json, no_color=no_color)
        _quiet_broken_pipe()  # what is still buffered for stdout goes nowhere at exit
        return ExitCode.DATA
    except MemoryError:  # the budgets passed, yet the machine (or a ulimit) holds less: say so, no traceback
        out_of_memory = DataError(
            "out of memory: the machine could not hold the arrays this layer needs",
            "use a smaller layer or input, write the output to a file with --output out.npy, or free memory",
        )
        write_error(out_of_memory, as_json=as_json, no_color=no_color)
        return ExitCode.DATA
    return result if isinstance(result, int) else ExitCode.OK
