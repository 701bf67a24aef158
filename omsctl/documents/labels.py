"""Shipping labels (面单) as PDF: 4x6-inch thermal labels, A6, and A4/Letter sheets of four.

One layout, two painters. `label_layout.layout_label` decides what goes where on a label of
any size, as plain elements (text, boxes, barcodes) in points from the label's bottom-left
corner; the PDF painter here and the ZPL painter in `zpl.py` draw the same elements, so a
Zebra label says exactly what the PDF says. Why the layout is what it is (nothing spills,
barcode module widths, folded letters) is told in `label_layout`.

Why it is drawn the way it is:

- **Barcodes scan when printed.** Tracking and order numbers are drawn by
  `barcodes.draw_code128`: vector bars, whole printer dots per module at ``dpi`` (203, the
  common thermal resolution, unless told), as the layout chose them.
- **Every script gets real glyphs.** Text goes through `fonts`: Helvetica for Windows-1252,
  the CID fonts for CJK and Cyrillic. Latin letters neither has (ı, ł, ş) are folded to
  their base letter (`label_text.drawable`) rather than printed as boxes.
- **Small files.** No images and no embedded fonts: Helvetica and the CID fonts are named,
  not embedded, so a label is about 2 KB and 10,000 of them fit one PDF.
- **Cells, not scaling.** A sheet is cut into cells and each label is laid out for its cell;
  scaling a 4x6 layout down would move the bars off the printer's dot grid.
- **Fast enough for a day's run.** Widths and runs are remembered and Windows-1252 text skips
  the per-character script test; `benchmarks/labels.py` compares with bare reportlab.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, BinaryIO

from reportlab.lib.pagesizes import A4, A6, LETTER

from omsctl.documents.barcodes import draw_code128
from omsctl.documents.fonts import LATIN, LATIN_BOLD, register_fonts, text_runs
from omsctl.documents.label_layout import DPI, Box, Element, Text, layout_label
from omsctl.documents.label_text import is_plain, measure

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reportlab.pdfgen.canvas import Canvas

    from omsctl.domain.labels import Label


@dataclass(frozen=True, slots=True)
class Sheet:
    """A page format: its size, how many labels across and down, and the margin in a cell."""

    page: tuple[float, float]
    columns: int
    rows: int
    margin: float  # thermal printers reach the edge; office printers need ~5 mm

    @property
    def cell(self) -> tuple[float, float]:
        return self.page[0] / self.columns, self.page[1] / self.rows

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


SHEETS: dict[str, Sheet] = {
    "4x6": Sheet((288.0, 432.0), 1, 1, 9.0),
    "a6": Sheet(A6, 1, 1, 9.0),
    "a4": Sheet(A4, 2, 2, 14.0),  # four A6 labels tile A4 exactly
    "letter": Sheet(LETTER, 2, 2, 14.0),
}


def render_labels(
    labels: Sequence[Label], out: BinaryIO, *, format: str = "4x6", dpi: int = DPI
) -> None:
    """Write ``labels`` in their given order as one PDF to ``out``.

    ``format`` is 4x6 (a 4x6-inch thermal label per page, the default), a6 (one A6 label per
    page), a4 or letter (four labels per sheet, left to right, top to bottom). ``dpi`` is the
    printer's resolution the barcode modules are aligned to.
    """
    from reportlab.pdfgen.canvas import Canvas

    sheet = _sheet(format)
    register_fonts()
    canvas = Canvas(out, pagesize=sheet.page, pageCompression=1)
    canvas.setTitle("Shipping labels")
    canvas.setAuthor("omsctl")
    cell_w, cell_h = sheet.cell
    for start in range(0, len(labels), sheet.per_page):
        for slot, label in enumerate(labels[start : start + sheet.per_page]):
            column, row = slot % sheet.columns, slot // sheet.columns
            origin = (column * cell_w, sheet.page[1] - (row + 1) * cell_h)
            items = layout_label(label, cell_w, cell_h, margin=sheet.margin, dpi=dpi)
            paint(canvas, items, origin, dpi=dpi)
        if sheet.per_page > 1:
            _cut_lines(canvas, sheet)
        canvas.showPage()
    if not labels:  # a PDF with no page is not a PDF viewers open
        canvas.showPage()
    canvas.save()


def _sheet(format: str) -> Sheet:
    try:
        return SHEETS[format]
    except KeyError:
        raise ValueError(
            f"unknown label format {format!r}: use one of {', '.join(SHEETS)}"
        ) from None


def _cut_lines(canvas: Canvas, sheet: Sheet) -> None:
    """Light dashed lines between the cells of a sheet, where the guillotine goes."""
    cell_w, cell_h = sheet.cell
    canvas.saveState()
    canvas.setStrokeGray(0.6)
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 3)
    for column in range(1, sheet.columns):
        canvas.line(column * cell_w, 0, column * cell_w, sheet.page[1])
    for row in range(1, sheet.rows):
        canvas.line(0, row * cell_h, sheet.page[0], row * cell_h)
    canvas.restoreState()


def paint(
    canvas: Canvas, items: Sequence[Element], origin: tuple[float, float], *, dpi: int
) -> None:
    """Draw laid-out elements with the label's bottom-left corner at ``origin``."""
    ox, oy = origin
    canvas.setFillGray(0)
    for item in items:
        if isinstance(item, Text):
            if item.white:
                canvas.setFillGray(1)
            _draw_text(canvas, item, ox, oy)
            if item.white:
                canvas.setFillGray(0)
        elif isinstance(item, Box):
            if item.line:
                canvas.setLineWidth(item.line)
                canvas.rect(ox + item.x, oy + item.y, item.width, item.height, stroke=1, fill=0)
            else:
                canvas.rect(ox + item.x, oy + item.y, item.width, item.height, stroke=0, fill=1)
        else:
            draw_code128(
                canvas,
                item.data,
                ox + item.x,
                oy + item.y,
                height=item.height,
                module_width=item.dots * 72 / dpi,
                dpi=dpi,
                human_readable=item.text_size > 0,
                font=LATIN_BOLD,
                font_size=item.text_size or None,
            )


def _draw_text(canvas: Canvas, item: Text, ox: float, oy: float) -> None:
    """What ``fonts.draw_text`` draws, from remembered runs and widths.

    Windows-1252 text is one run in the Latin font and goes straight to the canvas; other
    text is drawn run by run in the fonts ``fonts.text_runs`` chose for it.
    """
    font = LATIN_BOLD if item.bold else LATIN
    x = ox + item.x + {"left": 0.0, "centre": 0.5, "right": 1.0}[item.align] * item.width
    y = oy + item.y
    if is_plain(item.text):
        canvas.setFont(font, item.size)
        if item.align == "centre":
            canvas.drawCentredString(x, y, item.text)
        elif item.align == "right":
            canvas.drawRightString(x, y, item.text)
        else:
            canvas.drawString(x, y, item.text)
        return
    if item.align != "left":
        shift = measure(item.text, font, item.size)
        x -= shift / 2 if item.align == "centre" else shift
    text = canvas.beginText(x, y)
    for run_font, run in _runs(item.text, font):
        text.setFont(run_font, item.size)
        text.textOut(run)
    canvas.drawText(text)


@lru_cache(maxsize=4096)
def _runs(text: str, font: str) -> tuple[tuple[str, str], ...]:
    """``fonts.text_runs``, remembered for the lines that recur (towns, provinces)."""
    return tuple(text_runs(text, font))
