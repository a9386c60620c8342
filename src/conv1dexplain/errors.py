"""The one domain error type, the exit codes the CLI maps it to, and the words of its hints.

The core names what the user can set as the framework's own arguments, marked with `setting()`
(`strides=1`, `padding='same'`): whoever shows the error chooses the voice. The Python API says
`strides=1`, the CLI `--strides 1` (`error.voice = "cli"`), a model view names the layer too.
"""

from __future__ import annotations

import re
from typing import Final, Literal

Voice = Literal["python", "cli", "model_cli"]  # model_cli: a model's code on the command line
_UNSET = object()
_MARK = r"⟦([a-z_]+)(?:=(.*?))?⟧"  # (compiled by re when first used: most runs print no error)
# The CLI's flag for each argument a hint can name (Keras' and PyTorch's names alike).
CLI_FLAGS = {
    "filters": "--filters",
    "out_channels": "--filters",
    "kernel_size": "--kernel-size",
    "strides": "--strides",
    "stride": "--strides",
    "dilation_rate": "--dilation-rate",
    "dilation": "--dilation-rate",
    "groups": "--groups",
    "padding": "--padding",
    "padding_mode": "--padding-mode",
    "activation": "--activation",
    "data_format": "--data-format",
    "framework": "--framework",
    "input_shape": "--input",
    "dtype": "--dtype",
}


class ExitCode:
    """Process exit codes; the CLI's contract. (Plain ints: an IntEnum costs ~0.6 M instructions to
    define, a hundredth of a command's start-up over typer's, and nothing here needs its names.)"""

    OK: Final = 0
    DATA: Final = 1  # a data or runtime problem
    USAGE: Final = 2  # a usage or spec error
    INTERRUPTED: Final = 130  # Ctrl-C, as shells report SIGINT


def setting(name: str, value: object = _UNSET) -> str:
    """An argument the user sets, in a message or hint: `strides=1` for Python, `--strides 1` on the CLI."""
    return f"⟦{name}⟧" if value is _UNSET else f"⟦{name}={value!r}⟧"


def phrase(text: str, voice: Voice) -> str:
    """text with its settings written for the voice."""
    return re.sub(_MARK, lambda match: _spoken(match.group(1), match.group(2), voice), text)


def _spoken(name: str, value: str | None, voice: Voice) -> str:
    if voice == "model_cli":  # the layers' arguments are in the code; the input and framework are flags
        voice = "cli" if name in ("input_shape", "framework") else "python"
    if voice == "python":
        return name if value is None else f"{name}={value}"
    if name in ("use_bias", "bias"):
        return "--no-bias" if value == "False" else "--use-bias"
    flag = CLI_FLAGS.get(name, "--" + name.replace("_", "-"))
    if value is None:
        return flag
    quoted = value[:1] in ("'", '"')
    return f"{flag} {value[1:-1] if quoted else value}"


class Conv1dExplainError(Exception):
    """A problem the user can fix: what is wrong, and how to fix it; the argument, its value and
    the layer it concerns when one does."""

    exit_code: int = ExitCode.DATA
    code: str = "error"

    def __init__(
        self,
        message: str,
        hint: str,
        *,
        argument: str | None = None,
        value: object = None,
        layer: str | None = None,
    ) -> None:
        super().__init__(message)
        self.raw_message, self.raw_hint = message, hint
        self.argument, self.value, self.layer = argument, value, layer
        self.voice: Voice = "python"

    @property
    def message(self) -> str:
        """What is wrong, in the voice of whoever shows it."""
        return phrase(self.raw_message, self.voice)

    @property
    def hint(self) -> str:
        """How to fix it, in the voice of whoever shows it."""
        return phrase(self.raw_hint, self.voice)

    def __str__(self) -> str:
        return self.message


class SpecError(Conv1dExplainError):
    """The layer or the input shape is not one the framework accepts."""

    exit_code = ExitCode.USAGE
    code = "spec_error"


class UsageError(Conv1dExplainError):
    """The command line itself is wrong (unknown option, missing value)."""

    exit_code = ExitCode.USAGE
    code = "usage_error"


class DataError(Conv1dExplainError):
    """Data or weights could not be read or used."""

    exit_code = ExitCode.DATA
    code = "data_error"
