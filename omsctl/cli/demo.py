"""`omsctl demo`: the merchant's whole day on the shipped sample data, in a fresh database.

The demo runs the real commands, in-process, exactly as a person would type them, so it
shows what each one prints and grows with every command omsctl gains.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from omsctl.cli.state import state
from omsctl.domain.errors import EXIT_OK, OmsError


@dataclass(frozen=True, slots=True)
class Step:
    what: str
    args: tuple[str, ...]
    expect: tuple[int, ...] = (EXIT_OK,)


def steps() -> list[Step]:
    return [
        Step("create the database", ("init",)),
        Step("write a settings file to edit later", ("config", "init", "--force")),
        Step("list the orders", ("orders", "list")),
    ]


def demo(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the demo database and the day's documents.")
    ] = Path("omsctl-demo"),
) -> None:
    """Run the whole daily flow on the sample data, in a fresh database in --out.

    Example: [bold]omsctl demo --out /tmp/omsctl-demo[/]
    """
    from omsctl.resources import sample_data_dir

    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    db = out / "omsctl.db"
    for leftover in (db, db.with_name("omsctl.db-wal"), db.with_name("omsctl.db-shm")):
        leftover.unlink(missing_ok=True)
    samples = sample_data_dir()
    quiet = state(ctx).quiet
    command = ctx.find_root().command
    for number, step in enumerate(steps(), start=1):
        args = [a.format(samples=samples, out=out) for a in step.args]
        if not quiet:
            typer.secho(f"\n[{number}] {step.what}", bold=True, err=True)
            typer.echo(f"$ omsctl {shlex.join(args)}", err=True)
        code = command.main(
            args=[
                "--db",
                str(db),
                "--config",
                str(out / "omsctl.toml"),
                *(["--quiet"] if quiet else []),
                *args,
            ],
            prog_name="omsctl",
            standalone_mode=False,
        )
        if code not in step.expect:
            raise OmsError(f"demo step {number} ({step.what}) ended with exit code {code}")
    state(ctx).info(f"\ndemo done: database {db}; documents in {out}")
