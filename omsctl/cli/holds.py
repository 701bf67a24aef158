"""`omsctl holds list`: the exception queue a person works through."""

from __future__ import annotations

from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state

app = typer.Typer(help="The exception queue: orders waiting for a person.", no_args_is_help=True)

COLUMNS = [
    output.Column("priority", "prio", "right"),
    output.Column("due_at", "due"),
    output.Column("late", ""),
    output.Column("order", "order"),
    output.Column("channel", "channel"),
    output.Column("reason", "reason"),
    output.Column("detail", "detail"),
]


@app.command("list")
def holds_list(
    ctx: typer.Context,
    reason: Annotated[str | None, typer.Option("--reason", "-r", help="Only this reason.")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only holds past their time limit.")
    ] = False,
    json: output.JsonOpt = False,
    csv: output.CsvOpt = False,
    ids: output.IdsOpt = False,
) -> None:
    """Open holds, most urgent first: priority, then the oldest due time; late ones marked.

    Example: [bold]omsctl holds list --overdue[/] , then [bold]omsctl release ORDER[/]
    """
    from omsctl.services.holds import hold_queue

    holds = hold_queue(state(ctx).env(), reason=reason, overdue=overdue)
    fmt = output.choose(json=json, csv=csv, ids=ids)
    if fmt is output.Format.TABLE:
        rows = [{**output.fields(h), "late": "LATE" if h.overdue else ""} for h in holds]
        output.render(rows, COLUMNS, fmt)
    else:
        output.render(
            holds,
            [
                output.Column(k, k)
                for k in (
                    "order_id",
                    "order",
                    "channel",
                    "state",
                    "reason",
                    "detail",
                    "priority",
                    "created_at",
                    "due_at",
                    "overdue",
                )
            ],
            fmt,
            id_key="order_id",
        )
    state(ctx).info(f"{len(holds)} open hold(s)")
