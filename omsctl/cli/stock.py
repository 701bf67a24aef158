"""`omsctl stock …`: counts, receipts, corrections, and what to reorder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.products import STOCK_COLUMNS
from omsctl.cli.state import state
from omsctl.domain.errors import EXIT_PARTIAL

app = typer.Typer(
    help="Stock levels per bin, the ledger behind them, reorder alerts.", no_args_is_help=True
)

LocationOpt = Annotated[str | None, typer.Option("--location", "-l", help="Bin code, e.g. A-03-2.")]
WarehouseOpt = Annotated[str | None, typer.Option("--warehouse", "-w", help="Warehouse code.")]


@app.command("import")
def stock_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV: sku,warehouse,location,on_hand[,pick_sequence]")
    ],
    add: Annotated[
        bool,
        typer.Option("--add", help="Receive goods (add) instead of a stock take (set counts)."),
    ] = False,
) -> None:
    """Set counts from a stock take, or receive goods with --add. Bins are created on first use.

    Example: [bold]omsctl stock import delivery-2026-11-21.csv --add[/]
    """
    from omsctl.services.stocking import import_stock

    result = import_stock(state(ctx).env(), file, add=add)
    for reject in result.rejects:
        typer.echo(f"rejected: {reject}", err=True)
    state(ctx).info(
        f"stock {result.mode}: {result.rows} row(s), {result.units} unit(s), "
        f"{len(result.rejects)} rejected"
    )
    if result.rejects:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("set")
def stock_set(
    ctx: typer.Context,
    sku: str,
    quantity: Annotated[int, typer.Argument(min=0, help="Units counted.")],
    location: LocationOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Set the count of a SKU in one bin (a stock take of one shelf).

    Example: [bold]omsctl stock set TEA-LJ-100 48 --location A-01-1 --warehouse HZ[/]
    """
    from omsctl.services.stocking import set_stock

    move = set_stock(state(ctx).env(), sku, quantity, location=location, warehouse=warehouse)
    typer.echo(
        f"{move.sku} at {move.location}: on hand {move.on_hand_after} ({move.delta_on_hand:+d})"
    )


# A negative delta (-3) would read as an unknown option; let it through as the argument.
@app.command("adjust", context_settings={"ignore_unknown_options": True})
def stock_adjust(
    ctx: typer.Context,
    sku: str,
    delta: Annotated[
        int,
        typer.Argument(help="Units to add (5) or remove (-3)."),
    ],
    reason: Annotated[str, typer.Option(help="Why: damaged, found, sample… (kept in the ledger).")],
    location: LocationOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Correct a SKU's on-hand count by a number of units, with a reason.

    Example: [bold]omsctl stock adjust CUP-CEL-02 -1 --reason "broken in aisle"[/]
    """
    from omsctl.services.stocking import adjust_stock

    move = adjust_stock(
        state(ctx).env(), sku, delta, reason, location=location, warehouse=warehouse
    )
    typer.echo(
        f"{move.sku} at {move.location}: on hand {move.on_hand_after} ({move.delta_on_hand:+d})"
    )


@app.command("list")
def stock_list(
    ctx: typer.Context,
    low: Annotated[
        bool,
        typer.Option(
            "--low",
            help="Only SKUs at or under their reorder "
            "point, with days of cover and a suggested order.",
        ),
    ] = False,
    warehouse: WarehouseOpt = None,
    json: output.JsonOpt = False,
    csv: output.CsvOpt = False,
) -> None:
    """Stock per bin: on hand, reserved, available; --low for the reorder list.

    Example: [bold]omsctl stock list --low --csv > purchase-list.csv[/]
    """
    from omsctl.services.stocking import list_stock, low_stock

    fmt = output.choose(json=json, csv=csv)
    env = state(ctx).env()
    if not low:
        output.render(list_stock(env, warehouse=warehouse), STOCK_COLUMNS, fmt, id_key="sku")
        return
    columns = [
        output.Column(k, k.replace("_", " "), "left" if k in ("sku", "title") else "right")
        for k in (
            "sku",
            "title",
            "available",
            "reorder_point",
            "safety_stock",
            "daily_velocity",
            "days_of_cover",
            "suggested_order",
        )
    ]
    output.render(low_stock(env, warehouse=warehouse), columns, fmt, id_key="sku")
