"""`omsctl import`: the night's channel exports into the database."""

from __future__ import annotations

from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state
from omsctl.domain.errors import EXIT_PARTIAL

if TYPE_CHECKING:
    from omsctl.services.importing import ImportReport


class Channel(StrEnum):
    auto = "auto"
    shopify = "shopify"
    woocommerce = "woocommerce"
    amazon = "amazon"
    ebay = "ebay"
    etsy = "etsy"
    taobao = "taobao"
    csv = "csv"


def register(app: typer.Typer) -> None:
    app.command("import", rich_help_panel="Daily flow")(import_orders)


def import_orders(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Export files, globs, or - for stdin.")],
    channel: Annotated[
        Channel, typer.Option(help="Format of the files; auto reads the header.")
    ] = Channel.auto,
    mapping: Annotated[
        Path | None, typer.Option(help="Column mapping (TOML) for --channel csv.", dir_okay=False)
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="Text encoding, when not the format's usual one (e.g. gb18030, cp1252)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and check everything; write nothing.")
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(
            help="Write rejected orders' rows here (CSV) to fix and import again.", dir_okay=False
        ),
    ] = None,
    json: output.JsonOpt = False,
) -> None:
    """Import orders from channel exports; importing the same file again changes nothing.

    Shopify, WooCommerce, Amazon (order report, unshipped orders), eBay, Etsy (orders and
    items files together), Taobao/Tmall (订单报表 with 宝贝报表), or any CSV with --mapping.
    A row that cannot be read rejects its whole order (exit 3); the rest is imported.

    Example: [bold]omsctl import ~/Downloads/orders_export_*.csv --rejects rejects.csv[/]
    """
    from omsctl.services.importing import import_files

    cli = state(ctx)
    with _progress(cli.interactive and not json) as advance:
        report = import_files(
            cli.env(),
            files,
            channel=None if channel is Channel.auto else channel.value,
            mapping=mapping,
            encoding=encoding,
            dry_run=dry_run,
            progress=advance,
            rejects_to=rejects,
        )
    for reject in report.rejects:
        typer.echo(f"rejected: {reject}", err=True)
    for written in report.rejects_files:
        cli.info(f"wrote the rejected orders' rows to {written}: fix them and import that file")
    if json:
        output.print_json(report)
    else:
        _print_summary(report)
        if dry_run:
            cli.info("dry run: nothing was written")
    if report.rejects:
        raise typer.Exit(EXIT_PARTIAL)


def _print_summary(report: ImportReport) -> None:
    columns = [
        output.Column(k, k.replace("_", " "), "left" if k in ("channel", "files") else "right")
        for k in (
            "channel",
            "files",
            "new",
            "updated",
            "unchanged",
            "rejected",
            "cancelled",
            "held",
            "lines",
            "units",
        )
    ]
    rows = [{**output.jsonable(s), "files": ", ".join(s.files)} for s in report.sources]
    output.render(rows, columns, output.Format.TABLE)


def _progress(show: bool):  # type: ignore[no-untyped-def]
    """A Rich progress line on stderr (terminal only); yields a callback taking n orders."""
    if not show:
        return nullcontext(None)
    from contextlib import contextmanager

    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    @contextmanager
    def bar():  # type: ignore[no-untyped-def]
        with Progress(
            SpinnerColumn(),
            TextColumn("importing {task.completed:,} orders"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as p:
            task = p.add_task("import", total=None)
            yield lambda n: p.advance(task, n)

    return bar()
