"""`omsctl products …`: the product master."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state
from omsctl.domain.errors import EXIT_PARTIAL

app = typer.Typer(help="The product master: SKUs, barcodes, weights, traits.", no_args_is_help=True)

COLUMNS = [
    output.Column("sku", "sku"),
    output.Column("title", "title"),
    output.Column("barcode", "barcode"),
    output.Column("weight_kg", "kg", "right"),
    output.Column("traits", "traits"),
    output.Column("reorder_point", "reorder at", "right"),
    output.Column("safety_stock", "safety", "right"),
]


@app.command("import")
def products_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: sku,title[,barcode,weight_kg,length_cm,"
            "width_cm,height_cm,traits,reorder_point,safety_stock]"
        ),
    ],
) -> None:
    """Create or update products from a CSV; re-importing updates in place.

    Example: [bold]omsctl products import sample_data/products.csv[/]
    """
    from omsctl.services.catalog import import_products

    result = import_products(state(ctx).env(), file)
    for reject in result.rejects:
        typer.echo(f"rejected: {reject}", err=True)
    state(ctx).info(
        f"products: {result.created} new, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.rejects)} rejected"
    )
    if result.rejects:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("list")
def products_list(
    ctx: typer.Context,
    json: output.JsonOpt = False,
    csv: output.CsvOpt = False,
    ids: output.IdsOpt = False,
) -> None:
    """List the products.

    Example: [bold]omsctl products list --csv > products.csv[/]
    """
    from omsctl.services.catalog import list_products

    output.render(
        list_products(state(ctx).env()),
        COLUMNS,
        output.choose(json=json, csv=csv, ids=ids),
        id_key="sku",
    )


@app.command("show")
def products_show(ctx: typer.Context, sku: str, json: output.JsonOpt = False) -> None:
    """Show one product and where its stock is.

    Example: [bold]omsctl products show 0012-SET[/]
    """
    from omsctl.services.catalog import show_product
    from omsctl.services.stocking import list_stock

    env = state(ctx).env()
    product = show_product(env, sku)
    stock = [r for r in list_stock(env) if r.sku == sku]
    if json:
        output.print_json({**output.jsonable(product), "stock": stock})
        return
    output.render([product], COLUMNS, output.Format.TABLE)
    output.render(stock, STOCK_COLUMNS, output.Format.TABLE)


STOCK_COLUMNS = [
    output.Column("sku", "sku"),
    output.Column("warehouse", "warehouse"),
    output.Column("location", "location"),
    output.Column("on_hand", "on hand", "right"),
    output.Column("reserved", "reserved", "right"),
    output.Column("available", "available", "right"),
]
