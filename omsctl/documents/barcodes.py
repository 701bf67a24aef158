"""Code128 barcodes drawn as vectors whose bars land on a printer's dot grid.

A thermal label printer prints in whole dots (203 or 300 per inch). A bar that is 2.6 dots
wide prints as 2 or 3 dots depending on where it falls, so neighbouring bars drift out of
proportion and scanners refuse the code. Every module here is therefore a whole number of
dots at the target resolution, and the symbol starts on a dot boundary; bars are filled
rectangles (one per bar, not per module, so renderers leave no seams between modules).

A bar whose edge lies exactly on a dot boundary is still ambiguous: rasterisers that paint
every pixel a shape touches (PDFium does; PDF's own scan-conversion rule is "any part of
the pixel") paint the dot after it too, so every bar prints one dot too wide and a 2-dot
space shrinks to 1. Each bar
is therefore drawn a quarter dot narrower on both sides (``bar_reduction``, half a dot in
all), which lands on the same whole dots under the "touched" and the "pixel centre" rules.

The bar pattern comes from python-barcode's Code128 (the product card's choice). Two of its
habits are guarded against here: it accepts characters that are not data at all (``ñ``, ``ó``,
``ò``, ``ô`` are its stand-ins for the FNC codes and control characters go to code set A), and
0.16 drops a leading ``99`` (``"9912"`` encodes as ``"12"``). Input is limited to printable
ASCII, the leading-``99`` case is patched, and every pattern is decoded back and compared
with the data before it is drawn, so a wrong barcode is never printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

POINTS_PER_INCH = 72
DEFAULT_MIL = 10  # 0.01 inch modules: 2 dots at 203 dpi, 3 dots at 300 dpi
QUIET_ZONE_MODULES = 10  # the Code128 minimum on each side
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))

# Code128 symbol values that switch code sets (ISO/IEC 15417, table 1).
_START_A, _START_B, _START_C = 103, 104, 105
_CODE_A, _CODE_B, _CODE_C = 101, 100, 99


@dataclass(frozen=True, slots=True)
class Code128Geometry:
    """Where a symbol's modules fall: in whole printer dots and in PDF points."""

    modules: tuple[int, ...]  # 1 = bar, 0 = space; without the quiet zones
    dpi: int
    dots_per_module: int
    quiet_zone_modules: int

    @property
    def module_width(self) -> float:
        """One module in points: a whole number of dots at ``dpi``."""
        return self.dots_per_module * POINTS_PER_INCH / self.dpi

    @property
    def total_modules(self) -> int:
        return len(self.modules) + 2 * self.quiet_zone_modules

    @property
    def width(self) -> float:
        """The whole symbol in points, quiet zones included."""
        return self.total_modules * self.module_width


def code128_modules(data: str) -> list[int]:
    """The module pattern of ``data`` (1 = bar), start, check digit and stop included.

    Raises ValueError naming the first character Code128 cannot carry as plain data.
    """
    _check_data(data)
    pattern = _code128_class()(data, writer=None).build()[0]
    decoded = _decode_pattern(pattern)
    if decoded != data:  # a python-barcode defect; printing it would mis-ship parcels
        raise RuntimeError(f"python-barcode encoded {data!r} as {decoded!r}; not drawing it")
    return [1 if m == "1" else 0 for m in pattern]


def code128_geometry(
    data: str,
    *,
    module_width: float | None = None,
    max_width: float | None = None,
    dpi: int = 203,
    quiet_zone_modules: int = QUIET_ZONE_MODULES,
) -> Code128Geometry:
    """Choose whole-dot modules for ``data``.

    ``module_width`` (points) is rounded down to whole dots (at least one). Otherwise the
    widest whole-dot module whose symbol fits ``max_width`` is taken; without either, 10 mil
    (0.25 mm), which handheld and fixed scanners read comfortably. Raises ValueError when
    even one-dot modules do not fit ``max_width``.
    """
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, not {dpi}")
    if quiet_zone_modules < QUIET_ZONE_MODULES:
        raise ValueError(
            f"a Code128 quiet zone needs at least {QUIET_ZONE_MODULES} modules, "
            f"not {quiet_zone_modules}"
        )
    modules = tuple(code128_modules(data))
    dot = POINTS_PER_INCH / dpi
    total = len(modules) + 2 * quiet_zone_modules
    if module_width is not None:
        # The epsilon keeps 2 * 72/203 from becoming 1.9999999 dots and so 1 dot.
        dots = max(1, math.floor(module_width / dot + 1e-9))
    elif max_width is not None:
        dots = math.floor(max_width / (total * dot) + 1e-9)
        if dots < 1:
            raise ValueError(
                f"barcode {data!r} needs {total * dot:.1f} pt at {dpi} dpi; "
                f"only {max_width:.1f} pt available"
            )
    else:
        dots = max(1, round(DEFAULT_MIL * dpi / 1000))
    return Code128Geometry(modules, dpi, dots, quiet_zone_modules)


def code128_width(
    data: str,
    *,
    module_width: float | None = None,
    max_width: float | None = None,
    dpi: int = 203,
    quiet_zone_modules: int = QUIET_ZONE_MODULES,
) -> float:
    """The width in points that ``draw_code128`` takes with the same arguments.

    Drawing at an ``x`` off the dot grid adds the part of a dot that ``x`` moves right.
    """
    return code128_geometry(
        data,
        module_width=module_width,
        max_width=max_width,
        dpi=dpi,
        quiet_zone_modules=quiet_zone_modules,
    ).width


def draw_code128(
    canvas: Canvas,
    data: str,
    x: float,
    y: float,
    *,
    height: float,
    module_width: float | None = None,
    max_width: float | None = None,
    dpi: int = 203,
    quiet_zone_modules: int = QUIET_ZONE_MODULES,
    human_readable: bool = True,
    font: str = "Helvetica",
    font_size: float | None = None,
    bar_reduction: float = 0.5,
) -> float:
    """Draw ``data`` as Code128 with its bottom-left corner (quiet zone included) near (x, y).

    ``height`` is the whole drawing, the human-readable line included. ``x`` is moved right
    by less than a dot, to the next dot boundary, so the bar edges are whole dots from the
    page's edge and print sharp at ``dpi``. Returns the width drawn (what ``code128_width``
    says), measured from the given ``x``. ``bar_reduction`` is how many dots narrower than
    its modules each bar is drawn (split between its two edges); below 1, so every bar still
    covers the centre of each of its dots.
    """
    if not 0 <= bar_reduction < 1:
        raise ValueError(f"bar_reduction must be at least 0 and under 1 dot, not {bar_reduction}")
    geometry = code128_geometry(
        data,
        module_width=module_width,
        max_width=max_width,
        dpi=dpi,
        quiet_zone_modules=quiet_zone_modules,
    )
    dot = POINTS_PER_INCH / dpi
    origin = math.ceil(x / dot - 1e-9)  # in dots from the page's left edge
    text_size = 0.0
    if human_readable:
        text_size = font_size or max(6.0, min(10.0, height * 0.18))
    bar_bottom = y + (text_size * 1.25 if human_readable else 0.0)
    bar_height = height - (bar_bottom - y)
    if bar_height <= 0:
        raise ValueError(f"height {height} pt leaves no room for bars under the text")

    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    start = origin + geometry.quiet_zone_modules * geometry.dots_per_module
    for first, length in _bars(geometry.modules):
        left = start + first * geometry.dots_per_module + bar_reduction / 2
        canvas.rect(
            left * dot,
            bar_bottom,
            (length * geometry.dots_per_module - bar_reduction) * dot,
            bar_height,
            stroke=0,
            fill=1,
        )
    if human_readable:
        centre = (origin * dot) + geometry.width / 2
        canvas.setFont(font, text_size)
        canvas.drawCentredString(centre, y + text_size * 0.25, data)
    canvas.restoreState()
    return origin * dot - x + geometry.width


def _bars(modules: tuple[int, ...]) -> list[tuple[int, int]]:
    """(first module, number of modules) of each bar: adjacent bar modules are one rectangle."""
    bars: list[tuple[int, int]] = []
    run_start = None
    for i, module in enumerate((*modules, 0)):
        if module and run_start is None:
            run_start = i
        elif not module and run_start is not None:
            bars.append((run_start, i - run_start))
            run_start = None
    return bars


def _check_data(data: str) -> None:
    if not data:
        raise ValueError("a Code128 barcode needs at least one character")
    for position, char in enumerate(data, start=1):
        if char not in _PRINTABLE:
            raise ValueError(
                f"Code128 cannot encode {char!r} (U+{ord(char):04X}) at position {position} "
                f"of {data!r}: only printable ASCII (space to '~') is allowed"
            )


@cache
def _code128_class() -> Any:
    """python-barcode's Code128 with the leading-``99`` defect of 0.16 patched.

    It starts every symbol in code set C and, when the first symbol value is a switch to
    another set, folds the two into that set's start code. It looks the value up among all
    three switch codes, and 99 is also the set-C value of the digits "99", so those digits
    were folded away. Starting in set C, only a switch to B (100) or A (101) can be there.
    """
    import barcode

    base = barcode.get_barcode_class("code128")

    class _Code128(base):  # type: ignore[misc, valid-type]
        def _try_to_optimize(self, encoded: list[int]) -> list[int]:
            if len(encoded) > 1 and encoded[1] in (_CODE_A, _CODE_B):
                encoded[:2] = [_START_A if encoded[1] == _CODE_A else _START_B]
            return encoded

    return _Code128


@cache
def _patterns() -> dict[str, int]:
    from barcode.charsets import code128

    return {pattern: value for value, pattern in enumerate(code128.CODES)}


def _decode_pattern(pattern: str) -> str:
    """Read a module pattern back into text, checking start, check digit and stop.

    Independent of python-barcode's encoder, so it catches its mistakes rather than
    repeating them. Anything but plain data in sets A, B and C is refused.
    """
    stop = "1100011101011"
    if not pattern.endswith(stop) or (len(pattern) - len(stop)) % 11:
        raise RuntimeError("not a Code128 pattern: bad stop or length")
    table = _patterns()
    try:
        values = [table[pattern[i : i + 11]] for i in range(0, len(pattern) - len(stop), 11)]
    except KeyError as exc:
        raise RuntimeError("not a Code128 pattern: unknown symbol") from exc
    if len(values) < 2 or values[0] not in (_START_A, _START_B, _START_C):
        raise RuntimeError("not a Code128 pattern: no start code")
    *body, check = values
    if sum(v * max(i, 1) for i, v in enumerate(body)) % 103 != check:
        raise RuntimeError("Code128 check digit does not match")
    code_set = {_START_A: "A", _START_B: "B", _START_C: "C"}[body[0]]
    text: list[str] = []
    for value in body[1:]:
        if code_set == "C" and value < 100:
            text.append(f"{value:02d}")
        elif code_set != "C" and value < 64:
            text.append(chr(value + 32))
        elif code_set == "A" and value < 96:
            text.append(chr(value - 64))
        elif code_set == "B" and value < 96:
            text.append(chr(value + 32))
        elif value == _CODE_C and code_set != "C":
            code_set = "C"
        elif value == _CODE_B and code_set != "B":
            code_set = "B"
        elif value == _CODE_A and code_set != "A":
            code_set = "A"
        else:
            raise RuntimeError(f"Code128 value {value} in set {code_set} is not plain data")
    return "".join(text)
