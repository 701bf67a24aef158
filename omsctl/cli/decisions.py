"""`omsctl approve | hold | release | cancel`: a person's decisions on orders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state
from omsctl.domain.errors import EXIT_ERROR, EXIT_PARTIAL

if TYPE_CHECKING:
    from omsctl.services.order_actions import ActionReport

OrdersArg = Annotated[list[str], typer.Argument(help="Channel order numbers or ids.")]
NoteOpt = Annotated[str, typer.Option("--note", help="Why; kept in the order's history.")]


def report(ctx: typer.Context, result: ActionReport, json: bool) -> None:
    """One line per order; refused orders on stderr; exit 3 when some but not all were refused."""
    if json:
        output.print_json(result)
    for outcome in result.outcomes:
        if outcome.ok and not json:
            extra = f" ({outcome.message})" if outcome.message else ""
            typer.echo(f"{outcome.order}: {outcome.from_state} → {outcome.to_state}{extra}")
        elif not outcome.ok:
            typer.echo(f"error: {outcome.order}: {outcome.message}", err=True)
    if result.failed:
        raise typer.Exit(EXIT_PARTIAL if result.failed < len(result.outcomes) else EXIT_ERROR)


def register(app: typer.Typer) -> None:
    @app.command(rich_help_panel="Decide")
    def approve(
        ctx: typer.Context,
        orders: OrdersArg,
        note: NoteOpt = "",
        backorder: Annotated[
            bool,
            typer.Option(
                "--backorder",
                help="Approve what is in stock; the rest waits in a new child order (ORDER-S1).",
            ),
        ] = False,
        json: output.JsonOpt = False,
    ) -> None:
        """Approve new or held orders; open holds are resolved.

        Stock is reserved for every unit, or the order is refused; with --backorder the units
        not in stock are split off into a child order that starts new.

        Example: [bold]omsctl approve '#1001' '#1002' --note "called the buyer"[/]
        """
        from omsctl.services.order_actions import approve as run

        report(ctx, run(state(ctx).env(), orders, note, backorder=backorder), json)

    @app.command(rich_help_panel="Decide")
    def hold(
        ctx: typer.Context,
        orders: OrdersArg,
        reason: Annotated[
            str,
            typer.Option(
                "--reason",
                "-r",
                help="Hold reason code, e.g. address_incomplete, buyer_note, manual.",
            ),
        ],
        note: NoteOpt = "",
        json: output.JsonOpt = False,
    ) -> None:
        """Hold orders for a person to look at, with a reason and a time limit.

        Example: [bold]omsctl hold '#1001' --reason address_incomplete --note "no house number"[/]
        """
        from omsctl.services.order_actions import hold as run

        report(ctx, run(state(ctx).env(), orders, reason, note), json)

    @app.command(rich_help_panel="Decide")
    def release(
        ctx: typer.Context,
        orders: OrdersArg,
        reason: Annotated[
            str | None, typer.Option("--reason", "-r", help="Resolve only this hold reason.")
        ] = None,
        note: NoteOpt = "",
        json: output.JsonOpt = False,
    ) -> None:
        """Resolve holds; an order with no open hold left is approved.

        Example: [bold]omsctl release '#1001' --note "address confirmed by phone"[/]
        """
        from omsctl.services.order_actions import release as run

        report(ctx, run(state(ctx).env(), orders, reason, note), json)

    @app.command(rich_help_panel="Decide")
    def cancel(
        ctx: typer.Context, orders: OrdersArg, note: NoteOpt = "", json: output.JsonOpt = False
    ) -> None:
        """Cancel orders that have not been picked yet.

        Example: [bold]omsctl cancel '#1003' --note "buyer asked"[/]
        """
        from omsctl.services.order_actions import cancel as run

        report(ctx, run(state(ctx).env(), orders, note), json)
