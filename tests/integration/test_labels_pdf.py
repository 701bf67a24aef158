"""Shipping-label PDFs read back as a carrier's scanner, a PDF reader and a ruler would."""

from __future__ import annotations

import io
from dataclasses import replace
from functools import cache

import numpy as np
import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp

from omsctl.documents.fonts import LATIN, LATIN_BOLD, text_width
from omsctl.documents.label_layout import Bars, Text, layout_label
from omsctl.documents.labels import SHEETS, render_labels
from omsctl.domain.labels import Label, Party

DPI = 203
SENDER = Party(
    "Teehaus Morgenrot",
    "Morgenrot GmbH",
    ("Lindenstraße 12", "Berlin"),
    "10969",
    "DE",
    "+49 30 ******89",
)
SENDER_CN = Party(
    "杭州茶仓", "", ("浙江省杭州市余杭区", "仓前街道良睦路1399号"), "311121", "CN", "0571****6666"
)


def label(
    ref: str,
    recipient: Party,
    *,
    tracking: str,
    carrier: str = "DHL",
    service: str = "PAKET",
    marks: tuple[str, ...] = (),
    sender: Party = SENDER,
    reference: str = "WAVE-000042 T3",
) -> Label:
    return Label(
        ref,
        sender,
        recipient,
        carrier,
        service,
        tracking,
        "1.25",
        1,
        2,
        "2026-11-20",
        marks,
        reference,
    )


GERMAN = label(
    "#1001",
    Party(
        "Jürgen Müller-Lüdenscheidt",
        "Bäckerei Größenwahn",
        ("Königsallee 92a", "Hinterhaus, 3. OG", "Düsseldorf"),
        "40212",
        "DE",
        "+49 211 ****567",
    ),
    tracking="00340434161094042557",
    marks=("FRAGILE",),
)
CHINESE = label(
    "113-1234567-1234567",
    Party("王小明", "", ("浙江省杭州市西湖区", "文三路90号"), "310013", "CN", "138****8000"),
    tracking="SF1234567890123",
    carrier="SF",
    service="顺丰标快",
    sender=SENDER_CN,
    marks=("FRAGILE", "LIQUID"),
)
JAPANESE = label(
    "#1003",
    Party(
        "山田 太郎",
        "株式会社サンプル",
        ("東京都千代田区丸の内1-1-1", "パレスビル 5階"),
        "100-0005",
        "JP",
        "090-****-5678",
    ),
    tracking="123456789012",
    carrier="JP",
    service="ゆうパック",
)
KOREAN = label(
    "#1004",
    Party(
        "김민수",
        "",
        ("서울특별시 강남구 테헤란로 152", "강남파이낸스센터 20층"),
        "06236",
        "KR",
        "010-****-5678",
    ),
    tracking="6012345678901",
    carrier="CJ",
    service="택배",
)
RUSSIAN = label(
    "#1005",
    Party(
        "Иванов Иван Иванович",
        "ООО «Ромашка»",
        ("ул. Тверская, д. 7, кв. 15", "Москва"),
        "125009",
        "RU",
        "+7 916 ***-45-67",
    ),
    tracking="RA123456789CN",
    carrier="EMS",
    service="EXPRESS",
    marks=("VALUABLE",),
)
LONG = label(
    "ETSY-2026-000000123456",
    Party(
        "Maximiliane Alexandra Theodora von und zu Hohenzollern-Sigmaringen-Wittelsbach",
        "Internationale Gesellschaft für Teekultur und Porzellanmalerei e.V. (Abteilung Ostasien)",
        (
            "Straße des 17. Juni 135, Gebäude C, Aufgang 4, Zimmer 4711, bei Frau Dr. "
            "Schmidt-Rottluff abgeben",
            "Technische Universität Berlin, Zentrale Poststelle, Wareneingang Tor 3, Rampe 2",
            "Ortsteil Charlottenburg, Bezirk Charlottenburg-Wilmersdorf, Berlin",
            "Bitte nicht beim Nachbarn abgeben, sondern in der Packstation 123 hinterlegen",
            "浙江省杭州市西湖区文三路90号东部软件园科技大厦A座十八楼前台代收请勿放快递柜",
        ),
        "10623",
        "DE",
        "+49 30 *******0",
    ),
    tracking="1Z999AA10123456784",
    carrier="DEUTSCHE POST DHL GROUP",
    service="WARENPOST INTERNATIONAL PREMIUM SIGNATURE",
    marks=("FRAGILE", "LIQUID", "VALUABLE", "PERISHABLE", "HAZARDOUS", "OVERSIZE"),
    reference="WAVE-000042 T12 · priority express · customer asked for gift wrapping",
)
UNTRACKED = label(
    "#1007",
    Party("Anna Svensson", "", ("Drottninggatan 1", "Stockholm"), "111 51", "SE"),
    tracking="",
)
LABELS = (GERMAN, CHINESE, JAPANESE, KOREAN, RUSSIAN, LONG, UNTRACKED)


def codes(item: Label) -> list[str]:
    """What a scanner must read off ``item``: its tracking number (if any) and order number."""
    return sorted(x for x in (item.tracking_number, item.order_ref) if x)


@cache
def pdf(format: str) -> bytes:
    out = io.BytesIO()
    render_labels(LABELS, out, format=format)
    return out.getvalue()


@cache
def printed(format: str) -> tuple[np.ndarray, ...]:
    """Every page as a 203-dpi thermal printer lays it down: one grey pixel per dot."""
    document = pdfium.PdfDocument(pdf(format))
    try:
        return tuple(page.render(scale=DPI / 72, grayscale=True).to_numpy() for page in document)
    finally:
        document.close()


def cells(format: str) -> list[tuple[Label, np.ndarray]]:
    """Each label with the pixels of its own cell, in the order the labels were given."""
    sheet = SHEETS[format]
    cell_w, cell_h = sheet.cell
    out = []
    for n, item in enumerate(LABELS):
        page = printed(format)[n // sheet.per_page]
        slot = n % sheet.per_page
        column, row = slot % sheet.columns, slot // sheet.columns
        x0, y0 = round(column * cell_w * DPI / 72), round(row * cell_h * DPI / 72)
        x1, y1 = round((column + 1) * cell_w * DPI / 72), round((row + 1) * cell_h * DPI / 72)
        out.append((item, page[y0:y1, x0:x1]))
    return out


def scan(pixels: np.ndarray) -> list[str]:
    found = zxingcpp.read_barcodes(pixels, formats=zxingcpp.BarcodeFormat.Code128)
    return sorted(barcode.text for barcode in found)


def page_texts(format: str) -> list[str]:
    """Each page's text with runs of white space as one space: lines wrap where they fit."""
    pages = pypdf.PdfReader(io.BytesIO(pdf(format))).pages
    return [" ".join(page.extract_text().split()) for page in pages]


# -- barcodes ----------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["4x6", "a6"])
def test_every_barcode_on_every_thermal_label_scans_exactly_at_203_dpi(format: str) -> None:
    pages = printed(format)

    assert len(pages) == len(LABELS)
    for item, page in zip(LABELS, pages, strict=True):
        assert scan(page) == codes(item), item.order_ref


@pytest.mark.parametrize("format", ["a4", "letter"])
def test_every_barcode_on_a_sheet_scans_in_its_own_cell_in_the_given_order(format: str) -> None:
    assert len(printed(format)) == 2  # 4 + 3 labels
    for item, pixels in cells(format):
        assert scan(pixels) == codes(item), item.order_ref


def test_the_whole_a4_page_scans_too_all_eight_codes_at_once() -> None:
    expected = sorted(code for item in LABELS[:4] for code in codes(item))

    assert scan(printed("a4")[0]) == expected


def test_labels_for_a_300_dpi_printer_scan_at_300_dpi() -> None:
    out = io.BytesIO()
    render_labels([GERMAN, CHINESE], out, dpi=300)
    document = pdfium.PdfDocument(out.getvalue())
    try:
        pages = [page.render(scale=300 / 72, grayscale=True).to_numpy() for page in document]
    finally:
        document.close()

    assert [scan(page) for page in pages] == [codes(GERMAN), codes(CHINESE)]


def test_tracking_bars_are_at_least_two_dots_wide_and_order_bars_two() -> None:
    for item in LABELS:
        bars = [e for e in layout_label(item, 288, 432) if isinstance(e, Bars)]
        by_data = {b.data: b for b in bars}
        if item.tracking_number:
            assert by_data[item.tracking_number].dots >= 2
        assert by_data[item.order_ref].dots == 2


def test_a_label_without_tracking_number_says_so_and_carries_only_the_order_code() -> None:
    text = page_texts("4x6")[LABELS.index(UNTRACKED)]

    assert "NO TRACKING NUMBER" in text
    assert scan(printed("4x6")[LABELS.index(UNTRACKED)]) == ["#1007"]


def test_a_tracking_number_code128_cannot_carry_is_printed_as_text_not_dropped() -> None:
    odd = replace(GERMAN, tracking_number="ＳＦ１２３４５")  # full-width digits from a paste
    out = io.BytesIO()
    render_labels([odd], out)
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()))

    assert "ＳＦ１２３４５" in reader.pages[0].extract_text()


# -- text --------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["4x6", "a4"])
def test_names_postal_codes_and_numbers_are_text_in_every_script(format: str) -> None:
    text = "\n".join(page_texts(format))

    for item in LABELS[:-2]:  # the long one is cut on purpose, tested below
        party = item.recipient
        for expected in (party.name, party.postal_code, item.order_ref, item.carrier):
            assert expected in text, expected
        for line in party.lines:
            assert line in text
        assert item.tracking_number in text
        assert f"Tel {party.phone}" in text
    assert "浙江省杭州市西湖区" in text
    assert "310013" in text
    assert "138****8000" in text
    assert "FRAGILE" in text
    assert "LIQUID" in text
    assert "VALUABLE" in text


def test_latin_letters_beyond_western_europe_are_folded_not_printed_as_boxes() -> None:
    polish = replace(
        GERMAN,
        recipient=Party("Özlem Yılmaz", "", ("ul. Piotrkowska 3", "Łódź"), "90-001", "PL"),
    )
    out = io.BytesIO()
    render_labels([polish], out)
    text = pypdf.PdfReader(io.BytesIO(out.getvalue())).pages[0].extract_text()

    assert "Özlem Yilmaz" in text  # Helvetica has Ö but no dotless ı
    assert "Lódz" in text


def test_sheets_hold_four_labels_a_page_in_the_given_order() -> None:
    first, second = page_texts("a4")

    assert [ref in first for ref in ("#1001", "113-1234567-1234567", "#1003", "#1004")] == [
        True
    ] * 4
    assert "#1005" in second
    assert "#1007" in second
    assert "#1005" not in first


def test_page_sizes_are_4x6_inches_a6_a4_and_letter() -> None:
    sizes = {}
    for format in SHEETS:
        page = pypdf.PdfReader(io.BytesIO(pdf(format))).pages[0]
        sizes[format] = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))

    assert sizes == {"4x6": (288, 432), "a6": (298, 420), "a4": (595, 842), "letter": (612, 792)}


def test_an_unknown_format_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"unknown label format 'a5': use one of 4x6, a6, a4"):
        render_labels([GERMAN], io.BytesIO(), format="a5")


# -- nothing spills ----------------------------------------------------------------------


@pytest.mark.parametrize("format", list(SHEETS))
def test_no_ink_falls_in_the_margins_of_any_label(format: str) -> None:
    strip = round((SHEETS[format].margin - 1) * DPI / 72)
    for item, pixels in cells(format):
        dark = pixels < 128
        margins = {
            "top": dark[:strip],
            "bottom": dark[-strip:],
            "left": dark[:, :strip],
            "right": dark[:, -strip:],
        }
        assert {side: int(ink.sum()) for side, ink in margins.items()} == dict.fromkeys(
            margins, 0
        ), item.order_ref


@pytest.mark.parametrize("format", list(SHEETS))
def test_every_text_fits_its_box_and_nothing_overlaps(format: str) -> None:
    sheet = SHEETS[format]
    width, height = sheet.cell
    for item in LABELS:
        elements = layout_label(item, width, height, margin=sheet.margin)
        boxes = []
        for element in elements:
            if isinstance(element, Text):
                drawn = text_width(
                    element.text, LATIN_BOLD if element.bold else LATIN, element.size
                )
                assert drawn <= element.width + 0.01, element.text
                left = element.x + {"left": 0, "centre": 0.5, "right": 1}[element.align] * (
                    element.width - drawn
                )
                box = (
                    left,
                    element.y - 0.15 * element.size,
                    left + drawn,
                    element.y + 0.72 * element.size,
                )
                if not element.white:  # white text sits on its own black box
                    boxes.append((element.text, box))
            elif isinstance(element, Bars):
                box = (element.x, element.y, element.x + element.width, element.y + element.height)
                boxes.append((f"barcode {element.data}", box))
            else:
                box = (element.x, element.y, element.x + element.width, element.y + element.height)
            x0, y0, x1, y1 = box
            inside = sheet.margin - 0.01, width - sheet.margin + 0.01, height - sheet.margin + 0.01
            assert inside[0] <= x0 and x1 <= inside[1], (item.order_ref, box)
            assert inside[0] <= y0 and y1 <= inside[2], (item.order_ref, box)
        for i, (name, (ax0, ay0, ax1, ay1)) in enumerate(boxes):
            for other, (bx0, by0, bx1, by1) in boxes[i + 1 :]:
                overlap = ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1
                assert not overlap, (format, item.order_ref, name, other)


def test_a_very_long_address_is_shrunk_or_cut_with_an_ellipsis_never_dropped_silently() -> None:
    text = page_texts("letter")[1]

    assert "Maximiliane Alexandra Theodora" in text
    assert "10623" in text
    assert "…" in text  # cut where it could not fit, and visibly so


# -- the file ----------------------------------------------------------------------------


def test_labels_are_small_vector_pages_with_fonts_named_once() -> None:
    document = pdf("4x6")
    reader = pypdf.PdfReader(io.BytesIO(document))
    fonts = set()
    for page in reader.pages:
        resources = page["/Resources"]
        assert "/XObject" not in resources  # no images: bars are rectangles
        for ref in resources["/Font"].values():
            fonts.add(ref.idnum)

    assert len(document) / len(LABELS) < 10_000
    assert len(fonts) <= 5  # Helvetica, Helvetica-Bold and the CID fonts, shared by all pages
