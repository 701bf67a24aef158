"""Shipping labels as ZPL II for Zebra thermal printers: `omsctl labels -f zpl -o - | lp …`.

The label is the PDF's 4x6 layout (`label_layout.layout_label`), painted as ZPL commands instead of
PDF operators, so both formats carry the same content in the same places. One ``^XA … ^XZ``
format per label; coordinates are printer dots at ``dpi`` from the top-left corner.

- **Text** is UTF-8 (``^CI28``). Each line is its own field, ``^FB`` one line wide, so the
  printer aligns it (left, centre, right) and never wraps it: the layout has already fitted
  or wrapped every line with Helvetica's metrics, which are wider than the printer's
  scalable font 0 (CG Triumvirate Bold Condensed), so lines fit on the printer too.
  ``^FH`` escapes the three characters ZPL reads as commands (``^``, ``~``, and ``_``
  itself, the escape character here).
- **Barcodes** are ``^BC`` Code128 in automatic subset mode with ``^BY`` module widths in
  whole dots, as the layout chose them for the PDF. Data holding ``^``, ``~`` or ``>`` (ZPL
  commands or Code128 invocation codes) is printed as text instead: sending it as field
  data would print a different number.
- **Chinese, Japanese, Korean** (and Cyrillic on older printers) are not in the printer's
  resident font 0: they print as blanks or boxes unless the printer holds a Unicode
  TrueType font. Pass that font's name as ``unicode_font`` (for example ``"E:NOTOSANS.TTF"``,
  downloaded once with ``~DU`` or Zebra's font tools); it is mapped to font ``1`` with
  ``^CW`` in every label, and the lines that need it use ``^A1`` instead of ``^A0``.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

from omsctl.documents.barcodes import QUIET_ZONE_MODULES
from omsctl.documents.fonts import is_latin
from omsctl.documents.label_layout import Box, Element, Text, layout_label
from omsctl.documents.labels import SHEETS
from omsctl.domain.labels import Label

UNICODE_FONT_ID = "1"
ASCENT = 0.8  # where font 0's baseline sits below the top of its cell, as a share of height
_JUSTIFY = {"left": "L", "centre": "C", "right": "R"}
_NOT_BARCODE_DATA = frozenset("^~>")


def render_zpl(labels: Sequence[Label], *, dpi: int = 203, unicode_font: str | None = None) -> str:
    """ZPL for ``labels`` in their order, one ``^XA … ^XZ`` 4x6-inch format per label.

    ``dpi`` is the printer's (203 or 300; 600 works too). ``unicode_font`` names a TrueType
    font on the printer (``E:NOTOSANS.TTF``) for text beyond Windows-1252.
    """
    return "".join(label_zpl(label, dpi=dpi, unicode_font=unicode_font) for label in labels)


def label_zpl(label: Label, *, dpi: int = 203, unicode_font: str | None = None) -> str:
    """One label's ZPL format, ending in a newline."""
    sheet = SHEETS["4x6"]
    width, height = sheet.page
    scale = dpi / 72
    commands = [
        "^XA",
        "^CI28",
        f"^PW{round(width * scale)}",
        f"^LL{round(height * scale)}",
        "^LH0,0",
    ]
    if unicode_font:
        commands.append(f"^CW{UNICODE_FONT_ID},{unicode_font}")
    for item in layout_label(label, width, height, margin=sheet.margin, dpi=dpi):
        commands.append(_command(item, height, scale, unicode_font is not None))
    commands.append("^XZ")
    return "\n".join(commands) + "\n"


def _command(item: Element, label_height: float, scale: float, unicode_font: bool) -> str:
    """One element as a ZPL field; PDF's bottom-up points become top-down dots."""
    if isinstance(item, Text):
        return _text(item, label_height, scale, unicode_font)
    if isinstance(item, Box):
        x, w, h = round(item.x * scale), round(item.width * scale), round(item.height * scale)
        top = round((label_height - item.y - item.height) * scale)
        w, h = max(1, w), max(1, h)
        thickness = min(w, h) if not item.line else max(1, round(item.line * scale))
        return f"^FO{x},{top}^GB{w},{h},{thickness},B,0^FS"
    if not item.data.isascii() or _NOT_BARCODE_DATA & set(item.data):
        fallback = Text(item.x, item.y + 4, item.width, item.data, 12, bold=True, align="centre")
        return _text(fallback, label_height, scale, unicode_font)
    # The PDF moves a symbol right to the next dot; the printer's grid is its dots already.
    x = math.ceil(item.x * scale - 1e-9) + QUIET_ZONE_MODULES * item.dots
    bars = item.height - item.text_size * 1.25
    top = round((label_height - item.y - item.height) * scale)
    bar_dots = round(bars * scale)
    text = round(item.text_size * scale)
    line = "Y" if item.text_size else "N"
    font = f"^A0N,{text},{text}" if text else ""
    return (
        f"^FO{x},{top}^BY{item.dots},3,{bar_dots}{font}"
        f"^BCN,{bar_dots},{line},N,N,A^FD{item.data}^FS"
    )


def _text(item: Text, label_height: float, scale: float, unicode_font: bool) -> str:
    size = max(1, round(item.size * scale))
    x, width = round(item.x * scale), max(1, round(item.width * scale))
    top = max(0, round((label_height - item.y - item.size * ASCENT) * scale))
    font = UNICODE_FONT_ID if unicode_font and not all(map(is_latin, item.text)) else "0"
    reverse = "^FR" if item.white else ""
    return (
        f"^FO{x},{top}^A{font}N,{size},{size}^FB{width},1,0,{_JUSTIFY[item.align]},0"
        f"{reverse}^FH_^FD{escape(item.text)}^FS"
    )


def escape(text: str) -> str:
    """Field data safe inside ``^FH_^FD … ^FS``: no command prefixes, no control characters.

    ``\\`` is doubled because ``^FB`` reads ``\\&`` as a line break.
    """
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return text.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E").replace("\\", "\\\\")
