"""`omsctl init`, `omsctl config …` and `omsctl demo`."""

from __future__ import annotations

from typing import Annotated

import typer

from omsctl.cli import output
from omsctl.cli.state import state

config_app = typer.Typer(
    help="Show or write the settings file (omsctl.toml).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Set up")(init)
    app.add_typer(config_app, name="config", rich_help_panel="Set up")
    from omsctl.cli.demo import demo

    app.command(rich_help_panel="Set up")(demo)


def init(ctx: typer.Context) -> None:
    """Create the database, or upgrade it to this omsctl's schema. Safe to run again.

    Example: [bold]omsctl --db /srv/shop/omsctl.db init[/]
    """
    from omsctl.services.setup import init_database

    result = init_database(state(ctx).env())
    if result.created:
        message = f"created {result.database} (schema {result.to_revision})"
    elif result.changed:
        message = (
            f"upgraded {result.database}: schema {result.from_revision} → {result.to_revision}"
        )
    else:
        message = f"{result.database} is up to date (schema {result.to_revision}); nothing to do"
    state(ctx).info(message)


@config_app.command("show")
def config_show(ctx: typer.Context, json: output.JsonOpt = False) -> None:
    """Print every setting, its value and where it came from (default or the file).

    Example: [bold]omsctl config show --json[/]
    """
    from omsctl.services.setup import effective_settings

    path, settings = effective_settings(state(ctx).env())
    columns = [
        output.Column("key", "key"),
        output.Column("value", "value"),
        output.Column("source", "source"),
    ]
    output.render(settings, columns, output.Format.JSON if json else output.Format.TABLE)
    state(ctx).info(f"settings file: {path}{'' if path.exists() else ' (not written yet)'}")


@config_app.command("init")
def config_init(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented settings file with every default, beside the database.

    Example: [bold]omsctl config init && $EDITOR omsctl.toml[/]
    """
    from omsctl.services.setup import write_config_template

    path = write_config_template(state(ctx).env(), force=force)
    state(ctx).info(f"wrote {path}")
