"""ZPL labels read the way a Zebra printer parses them: formats, fields, barcodes, escapes."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from omsctl.documents.barcodes import code128_modules
from omsctl.documents.zpl import escape, render_zpl
from omsctl.domain.labels import Label, Party

SENDER = Party("Teehaus Morgenrot", "", ("Lindenstraße 12", "Berlin"), "10969", "DE", "")
HANGZHOU = Label(
    order_ref="113-1234567-1234567",
    sender=SENDER,
    recipient=Party(
        "王小明", "", ("浙江省杭州市西湖区", "文三路90号"), "310013", "CN", "138****8000"
    ),
    carrier="SF",
    service="顺丰标快",
    tracking_number="SF1234567890123",
    weight_kg="1.25",
    package=1,
    packages=2,
    date_text="2026-11-20",
    marks=("FRAGILE", "LIQUID"),
    reference="WAVE-000042 T3",
)
MUNICH = replace(
    HANGZHOU,
    order_ref="#1002",
    recipient=Party("Jürgen Müller", "", ("Leopoldstraße 7",), "80802", "DE", "+49 89 ****567"),
    carrier="DHL",
    service="PAKET",
    tracking_number="00340434161094042557",
    marks=(),
)
UNTRACKED = replace(MUNICH, order_ref="#1003", tracking_number="")

BARCODE = re.compile(
    r"\^FO(\d+),(\d+)\^BY(\d+),3,(\d+)(?:\^A0N,\d+,\d+)?\^BCN,(\d+),([YN]),N,N,A\^FD([^^]*)\^FS"
)
FIELD = re.compile(
    r"\^FO(\d+),(\d+)\^A(\w)N,(\d+),\d+\^FB(\d+),1,0,([LCR]),0(\^FR)?\^FH_\^FD([^^]*)\^FS"
)


def formats(zpl: str) -> list[str]:
    """The ``^XA … ^XZ`` formats of a ZPL stream, checking nothing is outside them."""
    found = re.findall(r"\^XA.*?\^XZ", zpl, flags=re.S)
    assert zpl == "".join(f"{label}\n" for label in found)
    return found


def texts(label_zpl: str) -> list[str]:
    return [match[-1] for match in FIELD.findall(label_zpl)]


def test_one_format_per_label_in_the_given_order_each_utf8_and_4x6_inches() -> None:
    zpl = render_zpl([MUNICH, HANGZHOU, UNTRACKED])
    found = formats(zpl)

    assert len(found) == 3
    assert ["#1002" in found[0], "113-1234567-1234567" in found[1], "#1003" in found[2]] == [
        True
    ] * 3
    for label in found:
        assert label.startswith("^XA\n^CI28\n^PW812\n^LL1218\n^LH0,0\n")
        assert label.endswith("^XZ")


def test_300_dpi_labels_are_1200_by_1800_dots_with_modules_of_the_same_size() -> None:
    label = render_zpl([MUNICH], dpi=300)

    assert "^PW1200\n^LL1800" in label
    dots = {m[-1]: int(m[2]) for m in BARCODE.findall(label)}
    assert dots["#1002"] == 3  # 10 mil, as at 203 dpi (2 dots)
    assert dots["00340434161094042557"] >= 3


def test_barcode_fields_carry_exactly_the_tracking_and_order_numbers() -> None:
    for label in (MUNICH, HANGZHOU):
        found = BARCODE.findall(render_zpl([label]))
        data = sorted(match[-1] for match in found)

        assert data == sorted([label.tracking_number, label.order_ref])
        for _, _, dots, by_height, bc_height, line, _ in found:
            assert int(dots) >= 2
            assert by_height == bc_height
            assert line == "Y"  # human-readable line under the bars


def test_barcodes_fit_the_label_with_their_quiet_zones() -> None:
    for label in (MUNICH, HANGZHOU):
        for x, _, dots, _, _, _, data in BARCODE.findall(render_zpl([label])):
            bars = len(code128_modules(data)) * int(dots)
            quiet = 10 * int(dots)
            assert int(x) - quiet >= 0
            assert int(x) + bars + quiet <= 812


def test_every_field_lies_inside_the_label() -> None:
    label = render_zpl([HANGZHOU])
    fields = FIELD.findall(label)

    assert len(fields) > 20
    for x, y, _, height, width, *_ in fields:
        assert int(x) >= 0 and int(x) + int(width) <= 812
        assert int(y) >= 0 and int(y) + int(height) <= 1218
    for x, y, width, height in re.findall(r"\^FO(\d+),(\d+)\^GB(\d+),(\d+),", label):
        assert int(x) + int(width) <= 812
        assert int(y) + int(height) <= 1218


def test_the_same_content_as_the_pdf_sender_recipient_facts_and_marks() -> None:
    fields = texts(render_zpl([HANGZHOU]))

    for expected in (
        "SF",
        "顺丰标快",
        "王小明",
        "浙江省杭州市西湖区",
        "文三路90号",
        "310013",
        "CN",
    ):
        assert expected in fields
    assert "Tel\u00a0138****8000" in fields
    assert [f for f in fields if f in ("1.25 kg", "1 / 2", "2026-11-20", "WAVE-000042 T3")] == [
        "1.25 kg",
        "1 / 2",
        "2026-11-20",
        "WAVE-000042 T3",
    ]


def test_handling_marks_are_white_on_black_boxes() -> None:
    label = render_zpl([HANGZHOU])
    reversed_fields = [m[-1] for m in FIELD.findall(label) if m[-2]]

    assert reversed_fields == ["FRAGILE", "LIQUID"]
    assert len(re.findall(r"\^GB(\d+),(\d+),\2,B,0", label)) >= 2  # filled: thickness = height


def test_without_a_tracking_number_only_the_order_is_a_barcode_and_the_label_says_so() -> None:
    label = render_zpl([UNTRACKED])

    assert [m[-1] for m in BARCODE.findall(label)] == ["#1003"]
    assert "NO TRACKING NUMBER" in texts(label)


def test_cjk_text_uses_the_mapped_unicode_font_when_the_printer_has_one() -> None:
    label = render_zpl([HANGZHOU], unicode_font="E:NOTOSANS.TTF")
    fonts = {m[-1]: m[2] for m in FIELD.findall(label)}

    assert "^CW1,E:NOTOSANS.TTF" in label
    assert fonts["王小明"] == "1"
    assert fonts["浙江省杭州市西湖区"] == "1"
    assert fonts["310013"] == "0"  # Latin stays in the resident font


def test_without_a_unicode_font_every_field_uses_resident_font_0() -> None:
    label = render_zpl([HANGZHOU])

    assert "^CW" not in label
    assert {m[2] for m in FIELD.findall(label)} == {"0"}


def test_zpl_command_characters_in_text_are_escaped_not_obeyed() -> None:
    sneaky = replace(
        MUNICH,
        recipient=replace(MUNICH.recipient, name="A^XZ~JR_B\\&C", lines=("Line\nbreak\tand tab",)),
    )
    label = formats(render_zpl([sneaky]))

    assert len(label) == 1
    assert "A_5EXZ_7EJR_5FB\\\\&C" in texts(label[0])
    assert "Line break and tab" in texts(label[0])


@pytest.mark.parametrize(("text", "escaped"), [("a_b", "a_5Fb"), ("^", "_5E"), ("~", "_7E")])
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped


def test_a_number_with_zpl_or_invocation_characters_is_printed_as_text() -> None:
    odd = replace(MUNICH, tracking_number="AB>1234")
    label = render_zpl([odd])

    assert [m[-1] for m in BARCODE.findall(label)] == ["#1002"]
    assert "AB>1234" in texts(label)
