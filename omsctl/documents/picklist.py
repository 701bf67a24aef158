"""The pick list of a wave: a printed walk through the warehouse, and the same as CSV.

One picker, one cart of totes (one per order), one walk. Each row is a stop in walking order:
the bin to go to (large, it is read from a distance), what to take, how many in all (large
and bold, the number most often got wrong) and how many go into which tote. SKUs without a
bin are listed at the end, so the picker knows to look for them instead of finishing the
walk short. The wave's barcode on the first page lets the packing bench open the wave by
scanning the paper.

Pages are drawn twice: the first pass only counts them, so the footer can say "page i/n".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO

from reportlab.lib.pagesizes import A4

from omsctl.documents.barcodes import code128_width, draw_code128
from omsctl.documents.csv_cells import neutralise
from omsctl.documents.fonts import (
    LATIN,
    LATIN_BOLD,
    draw_text,
    fit_text,
    register_fonts,
    wrap_text,
)
from omsctl.domain.picking import PickList, PickStop, ToteShare, Unbinned

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

CSV_COLUMNS = ("stop", "location", "sku", "title", "product_barcode", "quantity", "tote", "order")

MARGIN = 36.0  # half an inch: inside what office printers can reach on A4 and Letter
FOOTER_BASELINE = 20.0
CONTENT_BOTTOM = 36.0
# Pick lists mostly go to office printers (300/600 dpi), whose dots are small next to a
# module; aligning to 203-dpi dots keeps them sharp on a thermal printer too.
DPI = 203
PRODUCT_MODULE = 2 * 72 / DPI  # 2 dots, 0.25 mm: handhelds read it off paper comfortably
GREY = 0.45
SHADE = 0.94
RULE = 0.7

# Pick-table column widths in points; the item column takes what is left.
CHECK_W, BIN_W, CODE_W, QTY_W, TOTES_W = 24.0, 84.0, 112.0, 46.0, 96.0
TITLE_LINES = 2
LINE = 10.5


def picklist_csv(pick: PickList) -> str:
    """The walk for handheld scanners: one row per stop and tote, in walking order.

    Columns: stop, location, sku, title, product_barcode, quantity (for that tote), tote,
    order. SKUs without a bin have no stop and are not in it; they are on the printed list.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, stop in enumerate(pick.stops, start=1):
        for share in stop.totes:
            writer.writerow(
                (
                    number,
                    neutralise(stop.location),
                    neutralise(stop.sku),
                    neutralise(stop.title),
                    neutralise(stop.product_barcode),
                    share.quantity,
                    share.tote,
                    neutralise(share.order_ref),
                )
            )
    return buffer.getvalue()


def render_picklist(pick: PickList, out: BinaryIO, *, page_size: tuple[float, float] = A4) -> None:
    """Write the pick list of ``pick`` as a PDF to ``out`` (A4 by default; Letter fits too)."""
    register_fonts()
    pages = _Painter(pick, io.BytesIO(), page_size, total_pages=None).paint()
    _Painter(pick, out, page_size, total_pages=pages).paint()


class _Painter:
    """Draws the pick list top to bottom, starting a new page when the next block won't fit."""

    def __init__(
        self,
        pick: PickList,
        out: BinaryIO,
        page_size: tuple[float, float],
        *,
        total_pages: int | None,
    ) -> None:
        from reportlab.pdfgen.canvas import Canvas

        self.pick = pick
        self.total_pages = total_pages
        self.width, self.height = page_size
        self.canvas: Canvas = Canvas(out, pagesize=page_size)
        self.canvas.setTitle(f"Pick list {pick.wave_code}")
        self.canvas.setSubject(f"Wave {pick.wave_code}, warehouse {pick.warehouse}")
        self.canvas.setAuthor("omsctl")
        self.left = MARGIN
        self.right = self.width - MARGIN
        self.item_w = self.right - self.left - CHECK_W - BIN_W - CODE_W - QTY_W - TOTES_W
        self.page = 1
        self.y = self.height - MARGIN
        self._continued: Callable[[], None] | None = None

    # -- the document --------------------------------------------------------------------

    def paint(self) -> int:
        """Draw every page; returns how many there were."""
        self._header()
        self._tote_table()
        self._pick_table()
        if self.pick.unbinned:
            self._unbinned_table()
        self._footer()
        self.canvas.showPage()
        self.canvas.save()
        return self.page

    def _header(self) -> None:
        c, pick, top = self.canvas, self.pick, self.y
        barcode_w = code128_width(pick.wave_code, max_width=190, dpi=DPI)
        draw_code128(
            c,
            pick.wave_code,
            self.right - barcode_w,
            top - 56,
            height=56,
            max_width=190,
            dpi=DPI,
            font_size=9,
        )
        text_w = self.right - self.left - barcode_w - 8
        c.setFillGray(GREY)
        draw_text(c, self.left, top - 9, "PICK LIST", latin_font=LATIN_BOLD, size=8)
        c.setFillGray(0)
        code, size = fit_text(pick.wave_code, LATIN_BOLD, text_w, 22, 12)
        draw_text(c, self.left, top - 30, code, latin_font=LATIN_BOLD, size=size)
        facts = (
            f"Warehouse {pick.warehouse}   ·   Strategy {pick.strategy}   ·   "
            f"Created {pick.created_at_text}",
            f"{len(pick.totes)} orders   ·   {pick.units} units   ·   {len(pick.stops)} stops",
        )
        for i, fact in enumerate(facts):
            line, size = fit_text(fact, LATIN, text_w, 9.5, 7)
            draw_text(c, self.left, top - 45 - i * 12, line, size=size)
        if pick.unbinned:
            c.setFillColorRGB(0.7, 0, 0)
            count = len(pick.unbinned)
            note = f"{count} SKU{'s' if count > 1 else ''} without a bin: see the end of the list"
            line, size = fit_text(note, LATIN_BOLD, text_w, 9, 7)
            draw_text(c, self.left, top - 69, line, latin_font=LATIN_BOLD, size=size)
            c.setFillGray(0)
        self.y = top - 80
        self._rule(self.y, 1.0)
        self.y -= 16

    def _tote_table(self) -> None:
        if not self.pick.totes:
            return
        columns = 4 if self.right - self.left >= 480 else 3
        cell_w = (self.right - self.left) / columns
        rows = [self.pick.totes[i : i + columns] for i in range(0, len(self.pick.totes), columns)]
        self._ensure(18 + 16)
        self._section_title("Totes")
        for row in rows:
            self._ensure(16)
            for i, share in enumerate(row):
                self._tote_cell(share, self.left + i * cell_w, cell_w)
            self.y -= 16
        self.y -= 14

    def _tote_cell(self, share: ToteShare, x: float, width: float) -> None:
        c, base = self.canvas, self.y - 11.5
        c.setStrokeGray(0.75)
        c.setLineWidth(0.5)
        c.rect(x + 1, self.y - 15, width - 2, 15, stroke=1, fill=0)
        draw_text(c, x + 5, base, f"T{share.tote}", latin_font=LATIN_BOLD, size=10)
        units = f"{share.quantity} unit{'s' if share.quantity != 1 else ''}"
        units_w = draw_text(c, x + width - 5, base, units, size=8.5, align="right")
        ref, size = fit_text(share.order_ref, LATIN, width - 30 - units_w - 10, 9, 6.5)
        draw_text(c, x + 30, base, ref, size=size)

    def _pick_table(self) -> None:
        self._ensure(18 + 16 + 40)
        self._section_title("Pick in this order")
        if not self.pick.stops:
            draw_text(self.canvas, self.left, self.y - 10, "Nothing to pick from bins.", size=9)
            self.y -= 24
            return
        self._pick_header()
        self._continued = self._pick_header
        for number, stop in enumerate(self.pick.stops, start=1):
            height, parts = self._layout_stop(stop)
            self._ensure(height)
            self._stop_row(number, stop, height, parts, shaded=number % 2 == 0)
        self._continued = None
        self.y -= 16

    def _pick_header(self) -> None:
        labels = ("#", "Bin", "SKU / title", "Product barcode", "Qty", "Totes")
        self._table_header(labels, self._pick_columns(), (0, 0, 0, 0, 1, 0))

    def _pick_columns(self) -> tuple[float, ...]:
        widths = (CHECK_W, BIN_W, self.item_w, CODE_W, QTY_W, TOTES_W)
        xs = [self.left]
        for w in widths[:-1]:
            xs.append(xs[-1] + w)
        return tuple(xs)

    def _layout_stop(self, stop: PickStop) -> tuple[float, tuple[list[str], list[str]]]:
        """The row's height, with the title lines and the tote lines it must hold."""
        title = wrap_text(stop.title, LATIN, 8.5, self.item_w - 8, max_lines=TITLE_LINES)
        totes = wrap_text(
            " ".join(f"T{s.tote}×{s.quantity}" for s in stop.totes), LATIN, 9.5, TOTES_W - 8
        )
        height = max(38.0, 10 + LINE * len(totes), 18 + LINE * len(title))
        return height, (title, totes)

    def _stop_row(
        self,
        number: int,
        stop: PickStop,
        height: float,
        parts: tuple[list[str], list[str]],
        *,
        shaded: bool,
    ) -> None:
        c, top = self.canvas, self.y
        title_lines, tote_lines = parts
        x_check, x_bin, x_item, x_code, x_qty, x_totes = self._pick_columns()
        if shaded:
            c.setFillGray(SHADE)
            c.rect(self.left, top - height, self.right - self.left, height, stroke=0, fill=1)
            c.setFillGray(0)

        c.setFillGray(GREY)
        draw_text(c, x_check + CHECK_W / 2, top - 11, str(number), size=8, align="centre")
        c.setFillGray(0)
        c.setLineWidth(0.8)
        c.setStrokeGray(0)
        c.rect(x_check + CHECK_W / 2 - 5, top - 28, 10, 10, stroke=1, fill=0)

        location, size = fit_text(stop.location, LATIN_BOLD, BIN_W - 8, 14, 7)
        draw_text(c, x_bin + 4, top - 17, location, latin_font=LATIN_BOLD, size=size)

        sku, size = fit_text(stop.sku, LATIN_BOLD, self.item_w - 8, 9.5, 6.5)
        draw_text(c, x_item + 4, top - 12, sku, latin_font=LATIN_BOLD, size=size)
        for i, line in enumerate(title_lines):
            draw_text(c, x_item + 4, top - 23 - i * LINE, line, size=8.5)

        self._product_barcode(stop.product_barcode, x_code, top)

        quantity, size = fit_text(str(stop.total), LATIN_BOLD, QTY_W - 6, 20, 9)
        draw_text(
            c,
            x_qty + QTY_W / 2,
            top - 21,
            quantity,
            latin_font=LATIN_BOLD,
            size=size,
            align="centre",
        )

        for i, line in enumerate(tote_lines):
            draw_text(c, x_totes + 4, top - 13 - i * LINE, line, size=9.5)

        self.y = top - height
        self._rule(self.y, 0.4)

    def _product_barcode(self, value: str, x: float, top: float) -> None:
        """The product's barcode as text, and as bars when they fit at a scannable size."""
        if not value:
            return
        text, size = fit_text(value, LATIN, CODE_W - 8, 8.5, 6)
        draw_text(self.canvas, x + 4, top - 11, text, size=size)
        try:
            fits = code128_width(value, module_width=PRODUCT_MODULE, dpi=DPI) <= CODE_W
        except ValueError:  # not printable ASCII: the text alone says it
            return
        if fits:
            draw_code128(
                self.canvas,
                value,
                x,
                top - 34,
                height=18,
                module_width=PRODUCT_MODULE,
                dpi=DPI,
                human_readable=False,
            )

    def _unbinned_table(self) -> None:
        tote_of = {share.order_ref: share.tote for share in self.pick.totes}
        self._ensure(18 + 30 + 16 + 24)
        self.canvas.setFillColorRGB(0.7, 0, 0)
        self._section_title("SKUs with no bin")
        self.canvas.setFillGray(0)
        draw_text(
            self.canvas,
            self.left,
            self.y - 4,
            "Not on the walk above: find these before closing the wave.",
            size=8.5,
        )
        self.y -= 14
        self._unbinned_header()
        self._continued = self._unbinned_header
        for number, item in enumerate(self.pick.unbinned, start=1):
            self._unbinned_row(item, tote_of, shaded=number % 2 == 0)
        self._continued = None

    def _unbinned_columns(self) -> tuple[float, ...]:
        sku_w, qty_w, orders_w = 120.0, 46.0, 150.0
        title_w = self.right - self.left - sku_w - qty_w - orders_w
        return (self.left, self.left + sku_w, self.left + sku_w + title_w, self.right - orders_w)

    def _unbinned_header(self) -> None:
        labels = ("SKU", "Title", "Qty", "Totes and orders")
        self._table_header(labels, self._unbinned_columns(), (0, 0, 1, 0))

    def _unbinned_row(self, item: Unbinned, tote_of: dict[str, int], *, shaded: bool) -> None:
        c = self.canvas
        x_sku, x_title, x_qty, x_orders = self._unbinned_columns()
        title_w, orders_w = x_qty - x_title - 8, self.right - x_orders - 8
        refs = ", ".join(
            f"T{tote_of[ref]} {ref}" if ref in tote_of else ref for ref in item.order_refs
        )
        orders = wrap_text(refs, LATIN, 9, orders_w)
        title = wrap_text(item.title, LATIN, 9, title_w, max_lines=TITLE_LINES)
        height = max(24.0, 8 + LINE * max(len(orders), len(title)))
        self._ensure(height)
        top = self.y
        if shaded:
            c.setFillGray(SHADE)
            c.rect(self.left, top - height, self.right - self.left, height, stroke=0, fill=1)
            c.setFillGray(0)
        sku, size = fit_text(item.sku, LATIN_BOLD, x_title - x_sku - 8, 10, 6.5)
        draw_text(c, x_sku + 4, top - 13, sku, latin_font=LATIN_BOLD, size=size)
        for i, line in enumerate(title):
            draw_text(c, x_title + 4, top - 13 - i * LINE, line, size=9)
        quantity, size = fit_text(str(item.quantity), LATIN_BOLD, x_orders - x_qty - 6, 14, 8)
        draw_text(
            c,
            (x_qty + x_orders) / 2,
            top - 15,
            quantity,
            latin_font=LATIN_BOLD,
            size=size,
            align="centre",
        )
        for i, line in enumerate(orders):
            draw_text(c, x_orders + 4, top - 13 - i * LINE, line, size=9)
        self.y = top - height
        self._rule(self.y, 0.4)

    # -- building blocks -----------------------------------------------------------------

    def _section_title(self, title: str) -> None:
        draw_text(self.canvas, self.left, self.y - 11, title, latin_font=LATIN_BOLD, size=11)
        self.y -= 18

    def _table_header(
        self, labels: tuple[str, ...], xs: tuple[float, ...], centred: tuple[int, ...]
    ) -> None:
        c, height = self.canvas, 16.0
        c.setFillGray(0.82)
        c.rect(self.left, self.y - height, self.right - self.left, height, stroke=0, fill=1)
        c.setFillGray(0)
        edges = (*xs[1:], self.right)
        for label, x, edge, centre in zip(labels, xs, edges, centred, strict=True):
            if centre:
                draw_text(
                    c,
                    (x + edge) / 2,
                    self.y - 11,
                    label,
                    latin_font=LATIN_BOLD,
                    size=8.5,
                    align="centre",
                )
            else:
                draw_text(c, x + 4, self.y - 11, label, latin_font=LATIN_BOLD, size=8.5)
        self.y -= height

    def _rule(self, y: float, width: float) -> None:
        self.canvas.setStrokeGray(RULE if width < 1 else 0)
        self.canvas.setLineWidth(width)
        self.canvas.line(self.left, y, self.right, y)

    def _ensure(self, height: float) -> None:
        """Start a new page unless ``height`` points still fit above the footer."""
        if self.y - height >= CONTENT_BOTTOM:
            return
        self._footer()
        self.canvas.showPage()
        self.page += 1
        self.y = self.height - MARGIN
        self.canvas.setFillGray(GREY)
        draw_text(
            self.canvas,
            self.left,
            self.y - 9,
            f"PICK LIST {self.pick.wave_code} (continued)",
            latin_font=LATIN_BOLD,
            size=8,
        )
        self.canvas.setFillGray(0)
        self.y -= 18
        if self._continued is not None:
            self._continued()

    def _footer(self) -> None:
        total = "?" if self.total_pages is None else str(self.total_pages)
        self.canvas.setFillGray(0)
        draw_text(
            self.canvas,
            self.width / 2,
            FOOTER_BASELINE,
            f"{self.pick.wave_code} · page {self.page}/{total}",
            size=8.5,
            align="centre",
        )
