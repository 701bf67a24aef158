"""`omsctl labels`, `omsctl carriers explain`, `omsctl waybills …`: from parcel to carrier."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state

FORMATS = ("4x6", "a6", "a4", "letter", "zpl")
carriers_app = typer.Typer(help="Carrier and service rules.", no_args_is_help=True)
waybills_app = typer.Typer(
    help="Pools of tracking numbers handed out by carriers.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command("labels", rich_help_panel="Daily flow")(labels)
    app.add_typer(carriers_app, name="carriers", rich_help_panel="Shipping")
    app.add_typer(waybills_app, name="waybills", rich_help_panel="Shipping")


def labels(
    ctx: typer.Context,
    out: Annotated[str, typer.Option("-o", "--output", help="PDF/ZPL file, or - for stdout.")],
    orders: Annotated[list[str] | None, typer.Argument(help="Order numbers or ids.")] = None,
    wave: Annotated[
        str | None, typer.Option(help="Every order of this wave, in tote order.")
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="Every order in this state (picking or packed).")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="4x6 (thermal), a6, a4, letter, or zpl (Zebra).")
    ] = "4x6",
    reprint: Annotated[
        bool,
        typer.Option("--reprint", help="Print orders whose labels were printed before (recorded)."),
    ] = False,
    full_phone: Annotated[
        bool, typer.Option("--full-phone", help="Print the buyer's phone unmasked.")
    ] = False,
) -> None:
    """Print shipping labels: carrier by the rules, a waybill number from the pool, barcodes.

    Example: [bold]omsctl labels --wave 3 -o - | lp -d zebra[/]
    or for a sheet printer: [bold]omsctl labels '#1002' -f a4 -o labels.pdf[/]
    """
    from io import BytesIO

    from omsctl.cli.files import write_pdf
    from omsctl.services.labelling import print_labels

    if format not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")

    def render(items):  # type: ignore[no-untyped-def]
        if format == "zpl":
            from omsctl.documents.zpl import render_zpl

            return render_zpl(items).encode("utf-8")
        from omsctl.documents.labels import render_labels

        buffer = BytesIO()
        render_labels(items, buffer, format=format)
        return buffer.getvalue()

    run = print_labels(
        state(ctx).env(),
        render,
        wave=wave,
        status=status,
        refs=orders or (),
        fmt=format,
        reprint=reprint,
        full_phone=full_phone,
    )
    write_pdf(out, lambda fh: fh.write(run.output))
    state(ctx).info(
        f"{len(run.orders)} label(s) to {out}; {run.numbers_taken} waybill "
        f"number(s) taken" + (f"; reprinted {len(run.reprinted)}" if run.reprinted else "")
    )


@carriers_app.command("explain")
def carriers_explain(ctx: typer.Context, order: str, json: output.JsonOpt = False) -> None:
    """Show each carrier rule's verdict for an order, and which one wins.

    Example: [bold]omsctl carriers explain '#1002'[/]
    """
    from omsctl.services.carriers import explain

    found = explain(state(ctx).env(), order)
    if json:
        output.print_json(found)
        return
    p = found.parcel
    typer.echo(
        f"{found.order}: to {p.country}{'-' + p.region if p.region else ''}, "
        f"{p.weight_kg} kg, {p.value} {p.currency}, service '{p.service_level}', "
        f"traits {', '.join(sorted(p.traits)) or 'none'}"
    )
    if found.stored:
        typer.echo(f"stored choice: {found.stored}")
    for n, v in enumerate(found.verdicts, start=1):
        head = f"{n}. {v.rule} → {v.carrier} {v.service}".rstrip()
        typer.echo(f"{head}: {'MATCH' if v.matched else 'no: ' + '; '.join(v.misses)}")
    typer.echo(f"chosen: {found.chosen}" if found.chosen else "chosen: none — add a catch-all rule")


@waybills_app.command("load")
def waybills_load(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="One tracking number per line (or a CSV whose first column holds them)."
        ),
    ],
    carrier: Annotated[str, typer.Option(help="The carrier that issued them, e.g. SF.")],
) -> None:
    """Load a carrier's waybill numbers; numbers already in the pool are skipped.

    Example: [bold]omsctl waybills load --carrier SF sf-numbers.txt[/]
    """
    from omsctl.services.waybills import load_numbers

    result = load_numbers(state(ctx).env(), carrier, file)
    for reject in result.rejected:
        typer.echo(f"rejected: {reject}", err=True)
    state(ctx).info(
        f"{result.carrier}: {result.loaded} loaded, {result.already_there} "
        f"already in the pool, {len(result.rejected)} rejected"
    )
    if result.rejected:
        raise typer.Exit(3)


@waybills_app.command("status")
def waybills_status(ctx: typer.Context, json: output.JsonOpt = False) -> None:
    """How many numbers each carrier's pool has left; warns when one runs low.

    Example: [bold]omsctl waybills status[/]
    """
    from omsctl.services.waybills import pool_status

    pools = pool_status(state(ctx).env())
    output.render(
        pools,
        [
            output.Column(k, k, "left" if k == "carrier" else "right")
            for k in ("carrier", "loaded", "used", "left", "low")
        ],
        output.Format.JSON if json else output.Format.TABLE,
        id_key="carrier",
    )
    for pool in pools:
        if pool.low:
            typer.echo(
                f"warning: the {pool.carrier} pool has only {pool.left} number(s) left", err=True
            )
