"""`omsctl track …`: tracking numbers in, shipments out, confirmations back to the channels."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state
from omsctl.documents.csv_cells import neutralise
from omsctl.domain.errors import EXIT_ERROR, EXIT_PARTIAL

app = typer.Typer(
    help="Tracking numbers: check, add, import, ship, export; delivery events.",
    no_args_is_help=True,
)

CarrierOpt = Annotated[
    str | None,
    typer.Option(
        "--carrier", "-c", help="Carrier code, e.g. UPS, DHL, SF; detected when left out."
    ),
]
#: Our carrier codes → Amazon's carrier-code list (anything else is "Other" + carrier-name).
AMAZON_CARRIERS = {
    "UPS": "UPS",
    "FEDEX": "FedEx",
    "USPS": "USPS",
    "DHL": "DHL",
    "ROYALMAIL": "Royal Mail",
    "AMAZON": "Amazon Shipping",
    "CANADAPOST": "Canada Post",
    "ONTRAC": "OnTrac",
    "SF": "SF Express",
    "EMS": "China Post",
    "CHINAPOST": "China Post",
}


@app.command("check")
def track_check(
    ctx: typer.Context, numbers: list[str], carrier: CarrierOpt = None, json: output.JsonOpt = False
) -> None:
    """Check tracking numbers without recording them; exit 1 if any is refused.

    Example: [bold]omsctl track check 1Z999AA10123456784 3400100001[/]
    """
    from omsctl.services.tracking import check_numbers

    verdicts = check_numbers(numbers, carrier)
    if json:
        output.print_json(verdicts)
    else:
        for raw, v in zip(numbers, verdicts, strict=True):
            if v.ok:
                typer.echo(
                    f"{v.number}: {v.carrier} {v.format}"
                    + ("" if v.verified else " (no check digit)")
                )
            else:
                typer.echo(f"{raw}: refused: {v.reason}")
    if not all(v.ok for v in verdicts):
        raise typer.Exit(EXIT_ERROR)


@app.command("add")
def track_add(
    ctx: typer.Context,
    order: Annotated[str, typer.Argument(help="Order number or id (packed).")],
    number: Annotated[str, typer.Argument(help="The tracking number on the parcel.")],
    carrier: CarrierOpt = None,
    service: Annotated[str | None, typer.Option(help="Service, e.g. EXPRESS.")] = None,
    shipped_at: Annotated[str | None, typer.Option(help="When it left (default now).")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Record a number of a carrier without a public format, unverified."
        ),
    ] = False,
) -> None:
    """Record a packed order's tracking number (checked) and ship it.

    Example: [bold]omsctl track add '#1002' 1Z999AA10123456784[/]
    """
    from omsctl.domain.clock import parse_moment
    from omsctl.services.tracking import add_tracking

    env = state(ctx).env()
    at = (
        parse_moment(shipped_at, now=env.now(), tz=env.settings["general.timezone"])
        if shipped_at
        else None
    )
    done = add_tracking(
        env, order, number, carrier=carrier, service=service, shipped_at=at, force=force
    )
    verified = "" if done.verified else " — not verified (no check digit / --force)"
    status = "shipped" if done.changed else "already recorded"
    typer.echo(f"{done.order}: {done.carrier} {done.number} ({done.format}), {status}{verified}")


@app.command("ship")
def track_ship(
    ctx: typer.Context,
    orders: Annotated[list[str] | None, typer.Argument(help="Order numbers or ids.")] = None,
    wave: Annotated[str | None, typer.Option(help="Every packed order of this wave.")] = None,
) -> None:
    """Hand packed orders to the carrier under the numbers their labels carry.

    Example: [bold]omsctl track ship --wave 3[/]
    """
    from omsctl.services.tracking import ship_labelled

    shipped, waiting = ship_labelled(state(ctx).env(), wave=wave, refs=orders or ())
    for done in shipped:
        typer.echo(
            f"{done.order}: {done.carrier} {done.number}, "
            f"{'shipped' if done.changed else 'already shipped'}"
        )
    for number in waiting:
        state(ctx).info(
            f"not shipped: {number} has no tracking number yet (`omsctl track add ORDER NUMBER`)"
        )


@app.command("import")
def track_import(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: order,number[,carrier,ship_date], or Amazon's confirmation file."
        ),
    ],
) -> None:
    """Record many tracking numbers at once; a bad row is reported, the rest recorded.

    Example: [bold]omsctl track import shipped-today.csv[/]
    """
    from omsctl.services.tracking import import_tracking

    result = import_tracking(state(ctx).env(), file)
    for reject in result.rejects:
        typer.echo(f"rejected: {reject}", err=True)
    state(ctx).info(
        f"tracking: {result.recorded} recorded, {result.unchanged} unchanged, "
        f"{len(result.rejects)} rejected"
    )
    if result.rejects:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("export")
def track_export(
    ctx: typer.Context,
    channel: Annotated[
        str,
        typer.Option(
            help="amazon, shopify, ebay, etsy, woocommerce, taobao, or a mapped channel's name."
        ),
    ],
    out: Annotated[str, typer.Option("-o", "--output", help="File, or - for stdout.")] = "-",
    again: Annotated[
        bool, typer.Option("--again", help="Include shipments exported before.")
    ] = False,
) -> None:
    """Write the shipping confirmations a channel has not had yet (each shipment once).

    Amazon gets its shipping-confirmation flat file; other channels a CSV.

    Example: [bold]omsctl track export --channel amazon -o confirm.txt[/]
    """
    from omsctl.services.tracking import export_confirmations

    rows = export_confirmations(state(ctx).env(), channel, again=again)
    buffer = io.StringIO()
    if channel == "amazon":
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
        writer.writerow(
            [
                "order-id",
                "order-item-id",
                "quantity",
                "ship-date",
                "carrier-code",
                "carrier-name",
                "tracking-number",
                "ship-method",
            ]
        )
        for r in rows:
            code = AMAZON_CARRIERS.get(r.carrier, "Other")
            writer.writerow(
                [
                    r.channel_order_no,
                    "",
                    "",
                    r.ship_date,
                    code,
                    r.carrier if code == "Other" else "",
                    r.tracking_number,
                    r.service,
                ]
            )
    else:
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            ["order_number", "tracking_number", "carrier", "service", "ship_date", "tracking_url"]
        )
        for r in rows:
            cells = (
                r.channel_order_no,
                r.tracking_number,
                r.carrier,
                r.service,
                r.ship_date,
                r.tracking_url,
            )
            writer.writerow([neutralise(cell) for cell in cells])
    if out == "-":
        sys.stdout.write(buffer.getvalue())
    else:
        Path(out).write_text(buffer.getvalue(), encoding="utf-8")
    state(ctx).info(
        f"{len(rows)} confirmation(s) for {channel}" + (f" written to {out}" if out != "-" else "")
    )
