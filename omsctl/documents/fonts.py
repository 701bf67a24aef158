"""Fonts for documents: Helvetica for Latin text, reportlab's built-in CID fonts for the rest.

Product titles come from marketplaces in any script. The PDF standard fonts (Helvetica) only
cover Windows-1252: English, German, French, the other Western European languages. For
Chinese, Japanese and Korean, reportlab names Adobe's CID fonts, which need no font file
here: they are not embedded, and the viewer or printer driver supplies the glyphs (Acrobat's
Asian font packs, the system's CJK fonts elsewhere). Where there are none, those characters
print blank (PDFium on a machine without CJK fonts does exactly that).

Cyrillic and Greek are not in Helvetica either, but the Russian alphabet and the unaccented
Greek one are in the CID fonts' character collections (JIS X 0208, GB 2312 and KS X 1001
all carry them), so they go to a CID font too. Those glyphs are full-width, so "Чай" reads
"Ч а й": legible, not pretty. Embedding a TrueType font would fix it, and needs a font file
the project does not ship.

Text is drawn in runs: the Windows-1252 characters of a title in Helvetica, the others in
one CID font chosen for the whole title (Japanese if it has kana, Korean if it has Hangul,
otherwise Chinese), because Latin letters in a CID font are full-width and look broken, and
a Japanese title's kanji should come from the Japanese font. All three are the book-weight
faces (Song, Mincho, Myeongjo): the gothic HeiseiKakuGo-W5 is medium weight and made
Japanese titles look bold next to Helvetica. The CID fonts are encoded in UCS-2, so
characters beyond U+FFFF (rare Han, emoji) stay with Helvetica and show as boxes.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
CHINESE = "STSong-Light"
JAPANESE = "HeiseiMin-W3"
KOREAN = "HYSMyeongJo-Medium"
CID_FONTS = (CHINESE, JAPANESE, KOREAN)
ELLIPSIS = "…"  # in Windows-1252, so Helvetica has it

_KANA = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF66, 0xFF9F))
_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))
_HAN = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
# Only the Greek and Cyrillic letters that JIS X 0208, GB 2312 and KS X 1001 all carry: the
# others (accented Greek, Ukrainian "ї") would be drawn blank, so they stay with Helvetica.
_CID_SCRIPTS = (
    (0x0391, 0x03A9),  # Greek capitals
    (0x03B1, 0x03C9),  # Greek small letters
    (0x0401, 0x0401),  # Ё
    (0x0410, 0x044F),  # Russian А-я
    (0x0451, 0x0451),  # ё
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3000, 0x303F),  # CJK punctuation: 、。「」
    *_KANA,
    *_HANGUL,
    *_HAN,
    (0xFF00, 0xFF65),  # full-width forms: （）！
    (0xFFE0, 0xFFEF),
)


@cache
def register_fonts() -> None:
    """Register the CID fonts with reportlab; cheap after the first call."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    for name in CID_FONTS:
        pdfmetrics.registerFont(UnicodeCIDFont(name))


def _in(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in ranges)


def is_latin(char: str) -> bool:
    """True when Helvetica can draw ``char`` (it is in Windows-1252)."""
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _needs_cid(char: str) -> bool:
    """True for the scripts the built-in CID fonts cover and Helvetica does not."""
    return not is_latin(char) and _in(char, _CID_SCRIPTS)


def font_for(text: str) -> str:
    """The font for the characters of ``text`` that Helvetica cannot draw.

    Helvetica when it can draw all of them (Windows-1252); otherwise the CID font for the
    text's script. Characters no built-in font has (Arabic, Thai, emoji, Polish "ł") stay
    with Helvetica, which shows them as boxes: a visible gap, not a silently missing letter.
    """
    needs = [c for c in text if _needs_cid(c)]
    if not needs:
        return LATIN
    if any(_in(c, _HANGUL) for c in needs):
        return KOREAN
    if any(_in(c, _KANA) for c in needs):
        return JAPANESE
    if any(_in(c, _HAN) for c in needs):
        return CHINESE
    # Cyrillic and Greek alone: JIS X 0208 has both.
    return JAPANESE


def text_runs(text: str, latin_font: str = LATIN) -> list[tuple[str, str]]:
    """Split ``text`` into (font, run) pairs: CJK, Cyrillic, Greek in a CID font, the rest Latin.

    Control characters become spaces, so a stray tab or newline in a title cannot move text.
    """
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    other = font_for(text)
    runs: list[tuple[str, str]] = []
    for char in text:
        font = other if _needs_cid(char) else latin_font
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def text_width(text: str, latin_font: str, size: float) -> float:
    """Width in points of ``text`` as ``draw_text`` draws it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    register_fonts()
    return sum(stringWidth(run, font, size) for font, run in text_runs(text, latin_font))


def draw_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    *,
    latin_font: str = LATIN,
    size: float,
    align: str = "left",
) -> float:
    """Draw ``text`` in runs with its baseline at ``y``; ``align`` is left, centre or right of x.

    Returns the width drawn.
    """
    register_fonts()
    width = text_width(text, latin_font, size)
    if align == "centre":
        x -= width / 2
    elif align == "right":
        x -= width
    obj = canvas.beginText(x, y)
    for font, run in text_runs(text, latin_font):
        obj.setFont(font, size)
        obj.textOut(run)
    canvas.drawText(obj)
    return width


def fit_text(
    text: str, font: str, max_width: float, size: float, min_size: float
) -> tuple[str, float]:
    """Shrink ``text`` from ``size`` towards ``min_size`` until it fits ``max_width``.

    When even ``min_size`` is too wide, the text is cut and ends in an ellipsis, so it never
    spills into the next column. ``font`` is the Latin font; other scripts get their CID font.
    Returns the text to draw and its size.
    """
    current = size
    while current > min_size and text_width(text, font, current) > max_width:
        current = max(min_size, current - 0.5)
    if text_width(text, font, current) <= max_width:
        return text, current
    return _truncate(text, font, max_width, current), current


def wrap_text(
    text: str, font: str, size: float, max_width: float, max_lines: int | None = None
) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (addresses, titles on labels).

    Breaks at spaces, and between any two characters of scripts written without spaces
    (Chinese, Japanese) or inside a word too long for a line. With ``max_lines`` the last
    line ends in an ellipsis when text was left over.
    """
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        candidate = line + token
        if text_width(candidate.rstrip(), font, size) <= max_width:
            line = candidate
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = token.lstrip()
        while text_width(line, font, size) > max_width and len(line) > 1:
            cut = _longest_prefix(line, font, size, max_width)
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = _truncate(kept[-1] + " " + lines[max_lines], font, max_width, size)
        return kept
    return lines


def _tokens(text: str) -> list[str]:
    """Words with the spaces before them; characters of wide scripts each on their own."""
    tokens: list[str] = []
    for char in text:
        if tokens and (
            tokens[-1].isspace() or not (char == " " or _wide(char) or _wide(tokens[-1][-1]))
        ):
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _longest_prefix(text: str, font: str, size: float, max_width: float) -> int:
    """How many leading characters of ``text`` fit ``max_width`` (at least one)."""
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(text[:middle], font, size) <= max_width:
            low = middle
        else:
            high = middle - 1
    return low


def _truncate(text: str, font: str, max_width: float, size: float) -> str:
    """The longest start of ``text`` that fits with an ellipsis after it."""
    room = max_width - text_width(ELLIPSIS, font, size)
    if room <= 0:
        return ""
    keep = _longest_prefix(text, font, size, room)
    if text_width(text[:keep], font, size) > room:
        return ""
    return text[:keep].rstrip() + ELLIPSIS
