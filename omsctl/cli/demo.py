"""`omsctl demo`: the merchant's whole day on the shipped sample data, in a fresh database.

The demo runs the real commands, in-process, exactly as a person would type them, so it
shows what each one prints and grows with every command omsctl gains. A few steps decide
their commands from the database as a person at the packing table would (which orders a wave
holds, what to scan); they are printed like the rest.
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from omsctl.cli.state import state
from omsctl.domain.errors import EXIT_OK, EXIT_PARTIAL, OmsError

Commands = Callable[["DemoContext"], list[str]]


@dataclass(frozen=True, slots=True)
class DemoContext:
    db: Path
    config: Path
    samples: Path
    out: Path


@dataclass(frozen=True, slots=True)
class Step:
    what: str
    commands: tuple[str, ...] | Commands  # shell-quoted command lines, or made at run time
    expect: tuple[int, ...] = (EXIT_OK,)


def _waves(ctx: DemoContext, status: str = "open") -> list[str]:
    from omsctl.services.context import Env
    from omsctl.services.waving import list_waves

    env = Env(db=str(ctx.db), config=str(ctx.config))
    return [str(w.id) for w in list_waves(env, status=status)]


def _wave_documents(ctx: DemoContext) -> list[str]:
    return [f"wave picklist {w} -o {ctx.out}/picklist-wave-{w}.pdf" for w in _waves(ctx)]


def _pack_everything(ctx: DemoContext) -> list[str]:
    """Scan every unit of every order being picked, as the packing table does."""
    from omsctl.domain.lifecycle import State
    from omsctl.services.context import Env
    from omsctl.services.orders import list_orders
    from omsctl.services.packing import expected_scans

    env = Env(db=str(ctx.db), config=str(ctx.config))
    commands = []
    for order in list_orders(env, states=[State.PICKING]):
        scans = " ".join(f"-s {shlex.quote(code)}" for code in expected_scans(env, str(order.id)))
        commands.append(f"pack {shlex.quote(order.channel_order_no)} {scans}")
    return commands


def _labels(ctx: DemoContext) -> list[str]:
    return [f"labels --wave {w} -o {ctx.out}/labels-wave-{w}.pdf" for w in _waves(ctx)]


def _ups_numbers(ctx: DemoContext) -> list[str]:
    """UPS gives numbers through its own system, not a pool: record one per parcel by hand."""
    from omsctl.domain.lifecycle import State
    from omsctl.domain.tracking_checks import ups_mod10
    from omsctl.services.context import Env
    from omsctl.services.orders import list_orders, show_order

    env = Env(db=str(ctx.db), config=str(ctx.config))
    commands = []
    for n, order in enumerate(list_orders(env, states=[State.PACKED]), start=1):
        detail = show_order(env, str(order.id))
        if detail.shipments and detail.shipments[-1].tracking_number:
            continue
        payload = f"999AA1{n:09d}"
        number = f"1Z{payload}{ups_mod10(payload)}"
        commands.append(f"track add {shlex.quote(order.channel_order_no)} {number}")
    return commands


def _ship(ctx: DemoContext) -> list[str]:
    return [f"track ship --wave {w}" for w in _waves(ctx)]


def steps() -> list[Step]:
    """The day, in the order a merchant works through it."""
    s = "{samples}"
    exports = " ".join(
        f"{s}/{f}"
        for f in (
            "shopify/orders_export.csv",
            "woocommerce/orders.csv",
            "amazon/order-report.txt",
            "ebay/orders-report.csv",
            "etsy/EtsySoldOrders.csv",
            "etsy/EtsySoldOrderItems.csv",
            "taobao/ExportOrderList.csv",
            "taobao/ExportOrderDetailList.csv",
        )
    )
    return [
        Step("create the database", ("init",)),
        Step("load the product master", (f"products import {s}/products.csv",)),
        Step(
            "add the warehouses",
            (
                "warehouses add HZ --name Hangzhou --country CN --region ZJ --priority 10",
                "warehouses add BER --name Berlin --country DE --region BE --priority 20",
                "warehouses add NJ --name 'New Jersey' --country US --region NJ --priority 30",
            ),
        ),
        Step("count the stock (a stock take)", (f"stock import {s}/stock.csv",)),
        Step(
            "load the carriers' waybill numbers",
            (
                f"waybills load --carrier SF {s}/waybills/sf.txt",
                f"waybills load --carrier DHL {s}/waybills/dhl.txt",
            ),
        ),
        Step("import the night's channel exports", (f"import {exports}",)),
        Step(
            "import a wholesale spreadsheet with a column mapping",
            (f"import {s}/csv/orders.csv --channel csv --mapping {s}/csv/mapping.toml",),
        ),
        Step(
            "import the same export again: nothing changes",
            (f"import {s}/shopify/orders_export.csv",),
        ),
        Step(
            "review the new orders: clean ones are approved and reserved, the rest held",
            ("review",),
        ),
        Step("the exception queue, most urgent first", ("holds list",)),
        Step(
            "read a buyer's note and release the order (stock is reserved)",
            ("release '#1002' --note 'note read: leave it at the side door'",),
        ),
        Step(
            "approve a big order by hand after calling the buyer",
            ("approve 67-11028-90014 --note 'called Steep Café: a real bulk order'",),
        ),
        Step(
            "cancel an order the channel refunded", ("cancel '#1003' --note 'refunded on Shopify'",)
        ),
        Step(
            "Amazon's Unshipped Orders report arrives: quantities to ship, known prices kept",
            (f"import {s}/amazon/unshipped-orders.txt",),
        ),
        Step(
            "receive the missing syrup; the next review approves the order that waited",
            (f"stock import {s}/delivery.csv --add", "review"),
        ),
        Step("cut pick waves: one warehouse each, express and oldest paid first", ("wave create",)),
        Step("print each wave's pick list", _wave_documents),
        Step("pack: scan every unit; a mismatch would keep the order picking", _pack_everything),
        Step("print the labels: carrier by the rules, numbers from the pools", _labels),
        Step(
            "record UPS's numbers (no pool) and hand the parcels to the carriers",
            lambda ctx: _ups_numbers(ctx) + _ship(ctx),
        ),
        Step(
            "the carriers' events arrive: one parcel delivered, one damaged, one gone quiet",
            (f"track events {s}/tracking/events.csv", "track overdue", "exceptions list"),
        ),
        Step(
            "send the damaged order again (stock taken again, the next SF number)",
            ("exceptions resolve 3751301234567890123 --reship --note 'damaged in transit'",),
        ),
        Step(
            "tell Amazon and Taobao which parcels left (each shipment once)",
            (
                "track export --channel amazon -o {out}/amazon-shipping-confirmation.txt",
                "track export --channel taobao -o {out}/taobao-shipped.csv",
            ),
        ),
        Step("complete delivered orders after the confirmation window (cron)", ("housekeeping",)),
        Step("see one order's whole story", ("orders show 3751301234567890123",)),
        Step(
            "where the stock is now, and what to reorder", ("warehouses list", "stock list --low")
        ),
        Step(
            "the day's numbers: on the terminal, and as a PDF with charts",
            (
                "report kpi --since 7d --until now",
                "report kpi --since 7d --until now --pdf {out}/kpi-report.pdf",
            ),
        ),
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
    config = out / "omsctl.toml"
    shutil.copy(samples / "omsctl.toml", config)  # the sample shop: sender, carriers, ...
    where = DemoContext(db, config, samples, out)
    quiet = state(ctx).quiet
    command = ctx.find_root().command
    number = 0
    for step in steps():
        lines = step.commands(where) if callable(step.commands) else list(step.commands)
        if not quiet:
            number += 1
            typer.secho(f"\n[{number}] {step.what}", bold=True, err=True)
        for line in lines:
            args = shlex.split(line.format(samples=samples, out=out))
            if not quiet:
                typer.echo(f"$ omsctl {shlex.join(args)}", err=True)
            code = command.main(
                args=[
                    "--db",
                    str(db),
                    "--config",
                    str(config),
                    *(["--quiet"] if quiet else []),
                    *args,
                ],
                prog_name="omsctl",
                standalone_mode=False,
            )
            if code not in (*step.expect, EXIT_PARTIAL) or (
                code == EXIT_PARTIAL and EXIT_PARTIAL not in step.expect
            ):
                raise OmsError(f"demo step `omsctl {shlex.join(args)}` ended with exit code {code}")
    state(ctx).info(f"\ndemo done: database {db}; documents in {out}")
