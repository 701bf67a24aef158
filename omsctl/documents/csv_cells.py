"""CSV cells that a spreadsheet cannot run (OWASP's CSV-injection advice).

A cell that starts with =, +, -, @, a tab or a carriage return is read as a formula by Excel
and LibreOffice; a buyer's name or note can start that way on purpose. Such cells get a
leading apostrophe, except numbers (-3, +49…, -12.50), which stay numbers.
"""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    if not cell or not cell.startswith(_TRIGGERS) or _is_number(cell):
        return cell
    return "'" + cell


def _is_number(cell: str) -> bool:
    body = cell[1:] if cell[0] in "+-" else cell
    return body.replace(".", "", 1).isdigit()
