"""Cells a spreadsheet would run as formulas are neutralised; numbers stay numbers."""

from __future__ import annotations

import pytest

from omsctl.documents.csv_cells import neutralise


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcell", "'\tcell"),
        ("-3", "-3"),
        ("+4930123456", "+4930123456"),
        ("-12.50", "-12.50"),
        ("-", "'-"),
        ("Lena Hoffmann", "Lena Hoffmann"),
        ("", ""),
    ],
)
def test_formula_cells_get_an_apostrophe_and_numbers_do_not(cell, written):
    assert neutralise(cell) == written
