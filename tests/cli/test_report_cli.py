"""`omsctl report kpi` through the command line: table, JSON keys, CSV rows, a readable PDF."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from omsctl.domain.kpis import BREAKDOWNS, METRICS
from omsctl.store.tables import Hold, Order, PackCheck, Shipment

WINDOW = ("--since", "2026-11-16", "--until", "2026-11-18")


@pytest.fixture
def report(oms):
    """`report("--json")` runs `omsctl report kpi --json`."""
    from omsctl.cli import reports
    from omsctl.cli.app import app

    # A no-op once cli/app.py registers the group itself.
    if not any(group.name == "report" for group in app.registered_groups):
        app.add_typer(reports.app, name="report")
    return lambda *args: oms("report", "kpi", *args)


def add(session, no, imported, *, shipped=None, channel="shopify", state="approved"):
    order = Order(
        channel=channel,
        channel_order_no=no,
        state=state,
        payment_status="paid",
        currency="EUR",
        total=Decimal("25.00"),
        ordered_at=imported,
        paid_at=imported,
        imported_at=imported,
        approved_at=imported + timedelta(minutes=20),
        shipped_at=shipped,
        updated_at=imported,
        carrier="DHL",
    )
    session.add(order)
    session.flush()
    return order.id


@pytest.fixture
def shop(env):
    """Two days of a small shop in UTC: 16 Nov 2 orders, 17 Nov 1; one held, two shipped."""
    with env.uow() as uow:
        s = uow.session
        day = datetime(2026, 11, 16, 9, tzinfo=UTC)
        first = add(s, "#1001", day, shipped=day + timedelta(hours=5), state="shipped")
        add(s, "#1002", day + timedelta(hours=2), channel="amazon")
        third = add(
            s,
            "#1003",
            day + timedelta(days=1),
            shipped=day + timedelta(days=1, hours=3),
            state="shipped",
        )
        s.add(
            Hold(
                order_id=first,
                reason="buyer_note",
                priority=3,
                created_at=day,
                due_at=day + timedelta(hours=24),
                resolved_at=day + timedelta(hours=1),
            )
        )
        for order_id, ok in ((first, True), (third, False), (third, True)):
            s.add(
                PackCheck(
                    order_id=order_id,
                    at=day + timedelta(days=1),
                    actor="lena",
                    ok=ok,
                    units_expected=2,
                    units_scanned=2 if ok else 1,
                )
            )
        s.add(
            Shipment(
                order_id=first,
                carrier="DHL",
                created_at=day,
                shipped_at=day + timedelta(hours=5),
                delivered_at=day + timedelta(days=1),
            )
        )
        previous = day - timedelta(days=2)
        add(s, "#0999", previous, shipped=previous + timedelta(hours=2), state="shipped")
        uow.commit()
    return env


def test_the_table_shows_each_kpi_with_the_change_against_the_period_before(report, shop):
    run = report(*WINDOW)
    assert run.exit_code == 0, run.stderr
    assert "KPIs 2026-11-16 – 2026-11-17 (UTC)" in run.stdout
    assert "before: 2026-11-14 – 2026-11-15" in run.stdout
    line = next(x for x in run.stdout.splitlines() if "Orders imported" in x)
    assert line.split()[-4:] == ["3", "1", "+2", "(+200%)"]
    assert "Pack mismatch rate" in run.stdout
    assert "By channel" in run.stdout


def test_json_has_stable_keys_and_the_numbers_of_the_window(report, shop):
    run = report(*WINDOW, "--json")
    data = json.loads(run.stdout)
    assert list(data) == [
        "tz",
        "by",
        "channel",
        "carrier",
        "ship_cutoff",
        "first_day",
        "last_day",
        "metrics",
        "breakdowns",
        "previous",
        "change",
        "periods",
        "low_stock",
    ]
    assert list(data["metrics"]) == [m.key for m in METRICS]
    assert list(data["breakdowns"]) == list(BREAKDOWNS)
    assert list(data["previous"]["metrics"]) == [m.key for m in METRICS]
    assert (data["first_day"], data["last_day"]) == ("2026-11-16", "2026-11-17")
    metrics = data["metrics"]
    assert (metrics["orders_imported"], metrics["orders_shipped"]) == (3, 2)
    assert metrics["processing_hours_avg"] == 4.0  # 5 h and 3 h
    assert metrics["hold_rate"] == 0.3333
    assert metrics["pack_mismatch_rate"] == 0.3333
    assert metrics["on_time_delivery_rate"] is None  # DHL promises 5 days: not due yet
    assert data["breakdowns"]["order_value_by_currency"] == {"EUR": "75.00"}
    assert data["change"]["orders_imported"] == 2
    assert [p["period"] for p in data["periods"]] == ["2026-11-16", "2026-11-17"]
    assert data["periods"][0]["metrics"]["orders_imported"] == 2


def test_value_from_exports_without_a_currency_is_named_not_left_blank(report, shop):
    with shop.uow() as uow:
        order_id = add(uow.session, "#2001", datetime(2026, 11, 17, 9, tzinfo=UTC), channel="woo")
        uow.session.get(Order, order_id).currency = ""
        uow.commit()
    run = report(*WINDOW)
    rows = [line.split() for line in run.stdout.splitlines()]
    assert ["(not", "in", "export)", "25.00"] in rows
    assert ["EUR", "75.00"] in rows
    assert json.loads(report(*WINDOW, "--json").stdout)["breakdowns"]["order_value_by_currency"] == {
        "EUR": "75.00", "": "25.00"}  # fmt: skip


def test_csv_is_one_row_per_period_per_metric_and_appends_without_a_header(report, shop):
    run = report(*WINDOW, "--csv")
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    plain = [r for r in rows if r["key"] == ""]
    assert len(plain) == 2 * len(METRICS)
    imported = [(r["period"], r["value"]) for r in plain if r["metric"] == "orders_imported"]
    assert imported == [("2026-11-16", "2"), ("2026-11-17", "1")]
    by_channel = [
        (r["period"], r["key"], r["value"])
        for r in rows
        if r["metric"] == "orders_imported_by_channel"
    ]
    assert by_channel == [
        ("2026-11-16", "amazon", "1"),
        ("2026-11-16", "shopify", "1"),
        ("2026-11-17", "shopify", "1"),
    ]
    assert next(r for r in plain if r["metric"] == "transit_days_avg")["value"] == ""

    appended = report(*WINDOW, "--csv", "--no-header").stdout
    assert appended == run.stdout.split("\n", 1)[1]
    assert run.stdout.splitlines()[0] == (
        "period,first_day,last_day,tz,channel,carrier,metric,key,value"
    )


def test_the_pdf_is_written_whole_and_reads_back_as_two_pages(report, shop, tmp_path: Path):
    target = tmp_path / "reports" / "kpi.pdf"
    run = report(*WINDOW, "--pdf", str(target))
    assert run.exit_code == 0, run.stderr
    assert run.stderr == f"wrote {target}: KPIs 2026-11-16..2026-11-17\n"
    pdf = pypdf.PdfReader(target)
    assert 1 <= len(pdf.pages) <= 3
    first = pdf.pages[0].extract_text()
    assert "KPI report" in first
    assert "Orders per day" in first
    assert "Hold reasons" in first
    assert "Carrier on-time delivery" in pdf.pages[1].extract_text()
    assert not list(target.parent.glob(".kpi.pdf.*"))  # no temporary file left behind


def test_an_empty_database_still_gives_a_report_with_no_data_marks(report, env, tmp_path):
    target = tmp_path / "empty.pdf"
    assert report("--pdf", str(target)).exit_code == 0
    assert "no orders in this period" in pypdf.PdfReader(target).pages[0].extract_text()
    data = json.loads(report("--json").stdout)
    assert data["metrics"]["orders_imported"] == 0
    assert data["metrics"]["hold_rate"] is None


def test_pdf_and_json_together_are_a_usage_error(report, env):
    run = report("--json", "--pdf", "kpi.pdf")
    assert (run.exit_code, run.stderr) == (
        2,
        "error: --pdf cannot be used with --json or --csv; pick one output\n",
    )


def test_a_period_that_is_not_day_week_or_month_is_refused(report, env):
    run = report("--by", "year")
    assert run.exit_code == 2
    assert run.stderr == "error: --by 'year' is not a period; use day, week or month\n"
