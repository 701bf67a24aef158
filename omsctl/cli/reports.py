"""`omsctl report kpi`: the KPIs as tables for people, JSON or CSV for scripts, or a PDF.

The CSV is one row per period per metric (breakdowns one row per key), the same columns
every night, so cron can append it: `omsctl report kpi --since yesterday --csv --no-header
>> kpi.csv`. docs/kpis.md defines every metric.
"""

from __future__ import annotations

import csv as csv_module
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer

from omsctl.cli import output
from omsctl.cli.state import state
from omsctl.domain.errors import UsageProblem

if TYPE_CHECKING:
    from omsctl.domain.kpis import KpiReport, Measured

app = typer.Typer(help="Reports: the KPIs the business runs on.", no_args_is_help=True)

CSV_COLUMNS = (
    "period",
    "first_day",
    "last_day",
    "tz",
    "channel",
    "carrier",
    "metric",
    "key",
    "value",
)
#: Floats in JSON and CSV: enough digits for a rate in hundredths of a percent.
DIGITS = 4


@app.command("kpi")
def report_kpi(
    ctx: typer.Context,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="First day: 2026-11-01, yesterday, 7d \\[default: 7 days, 4 weeks or "
            "3 months before --until].",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Stop before this day \\[default: today, so whole days]."),
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Periods: day, week or month.")] = "day",
    channel: Annotated[str | None, typer.Option("--channel", help="Only this channel.")] = None,
    carrier: Annotated[str | None, typer.Option("--carrier", help="Only this carrier.")] = None,
    tz: Annotated[
        str | None,
        typer.Option("--tz", help="Time zone days are cut in \\[default: general.timezone]."),
    ] = None,
    json: output.JsonOpt = False,
    csv: output.CsvOpt = False,
    no_header: Annotated[
        bool, typer.Option("--no-header", help="CSV without its header row, for appending.")
    ] = False,
    pdf: Annotated[
        str | None,
        typer.Option("--pdf", help="Write a PDF report with charts to FILE (- for stdout)."),
    ] = None,
) -> None:
    """KPIs per period, compared with the period before: volume, speed, holds, accuracy,
    carriers, returns and stock. Definitions: docs/kpis.md.

    Example: [bold]omsctl report kpi --since yesterday --csv --no-header >> kpi.csv[/]
    """
    fmt = output.choose(json=json, csv=csv)
    if pdf is not None and fmt is not output.Format.TABLE:
        raise UsageProblem("--pdf cannot be used with --json or --csv", hint="pick one output")
    from omsctl.services.reporting import kpi_report

    report = kpi_report(
        state(ctx).env(), since=since, until=until, by=by, channel=channel, carrier=carrier, tz=tz
    )
    if pdf is not None:
        from omsctl.cli.files import write_pdf
        from omsctl.documents.kpi_report import render_kpi_report

        write_pdf(pdf, lambda fh: render_kpi_report(report, fh))
        if pdf != "-":
            state(ctx).info(f"wrote {pdf}: KPIs {report.window.span.label}")
    elif fmt is output.Format.JSON:
        output.print_json(as_json(report))
    elif fmt is output.Format.CSV:
        writer = csv_module.writer(sys.stdout, lineterminator="\n")
        if not no_header:
            writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(report))
    else:
        print_tables(report)


# --- JSON and CSV ---------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return round(value, DIGITS) if isinstance(value, float) else value


def _measured(m: Measured) -> dict[str, Any]:
    return {
        "first_day": m.span.start,
        "last_day": m.span.last,
        "metrics": {k: _plain(v) for k, v in m.measures.values.items()},
        "breakdowns": {
            name: {k: _plain(v) for k, v in values.items()}
            for name, values in m.measures.breakdowns.items()
        },
    }


def as_json(report: KpiReport) -> dict[str, Any]:
    """The report with stable keys: every metric and breakdown is always present."""
    return {
        "tz": report.zone,
        "by": report.by,
        "channel": report.channel,
        "carrier": report.carrier,
        "ship_cutoff": report.ship_cutoff.strftime("%H:%M"),
        **_measured(report.window),
        "previous": _measured(report.previous),
        "change": {key: _plain(report.change(key)) for key in report.window.measures.values},
        "periods": [{"period": p.span.label, **_measured(p)} for p in report.periods],
        "low_stock": [
            {"sku": s.sku, "available": s.available, "reorder_point": s.reorder_point}
            for s in report.low_stock
        ],
    }


def csv_rows(report: KpiReport) -> Iterator[list[str]]:
    """One row per period per metric, then one per breakdown key, in a fixed order."""
    for p in report.periods:
        head = [
            p.span.label,
            p.span.start.isoformat(),
            p.span.last.isoformat(),
            report.zone,
            report.channel or "",
            report.carrier or "",
        ]
        for key, value in p.measures.values.items():
            yield [*head, key, "", _csv_cell(value)]
        for name, values in p.measures.breakdowns.items():
            for key, value in values.items():
                yield [*head, name, key, _csv_cell(value)]


def _csv_cell(value: Any) -> str:
    value = _plain(value)
    return "" if value is None else str(value)


# --- tables for people ----------------------------------------------------------------------


def print_tables(report: KpiReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    from omsctl.domain.kpis import METRICS, change_text, value_text

    console = output.console()
    window, before = report.window, report.previous
    scope = ", ".join(f for f in (report.channel, report.carrier) if f)
    table = Table(
        title=f"KPIs {_days(window)} ({report.zone}{', ' + scope if scope else ''})",
        header_style="bold",
        box=None,
        pad_edge=False,
    )
    for name, justify in (
        ("", "left"),
        ("KPI", "left"),
        ("this period", "right"),
        (f"before: {_days(before)}", "right"),
        ("change", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    section = ""
    for metric in METRICS:
        now, then = window.measures.values[metric.key], before.measures.values[metric.key]
        table.add_row(
            metric.section.replace("_", " ") if metric.section != section else "",
            metric.label,
            value_text(now, metric.unit),
            value_text(then, metric.unit),
            _coloured(change_text(now, then, metric.unit), now, then, metric.unit, metric.better),
        )
        section = metric.section
    console.print(table)
    for title, columns, rows in _detail_tables(report):
        if rows:
            # A title line of its own: a table's title is centred and wraps over narrow tables.
            detail = Table(header_style="bold dim", box=None, pad_edge=False)
            for i, name in enumerate(columns):
                detail.add_column(name, justify="left" if i == 0 else "right")
            for row in rows:
                detail.add_row(*(escape(cell) for cell in row))
            console.print()
            console.print(f"[bold]{escape(title)}[/]")
            console.print(detail)


def _days(m: Measured) -> str:
    start, last = m.span.start, m.span.last
    return start.isoformat() if start == last else f"{start.isoformat()} – {last.isoformat()}"


def _coloured(text: str, now: Any, then: Any, unit: str, better: str) -> str:
    from omsctl.domain.kpis import moved

    direction = moved(now, then, unit)
    if not better or not direction:
        return text
    good = (direction > 0) == (better == "up")
    return f"[{'green' if good else 'red'}]{text}[/]"


def _detail_tables(report: KpiReport) -> list[tuple[str, list[str], list[list[str]]]]:
    """The breakdowns of the window as small tables: (title, columns, rows)."""
    from omsctl.domain.kpis import METRIC, value_text

    b = report.window.measures.breakdowns
    tables = []
    if len(report.periods) > 1:
        keys = (
            "orders_imported",
            "orders_approved",
            "orders_shipped",
            "orders_cancelled",
            "processing_hours_median",
            "same_day_ship_rate",
            "hold_rate",
        )
        tables.append(
            (
                f"Per {report.by}",
                [
                    "period",
                    "imported",
                    "approved",
                    "shipped",
                    "cancelled",
                    "processing median",
                    "same day",
                    "hold rate",
                ],
                [
                    [
                        p.span.label,
                        *(value_text(p.measures.values[k], METRIC[k].unit) for k in keys),
                    ]
                    for p in report.periods
                ],
            )
        )
    channels = sorted(set().union(*(b[f"orders_{e}_by_channel"] for e in _EVENTS)))
    tables.append(
        (
            "By channel",
            ["channel", *_EVENTS],
            [
                [c, *(value_text(b[f"orders_{e}_by_channel"].get(c, 0), "count") for e in _EVENTS)]
                for c in channels
            ],
        )
    )
    tables.append(
        (
            "Order value imported",
            ["currency", "value"],
            # Exports without a currency column (WooCommerce's default columns, Amazon's
            # unshipped-orders report) leave it empty: say so rather than print a blank.
            [[c or "(not in export)", f"{v:,}"] for c, v in b["order_value_by_currency"].items()],
        )
    )
    reasons = sorted(set(b["hold_rate_by_reason"]) | set(b["hold_sla_met_rate_by_reason"]))
    tables.append(
        (
            "Holds by reason",
            ["reason", "hold rate", "SLA met"],
            [
                [
                    r,
                    value_text(b["hold_rate_by_reason"].get(r), "rate"),
                    value_text(b["hold_sla_met_rate_by_reason"].get(r), "rate"),
                ]
                for r in reasons
            ],
        )
    )
    carriers = sorted(set().union(*(b[k] for k in _CARRIER_KEYS)))
    tables.append(
        (
            "Carriers",
            ["carrier", "on time", "delivered", "lost/damaged", "transit"],
            [
                [
                    c,
                    *(
                        value_text(b[k].get(c), "days" if k.startswith("transit") else "rate")
                        for k in _CARRIER_KEYS
                    ),
                ]
                for c in carriers
            ],
        )
    )
    skus = sorted(b["return_rate_by_sku"].items(), key=lambda kv: (-(kv[1] or 0), kv[0]))[:10]
    tables.append(
        (
            "Return rate by SKU (top 10)",
            ["sku", "return rate"],
            [[s, value_text(r, "rate")] for s, r in skus],
        )
    )
    tables.append(
        (
            "Returned units by reason",
            ["reason", "units"],
            [[r, str(n)] for r, n in b["returned_units_by_reason"].items()],
        )
    )
    tables.append(
        (
            "Delivery exceptions",
            ["reason", "count"],
            [[r, str(n)] for r, n in b["delivery_exceptions_by_reason"].items()],
        )
    )
    tables.append(
        (
            "Delivery exception resolutions",
            ["resolution", "count"],
            [[r, str(n)] for r, n in b["delivery_exceptions_by_resolution"].items()],
        )
    )
    tables.append(
        (
            "SKUs at or below reorder point (now)",
            ["sku", "available", "reorder point"],
            [[s.sku, str(s.available), str(s.reorder_point)] for s in report.low_stock[:10]],
        )
    )
    return tables


_EVENTS = ("imported", "approved", "shipped", "cancelled")
_CARRIER_KEYS = (
    "on_time_delivery_rate_by_carrier",
    "delivery_success_rate_by_carrier",
    "loss_damage_rate_by_carrier",
    "transit_days_avg_by_carrier",
)
