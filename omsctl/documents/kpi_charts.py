"""The KPI report's charts, each drawn with reportlab's own graphics onto a page's canvas.

They sit apart from the page layout (kpi_report) so the layout reads as where things go and
this module as how each chart looks: the palette, the axes, the bars and their labels.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from reportlab.graphics import renderPDF
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from omsctl.documents.fonts import LATIN, LATIN_BOLD
from omsctl.domain.kpis import KpiReport, Measured, value_text

if TYPE_CHECKING:
    from datetime import date

INK = colors.HexColor("#1F2933")
GREY = colors.HexColor("#6B7280")
RULE = colors.HexColor("#D1D5DB")
BLUE = colors.HexColor("#4C78A8")
GREEN = colors.HexColor("#59A14F")
RED = colors.HexColor("#E15759")
ORANGE = colors.HexColor("#F28E2B")

#: Bars on the daily volume chart before the chart shows periods instead of days.
MAX_DAILY_BARS = 62

# --- charts ---------------------------------------------------------------------------------


def _title(drawing: Drawing, text: str, note: str = "") -> None:
    drawing.add(
        String(0, drawing.height - 11, text, fontName=LATIN_BOLD, fontSize=10, fillColor=INK)
    )
    if note:
        drawing.add(
            String(
                drawing.width,
                drawing.height - 11,
                note,
                fontName=LATIN,
                fontSize=8,
                fillColor=GREY,
                textAnchor="end",
            )
        )


def _no_data(drawing: Drawing, text: str) -> None:
    drawing.add(
        String(
            drawing.width / 2,
            drawing.height / 2 - 10,
            text,
            fontName=LATIN,
            fontSize=9,
            fillColor=GREY,
            textAnchor="middle",
        )
    )


def _nice_max(value: float) -> tuple[float, float]:
    """An axis top and step that read well: 0-5-10-15-20, not 0-7-14-21."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if step < 1 and value >= 1:
        step = 1.0
    return step * math.ceil(value / step), step


def _style_axes(chart: VerticalBarChart | HorizontalBarChart) -> None:
    chart.valueAxis.labels.fontName = LATIN
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labels.fillColor = GREY
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    chart.valueAxis.gridStrokeWidth = 0.3
    chart.categoryAxis.labels.fontName = LATIN
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.strokeColor = GREY
    chart.categoryAxis.tickShift = 0


def volume_chart(canvas: Canvas, report: KpiReport, x: float, y: float, w: float, h: float) -> None:
    """Orders imported, shipped and cancelled per day (per period for long windows)."""
    drawing = Drawing(w, h)
    if len(report.daily) <= MAX_DAILY_BARS:
        names = [_short_day(d.day) for d in report.daily]
        series = [
            [d.imported for d in report.daily],
            [d.shipped for d in report.daily],
            [d.cancelled for d in report.daily],
        ]
        unit = "day"
    else:
        names = [_period_name(p, report.by) for p in report.periods]
        series = [
            [_int(p, f"orders_{e}") for p in report.periods]
            for e in ("imported", "shipped", "cancelled")
        ]
        unit = report.by
    _title(drawing, f"Orders per {unit}")
    legend_x = w
    for label, colour in reversed((("imported", BLUE), ("shipped", GREEN), ("cancelled", RED))):
        legend_x -= 62
        drawing.add(_swatch(legend_x, h - 11, colour))
        drawing.add(String(legend_x + 10, h - 11, label, fontName=LATIN, fontSize=8, fillColor=INK))
    if not any(any(s) for s in series):
        _no_data(drawing, "no orders in this period")
    else:
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 28, 22, w - 34, h - 44
        chart.data = series
        top, step = _nice_max(max(max(s) for s in series))
        chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
        chart.valueAxis.valueStep = step
        every = max(1, math.ceil(len(names) / 16))
        chart.categoryAxis.categoryNames = [
            n if i % every == 0 else "" for i, n in enumerate(names)
        ]
        chart.barSpacing, chart.groupSpacing = 0.5, max(2, 10 - len(names) // 4)
        for i, colour in enumerate((BLUE, GREEN, RED)):
            chart.bars[i].fillColor = colour
            chart.bars[i].strokeColor = None
        _style_axes(chart)
        drawing.add(chart)
    renderPDF.draw(drawing, canvas, x, y)


def processing_chart(
    canvas: Canvas, report: KpiReport, x: float, y: float, w: float, h: float
) -> None:
    """How long orders took from payment to shipping: orders per time bin."""
    values = report.window.measures.values
    drawing = Drawing(w, h)
    note = (
        f"median {value_text(values['processing_hours_median'], 'hours')}, "
        f"p90 {value_text(values['processing_hours_p90'], 'hours')}"
    )
    _title(drawing, "Paid to shipped", note)
    bins = report.window.measures.breakdowns["processing_time_distribution"]
    counts = [int(v or 0) for v in bins.values()]  # in time order, 0-4h first
    if not any(counts):
        _no_data(drawing, "no order shipped in this period")
    else:
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 28, 30, w - 32, h - 52
        chart.data = [counts]
        top, step = _nice_max(max(counts))
        chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
        chart.valueAxis.valueStep = step
        chart.categoryAxis.categoryNames = list(bins)
        chart.bars[0].fillColor = BLUE
        chart.bars[0].strokeColor = None
        chart.barWidth, chart.groupSpacing = 10, 6
        _style_axes(chart)
        drawing.add(chart)
        drawing.add(
            String(
                w / 2,
                4,
                "orders by hours from payment to shipping",
                fontName=LATIN,
                fontSize=7,
                fillColor=GREY,
                textAnchor="middle",
            )
        )
    renderPDF.draw(drawing, canvas, x, y)


def hold_chart(canvas: Canvas, report: KpiReport, x: float, y: float, w: float, h: float) -> None:
    """Why orders were held: the share of the period's orders held for each reason."""
    rates = report.window.measures.breakdowns["hold_rate_by_reason"]
    values = report.window.measures.values
    drawing = Drawing(w, h)
    _title(drawing, "Hold reasons", f"held: {value_text(values['hold_rate'], 'rate')} of orders")
    ranked = sorted(((r, float(v or 0)) for r, v in rates.items()), key=lambda kv: kv[1])[-8:]
    if not ranked:
        _no_data(drawing, "no order held in this period")
    else:
        _horizontal(
            drawing,
            [r.replace("_", " ") for r, _ in ranked],
            [v * 100 for _, v in ranked],
            ORANGE,
            h,
            percent_max=None,
        )
    renderPDF.draw(drawing, canvas, x, y)


def carrier_chart(
    canvas: Canvas, report: KpiReport, x: float, y: float, w: float, h: float
) -> None:
    """Delivered on time against each carrier's promised days."""
    rates = report.window.measures.breakdowns["on_time_delivery_rate_by_carrier"]
    values = report.window.measures.values
    drawing = Drawing(w, h)
    _title(
        drawing,
        "Carrier on-time delivery",
        f"all: {value_text(values['on_time_delivery_rate'], 'rate')}",
    )
    ranked = sorted(((c, float(v or 0)) for c, v in rates.items()), key=lambda kv: -kv[1])[:8]
    if not ranked:
        _no_data(drawing, "no delivery due in this period")
    else:
        ranked.reverse()  # the chart draws its first category at the bottom
        _horizontal(
            drawing, [c for c, _ in ranked], [v * 100 for _, v in ranked], GREEN, h, percent_max=100
        )
    renderPDF.draw(drawing, canvas, x, y)


def _horizontal(
    drawing: Drawing,
    names: list[str],
    values: list[float],
    colour: colors.Color,
    h: float,
    percent_max: float | None,
) -> None:
    chart = HorizontalBarChart()
    label_room = min(110.0, 14 + 4.6 * max(len(n) for n in names))
    chart.x, chart.y = label_room, 18
    chart.width, chart.height = drawing.width - label_room - 34, h - 40
    chart.data = [values]
    top = percent_max or _nice_max(max(values))[0]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.valueStep = _nice_max(top)[1]
    chart.valueAxis.labelTextFormat = "%d%%" if top >= 5 else "%.1f%%"
    chart.categoryAxis.categoryNames = names
    chart.bars[0].fillColor = colour
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = LATIN
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barWidth, chart.groupSpacing = 10, 7
    _style_axes(chart)
    drawing.add(chart)


def _swatch(x: float, y: float, colour: colors.Color) -> object:
    from reportlab.graphics.shapes import Rect

    return Rect(x, y - 1, 7, 7, fillColor=colour, strokeColor=None)


def _short_day(day: date) -> str:
    return f"{day.day} {day:%b}"


def _period_name(m: Measured, by: str) -> str:
    """A period as a chart label: W47 or Nov 2026 (the full label crowds the axis)."""
    if by == "week":
        return m.span.label.split("-")[-1]
    if by == "month":
        return f"{m.span.start:%b %Y}"
    return _short_day(m.span.start)


def _int(m: Measured, key: str) -> int:
    return int(m.measures.values[key] or 0)
