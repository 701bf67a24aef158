"""`omsctl orders …`: look at orders, one or many; split one in two, merge several into one."""

from __future__ import annotations

from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state

app = typer.Typer(
    help="Look at orders: list, show, history; split and merge them.", no_args_is_help=True
)

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
NoteOpt = Annotated[str, typer.Option("--note", help="Why; kept in the orders' history.")]

SUGGEST_COLUMNS = [
    output.Column("orders", "orders"),
    output.Column("states", "states"),
    output.Column("buyer", "buyer"),
    output.Column("ship_to", "ship to"),
]


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
def orders_show(
    ctx: typer.Context,
    order: OrderArg,
    json: output.JsonOpt = False,
    mask: Annotated[
        bool,
        typer.Option(
            "--mask", help="Hide phone numbers and street lines (for output that leaves the shop)."
        ),
    ] = False,
) -> None:
    """Show one order: lines, holds, shipments and history.

    Example: [bold]omsctl orders show '#1001' --json --mask > for-support.json[/]
    """
    from omsctl.cli.order_view import print_order
    from omsctl.services.orders import masked, show_order

    env = state(ctx).env()
    detail = show_order(env, order)
    if mask:
        detail = masked(detail)
    if json:
        from omsctl.services.merging import merged_from

        # The orders merged into this one, so a script can report tracking to each channel.
        output.print_json({**output.jsonable(detail), "merged_from": merged_from(env, detail.id)})
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


def _take(lines: list[str]) -> dict[str, int]:
    """`SKU:QTY` options as SKU -> units; a SKU named twice adds up."""
    take: dict[str, int] = {}
    for item in lines:
        sku, _, qty = item.strip().rpartition(":")
        if not sku or not qty.strip().isdigit():
            raise typer.BadParameter(
                f"{item!r} is not SKU:QTY, e.g. TEE-BLK-M:2", param_hint="--line"
            )
        take[sku.strip()] = take.get(sku.strip(), 0) + int(qty)
    return take


@app.command("split")
def orders_split(
    ctx: typer.Context,
    order: OrderArg,
    line: Annotated[
        list[str], typer.Option("--line", "-l", help="SKU:QTY to move out (repeatable).")
    ],
    note: NoteOpt = "",
    json: output.JsonOpt = False,
) -> None:
    """Move some units of a new, held or approved order into a new child order (ORDER-S1, -S2…).

    The child starts new; an approved order stays approved with its stock reserved again for
    what is left. Shipping stays on the original order.

    Example: [bold]omsctl orders split '#1001' --line TEE-BLK-M:1 --line CANDLE-LAV:1[/]
    """
    from omsctl.services.splitting import split_order

    result = split_order(state(ctx).env(), order, _take(line), note)
    if json:
        output.print_json(result)
        return
    moved = ", ".join(f"{x.sku}:{x.quantity}" for x in result.moved)
    again = (
        f"; {result.order} stays {result.state}, stock reserved again" if result.rereserved else ""
    )
    typer.echo(
        f"{result.order}: split off {moved} into {result.child} ({result.child_state}){again}"
    )


@app.command("merge")
def orders_merge(
    ctx: typer.Context,
    orders: Annotated[
        list[str] | None,
        typer.Argument(help="Orders to merge; the first keeps its number and gets the lines."),
    ] = None,
    suggest: Annotated[
        bool, typer.Option("--suggest", help="List orders that could merge; change nothing.")
    ] = False,
    note: NoteOpt = "",
    json: output.JsonOpt = False,
) -> None:
    """Merge orders of one buyer to one address, not yet picking, into the first one named.

    The others become merged (their stock is released) and keep their own numbers.

    Example: [bold]omsctl orders merge '#1001' '#1004'[/]; [bold]omsctl orders merge --suggest[/]
    """
    from omsctl.services.merging import merge_orders, merge_suggestions

    env = state(ctx).env()
    if suggest:
        if orders:
            raise typer.BadParameter("name no orders with --suggest", param_hint="--suggest")
        groups = merge_suggestions(env)
        if json:
            output.print_json(groups)
        else:
            rows = [
                {
                    "orders": " ".join(g.orders),
                    "states": " ".join(g.states),
                    "buyer": g.buyer,
                    "ship_to": g.ship_to,
                }
                for g in groups
            ]
            output.render(rows, SUGGEST_COLUMNS, output.Format.TABLE)
        state(ctx).info(f"{len(groups)} group(s) could merge")
        return
    result = merge_orders(env, orders or [], note)
    if json:
        output.print_json(result)
        return
    for merged in result.merged:
        typer.echo(f"{merged.order}: {merged.from_state} → merged (into {result.order})")
    again = ", stock reserved again" if result.rereserved else ""
    size = f"{len(result.lines)} line(s), {result.units} unit(s)"
    typer.echo(f"{result.order}: {result.state}, {size}{again}")


@app.command("edit")
def orders_edit(
    ctx: typer.Context,
    order: OrderArg,
    name: Annotated[str | None, typer.Option(help="Recipient name.")] = None,
    company: Annotated[str | None, typer.Option(help="Recipient company.")] = None,
    street1: Annotated[str | None, typer.Option(help="Street and number.")] = None,
    street2: Annotated[str | None, typer.Option(help="Flat, floor, building.")] = None,
    district: Annotated[str | None, typer.Option(help="District (区) or neighbourhood.")] = None,
    city: Annotated[str | None, typer.Option(help="City.")] = None,
    province: Annotated[str | None, typer.Option(help="Province or state.")] = None,
    postal_code: Annotated[str | None, typer.Option(help="Postal code.")] = None,
    country: Annotated[str | None, typer.Option(help="Country code, e.g. DE.")] = None,
    phone: Annotated[str | None, typer.Option(help="Recipient phone.")] = None,
    email: Annotated[str | None, typer.Option(help="Buyer email.")] = None,
    buyer_note: Annotated[str | None, typer.Option(help="Replace the buyer's remark.")] = None,
    note: Annotated[str, typer.Option(help="Why; kept in the order's history.")] = "",
) -> None:
    """Fix an order's ship-to data; each change goes to its history and review re-checks it.

    Example: [bold]omsctl orders edit '#1006' --phone "+81 3-1234-5678" --note "buyer emailed"[/]
    """
    from omsctl.services.order_edits import edit_order

    changes = {
        k: v
        for k, v in {
            "name": name,
            "company": company,
            "street1": street1,
            "street2": street2,
            "district": district,
            "city": city,
            "province": province,
            "postal_code": postal_code,
            "country": country,
            "phone": phone,
            "email": email,
            "buyer_note": buyer_note,
        }.items()
        if v is not None
    }
    edit = edit_order(state(ctx).env(), order, changes, note)
    for field, old, new in edit.changes:
        typer.echo(f"{edit.order}: {field}: {old or '∅'} → {new or '∅'}")
    if not edit.changes:
        state(ctx).info(f"{edit.order}: nothing changed")
    else:
        state(ctx).info("run `omsctl review` to re-check held orders")
