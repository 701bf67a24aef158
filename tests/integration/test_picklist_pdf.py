"""The pick-list PDF read back as a picker's scanner and a PDF reader would see it."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from reportlab.lib.pagesizes import A4, LETTER

from omsctl.documents.fonts import font_for
from omsctl.documents.picklist import picklist_csv, render_picklist
from omsctl.domain.picking import PickList, PickStop, ToteShare, Unbinned

CHINESE = "龙井绿茶 100g"
JAPANESE = "抹茶パウダー 宇治 30g"
GERMAN = "Bio-Kräutertee Früchtezauber, 250 g"
RUSSIAN = "Чай Да Хун Пао"
FRENCH = "Thé à la menthe — théière céramique"

# (bin, sku, title, product barcode, {tote: quantity})
STOPS = (
    ("A-01-01-A", "TEA-LJ-100", CHINESE, "6901234567892", {1: 2, 3: 1}),
    ("A-01-03-B", "TEA-MAT-30", JAPANESE, "4901234567894", {2: 1}),
    ("A-02-01-A", "TEA-KRT-250", GERMAN, "4006381333931", {4: 3, 5: 1}),
    ("A-02-05-C", "TEA-DHP-50", RUSSIAN, "4607012345673", {6: 2}),
    ("B-01-02-A", "CUP-GLS-300", "Double-wall glass cup 300 ml", "5012345678900", {1: 1}),
    ("B-01-04-B", "POT-CER-MNT", FRENCH, "3401234567897", {6: 1}),
    ("B-02-01-A", "INF-STL-01", "Stainless steel tea infuser", "0012345678905", {2: 2, 3: 2}),
    ("B-03-02-A", "KET-GLS-1L", "Glass kettle 1 l with bamboo lid", "8712345678906", {5: 1}),
    ("C-01-01-A", "TIN-250-BLK", "Airtight tea tin, matte black", "5901234123457", {1: 1, 4: 1}),
    ("C-01-02-A", "GIFT-BOX-S", "Gift box, small", "GB-S-0001", {3: 1}),
    ("C-02-03-B", "HONEY-AC-500", "Acacia honey 500 g", "4311501234563", {4: 2, 6: 1}),
    (
        "D-01-01-A",
        "SET-OOLONG-TASTING-XL",
        "Oolong tasting set: Tieguanyin, Dong Ding, Oriental Beauty, Milk Oolong, "
        "Da Hong Pao and Shui Xian, 6 × 25 g in a wooden gift box with tasting notes",
        "SUPPLIER-REF-0000012345678",
        {2: 1, 5: 2},
    ),
)


def wave(stops: tuple = STOPS) -> PickList:
    """Six orders in six totes, a walk through four aisles, and one SKU nobody binned."""
    unbinned = (Unbinned("TEA-SAMPLE-SET", "Probierset Oolong 5 × 10 g", 2, ("#1004", "#1006")),)
    units = {tote: 0 for tote in range(1, 7)}
    pick_stops = []
    for seq, (location, sku, title, code, shares) in enumerate(stops, start=1):
        for tote, quantity in shares.items():
            units[tote] += quantity
        pick_stops.append(
            PickStop(
                location=location,
                pick_sequence=seq * 10,
                sku=sku,
                title=title,
                product_barcode=code,
                total=sum(shares.values()),
                totes=tuple(ToteShare(t, f"#{1000 + t}", q) for t, q in shares.items()),
            )
        )
    units[4] += 1
    units[6] += 1
    return PickList(
        wave_id=42,
        wave_code="WAVE-000042",
        warehouse="BER",
        strategy="zone",
        created_at_text="2026-11-20 09:15 CET",
        totes=tuple(ToteShare(t, f"#{1000 + t}", n) for t, n in units.items()),
        stops=tuple(pick_stops),
        unbinned=unbinned,
    )


def long_wave() -> PickList:
    """Two walks' worth of stops, so the list runs over two pages."""
    stops = tuple(
        (f"E-{n:02d}-01-A", f"{sku}-E", title, code, shares)
        for n, (_, sku, title, code, shares) in enumerate(STOPS, start=1)
    )
    return wave(STOPS + stops)


def render(pick: PickList, page_size: tuple[float, float] = A4) -> bytes:
    out = io.BytesIO()
    render_picklist(pick, out, page_size=page_size)
    return out.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def barcodes_on(pdf: bytes, page: int, dpi: int) -> list[str]:
    """Render one page as a printer of ``dpi`` would and read every Code128 on it."""
    document = pdfium.PdfDocument(pdf)
    try:
        image = document[page].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        document.close()
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    return [barcode.text for barcode in found]


def drawn(pdf: bytes) -> list[tuple[str, str, float]]:
    """(text, font, size) of every piece of text shown, page after page."""
    pieces: list[tuple[str, str, float]] = []

    def visit(text: str, cm: list, tm: list, fonts: dict | None, size: float) -> None:
        if text.strip() and fonts:
            pieces.append((text.strip(), fonts["/BaseFont"], size * tm[0] * cm[0]))

    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return pieces


@pytest.fixture(scope="module")
def one_wave() -> bytes:
    return render(wave())


@pytest.fixture(scope="module")
def two_pages() -> bytes:
    return render(long_wave())


def test_every_page_has_a_footer_with_the_wave_and_page_i_of_n(two_pages: bytes) -> None:
    texts = page_texts(two_pages)

    assert len(texts) == 2
    for number, text in enumerate(texts, start=1):
        assert f"WAVE-000042 · page {number}/2" in text


def test_the_header_names_warehouse_strategy_time_and_counts(one_wave: bytes) -> None:
    first = page_texts(one_wave)[0]

    assert "WAVE-000042" in first
    assert "Warehouse BER" in first
    assert "Strategy zone" in first
    assert "Created 2026-11-20 09:15 CET" in first
    assert "6 orders" in first
    assert f"{wave().units} units" in first
    assert "12 stops" in first


def test_stops_appear_in_walking_order_with_bin_sku_and_quantity(one_wave: bytes) -> None:
    pieces = [text for text, _, _ in drawn(one_wave)]
    stops = wave().stops

    starts = [i for i, piece in enumerate(pieces) if piece in {s.location for s in stops}]
    assert [pieces[i] for i in starts] == [stop.location for stop in stops]
    for start, end, stop in zip(starts, [*starts[1:], len(pieces)], stops, strict=True):
        row = pieces[start:end]
        assert stop.sku in row
        assert str(stop.total) in row


def test_the_pick_table_header_repeats_on_the_next_page(two_pages: bytes) -> None:
    second = page_texts(two_pages)[1]

    assert "PICK LIST WAVE-000042 (continued)" in second
    assert "# Bin SKU / title Product barcode Qty Totes" in second


def test_the_tote_breakdown_and_the_tote_table_are_printed(one_wave: bytes) -> None:
    text = "\n".join(page_texts(one_wave))

    assert "T1×2 T3×1" in text
    assert "T4×3 T5×1" in text
    for tote in range(1, 7):
        assert f"#{1000 + tote}" in text


def test_bins_and_quantities_are_bold_and_large(one_wave: bytes) -> None:
    pieces = drawn(one_wave)

    assert ("A-01-01-A", "/Helvetica-Bold", 14.0) in pieces
    assert ("3", "/Helvetica-Bold", 20.0) in pieces  # stop 1: T1×2 + T3×1
    quantities = [(font, size) for text, font, size in pieces if text in {"1", "2", "3", "4"}]
    assert quantities.count(("/Helvetica-Bold", 20.0)) == len(STOPS)


def test_each_script_is_drawn_in_a_font_that_has_it(one_wave: bytes) -> None:
    fonts = {text: font for text, font, _ in drawn(one_wave)}

    assert fonts["龙井绿茶"] == "/STSong-Light"
    assert fonts["抹茶パウダー"] == "/HeiseiMin-W3"
    assert fonts["Чай"] == "/HeiseiMin-W3"
    assert fonts[GERMAN] == "/Helvetica"
    assert fonts[FRENCH] == "/Helvetica"


@pytest.mark.parametrize(
    ("title", "font"),
    [
        ("Grüner Tee – Öko", "Helvetica"),
        ("녹차 티백 20개", "HYSMyeongJo-Medium"),
        ("京都の抹茶", "HeiseiMin-W3"),
        ("普洱茶饼 357g", "STSong-Light"),
        ("Чай", "HeiseiMin-W3"),
        ("Herbata Żółta łagodna", "Helvetica"),  # not in any built-in font: visible boxes
    ],
)
def test_font_for_picks_by_the_scripts_in_the_text(title: str, font: str) -> None:
    assert font_for(title) == font


@pytest.mark.parametrize("title", [CHINESE, JAPANESE, GERMAN, RUSSIAN, FRENCH])
def test_titles_in_every_script_read_back_as_the_same_text(one_wave: bytes, title: str) -> None:
    text = "\n".join(page_texts(one_wave))

    assert title in text


def test_skus_with_no_bin_are_listed_at_the_end_with_their_totes(one_wave: bytes) -> None:
    text = "\n".join(page_texts(one_wave))

    tail = text[text.index("SKUs with no bin") :]
    assert "TEA-SAMPLE-SET" in tail
    assert "Probierset Oolong 5 × 10 g" in tail
    assert "T4 #1004, T6 #1006" in tail
    assert text.index("SKUs with no bin") > text.index("D-01-01-A")


def test_a_title_too_long_for_its_column_is_cut_with_an_ellipsis(one_wave: bytes) -> None:
    text = "\n".join(page_texts(one_wave))

    assert "Oolong tasting set" in text
    assert "tasting notes" not in text
    assert "…" in text


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_wave_barcode_and_product_barcodes_decode_at_printer_resolutions(
    one_wave: bytes, dpi: int
) -> None:
    found = barcodes_on(one_wave, 0, dpi)

    assert found.count("WAVE-000042") == 1
    drawn = {code for *_, code, _ in STOPS if len(code) <= 13}
    assert drawn <= set(found)
    assert set(found) <= drawn | {"WAVE-000042"}


def test_a_product_barcode_too_long_to_scan_in_its_column_is_text_only(one_wave: bytes) -> None:
    assert "SUPPLIER-REF-0000012345678" in "\n".join(page_texts(one_wave))
    assert "SUPPLIER-REF-0000012345678" not in barcodes_on(one_wave, 0, 203)


def test_letter_paper_holds_the_same_list(two_pages: bytes) -> None:
    letter = render(long_wave(), LETTER)
    reader = pypdf.PdfReader(io.BytesIO(letter))

    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [612, 792]
    texts = page_texts(letter)
    for number, text in enumerate(texts, start=1):
        assert f"WAVE-000042 · page {number}/{len(texts)}" in text
    assert all(stop.location in "\n".join(texts) for stop in long_wave().stops)


def test_a_wave_with_only_unbinned_skus_still_renders() -> None:
    pdf = render(replace(wave(), stops=()))

    text = "\n".join(page_texts(pdf))
    assert "Nothing to pick from bins." in text
    assert "TEA-SAMPLE-SET" in text


def test_the_csv_has_one_row_per_stop_and_tote_in_walking_order() -> None:
    rows = list(csv.DictReader(io.StringIO(picklist_csv(wave()))))

    assert list(rows[0]) == [
        "stop",
        "location",
        "sku",
        "title",
        "product_barcode",
        "quantity",
        "tote",
        "order",
    ]
    assert rows[:2] == [
        {
            "stop": "1",
            "location": "A-01-01-A",
            "sku": "TEA-LJ-100",
            "title": CHINESE,
            "product_barcode": "6901234567892",
            "quantity": "2",
            "tote": "1",
            "order": "#1001",
        },
        {
            "stop": "1",
            "location": "A-01-01-A",
            "sku": "TEA-LJ-100",
            "title": CHINESE,
            "product_barcode": "6901234567892",
            "quantity": "1",
            "tote": "3",
            "order": "#1003",
        },
    ]
    assert len(rows) == sum(len(stop.totes) for stop in wave().stops)
    assert sum(int(row["quantity"]) for row in rows) == sum(s.total for s in wave().stops)
    assert {row["title"] for row in rows} >= {JAPANESE, RUSSIAN, GERMAN}
