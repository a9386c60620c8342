"""`--help` as plain text in sections: option names whole at any width (rich's table cuts them)."""

from __future__ import annotations

import typer
from typer._click import Context, HelpFormatter


class PanelledCommand(typer.core.TyperCommand):
    """A command whose options are listed under their help panel's title, in the order declared."""

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        """One section per help panel (Layer, Data and weights, Output, …); --help in the last."""
        sections: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is not None:
                sections.setdefault(getattr(param, "rich_help_panel", None) or "Options", []).append(record)
        options = sections.pop("Options", [])
        for title, records in [*sections.items(), ("Options", options)]:
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)
