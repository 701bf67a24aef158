"""`omsctl orders …`: look at orders, one or many."""

from __future__ import annotations

from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state

app = typer.Typer(help="Look at orders: list, show, history.", no_args_is_help=True)

LIST_COLUMNS = [
    output.Column("id", "id", "right"),
    output.Column("channel", "channel"),
    output.Column("channel_order_no", "order"),
    output.Column("state", "state"),
    output.Column("payment_status", "payment"),
    output.Column("ordered_at", "ordered"),
    output.Column("buyer_name", "buyer"),
    output.Column("ship_country", "to"),
    output.Column("units", "units", "right"),
    output.Column("total", "total", "right"),
    output.Column("currency", "cur"),
]

OrderArg = Annotated[str, typer.Argument(help="Channel order number (#1001, 113-…) or id.")]


@app.command("list")
def orders_list(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None, typer.Option("--status", "-s", help="Only these states (repeatable).")
    ] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Ordered at or after: 2026-11-01, today, yesterday, 7d.")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Ordered before this moment.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many orders.")] = None,
    json: output.JsonOpt = False,
    csv: output.CsvOpt = False,
    ids: output.IdsOpt = False,
) -> None:
    """List orders, oldest first.

    Example: [bold]omsctl orders list --status on_hold --since 7d --ids[/]
    """
    from omsctl.domain.clock import parse_moment
    from omsctl.domain.lifecycle import State
    from omsctl.services.orders import list_orders

    fmt = output.choose(json=json, csv=csv, ids=ids)
    env = state(ctx).env()
    tz = env.settings["general.timezone"]
    try:
        states = [State(s) for s in status or []]
    except ValueError:
        known = ", ".join(s.value for s in State)
        raise typer.BadParameter(f"states are: {known}", param_hint="--status") from None
    rows = list_orders(
        env,
        states=states,
        channel=channel,
        since=parse_moment(since, now=env.now(), tz=tz) if since else None,
        until=parse_moment(until, now=env.now(), tz=tz) if until else None,
        limit=limit,
    )
    output.render(rows, LIST_COLUMNS, fmt)
    state(ctx).info(f"{len(rows)} order(s)")


@app.command("show")
def orders_show(ctx: typer.Context, order: OrderArg, json: output.JsonOpt = False) -> None:
    """Show one order: lines, holds, shipments and history.

    Example: [bold]omsctl orders show '#1001' --json[/]
    """
    from omsctl.cli.order_view import print_order
    from omsctl.services.orders import show_order

    detail = show_order(state(ctx).env(), order)
    if json:
        output.print_json(detail)
    else:
        print_order(detail)


@app.command("history")
def orders_history(ctx: typer.Context, order: OrderArg, json: output.JsonOpt = False) -> None:
    """Every state change and action on an order: when, who, from, to, why.

    Example: [bold]omsctl orders history 113-4417766-2201937[/]
    """
    from omsctl.services.orders import order_history

    _number, entries = order_history(state(ctx).env(), order)
    columns = [
        output.Column("at", "at"),
        output.Column("actor", "actor"),
        output.Column("action", "action"),
        output.Column("from_state", "from"),
        output.Column("to_state", "to"),
        output.Column("detail", "detail"),
    ]
    output.render(entries, columns, output.Format.JSON if json else output.Format.TABLE)
