"""The label layout: what goes where on a shipping label, for the PDF and the ZPL renderer.

One layout, two renderers. `layout_label` decides what goes where on a label of any size, as
plain elements (`Text`, `Box`, `Bars`) in points from the label's bottom-left corner; the PDF
painter in `labels.py` and the ZPL painter in `zpl.py` draw the same elements, so a Zebra
label says exactly what the PDF says. It lives apart from both so that neither renderer owns
the other's layout, and each stays a painter of plain elements.

Why it is laid out the way it is:

- **Nothing spills off the label.** Every text goes through `fit_text` (shrink, then cut with
  an ellipsis) or `wrap_text` with a line limit, measured against the width it owns. The
  recipient block takes the height the fixed sections leave and steps its sizes down until
  the address fits; only at the smallest step is the address cut, with an ellipsis.
- **Barcodes scan when printed.** Tracking and order numbers are Code128 with whole printer
  dots per module at ``dpi`` (203, the common thermal resolution, unless told); the tracking
  number as wide as fits up to 20 mil (4 dots at 203 dpi), the order number at 10 mil. A
  number Code128 cannot carry is printed as text, never dropped.
- **Every script gets real glyphs.** Latin letters neither Helvetica nor the CID fonts have
  (ı, ł, ş) are folded to their base letter (`label_text.drawable`), not printed as boxes.
- **Fast enough for a day's run.** Widths are remembered (`label_text.measure`) and
  Windows-1252 text skips the per-character script test (`is_plain`); the PDF painter uses
  both too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from omsctl.documents.barcodes import Code128Geometry, code128_geometry
from omsctl.documents.fonts import LATIN, LATIN_BOLD
from omsctl.documents.label_text import drawable_label, fit, measure, wrap

if TYPE_CHECKING:
    from collections.abc import Sequence

    from omsctl.domain.labels import Label, Party

DPI = 203
# Module widths in mils (thousandths of an inch), rounded to whole dots at the printer's dpi.
TRACKING_MAX_MIL = 20  # 4 dots at 203 dpi; wider only makes the symbol longer
ORDER_MIL = 10  # 2 dots at 203 dpi, 3 at 300: what handheld scanners read comfortably
RULE = 1.0


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text in a box ``width`` wide, aligned in it, with its baseline at ``y``."""

    x: float
    y: float
    width: float
    text: str
    size: float
    bold: bool = False
    align: str = "left"  # left, centre, right
    white: bool = False  # on a black box


@dataclass(frozen=True, slots=True)
class Box:
    """A filled rectangle, or an outline ``line`` points thick."""

    x: float
    y: float
    width: float
    height: float
    line: float = 0.0


@dataclass(frozen=True, slots=True)
class Bars:
    """A Code128 symbol; (x, y) is the bottom-left of its quiet zone, height takes the text."""

    x: float
    y: float
    data: str
    height: float
    dots: int  # module width in printer dots
    width: float  # quiet zones included
    text_size: float  # the human-readable line; 0 for none


Element = Text | Box | Bars


@dataclass(frozen=True, slots=True)
class _Block:
    """The recipient's name and address lines at one step of sizes, and their height."""

    name: list[tuple[str, float]]
    address: list[str]
    height: float


# Recipient sizes (name, company, address, postal code, phone), largest first: the first
# step whose block fits the room left is used.
_RECIPIENT_STEPS = (
    (20.0, 12.0, 14.0, 34.0, 11.0),
    (18.5, 11.5, 13.0, 32.0, 10.5),
    (17.0, 11.0, 12.5, 30.0, 10.0),
    (16.0, 10.5, 11.5, 28.0, 10.0),
    (15.0, 10.0, 10.5, 26.0, 9.5),
    (14.0, 9.5, 9.5, 24.0, 9.0),
    (13.0, 9.0, 8.5, 22.0, 8.5),
    (12.0, 8.0, 7.5, 20.0, 8.0),
)


def layout_label(
    label: Label, width: float, height: float, *, margin: float = 9.0, dpi: int = DPI
) -> list[Element]:
    """Everything on one label of ``width`` × ``height`` points, inside ``margin``.

    Top down: carrier and service; sender; recipient (takes the room left); handling marks;
    tracking barcode; weight, package and date; order barcode and reference. Letters no
    font here can draw are folded to their base letter first (see `label_text.drawable`).
    """
    return _Layout(drawable_label(label), width, height, margin, dpi).build()


class _Layout:
    """Places the sections: fixed ones from the top and the bottom, the recipient between."""

    def __init__(self, label: Label, width: float, height: float, margin: float, dpi: int):
        self.label = label
        self.dpi = dpi
        self.left, self.right = margin, width - margin
        self.inner = width - 2 * margin
        self.top, self.bottom = height - margin, margin
        self.items: list[Element] = []

    def build(self) -> list[Element]:
        """The elements in reading order, top down, though the recipient is placed last."""
        y = self._sender(self._carrier(self.top))
        head = self._take()
        floor = self._order(self.bottom)
        order = self._take()
        floor = self._facts(floor)
        facts = self._take()
        floor = self._tracking(floor, min(96.0, max(70.0, (self.top - self.bottom) * 0.22)))
        tracking = self._take()
        if self.label.marks:
            floor = self._marks(floor)
        marks = self._take()
        self._recipient(y, floor)
        return [*head, *self._take(), *marks, *tracking, *facts, *order]

    def _take(self) -> list[Element]:
        taken, self.items = self.items, []
        return taken

    # -- sections, each returns the edge it leaves for the next -----------------------------

    def _carrier(self, top: float) -> float:
        """The carrier code as large as it fits, the service beside it in up to two lines."""
        carrier_w = self.inner * 0.58
        carrier, size = fit(self.label.carrier or "NO CARRIER", LATIN_BOLD, carrier_w, 34, 12)
        self._text(self.left, top - 27, carrier_w, carrier, size, bold=True)
        service_w = self.inner - carrier_w - 6
        x = self.right - service_w
        if self.label.service:
            self._caption(x, top - 6, service_w, "SERVICE", align="right")
        service, size = fit(self.label.service, LATIN_BOLD, service_w, 14, 9)
        if measure(self.label.service, LATIN_BOLD, size) <= service_w:
            self._text(x, top - 23, service_w, service, size, bold=True, align="right")
        else:  # a long service name reads better in two lines than cut short
            lines = wrap(self.label.service, LATIN_BOLD, 8, service_w, max_lines=2)
            for i, line in enumerate(lines):
                self._text(x, top - 16 - 9 * i, service_w, line, 8, bold=True, align="right")
        return self._rule(top - 33)

    def _sender(self, top: float) -> float:
        self._caption(self.left, top - 9, 26, "FROM")
        x = self.left + 28
        width = self.right - x
        (name, size), lines = _sender_lines(self.label.sender, width)
        self._text(x, top - 10, width, name, size, bold=True)
        for i, line in enumerate(lines):
            self._text(x, top - 19.5 - 8.5 * i, width, line, 7.5)
        return self._rule(top - 32)

    def _recipient(self, top: float, floor: float) -> None:
        """Name, company, address, postal code large, country, phone: as large as room allows.

        Steps down through `_RECIPIENT_STEPS` until the whole block fits between the sender
        and the sections below; only at the smallest step is the address cut short.
        """
        party = self.label.recipient
        self._caption(self.left, top - 8, self.inner, "SHIP TO")
        room = top - floor - 12
        for step in _RECIPIENT_STEPS:
            block = self._recipient_block(party, step, None)
            if block.height <= room:
                break
        else:  # even the smallest sizes leave too many lines: keep what fits, end in "…"
            address_lines = int((room - block.height) // (step[2] * 1.18)) + len(block.address)
            block = self._recipient_block(party, step, max(1, address_lines))

        name_s, company_s, address_s, postal_s, phone_s = step
        y = top - 12
        for line, size in block.name:
            y = self._line(y, line, size, name_s * 1.15, bold=True)
        if party.company:
            company, size = fit(party.company, LATIN, self.inner, company_s, company_s * 0.7)
            y = self._line(y, company, size, company_s * 1.2)
        for line in block.address:
            y = self._line(y, line, address_s, address_s * 1.18)
        y -= 2
        postal, size = fit(party.postal_code, LATIN_BOLD, self.inner * 0.7, postal_s, 12)
        baseline = y - postal_s * 0.78
        postal_w = measure(postal, LATIN_BOLD, size) if postal else 0.0
        self._text(self.left, baseline, postal_w, postal, size, bold=True)
        country_x = self.left + postal_w + (10 if postal else 0)
        country_w = self.right - country_x
        country, size = fit(party.country, LATIN_BOLD, country_w, postal_s * 0.62, 8)
        self._text(country_x, baseline, country_w, country, size, bold=True)
        y -= postal_s
        if party.phone:
            phone, size = fit(f"Tel\u00a0{party.phone}", LATIN, self.inner, phone_s, 6)
            self._line(y, phone, size, phone_s * 1.2)

    def _recipient_block(
        self, party: Party, step: tuple[float, ...], address_lines: int | None
    ) -> _Block:
        """The recipient's lines at one step of sizes, and the height they take.

        A name that would shrink below four fifths of its size is wrapped into two lines
        instead: a name cut short can send a parcel to the wrong flat.
        """
        name_s, company_s, address_s, postal_s, phone_s = step
        name, size = fit(party.name, LATIN_BOLD, self.inner, name_s, name_s * 0.8)
        if measure(party.name, LATIN_BOLD, size) <= self.inner:
            names = [(name, size)]
        else:
            small = name_s * 0.8
            names = [(n, small) for n in wrap(party.name, LATIN_BOLD, small, self.inner, 2)]
        if address_lines is None:
            address = [cut for line in party.lines for cut in self._lines(line, address_s)]
        else:
            joined = " ".join(party.lines)
            address = wrap(joined, LATIN, address_s, self.inner, max_lines=address_lines)
        height = len(names) * name_s * 1.15 + len(address) * address_s * 1.18 + 2 + postal_s
        if party.company:
            height += company_s * 1.2
        if party.phone:
            height += phone_s * 1.2
        return _Block(names, address, height)

    def _marks(self, floor: float) -> float:
        """Handling marks as black boxes with white capitals, shrunk to share the width."""
        marks, gap, pad, height = self.label.marks, 5.0, 6.0, 18.0
        size = 11.0
        natural = sum(measure(mark, LATIN_BOLD, size) for mark in marks)
        room = self.inner - gap * (len(marks) - 1) - 2 * pad * len(marks)
        if natural > room:
            size = max(5.0, size * room / natural)
        x, y = self.left, floor + 6
        for mark in marks:
            text, text_size = fit(mark, LATIN_BOLD, self.right - x - 2 * pad, size, 5)
            if not text:
                break
            box_w = measure(text, LATIN_BOLD, text_size) + 2 * pad
            self.items.append(Box(x, y, box_w, height))
            self._text(
                x,
                y + (height - text_size * 0.72) / 2,
                box_w,
                text,
                text_size,
                bold=True,
                align="centre",
                white=True,
            )
            x += box_w + gap
        return self._rule(y + height + 6)

    def _tracking(self, floor: float, height: float) -> float:
        number = self.label.tracking_number
        top = floor + height
        geometry = self._geometry(number, self.inner - 1, TRACKING_MAX_MIL) if number else None
        if geometry is not None:
            text_size = min(12.0, self.inner / max(1, len(number)) / 0.62)
            x = self.left + (self.inner - geometry.width) / 2
            self.items.append(
                Bars(
                    x,
                    floor + 5,
                    number,
                    height - 10,
                    geometry.dots_per_module,
                    geometry.width,
                    text_size,
                )
            )
        elif number:  # not Code128 data (non-ASCII): the number must still be readable
            self._caption(self.left, top - 14, self.inner, "TRACKING (NO BARCODE)", align="centre")
            text, size = fit(number, LATIN_BOLD, self.inner, 20, 8)
            self._text(
                self.left, floor + height / 2 - 8, self.inner, text, size, bold=True, align="centre"
            )
        else:
            box_h = height - 16
            self.items.append(Box(self.left + 1.5, floor + 8, self.inner - 3, box_h, line=3))
            centre = floor + 8 + box_h / 2
            text, size = fit("NO TRACKING NUMBER", LATIN_BOLD, self.inner - 16, 18, 8)
            self._text(self.left, centre + 1, self.inner, text, size, bold=True, align="centre")
            hint, size = fit(
                "record one before handing over: omsctl track add", LATIN, self.inner - 16, 8, 5
            )
            self._text(self.left, centre - 12, self.inner, hint, size, align="centre")
        return self._rule(top)

    def _facts(self, floor: float) -> float:
        label, height = self.label, 30.0
        facts = (
            ("WEIGHT", f"{label.weight_kg} kg" if label.weight_kg else "–"),
            ("PACKAGE", f"{label.package} / {label.packages}"),
            ("DATE", label.date_text or "–"),
        )
        cell = self.inner / len(facts)
        for i, (caption, value) in enumerate(facts):
            x = self.left + i * cell
            if i:
                self.items.append(Box(x - 0.4, floor + 4, 0.8, height - 8))
            inset = 0.0 if i == 0 else 5.0
            self._caption(x + inset, floor + height - 10, cell - inset, caption)
            text, size = fit(value, LATIN_BOLD, cell - inset - 4, 12, 6)
            self._text(x + inset, floor + 7, cell - inset - 4, text, size, bold=True)
        return self._rule(floor + height)

    def _order(self, floor: float) -> float:
        label, height = self.label, 50.0
        geometry = self._geometry(label.order_ref, self.inner * 0.64, ORDER_MIL)
        if geometry is None:
            geometry = self._geometry(label.order_ref, self.inner - 1, ORDER_MIL)
        self._caption(self.left, floor + height - 8, 60, "ORDER")
        used = 0.0
        if geometry is not None:
            used = geometry.width
            self.items.append(
                Bars(
                    self.left,
                    floor + 1,
                    label.order_ref,
                    height - 12,
                    geometry.dots_per_module,
                    geometry.width,
                    8.5,
                )
            )
        else:  # no barcode possible: the number large instead
            text, size = fit(label.order_ref, LATIN_BOLD, self.inner * 0.64, 16, 7)
            used = measure(text, LATIN_BOLD, size)
            self._text(self.left, floor + 14, used, text, size, bold=True)
        x = self.left + used + 6
        if label.reference and self.right - x >= 40:
            width = self.right - x
            self._caption(x, floor + height - 8, width, "REF")
            for i, line in enumerate(wrap(label.reference, LATIN_BOLD, 10, width, 3)):
                self._text(x, floor + height - 21 - 12 * i, width, line, 10, bold=True)
        elif label.reference:  # the barcode took the width: the reference goes up in small
            text, size = fit(label.reference, LATIN_BOLD, self.inner - 40, 7, 5)
            self._text(
                self.right - self.inner + 40,
                floor + height - 8,
                self.inner - 40,
                text,
                size,
                bold=True,
                align="right",
            )
        return floor + height + 2

    # -- building blocks --------------------------------------------------------------------

    def _geometry(self, data: str, max_width: float, most_mil: int) -> Code128Geometry | None:
        """Whole-dot modules as wide as fit, up to ``most_mil``; None when it cannot be drawn."""
        most_dots = max(1, round(most_mil * self.dpi / 1000))
        try:
            fitted = code128_geometry(data, max_width=max_width, dpi=self.dpi)
        except ValueError:  # not printable ASCII, or too long even at one dot
            return None
        if fitted.dots_per_module > most_dots:
            return replace(fitted, dots_per_module=most_dots)
        return fitted

    def _lines(self, text: str, size: float) -> list[str]:
        return wrap(text, LATIN, size, self.inner)

    def _text(
        self,
        x: float,
        y: float,
        width: float,
        text: str,
        size: float,
        *,
        bold: bool = False,
        align: str = "left",
        white: bool = False,
    ) -> None:
        if text:
            self.items.append(Text(x, y, width, text, size, bold, align, white))

    def _caption(self, x: float, y: float, width: float, text: str, align: str = "left") -> None:
        """A small bold heading: thermal printers have no grey, so size sets it apart."""
        self._text(x, y, width, text, 6.0, bold=True, align=align)

    def _line(
        self, top: float, text: str, size: float, advance: float, *, bold: bool = False
    ) -> float:
        """One line whose text starts below ``top``; returns the top of the next line."""
        self._text(self.left, top - size * 0.8, self.inner, text, size, bold=bold)
        return top - advance

    def _rule(self, y: float) -> float:
        self.items.append(Box(self.left, y - RULE / 2, self.inner, RULE))
        return y


@lru_cache(maxsize=64)
def _sender_lines(sender: Party, width: float) -> tuple[tuple[str, float], tuple[str, ...]]:
    """The sender's name line and two address lines; the same on every label of a run."""
    name = fit(_joined((sender.name, sender.company)), LATIN_BOLD, width, 8.5, 6)
    return name, tuple(wrap(_address(sender), LATIN, 7.5, width, max_lines=2))


def _joined(parts: Sequence[str]) -> str:
    """Parts of an address on one line: CJK runs on without commas, the rest with them."""
    kept = [part for part in parts if part]
    wide = any(
        "\u2e80" <= char <= "\ufaff" or "\uac00" <= char <= "\ud7ff" for p in kept for char in p
    )
    return (" " if wide else ", ").join(kept)


def _address(party: Party) -> str:
    """The sender's address in one run: lines, postal code and country, phone."""
    where = " ".join(p for p in (party.postal_code, party.country) if p)
    text = _joined((*party.lines, where))
    return f"{text} · Tel\u00a0{party.phone}" if party.phone else text
