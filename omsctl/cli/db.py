"""`omsctl db …`: check, back up, copy and purge the database itself (cron's nightly jobs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state
from omsctl.domain.errors import EXIT_ERROR

if TYPE_CHECKING:
    from omsctl.services.database import CheckReport

app = typer.Typer(
    help="The database itself: check, backup, copy (to PostgreSQL), purge-personal.",
    no_args_is_help=True,
)


@app.command("check")
def db_check(ctx: typer.Context, json: output.JsonOpt = False) -> None:
    """Check the file and every invariant: stock, ledger, history, shipments, waves.

    Prints one line per problem and exits 1, or a one-line summary and exits 0.
    Example: [bold]omsctl --quiet db check || mail -s 'omsctl db check' me[/]
    """
    from omsctl.services.database import check_database

    report = check_database(state(ctx).env())
    _show_check(ctx, report, json)


def _show_check(ctx: typer.Context, report: CheckReport, json: bool) -> None:
    if json:
        output.print_json(
            {
                "database": report.database,
                "ok": report.ok,
                "counts": report.counts,
                "problems": list(report.problems),
            }
        )
    else:
        for problem in report.problems:
            typer.echo(f"{problem.check}: {problem.message}")
    if report.ok:
        state(ctx).info(report.summary())
        return
    typer.echo(
        f"error: {report.database} breaks {len(report.problems)} invariant(s), listed above;"
        " restore the last good backup or ask for help before writing more",
        err=True,
    )
    raise typer.Exit(EXIT_ERROR)


@app.command("backup")
def db_backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The copy to write (created 0600).", dir_okay=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Write a consistent copy of the live database, even while others write to it.

    A SQLite database is copied with SQLite's online backup into one file that opens as a
    database. A PostgreSQL database is dumped by pg_dump (custom format, at one snapshot,
    read back before it is kept); restore it with pg_restore.

    Example: [bold]omsctl --quiet db backup /backups/omsctl-$(date +%F).db[/]
    """
    from omsctl.services.database import backup_database

    done = backup_database(state(ctx).env(), file, force=force)
    state(ctx).info(
        f"backed up {done.source} to {done.target}: {done.orders:,} orders,"
        f" schema {done.revision or '(none)'}, {done.bytes / 1e6:,.1f} MB in {done.seconds:.1f} s"
    )


@app.command("copy")
def db_copy(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="Empty target: a SQLAlchemy URL or a file.")],
    json: output.JsonOpt = False,
) -> None:
    """Copy every table into an empty database (created and migrated first), then verify it.

    Example: [bold]omsctl db copy --to postgresql+psycopg://oms@/omsctl[/]
    """
    from omsctl.services.database import copy_database

    cli = state(ctx)
    result = copy_database(cli.env(), to)
    if json:
        output.print_json(
            {
                "source": result.source,
                "target": result.target,
                "revision": result.revision,
                "rows": result.rows,
                "tables": list(result.tables),
                "ok": result.check.ok,
                "problems": list(result.check.problems),
            }
        )
    else:
        for problem in result.check.problems:
            typer.echo(f"{problem.check}: {problem.message}")
    if result.check.ok:
        cli.info(
            f"copied {result.rows:,} rows in {len(result.tables)} tables from {result.source}"
            f" to {result.target} (schema {result.revision}); every count matches and the copy"
            " passes db check"
        )
        return
    typer.echo(
        f"error: the copy in {result.target} breaks {len(result.check.problems)} invariant(s),"
        " listed above (so does the source: run `omsctl db check`)",
        err=True,
    )
    raise typer.Exit(EXIT_ERROR)


@app.command("purge-personal")
def db_purge_personal(
    ctx: typer.Context,
    older_than: Annotated[
        int,
        typer.Option(
            "--older-than", min=0, metavar="DAYS", help="Finished at least this many days ago."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count the orders; change nothing.")
    ] = False,
    json: output.JsonOpt = False,
) -> None:
    """Blank names, emails, phones and streets of orders finished long ago (KPIs stay).

    Completed, cancelled, returned and merged orders whose last history entry is older than
    DAYS; country, province, city and a postal-code prefix are kept (docs/operations.md).
    Example: [bold]omsctl --quiet db purge-personal --older-than 730[/]
    """
    from omsctl.services.privacy import purge_personal

    result = purge_personal(state(ctx).env(), older_than, dry_run=dry_run)
    if json:
        output.print_json(result)
        return
    verb = "would purge" if dry_run else "purged"
    state(ctx).info(
        f"{verb} the personal data of {result.orders:,} finished order(s) older than"
        f" {result.cutoff:%Y-%m-%d %H:%M} UTC"
    )
