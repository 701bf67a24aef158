"""`omsctl demo`: the merchant's whole day on the shipped sample data, in a fresh database.

The demo runs the real commands, in-process, exactly as a person would type them, so it
shows what each one prints and grows with every command omsctl gains.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from omsctl.cli.state import state
from omsctl.domain.errors import EXIT_OK, OmsError


@dataclass(frozen=True, slots=True)
class Step:
    what: str
    args: tuple[str, ...]
    expect: tuple[int, ...] = (EXIT_OK,)


def steps() -> list[Step]:
    """The day, in the order a merchant works through it; `{samples}` and `{out}` are filled in."""
    s = "{samples}"
    return [
        Step("create the database", ("init",)),
        Step("write a settings file to edit later", ("config", "init", "--force")),
        Step("load the product master", ("products", "import", f"{s}/products.csv")),
        Step(
            "add the warehouses",
            (
                "warehouses",
                "add",
                "HZ",
                "--name",
                "Hangzhou",
                "--country",
                "CN",
                "--region",
                "ZJ",
                "--priority",
                "10",
            ),
        ),
        Step(
            "",
            (
                "warehouses",
                "add",
                "BER",
                "--name",
                "Berlin",
                "--country",
                "DE",
                "--region",
                "BE",
                "--priority",
                "20",
            ),
        ),
        Step(
            "",
            (
                "warehouses",
                "add",
                "NJ",
                "--name",
                "New Jersey",
                "--country",
                "US",
                "--region",
                "NJ",
                "--priority",
                "30",
            ),
        ),
        Step("count the stock (a stock take)", ("stock", "import", f"{s}/stock.csv")),
        Step(
            "import the night's channel exports",
            (
                "import",
                f"{s}/shopify/orders_export.csv",
                f"{s}/woocommerce/orders.csv",
                f"{s}/amazon/order-report.txt",
                f"{s}/ebay/orders-report.csv",
                f"{s}/etsy/EtsySoldOrders.csv",
                f"{s}/etsy/EtsySoldOrderItems.csv",
                f"{s}/taobao/ExportOrderList.csv",
                f"{s}/taobao/ExportOrderDetailList.csv",
            ),
        ),
        Step(
            "import a wholesale spreadsheet with a column mapping",
            (
                "import",
                f"{s}/csv/orders.csv",
                "--channel",
                "csv",
                "--mapping",
                f"{s}/csv/mapping.toml",
            ),
        ),
        Step(
            "import the same exports again: nothing changes",
            ("--quiet", "import", f"{s}/shopify/orders_export.csv", "--json"),
        ),
        Step(
            "review the new orders: clean ones are approved and reserved, the rest held",
            ("review",),
        ),
        Step("the exception queue, most urgent first", ("holds", "list")),
        Step(
            "read a buyer's note and release the order (stock is reserved)",
            ("release", "#1002", "--note", "note read: leave it at the side door"),
        ),
        Step(
            "approve a big order by hand after calling the buyer",
            ("approve", "67-11028-90014", "--note", "called Steep Café: a real bulk order"),
        ),
        Step(
            "cancel an order the channel refunded",
            ("cancel", "#1003", "--note", "refunded on Shopify"),
        ),
        Step(
            "receive the missing syrup; the next review approves the order that waited for it",
            ("stock", "import", f"{s}/delivery.csv", "--add"),
        ),
        Step("", ("review",)),
        Step("see what still waits", ("orders", "list", "--status", "on_hold")),
        Step("see one order in full", ("orders", "show", "#1002")),
        Step("see where the stock is now", ("warehouses", "list")),
        Step("what to reorder", ("stock", "list", "--low")),
    ]


def demo(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the demo database and the day's documents.")
    ] = Path("omsctl-demo"),
) -> None:
    """Run the whole daily flow on the sample data, in a fresh database in --out.

    Example: [bold]omsctl demo --out /tmp/omsctl-demo[/]
    """
    from omsctl.resources import sample_data_dir

    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    db = out / "omsctl.db"
    for leftover in (db, db.with_name("omsctl.db-wal"), db.with_name("omsctl.db-shm")):
        leftover.unlink(missing_ok=True)
    samples = sample_data_dir()
    quiet = state(ctx).quiet
    command = ctx.find_root().command
    number = 0
    for step in steps():
        args = [a.format(samples=samples, out=out) for a in step.args]
        if not quiet:
            if step.what:
                number += 1
                typer.secho(f"\n[{number}] {step.what}", bold=True, err=True)
            typer.echo(f"$ omsctl {shlex.join(args)}", err=True)
        code = command.main(
            args=[
                "--db",
                str(db),
                "--config",
                str(out / "omsctl.toml"),
                *(["--quiet"] if quiet else []),
                *args,
            ],
            prog_name="omsctl",
            standalone_mode=False,
        )
        if code not in step.expect:
            raise OmsError(f"demo step `omsctl {shlex.join(args)}` ended with exit code {code}")
    state(ctx).info(f"\ndemo done: database {db}; documents in {out}")
