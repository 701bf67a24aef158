"""The global options, carried from `omsctl`'s callback to every command."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from omsctl.services.context import Env


@dataclass
class CliState:
    db: str
    config: str | None
    quiet: bool
    debug: bool

    def env(self) -> Env:
        from omsctl.services.context import Env

        return Env(db=self.db, config=self.config)

    def info(self, message: str) -> None:
        """A summary line for people, on stderr so stdout stays data; silent under --quiet."""
        if not self.quiet:
            typer.echo(message, err=True)

    @property
    def interactive(self) -> bool:
        return not self.quiet and sys.stderr.isatty()


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    assert isinstance(root.obj, CliState)
    return root.obj
