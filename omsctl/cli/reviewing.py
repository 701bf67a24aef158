"""`omsctl review`: the daily judgement step."""

from __future__ import annotations

from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state

#: Held orders shown in the table. The exception queue is `holds list`; a table of thousands
#: of rows helps nobody and took Rich 2 s for 6,000 rows.
TABLE_ROWS = 200


def register(app: typer.Typer) -> None:
    app.command("review", rich_help_panel="Daily flow")(review)


def review(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")
    ] = False,
    expire_unpaid: Annotated[
        bool,
        typer.Option(
            "--expire-unpaid",
            help="First cancel orders unpaid past \\[review] unpaid_timeout_hours (cron-safe).",
        ),
    ] = False,
    json: output.JsonOpt = False,
) -> None:
    """Run the review rules over new and held orders: approve and reserve the clean ones,
    hold the rest with one reason each; re-check held orders whose cause may have gone.

    Rules and their limits are in omsctl.toml's \\[review] (`omsctl config show`).

    Example: [bold]omsctl review --dry-run[/] , then [bold]omsctl holds list[/]
    """
    from omsctl.services.reviewing import review_orders

    cli = state(ctx)
    report = review_orders(cli.env(), dry_run=dry_run, expire_unpaid=expire_unpaid)
    if json:
        output.print_json(report)
        return
    waiting = [r for r in report.orders if r.to_state != "approved"]
    rows = [
        {
            "order": r.order,
            "channel": r.channel,
            "from": r.from_state,
            "to": r.to_state,
            "waiting for": "; ".join(f"{f.reason}: {f.detail}" for f in r.holds),
            "cleared": ", ".join(r.cleared),
        }
        for r in waiting[:TABLE_ROWS]
    ]
    if rows:
        output.render(
            rows,
            [
                output.Column(k, k)
                for k in ("order", "channel", "from", "to", "waiting for", "cleared")
            ],
            output.Format.TABLE,
        )
    if len(waiting) > TABLE_ROWS:
        cli.info(
            f"… and {len(waiting) - TABLE_ROWS:,} more held orders: `omsctl holds list` "
            "shows the whole queue, `--json` every order"
        )
    held = ", ".join(f"{reason} {n}" for reason, n in sorted(report.held.items()))
    new_holds = sum(report.held.values())
    cli.info(
        f"reviewed {report.reviewed}: approved {report.approved}, new holds {new_holds}"
        + (f" ({held})" if held else "")
        + f", holds cleared {report.cleared}"
        + (f", expired unpaid {report.expired}" if expire_unpaid else "")
        + (" — dry run, nothing written" if dry_run else "")
    )
