"""Texts as a label can draw them: widths remembered, fits and wraps answered at once when
a text already fits, and letters no label font has folded to their base letter.

Kept apart from the layout (`label_layout.py`) because both painters need the same answers:
the layout measures and fits every text, the PDF painter measures again to place runs of
CJK or Cyrillic beside Latin text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from reportlab.pdfbase.pdfmetrics import stringWidth

from omsctl.documents.fonts import LATIN, fit_text, font_for, is_latin, text_width, wrap_text

if TYPE_CHECKING:
    from omsctl.domain.labels import Label, Party


def measure(text: str, font: str, size: float) -> float:
    """``fonts.text_width``, remembered: widths grow linearly with the size.

    A label measures some thirty texts, several at more than one size, and the towns and
    provinces recur from label to label; classifying each character's script (what
    ``text_width`` does, for CJK and Cyrillic) was most of the time spent on a label.
    """
    return _unit_width(text, font) * size


@lru_cache(maxsize=8192)
def _unit_width(text: str, font: str) -> float:
    if is_plain(text):  # all in ``font``: no need to classify each character
        return stringWidth(text, font, 1.0)
    return text_width(text, font, 1.0)


def is_plain(text: str) -> bool:
    """True when Helvetica draws all of ``text`` and no control character needs replacing.

    One C-level encode instead of ``fonts.is_latin`` per character; the same test.
    """
    if text.isascii():
        return text.isprintable()
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return text.isprintable()


def fit(text: str, font: str, max_width: float, size: float, min_size: float) -> tuple[str, float]:
    """``fonts.fit_text``, answered at once when the text already fits at ``size``."""
    if measure(text, font, size) <= max_width:
        return text, size
    return fit_text(text, font, max_width, size, min_size)


def wrap(
    text: str, font: str, size: float, max_width: float, max_lines: int | None = None
) -> list[str]:
    """``fonts.wrap_text``, answered at once when the text fits on one line."""
    if measure(text, font, size) <= max_width:
        return [text.strip()] if text.strip() else []
    return wrap_text(text, font, size, max_width, max_lines)


# Letters with no Unicode decomposition to a base letter, mapped by hand.
_UNDECOMPOSABLE = str.maketrans(
    {"ı": "i", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T"}
)


def drawable(text: str) -> str:
    """``text`` with letters no label font has folded to their base letter: ı → i, ł → l, ş → s.

    Helvetica covers Windows-1252 and the CID fonts CJK, Russian and Greek; Polish, Czech,
    Turkish or Romanian letters would print as boxes ("Y■lmaz"), which a courier cannot
    read. Carriers' own systems fold such names the same way. Anything that has no base
    letter either (Arabic, Thai) is kept, and shows as the box it is.
    """
    if is_plain(text):
        return text
    out = []
    for char in text:
        if is_latin(char) or font_for(char) != LATIN:
            out.append(char)
            continue
        decomposed = unicodedata.normalize("NFKD", char.translate(_UNDECOMPOSABLE))
        base = "".join(c for c in decomposed if not unicodedata.combining(c))
        out.append(base if base and all(map(is_latin, base)) else char)
    return "".join(out)


def _drawable_party(party: Party) -> Party:
    return replace(
        party,
        name=drawable(party.name),
        company=drawable(party.company),
        lines=tuple(map(drawable, party.lines)),
        postal_code=drawable(party.postal_code),
        phone=drawable(party.phone),
    )


def drawable_label(label: Label) -> Label:
    """The label with every text drawable; barcode data is left alone (Code128 decides)."""
    return replace(
        label,
        sender=_drawable_party(label.sender),
        recipient=_drawable_party(label.recipient),
        carrier=drawable(label.carrier),
        service=drawable(label.service),
        reference=drawable(label.reference),
    )
