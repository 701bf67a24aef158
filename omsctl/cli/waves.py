"""`omsctl wave …`: group approved orders into pick waves and print their pick lists."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state

app = typer.Typer(
    help="Pick waves: create, list, show, pick list, remove, close.", no_args_is_help=True
)

WaveArg = Annotated[str, typer.Argument(help="Wave id or code (WAVE-000042).")]
STRATEGIES = ("mixed", "single", "multi", "carrier", "zone")


@app.command("create")
def wave_create(
    ctx: typer.Context,
    strategy: Annotated[
        str, typer.Option(help="mixed (default), single, multi, carrier or zone.")
    ] = "mixed",
    max_orders: Annotated[
        int | None, typer.Option(min=1, help="At most this many orders per wave.")
    ] = 200,
    max_units: Annotated[int | None, typer.Option(min=1, help="At most this many units.")] = None,
    max_weight: Annotated[float | None, typer.Option(min=0, help="At most this many kg.")] = None,
    carrier: Annotated[
        str | None, typer.Option(help="Only orders for this carrier/service.")
    ] = None,
    cutoff: Annotated[
        str | None,
        typer.Option(
            help="Leave orders paid after this time for the next wave (14:00, 2026-11-21T14:00)."
        ),
    ] = None,
    warehouse: Annotated[str | None, typer.Option(help="Only this warehouse.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the waves; create none.")
    ] = False,
    json: output.JsonOpt = False,
) -> None:
    """Group approved orders into waves (one warehouse each), express and oldest paid first.

    Example: [bold]omsctl wave create --strategy single --max-orders 50 --cutoff 14:00[/]
    """
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from omsctl.domain.clock import parse_cutoff
    from omsctl.domain.waves import Limits, Strategy
    from omsctl.services.waving import create_waves

    if strategy not in STRATEGIES:
        raise typer.BadParameter(f"use one of {', '.join(STRATEGIES)}", param_hint="--strategy")
    env = state(ctx).env()
    tz = env.settings["general.timezone"]
    report = create_waves(
        env,
        strategy=Strategy(strategy),
        limits=Limits(max_orders, max_units, Decimal(str(max_weight)) if max_weight else None),
        cutoff=parse_cutoff(cutoff, now=env.now(), tz=tz).astimezone(ZoneInfo(tz))
        if cutoff
        else None,
        carrier=carrier,
        warehouse=warehouse,
        dry_run=dry_run,
    )
    if json:
        output.print_json(
            {
                "dry_run": report.dry_run,
                "waves": [
                    {
                        "id": w.id,
                        "code": w.code,
                        "warehouse": w.warehouse,
                        "strategy": w.strategy,
                        "key": w.key,
                        "orders": list(w.orders),
                        "units": w.units,
                    }
                    for w in report.waves
                ],
                "left_for_later": report.left_for_later,
            }
        )
        return
    rows = [
        {
            "code": w.code,
            "warehouse": w.warehouse,
            "strategy": w.strategy,
            "key": w.key,
            "orders": len(w.orders),
            "units": w.units,
        }
        for w in report.waves
    ]
    output.render(
        rows,
        [
            output.Column(k, k, "right" if k in ("orders", "units") else "left")
            for k in ("code", "warehouse", "strategy", "key", "orders", "units")
        ],
        output.Format.TABLE,
    )
    for note in (n for w in report.waves for n in w.notes):
        state(ctx).info(f"note: {note}")
    for left in report.left_for_later:
        state(ctx).info(f"not waved: {left.order}: {left.reason}")
    state(ctx).info(
        f"{len(report.waves)} wave(s), {sum(len(w.orders) for w in report.waves)} "
        f"order(s){' — dry run, nothing created' if dry_run else ''}"
    )


@app.command("list")
def wave_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open or closed.")] = None,
    json: output.JsonOpt = False,
    csv: output.CsvOpt = False,
    ids: output.IdsOpt = False,
) -> None:
    """List waves with their orders and units.

    Example: [bold]for w in $(omsctl wave list --status open --ids); do
    omsctl wave picklist $w -o wave-$w.pdf; done[/]
    """
    from omsctl.services.waving import list_waves

    rows = [
        {**output.fields(w), "orders": len(w.orders)}
        for w in list_waves(state(ctx).env(), status=status)
    ]
    fmt = output.choose(json=json, csv=csv, ids=ids)
    if fmt is output.Format.JSON:
        rows = [
            {**r, "orders": list(w.orders)}
            for r, w in zip(rows, list_waves(state(ctx).env(), status=status), strict=True)
        ]
    output.render(
        rows,
        [
            output.Column(k, k, "right" if k in ("id", "orders", "units") else "left")
            for k in (
                "id",
                "code",
                "warehouse",
                "strategy",
                "key",
                "status",
                "orders",
                "units",
                "created_at",
            )
        ],
        fmt,
    )


@app.command("show")
def wave_show(ctx: typer.Context, wave: WaveArg, json: output.JsonOpt = False) -> None:
    """Show a wave's orders by tote.

    Example: [bold]omsctl wave show 3[/]
    """
    from omsctl.services.waving import show_wave

    view, members = show_wave(state(ctx).env(), wave)
    if json:
        output.print_json({**output.jsonable(view), "members": members})
        return
    state(ctx).info(
        f"{view.code} {view.warehouse} {view.strategy} {view.key} {view.status}: "
        f"{len(members)} order(s), {view.units} unit(s)"
    )
    output.render(
        members,
        [
            output.Column("tote", "tote", "right"),
            output.Column("order", "order"),
            output.Column("state", "state"),
        ],
        output.Format.TABLE,
    )


@app.command("picklist")
def wave_picklist(
    ctx: typer.Context,
    wave: WaveArg,
    out: Annotated[str, typer.Option("-o", "--output", help="PDF file, or - for stdout.")] = "-",
    csv: Annotated[
        bool, typer.Option("--csv", help="CSV for handheld scanners instead of a PDF.")
    ] = False,
    page: Annotated[str, typer.Option(help="a4 or letter.")] = "a4",
) -> None:
    """Write the wave's pick list: bins in walking order, totals, totes, barcodes.

    Example: [bold]omsctl wave picklist 3 -o wave-3.pdf[/]
    or to the printer: [bold]omsctl wave picklist 3 -o - | lp[/]
    """
    from omsctl.services.waving import pick_list

    pick = pick_list(state(ctx).env(), wave)
    if csv:
        from omsctl.documents.picklist import picklist_csv

        text = picklist_csv(pick)
        if out == "-":
            sys.stdout.write(text)
        else:
            Path(out).write_text(text, encoding="utf-8")
    else:
        from reportlab.lib.pagesizes import A4, LETTER

        from omsctl.cli.files import write_pdf
        from omsctl.documents.picklist import render_picklist

        sizes = {"a4": A4, "letter": LETTER}
        if page not in sizes:
            raise typer.BadParameter("use a4 or letter", param_hint="--page")
        write_pdf(out, lambda fh: render_picklist(pick, fh, page_size=sizes[page]))
    if out != "-":
        state(ctx).info(f"wrote {out}: {len(pick.stops)} stop(s), {pick.units} unit(s)")


@app.command("remove")
def wave_remove(
    ctx: typer.Context,
    wave: WaveArg,
    order: Annotated[str, typer.Argument(help="Order number or id.")],
) -> None:
    """Take an order out of a wave; it goes back to approved with its stock reserved.

    Example: [bold]omsctl wave remove 3 '#1002'[/]
    """
    from omsctl.services.waving import remove_from_wave

    member = remove_from_wave(state(ctx).env(), wave, order)
    typer.echo(f"{member.order}: picking → {member.state} (was tote {member.tote})")


@app.command("close")
def wave_close(ctx: typer.Context, wave: WaveArg) -> None:
    """Close a wave whose orders are all packed or removed.

    Example: [bold]omsctl wave close 3[/]
    """
    from omsctl.services.waving import close_wave

    view = close_wave(state(ctx).env(), wave)
    typer.echo(f"{view.code}: closed")
