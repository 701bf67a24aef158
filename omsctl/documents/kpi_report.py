"""The KPI report as a two-page PDF: headline numbers, four charts, and every KPI in a table.

Page 1 is what a merchant looks at over coffee: the period and what it is compared with,
twelve headline KPIs with their change (green when it moved the good way), the orders per
day, how long orders took from payment to shipping, and why orders were held. Page 2 holds
the carriers (on-time bars and their figures), the full KPI table, and the channels.

The charts are reportlab's own graphics (no plotting library): bar charts are all these
numbers need, and reportlab is already how every omsctl document is drawn. kpi_charts draws
them; this module lays out the pages and the tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from omsctl.documents.fonts import LATIN, LATIN_BOLD, draw_text, fit_text, register_fonts
from omsctl.documents.kpi_charts import (
    GREY,
    INK,
    RULE,
    carrier_chart,
    hold_chart,
    processing_chart,
    volume_chart,
)
from omsctl.domain.kpis import (
    METRIC,
    METRICS,
    KpiReport,
    Measured,
    Number,
    change_text,
    moved,
    value_text,
)

if TYPE_CHECKING:
    from datetime import date

PAGE_W, PAGE_H = A4
MARGIN = 36.0
WIDTH = PAGE_W - 2 * MARGIN
TILE = colors.HexColor("#F3F4F6")
GOOD = colors.HexColor("#15803D")
BAD = colors.HexColor("#B91C1C")

#: The twelve numbers on page 1, in reading order (four a row).
HEADLINE = (
    "orders_imported",
    "orders_shipped",
    "processing_hours_median",
    "same_day_ship_rate",
    "hold_rate",
    "hold_sla_met_rate",
    "order_accuracy",
    "fill_rate",
    "on_time_delivery_rate",
    "delivery_success_rate",
    "return_rate",
    "delivery_exceptions",
)
PAGES = 2


def render_kpi_report(report: KpiReport, out: BinaryIO) -> None:
    """Write the report as a PDF to `out`."""
    register_fonts()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"KPI report {report.window.span.label}")
    canvas.setAuthor("omsctl")
    _first_page(canvas, report)
    _footer(canvas, report, 1)
    canvas.showPage()
    _second_page(canvas, report)
    _footer(canvas, report, 2)
    canvas.showPage()
    canvas.save()


# --- pages ----------------------------------------------------------------------------------


def _first_page(canvas: Canvas, report: KpiReport) -> None:
    y = PAGE_H - MARGIN - 16
    canvas.setFillColor(INK)
    canvas.setFont(LATIN_BOLD, 18)
    canvas.drawString(MARGIN, y, "KPI report")
    canvas.setFont(LATIN, 10)
    canvas.drawRightString(PAGE_W - MARGIN, y, _days(report.window))
    y -= 16
    canvas.setFillColor(GREY)
    scope = ", ".join(f for f in (report.channel, report.carrier) if f) or "all channels"
    draw_text(
        canvas,
        MARGIN,
        y,
        f"By {report.by}, days in {report.zone}; {scope}; "
        f"same-day cutoff {report.ship_cutoff.strftime('%H:%M')}",
        size=9,
    )
    canvas.drawRightString(PAGE_W - MARGIN, y, f"compared with {_days(report.previous)}")
    y -= 14
    _tiles(canvas, report, y)
    y -= 3 * 54 + 16
    volume_chart(canvas, report, MARGIN, y - 200, WIDTH, 200)
    y -= 200 + 20
    half = (WIDTH - 20) / 2
    bottom = MARGIN + 14
    processing_chart(canvas, report, MARGIN, bottom, half, y - bottom)
    hold_chart(canvas, report, MARGIN + half + 20, bottom, half, y - bottom)


def _second_page(canvas: Canvas, report: KpiReport) -> None:
    y = PAGE_H - MARGIN - 12
    half = (WIDTH - 20) / 2
    carrier_chart(canvas, report, MARGIN, y - 170, half, 170)
    _carrier_table(canvas, report, MARGIN + half + 20, y, half)
    y -= 170 + 24
    y = _kpi_table(canvas, report, y)
    _detail_tables(canvas, report, y - 22)


def _footer(canvas: Canvas, report: KpiReport, page: int) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, MARGIN - 6, PAGE_W - MARGIN, MARGIN - 6)
    canvas.setFont(LATIN, 7.5)
    canvas.setFillColor(GREY)
    canvas.drawString(
        MARGIN,
        MARGIN - 16,
        f"omsctl KPI report, as of {report.today.isoformat()}. "
        "Every KPI is defined in docs/kpis.md; – means no data.",
    )
    canvas.drawRightString(PAGE_W - MARGIN, MARGIN - 16, f"page {page}/{PAGES}")


# --- headline tiles -------------------------------------------------------------------------


def _tiles(canvas: Canvas, report: KpiReport, top: float) -> None:
    columns, gap, height = 4, 8.0, 46.0
    width = (WIDTH - gap * (columns - 1)) / columns
    for i, key in enumerate(HEADLINE):
        metric = METRIC[key]
        x = MARGIN + (i % columns) * (width + gap)
        y = top - (i // columns) * (height + 8) - height
        canvas.setFillColor(TILE)
        canvas.roundRect(x, y, width, height, 4, stroke=0, fill=1)
        canvas.setFillColor(GREY)
        canvas.setFont(LATIN, 7.5)
        canvas.drawString(x + 8, y + height - 12, metric.label)
        now = report.window.measures.values[key]
        then = report.previous.measures.values[key]
        canvas.setFillColor(INK)
        canvas.setFont(LATIN_BOLD, 15)
        canvas.drawString(x + 8, y + 12, value_text(now, metric.unit))
        canvas.setFillColor(_tone(now, then, metric.unit, metric.better))
        canvas.setFont(LATIN, 7.5)
        canvas.drawRightString(x + width - 8, y + 13, change_text(now, then, metric.unit))


def _tone(now: Number, then: Number, unit: str, better: str) -> colors.Color:
    """Green when the KPI moved the good way, red the bad way, grey when it did not move."""
    direction = moved(now, then, unit)
    if not better or not direction:
        return GREY
    return GOOD if (direction > 0) == (better == "up") else BAD


# --- tables ---------------------------------------------------------------------------------


def _carrier_table(canvas: Canvas, report: KpiReport, x: float, top: float, w: float) -> None:
    """The carriers' four figures, then the SKUs to reorder (a snapshot of now)."""
    b = report.window.measures.breakdowns
    keys = (
        "on_time_delivery_rate_by_carrier",
        "delivery_success_rate_by_carrier",
        "loss_damage_rate_by_carrier",
        "transit_days_avg_by_carrier",
    )
    carriers = sorted(set().union(*(b[k] for k in keys)))[:5]
    rows = [
        [c, *(value_text(b[k].get(c), "days" if k.startswith("transit") else "rate") for k in keys)]
        for c in carriers
    ]
    y = _mini(
        canvas,
        x,
        top,
        (w - 4 * 50, 50, 50, 50, 50),
        "Carriers",
        ("carrier", "on time", "delivered", "lost/dam.", "transit"),
        rows,
    )
    low = [[s.sku, str(s.available), str(s.reorder_point)] for s in report.low_stock[:4]]
    more = len(report.low_stock) - len(low)
    title = "At or below reorder point now" + (f" ({more} more)" if more > 0 else "")
    heads = ("sku", "available", "reorder at")
    _mini(canvas, x, y - 12, (w - 2 * 70, 70, 70), title, heads, low, empty="none")


def _kpi_table(canvas: Canvas, report: KpiReport, top: float) -> float:
    """Every KPI: this period, the period before, the change. Returns where it ended."""
    canvas.setFillColor(INK)
    canvas.setFont(LATIN_BOLD, 10)
    canvas.drawString(MARGIN, top, "All KPIs")
    heads = ("", "KPI", "this period", "before", "change")
    rows, tones = [], []
    section = ""
    for m in METRICS:
        now, then = report.window.measures.values[m.key], report.previous.measures.values[m.key]
        rows.append(
            [
                m.section.replace("_", " ") if m.section != section else "",
                m.label,
                value_text(now, m.unit),
                value_text(then, m.unit),
                change_text(now, then, m.unit),
            ]
        )
        tones.append(_tone(now, then, m.unit, m.better))
        section = m.section
    widths = (70, WIDTH - 70 - 3 * 80, 80, 80, 80)
    return _table(canvas, MARGIN, top - 17, widths, heads, rows, last_column_tones=tones, left=2)


def _detail_tables(canvas: Canvas, report: KpiReport, top: float) -> None:
    """Four small tables side by side: channels, returns by SKU and reason, exceptions."""
    b = report.window.measures.breakdowns
    rows = max(2, min(8, int((top - MARGIN - 40) // 12)))
    gap = 14.0
    width = (WIDTH - 3 * gap) / 4
    channels = sorted(set(b["orders_imported_by_channel"]) | set(b["orders_shipped_by_channel"]))
    returned = sorted(b["return_rate_by_sku"].items(), key=lambda kv: (-float(kv[1] or 0), kv[0]))
    troubles = [
        [r.replace("_", " "), str(n)] for r, n in b["delivery_exceptions_by_reason"].items()
    ]
    resolutions = [[f"→ {r}", str(n)] for r, n in b["delivery_exceptions_by_resolution"].items()]
    tables = (
        (
            "Orders by channel",
            ("channel", "in", "shipped"),
            (width - 70, 35, 35),
            [
                [
                    c,
                    value_text(b["orders_imported_by_channel"].get(c, 0), "count"),
                    value_text(b["orders_shipped_by_channel"].get(c, 0), "count"),
                ]
                for c in channels
            ],
        ),
        (
            "Return rate by SKU",
            ("sku", "returned"),
            (width - 45, 45),
            [[sku, value_text(r, "rate")] for sku, r in returned],
        ),
        (
            "Returned units by reason",
            ("reason", "units"),
            (width - 35, 35),
            [[r.replace("_", " "), str(n)] for r, n in b["returned_units_by_reason"].items()],
        ),
        (
            "Delivery exceptions",
            ("reason / resolution", "count"),
            (width - 35, 35),
            troubles + resolutions,
        ),
    )
    for i, (title, heads, widths, body) in enumerate(tables):
        _mini(canvas, MARGIN + i * (width + gap), top, widths, title, heads, body[:rows])


def _mini(
    canvas: Canvas,
    x: float,
    top: float,
    widths: Sequence[float],
    title: str,
    heads: Sequence[str],
    rows: Sequence[Sequence[str]],
    empty: str = "none in this period",
) -> float:
    """A titled small table, or the `empty` note; returns the y below it."""
    canvas.setFillColor(INK)
    canvas.setFont(LATIN_BOLD, 9.5)
    canvas.drawString(x, top, title)
    if not rows:
        canvas.setFillColor(GREY)
        canvas.setFont(LATIN, 8)
        canvas.drawString(x, top - 16, empty)
        return top - 20
    return _table(canvas, x, top - 16, widths, heads, rows)


def _table(
    canvas: Canvas,
    x: float,
    top: float,
    widths: Sequence[float],
    heads: Sequence[str],
    rows: Sequence[Sequence[str]],
    last_column_tones: Sequence[colors.Color] | None = None,
    left: int = 1,
) -> float:
    """A plain table: the first `left` columns left-aligned, the others right; returns the
    y below it. The last column may be coloured row by row (good or bad change)."""
    line = 12.0
    y = top

    def cells(values: Sequence[str], font: str, tones: colors.Color | None = None) -> None:
        cursor = x
        for i, (value, width) in enumerate(zip(values, widths, strict=True)):
            colour = tones if tones is not None and i == len(values) - 1 else INK
            canvas.setFillColor(GREY if font == LATIN_BOLD else colour)
            if i < left:
                text, size = fit_text(value, font, width - 4, 8, 6)
                draw_text(canvas, cursor, y, text, latin_font=font, size=size)
            else:
                canvas.setFont(font, 8)
                canvas.drawRightString(cursor + width, y, value)
            cursor += width

    cells(heads, LATIN_BOLD)
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.5)
    canvas.line(x, y - 4, x + sum(widths), y - 4)
    y -= line + 2
    for n, row in enumerate(rows):
        cells(row, LATIN, last_column_tones[n] if last_column_tones else None)
        y -= line
    return y


# --- small helpers --------------------------------------------------------------------------


def _days(m: Measured) -> str:
    start, last = m.span.start, m.span.last
    if start == last:
        return _long_day(start)
    if start.year == last.year:
        return f"{start.day} {start:%b} – {_long_day(last)}"
    return f"{_long_day(start)} – {_long_day(last)}"


def _long_day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
