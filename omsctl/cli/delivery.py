"""After the parcel left: `track events|overdue`, `exceptions …`, `returns …`, `housekeeping`.

`register(app)` adds `events` and `overdue` to the `track` group of `cli/tracking.py` and the
other groups to the root, so everything about a parcel's journey reads as one noun.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from omsctl.cli import output
from omsctl.cli.state import state
from omsctl.domain.errors import EXIT_PARTIAL

if TYPE_CHECKING:
    from omsctl.services.logistics_exceptions import ExceptionView

PANEL = "After shipping"

exceptions_app = typer.Typer(
    help="Logistics exceptions: parcels delayed, lost, damaged, refused or sent back.",
    no_args_is_help=True,
)
returns_app = typer.Typer(
    help="Returns (RMAs): announce them, receive the goods (restock or write off), list them.",
    no_args_is_help=True,
)

OrderArg = Annotated[str, typer.Argument(help="Channel order number (#1001, 113-…) or id.")]
NoteOpt = Annotated[str, typer.Option("--note", help="Why; kept in the order's history.")]


def register(app: typer.Typer, track_app: typer.Typer | None = None) -> None:
    """Add the commands; `track_app` defaults to the `track` group of `cli/tracking.py`."""
    if track_app is None:
        from omsctl.cli.tracking import app as tracking_app

        track_app = tracking_app
    track_app.command("events")(track_events)
    track_app.command("overdue")(track_overdue)
    app.add_typer(exceptions_app, name="exceptions", rich_help_panel=PANEL)
    app.add_typer(returns_app, name="returns", rich_help_panel=PANEL)
    app.command("housekeeping", rich_help_panel=PANEL)(housekeeping)


def track_events(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: tracking_number,time,status[,location,detail,reason].", dir_okay=False
        ),
    ],
    mapping: Annotated[
        Path | None,
        typer.Option(
            help="Columns and status words of another carrier's export (TOML).", dir_okay=False
        ),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Write rejected rows here (CSV) to fix and load again.", dir_okay=False),
    ] = None,
    json: output.JsonOpt = False,
) -> None:
    """Load carrier status events; loading the same events again changes nothing.

    delivered completes the shipment and delivers the order; an exception (delayed, lost,
    damaged, refused, address problem) or a return to sender puts it in the exception queue.
    A row that cannot be read or names an unknown tracking number is rejected (exit 3).

    Example: [bold]omsctl track events sf-events-2026-11-21.csv --rejects rejects.csv[/]
    """
    from omsctl.services.delivery import load_events

    cli = state(ctx)
    report = load_events(cli.env(), file, mapping=mapping, rejects_to=rejects)
    for reject in report.rejects:
        typer.echo(f"rejected: {reject}", err=True)
    if json:
        output.print_json(report)
    for note in report.notes:
        cli.info(note)
    if report.delivered:
        cli.info(f"delivered: {', '.join(report.delivered)}")
    if report.exceptions:
        cli.info(f"to the exception queue: {', '.join(report.exceptions)}")
    cli.info(
        f"events: {report.rows} row(s), {report.new} new, {report.duplicates} already known,"
        f" {report.older} older than what was known, {len(report.rejects)} rejected"
    )
    if report.rejects_file:
        cli.info(f"wrote the rejected rows to {report.rejects_file}: fix them and load that file")
    if report.rejects:
        raise typer.Exit(EXIT_PARTIAL)


OVERDUE_COLUMNS = [
    output.Column("order", "order"),
    output.Column("carrier", "carrier"),
    output.Column("service", "service"),
    output.Column("tracking_number", "tracking"),
    output.Column("status", "last status"),
    output.Column("since", "silent since"),
    output.Column("days_silent", "days", "right"),
    output.Column("promised_days", "promised", "right"),
]


def track_overdue(
    ctx: typer.Context,
    flag: Annotated[
        bool,
        typer.Option("--flag", help="Also move them to the exception queue as delayed."),
    ] = False,
    json: output.JsonOpt = False,
    csv: output.CsvOpt = False,
    ids: output.IdsOpt = False,
) -> None:
    """Shipped parcels with no carrier event for longer than promised plus the margin.

    Promised days come from \\[tracking.promised_days] ("CARRIER SERVICE", then "CARRIER",
    else 7) and the margin from tracking.overdue_margin_days.

    Example: [bold]omsctl track overdue --flag[/]   (nightly, after `track events`)
    """
    from omsctl.services.overdue import overdue

    found = overdue(state(ctx).env(), flag=flag)
    output.render(
        found, OVERDUE_COLUMNS, output.choose(json=json, csv=csv, ids=ids), id_key="order"
    )
    moved = " and moved to the exception queue as delayed" if flag and found else ""
    state(ctx).info(f"{len(found)} overdue shipment(s){moved}")


EXCEPTION_COLUMNS = [
    output.Column("age", "age", "right"),
    output.Column("order", "order"),
    output.Column("reason", "reason"),
    output.Column("carrier", "carrier"),
    output.Column("tracking_number", "tracking"),
    output.Column("detail", "detail"),
]
RESOLVED_COLUMNS = [
    *EXCEPTION_COLUMNS,
    output.Column("resolution", "resolution"),
    output.Column("amount", "amount", "right"),
]


def _age(hours: int) -> str:
    return f"{hours // 24}d {hours % 24}h" if hours >= 24 else f"{hours}h"


@exceptions_app.command("list")
def exceptions_list(
    ctx: typer.Context,
    reason: Annotated[
        str | None, typer.Option("--reason", "-r", help="Only this reason, e.g. damaged.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Resolved ones too.")] = False,
    json: output.JsonOpt = False,
    csv: output.CsvOpt = False,
    ids: output.IdsOpt = False,
) -> None:
    """Open logistics exceptions, oldest first: age, order, reason, carrier, tracking number.

    Example: [bold]omsctl exceptions list --reason damaged[/] , then
    [bold]omsctl exceptions resolve ORDER --reship[/]
    """
    from omsctl.services.logistics_exceptions import exception_queue

    found = exception_queue(state(ctx).env(), reason=reason, include_resolved=all_)
    fmt = output.choose(json=json, csv=csv, ids=ids)
    columns = RESOLVED_COLUMNS if all_ else EXCEPTION_COLUMNS
    if fmt is output.Format.TABLE:
        output.render([_row(e) for e in found], columns, fmt)
    else:
        output.render(found, [output.Column(k, k) for k in _FIELDS], fmt, id_key="order")
    state(ctx).info(f"{len(found)} {'' if all_ else 'open '}exception(s)")


_FIELDS = (
    "id",
    "order",
    "channel",
    "state",
    "reason",
    "detail",
    "carrier",
    "tracking_number",
    "opened_at",
    "age_hours",
    "resolved_at",
    "resolution",
    "amount",
    "note",
)


def _row(view: ExceptionView) -> dict[str, Any]:
    return {**output.fields(view), "age": _age(view.age_hours)}


@exceptions_app.command("resolve")
def exceptions_resolve(
    ctx: typer.Context,
    order: OrderArg,
    reship: Annotated[
        bool, typer.Option("--reship", help="Send the goods again: a new shipment, stock out.")
    ] = False,
    refund: Annotated[
        bool, typer.Option("--refund", help="Record a refund (the order total unless --amount).")
    ] = False,
    compensate: Annotated[
        str | None,
        typer.Option("--compensate", metavar="AMOUNT", help="Record a goodwill payment."),
    ] = None,
    amount: Annotated[
        str | None, typer.Option("--amount", help="The refund, when not the whole total.")
    ] = None,
    tracking: Annotated[
        str | None, typer.Option("--tracking", help="With --reship: the new parcel's number.")
    ] = None,
    carrier: Annotated[
        str | None, typer.Option("--carrier", help="With --reship: another carrier than before.")
    ] = None,
    note: NoteOpt = "",
    json: output.JsonOpt = False,
) -> None:
    """Resolve an order's logistics exceptions: --reship, --refund or --compensate AMOUNT.

    A reship takes the order's units out of stock again and ships a new parcel; a refund
    cancels the order; a compensation keeps the parcel going (or delivered). Each is
    written to the order's history with its amount.

    Example: [bold]omsctl exceptions resolve '#1001' --reship --note "crushed box"[/]
    """
    from omsctl.services.logistics_exceptions import resolve_exception

    done = resolve_exception(
        state(ctx).env(),
        order,
        reship=reship,
        refund=refund,
        compensate=compensate,
        amount=amount,
        note=note,
        tracking=tracking,
        carrier=carrier,
    )
    if json:
        output.print_json(done)
        return
    if done.resolution == "reship":
        parcel = done.tracking_number or "no tracking number yet"
        what = f"reship: new shipment, {parcel}; took {', '.join(done.taken) or 'nothing'}"
    else:
        what = f"{done.resolution} {done.amount} {done.currency}".strip()
    typer.echo(f"{done.order}: {done.from_state} → {done.to_state} ({what})")


def _lines(items: list[str]) -> dict[str, int]:
    """`SKU:QTY` options as SKU -> units; a SKU named twice adds up."""
    lines: dict[str, int] = {}
    for item in items:
        sku, _, qty = item.strip().rpartition(":")
        if not sku.strip() or not qty.strip().isdigit() or int(qty) == 0:
            raise typer.BadParameter(
                f"{item!r} is not SKU:QTY, e.g. TEA-LJ-100:1", param_hint="--line"
            )
        lines[sku.strip()] = lines.get(sku.strip(), 0) + int(qty)
    return lines


@returns_app.command("create")
def returns_create(
    ctx: typer.Context,
    order: OrderArg,
    line: Annotated[
        list[str], typer.Option("--line", "-l", help="SKU:QTY coming back (repeatable).")
    ],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why the buyer sends it back.")],
    json: output.JsonOpt = False,
) -> None:
    """Announce a return (RMA) of a shipped, delivered or completed order's units.

    Example: [bold]omsctl returns create '#1001' --line CUP-CEL-02:1 --reason "arrived chipped"[/]
    """
    from omsctl.services.returns import create_return

    made = create_return(state(ctx).env(), order, _lines(line), reason)
    if json:
        output.print_json(made)
        return
    typer.echo(f"{made.rma}: order {made.order}, {made.lines} (reason: {made.reason})")


@returns_app.command("receive")
def returns_receive(
    ctx: typer.Context,
    rma: Annotated[str, typer.Argument(help="The return, e.g. RMA-00001 (or 1).")],
    restock: Annotated[
        bool, typer.Option("--restock", help="Back on the shelf the goods left from.")
    ] = False,
    write_off: Annotated[
        bool, typer.Option("--write-off", help="Unsellable: record it, stock unchanged.")
    ] = False,
    note: NoteOpt = "",
    json: output.JsonOpt = False,
) -> None:
    """Receive a return's goods; the order becomes returned once every unit is back.

    Example: [bold]omsctl returns receive RMA-00001 --restock[/]
    """
    from omsctl.services.returns import receive_return

    done = receive_return(state(ctx).env(), rma, restock=restock, write_off=write_off, note=note)
    if json:
        output.print_json(done)
        return
    goods = (
        f"restocked {', '.join(done.placed)}"
        if done.placed
        else f"{done.units} unit(s) written off"
    )
    if done.from_state != done.to_state:
        order = f"order {done.order} {done.from_state} → {done.to_state}"
    else:
        why = "" if done.complete else " (partial return)"
        order = f"order {done.order} stays {done.to_state}{why}"
    typer.echo(f"{done.rma}: {goods}; {order}")


RETURN_COLUMNS = [
    output.Column("rma", "rma"),
    output.Column("order", "order"),
    output.Column("status", "status"),
    output.Column("lines", "lines"),
    output.Column("reason", "reason"),
    output.Column("created_at", "created"),
    output.Column("disposition", "received as"),
]


@returns_app.command("list")
def returns_list(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option("--status", "-s", help="open or received.")] = None,
    order: Annotated[str | None, typer.Option("--order", help="Only this order's returns.")] = None,
    json: output.JsonOpt = False,
    csv: output.CsvOpt = False,
    ids: output.IdsOpt = False,
) -> None:
    """Returns, newest first; --status open is what the warehouse is waiting for.

    Example: [bold]omsctl returns list --status open[/]
    """
    from omsctl.services.returns import list_returns

    found = list_returns(state(ctx).env(), status=status, order=order)
    output.render(found, RETURN_COLUMNS, output.choose(json=json, csv=csv, ids=ids), id_key="rma")
    state(ctx).info(f"{len(found)} return(s)")


def housekeeping(ctx: typer.Context, json: output.JsonOpt = False) -> None:
    """Complete delivered orders after their confirmation window; safe to run from cron.

    The window is housekeeping.completion_days after the delivery event. Running it again
    completes nothing twice.

    Example: [bold]omsctl --quiet housekeeping[/]   (e.g. nightly from cron)
    """
    from omsctl.services.housekeeping import housekeeping as run

    done = run(state(ctx).env())
    if json:
        output.print_json(done)
        return
    for ref in done.completed:
        typer.echo(f"{ref}: delivered → completed")
    state(ctx).info(
        f"housekeeping: {len(done.completed)} order(s) completed, {done.waiting} still in their"
        f" {done.completion_days}-day confirmation window"
    )
