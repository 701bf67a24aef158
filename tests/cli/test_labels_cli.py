"""Labels through the commands: carrier rules, waybill pools, reprint guard, real barcodes."""

from __future__ import annotations

import json
import shutil

import pypdfium2 as pdfium
import zxingcpp
from oms_testing import SAMPLES, add_order, stock_up
from pypdf import PdfReader


def shop_with_a_wave(oms, env, tmp_path, monkeypatch):
    shutil.copy(SAMPLES / "omsctl.toml", tmp_path / "omsctl.toml")
    stock_up(env, tmp_path, {"TEA-LJ-100": 20, "CUP-CEL-02": 10}, warehouse="BER")
    add_order(env, "#1", lines=(("TEA-LJ-100", 2, "18.50"),), country="DE")
    add_order(env, "#2", lines=(("CUP-CEL-02", 2, "24.00"),), country="FR")
    assert oms("approve", "#1", "#2").exit_code == 0
    assert oms("wave", "create").exit_code == 0
    pool = tmp_path / "dhl.txt"
    pool.write_text("3400100001\n3400100373\n3400100745\n", encoding="utf-8")
    assert oms("waybills", "load", "--carrier", "DHL", str(pool)).exit_code == 0


def test_a_waves_labels_take_pool_numbers_in_tote_order_and_decode(oms, env, tmp_path, monkeypatch):
    shop_with_a_wave(oms, env, tmp_path, monkeypatch)
    out = tmp_path / "labels.pdf"
    run = oms("labels", "--wave", "1", "-o", str(out))
    assert run.exit_code == 0, run.stderr
    assert "2 label(s)" in run.stderr and "2 waybill number(s) taken" in run.stderr
    pages = PdfReader(out).pages
    assert len(pages) == 2
    decoded = []
    for page in pdfium.PdfDocument(str(out)):
        image = page.render(scale=203 / 72).to_pil()
        decoded.append(sorted(r.text for r in zxingcpp.read_barcodes(image)))
    assert decoded == [["#1", "3400100001"], ["#2", "3400100373"]]
    shown = json.loads(oms("orders", "show", "#2", "--json").stdout)
    assert shown["shipments"][0]["tracking_number"] == "3400100373"


def test_printing_again_needs_reprint_and_says_which_orders(oms, env, tmp_path, monkeypatch):
    shop_with_a_wave(oms, env, tmp_path, monkeypatch)
    assert oms("labels", "--wave", "1", "-o", str(tmp_path / "a.pdf")).exit_code == 0
    again = oms("labels", "--wave", "1", "-o", str(tmp_path / "b.pdf"))
    assert (again.exit_code, again.stderr) == (
        1,
        "error: labels were printed already for #1, #2; pass --reprint to print them again "
        "(it is recorded)\n",
    )
    assert not (tmp_path / "b.pdf").exists()
    reprint = oms("labels", "--wave", "1", "-o", str(tmp_path / "b.pdf"), "--reprint")
    assert reprint.exit_code == 0 and "0 waybill number(s) taken; reprinted 2" in reprint.stderr


def test_pool_status_counts_and_warns_when_low(oms, env, tmp_path, monkeypatch):
    shop_with_a_wave(oms, env, tmp_path, monkeypatch)
    oms("labels", "--wave", "1", "-o", str(tmp_path / "a.pdf"))
    status = oms("waybills", "status", "--json")
    assert json.loads(status.stdout) == [
        {"carrier": "DHL", "loaded": 3, "used": 2, "left": 1, "low": True}
    ]
    assert "warning: the DHL pool has only 1 number(s) left" in status.stderr


def test_carriers_explain_shows_each_rules_verdict(oms, env, tmp_path, monkeypatch):
    shop_with_a_wave(oms, env, tmp_path, monkeypatch)
    lines = oms("carriers", "explain", "#2").stdout.splitlines()
    assert lines[-1] == "chosen: Europe"
    assert "1. express in mainland China → SF EXPRESS: no: country FR not in CN;" in lines[1]


def test_zpl_goes_to_stdout_for_a_zebra(oms, env, tmp_path, monkeypatch):
    shop_with_a_wave(oms, env, tmp_path, monkeypatch)
    run = oms("labels", "#1", "-f", "zpl", "-o", "-")
    assert run.exit_code == 0
    assert run.stdout.count("^XA") == 1 and "3400100001" in run.stdout


def test_labels_for_an_order_that_is_not_picked_are_refused(oms, env, tmp_path, monkeypatch):
    shop_with_a_wave(oms, env, tmp_path, monkeypatch)
    add_order(env, "#9")
    run = oms("labels", "#9", "-o", str(tmp_path / "x.pdf"))
    assert run.exit_code == 1
    assert run.stderr == (
        "error: labels print for picking or packed orders; not for #9 (new); wave them first\n"
    )
