"""`omsctl warehouses …`: where stock sits."""

from __future__ import annotations

from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state

app = typer.Typer(help="Warehouses orders ship from.", no_args_is_help=True)


@app.command("add")
def warehouses_add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Short code, e.g. HZ or BER.")],
    name: Annotated[str, typer.Option(help="A name people recognise.")],
    country: Annotated[str, typer.Option(help="Country code, e.g. CN or DE.")],
    region: Annotated[str, typer.Option(help="Province/state code, e.g. ZJ or CA.")] = "",
    priority: Annotated[int, typer.Option(help="Lower ships first on a tie.")] = 100,
) -> None:
    """Add a warehouse; its bins are created by `omsctl stock import`.

    Example: [bold]omsctl warehouses add HZ --name "Hangzhou" --country CN --region ZJ[/]
    """
    from omsctl.services.warehouses import add_warehouse

    added = add_warehouse(state(ctx).env(), code, name, country, region, priority)
    state(ctx).info(f"added warehouse {added.code} ({added.name}, {added.country})")


@app.command("list")
def warehouses_list(
    ctx: typer.Context, json: output.JsonOpt = False, csv: output.CsvOpt = False
) -> None:
    """List warehouses with their bins and units.

    Example: [bold]omsctl warehouses list[/]
    """
    from omsctl.services.warehouses import list_warehouses

    columns = [
        output.Column(
            k,
            k.replace("_", " "),
            "right" if k in ("priority", "bins", "on_hand", "reserved") else "left",
        )
        for k in ("code", "name", "country", "region", "priority", "bins", "on_hand", "reserved")
    ]
    output.render(
        list_warehouses(state(ctx).env()), columns, output.choose(json=json, csv=csv), id_key="code"
    )
