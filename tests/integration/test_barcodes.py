"""Code128 drawn on a PDF page, printed (rendered) at thermal-printer resolutions and scanned."""

from __future__ import annotations

import io
import math
from itertools import groupby

import numpy as np
import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from reportlab.pdfgen.canvas import Canvas

from omsctl.documents.barcodes import (
    code128_geometry,
    code128_modules,
    code128_width,
    draw_code128,
)

MARGIN = 10.3  # deliberately off the dot grid: draw_code128 must snap


def page_with(data: str, *, dpi: int = 203, **options: object) -> bytes:
    """A small page holding nothing but one barcode, like a test label.

    Whole inches wide, so the page is whole dots at 203 and 300 dpi: PDFium stretches a
    page a fraction of a pixel wide to the next pixel, which would move bars by a dot.
    """
    needed = code128_width(data, dpi=dpi, **options) + 2 * MARGIN  # type: ignore[arg-type]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(math.ceil(needed / 72) * 72, 72))
    draw_code128(canvas, data, MARGIN, 10, height=50, dpi=dpi, **options)  # type: ignore[arg-type]
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def printed(pdf: bytes, dpi: int) -> np.ndarray:
    """The page as a printer of ``dpi`` would lay it down: one pixel per dot, grey 0-255."""
    document = pdfium.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72, grayscale=True).to_numpy()
    finally:
        document.close()


def scan(pdf: bytes, dpi: int) -> list[str]:
    found = zxingcpp.read_barcodes(printed(pdf, dpi), formats=zxingcpp.BarcodeFormat.Code128)
    return [barcode.text for barcode in found]


@settings(max_examples=40, deadline=None)
@given(st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=20))
@example("9912")  # python-barcode 0.16 alone encodes this as "12"
@example("99")
@example(" ")
@example("WAVE-000042")
@example("`{|}~ ^_\\")
@example("12345678901234567890")
def test_every_printable_ascii_string_scans_back_exactly_at_203_dpi(data: str) -> None:
    assert scan(page_with(data), 203) == [data]


@pytest.mark.parametrize("data", ["WAVE-000042", "9912", "TEA-LJ-100 x2", "6901234567892"])
def test_it_also_scans_when_printed_at_300_dpi(data: str) -> None:
    assert scan(page_with(data, dpi=300), 300) == [data]
    assert scan(page_with(data, dpi=203), 300) == [data]


@pytest.mark.parametrize("dpi", [203, 300])
@pytest.mark.parametrize("data", ["WAVE-000042", "A", "0123456789"])
def test_every_bar_and_space_prints_as_whole_dots_in_proportion(data: str, dpi: int) -> None:
    geometry = code128_geometry(data, dpi=dpi)
    row = printed(page_with(data, dpi=dpi), dpi)[40 * dpi // 72] < 128  # through the bars

    first, last = np.flatnonzero(row)[[0, -1]]
    printed_runs = [len(list(run)) for _, run in groupby(row[first : last + 1])]
    expected = [len(list(run)) * geometry.dots_per_module for _, run in groupby(geometry.modules)]
    assert printed_runs == expected


@pytest.mark.parametrize("dpi", [203, 300])
def test_bar_edges_in_the_pdf_sit_a_quarter_dot_inside_whole_printer_dots(dpi: int) -> None:
    pdf = page_with("WAVE-000042", dpi=dpi)
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    content = pypdf.generic.ContentStream(page.get_contents(), page.pdf)

    rects = [[float(v) for v in operands] for operands, op in content.operations if op == b"re"]
    assert len(rects) == sum(1 for bit, _ in groupby(code128_modules("WAVE-000042")) if bit)
    for x, _, width, _ in rects:
        left, right = x * dpi / 72 - 0.25, (x + width) * dpi / 72 + 0.25
        assert left == pytest.approx(round(left), abs=1e-3)
        assert right == pytest.approx(round(right), abs=1e-3)


def test_the_drawn_width_holds_ten_blank_modules_either_side_of_the_bars() -> None:
    geometry = code128_geometry("WAVE-000042", dpi=203)
    row = printed(page_with("WAVE-000042"), 203)[40 * 203 // 72] < 128

    first, last = np.flatnonzero(row)[[0, -1]]
    origin = math.ceil(MARGIN * 203 / 72)  # x moved right to the next dot boundary
    quiet = 10 * geometry.dots_per_module
    assert first == origin + quiet
    assert last + 1 == origin + geometry.total_modules * geometry.dots_per_module - quiet


@pytest.mark.parametrize(
    ("dpi", "module_width", "dots"),
    [(203, None, 2), (300, None, 3), (203, 1.0, 2), (300, 1.0, 4), (203, 0.1, 1)],
)
def test_modules_are_a_whole_number_of_dots(
    dpi: int, module_width: float | None, dots: int
) -> None:
    geometry = code128_geometry("WAVE-000042", module_width=module_width, dpi=dpi)

    assert geometry.dots_per_module == dots
    assert geometry.module_width == pytest.approx(dots * 72 / dpi)


def test_a_maximum_width_gets_the_widest_modules_that_fit() -> None:
    modules = len(code128_modules("WAVE-000042")) + 20
    three_dots = modules * 3 * 72 / 203

    assert code128_geometry("WAVE-000042", max_width=three_dots).dots_per_module == 3
    assert code128_geometry("WAVE-000042", max_width=three_dots - 0.01).dots_per_module == 2
    with pytest.raises(ValueError, match=r"barcode 'WAVE-000042' needs 54\.\d pt at 203 dpi"):
        code128_geometry("WAVE-000042", max_width=50)


def test_draw_returns_the_width_it_takes() -> None:
    canvas = Canvas(io.BytesIO())
    on_grid = 30 * 72 / 203

    assert draw_code128(canvas, "WAVE-000042", on_grid, 0, height=40) == pytest.approx(
        code128_width("WAVE-000042")
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("é", r"Code128 cannot encode 'é' \(U\+00E9\) at position 1 of 'é'"),
        ("Straße 12", r"cannot encode 'ß' \(U\+00DF\) at position 5"),
        ("A\x01B", r"cannot encode '\\x01' \(U\+0001\) at position 2"),
        ("T\tab", r"cannot encode '\\t'"),
        ("España", r"cannot encode 'ñ'"),  # python-barcode would print FNC1 in its place
        ("", "a Code128 barcode needs at least one character"),
    ],
)
def test_characters_code128_cannot_carry_are_refused_by_name(data: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        code128_modules(data)


def test_a_quiet_zone_below_the_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 10 modules"):
        code128_geometry("A", quiet_zone_modules=4)
