"""`omsctl pack ORDER`: scan every unit; the parcel ships only if it matches the order."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from omsctl.cli.state import state
from omsctl.domain.errors import EXIT_ERROR


def register(app: typer.Typer) -> None:
    app.command("pack", rich_help_panel="Daily flow")(pack)


def pack(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order number or id.")],
    scan: Annotated[
        list[str] | None,
        typer.Option(
            "--scan",
            "-s",
            help="A scanned SKU or "
            "barcode, once per unit; without --scan "
            "codes are read from stdin, one per line.",
        ),
    ] = None,
) -> None:
    """Verify a parcel by scanning each unit; a match moves the order to packed.

    A wrong item, an extra or a missing unit is listed line by line, recorded for the pack
    accuracy KPI, and the order stays picking (exit 1).

    Example: [bold]omsctl pack '#1002' -s TEA-LJ-100 -s 4006381333931 -s 0012-SET[/]
    or with a scanner: [bold]omsctl pack '#1002'[/] and scan each unit
    """
    from omsctl.services.packing import pack_order

    cli = state(ctx)
    codes = list(scan or [])
    if not codes:
        if sys.stdin.isatty() and not cli.quiet:
            typer.echo("scan each unit, then an empty line (or Ctrl-D) to finish", err=True)
        for line in sys.stdin:
            code = line.strip()
            if not code and sys.stdin.isatty():
                break
            if code:
                codes.append(code)
    result = pack_order(cli.env(), order, codes)
    for advice in result.advice:
        typer.echo(f"packing: {advice}")
    if result.ok:
        typer.echo(f"{result.order}: picking → packed ({result.units_scanned} unit(s) verified)")
        return
    for problem in result.problems:
        typer.echo(f"mismatch: {problem.text}")
    typer.echo(
        f"error: {result.order} does not match the order ({len(result.problems)} "
        "problem(s)); it stays picking — fix the parcel and scan again",
        err=True,
    )
    raise typer.Exit(EXIT_ERROR)
