"""The `omsctl` program: global options, the command groups, and the one place errors are shown.

Commands import their services inside the function body, so `omsctl --help` and
`omsctl --version` load neither SQLAlchemy nor pandas nor reportlab.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from omsctl import __version__
from omsctl.cli import (
    db,
    decisions,
    delivery,
    holds,
    importing,
    labels,
    orders,
    packing,
    products,
    reports,
    reviewing,
    setup,
    stock,
    tracking,
    warehouses,
    waves,
)
from omsctl.cli.help_text import reflow_tree
from omsctl.cli.state import CliState
from omsctl.domain.errors import EXIT_ERROR, EXIT_USAGE, OmsError

_debug = False


class OmsGroup(TyperGroup):
    """Runs the command and turns every failure into one line on stderr and an exit code."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        reflow_tree(self)
        code = _run_translated(
            lambda: super(OmsGroup, self).main(
                args=args,
                prog_name=prog_name or "omsctl",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        )
        if standalone_mode:
            sys.exit(code)
        return code


def _run_translated(run: Any) -> int:
    try:
        result = run()
    except OmsError as exc:
        if _debug:
            raise
        _error_line(str(exc))
        return exc.exit_code
    except typer.TyperException as exc:  # Typer's usage errors (no such option, bad value...)
        if exc.__class__.__name__ == "NoArgsIsHelpError":  # help was printed already
            return 0
        ctx = getattr(exc, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        _error_line(exc.format_message() + where)
        return getattr(exc, "exit_code", EXIT_USAGE)
    except typer.Abort:
        _error_line("aborted")
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error_line("interrupted; nothing was committed by the command that was running")
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:
        if _debug:
            raise
        _error_line(
            f"internal error: {type(exc).__name__}: {exc}"
            " (run again with --debug for the traceback, and please report it)"
        )
        return EXIT_ERROR
    return result if isinstance(result, int) else 0


def _error_line(message: str) -> None:
    text = " ".join(message.split())
    sys.stderr.write(f"error: {text}\n")
    sys.stderr.flush()


app = typer.Typer(
    cls=OmsGroup,
    name="omsctl",
    help="Order management from the terminal: import, review, reserve, pick, pack, label, track.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"omsctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str,
        typer.Option(
            "--db",
            envvar="OMSCTL_DB",
            help="Database file, or a SQLAlchemy URL such as postgresql+psycopg://… .",
            show_default=True,
        ),
    ] = "omsctl.db",
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            envvar="OMSCTL_CONFIG",
            help="Settings file \\[default: omsctl.toml beside the database].",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No summaries or progress; data and errors only.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Order management from the terminal.

    Every morning: [bold]omsctl import[/] the night's exports, [bold]omsctl review[/],
    handle [bold]omsctl holds list[/], then waves, pick lists, packing, labels and tracking.
    Try [bold]omsctl demo[/] to see the whole day on sample data.
    """
    global _debug
    _debug = debug
    ctx.obj = CliState(db=db, config=config, quiet=quiet, debug=debug)


setup.register(app)
app.add_typer(db.app, name="db", rich_help_panel="Set up")
importing.register(app)
reviewing.register(app)
packing.register(app)
labels.register(app)
app.add_typer(tracking.app, name="track", rich_help_panel="Shipping")
delivery.register(app)  # track events/overdue; exceptions, returns, housekeeping
app.add_typer(reports.app, name="report", rich_help_panel="Reports")
app.add_typer(waves.app, name="wave", rich_help_panel="Daily flow")
app.add_typer(orders.app, name="orders")
app.add_typer(holds.app, name="holds", rich_help_panel="Decide")
app.add_typer(products.app, name="products", rich_help_panel="Inventory")
app.add_typer(warehouses.app, name="warehouses", rich_help_panel="Inventory")
app.add_typer(stock.app, name="stock", rich_help_panel="Inventory")
decisions.register(app)


def main() -> None:
    app()
