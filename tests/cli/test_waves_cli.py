"""Waves, pick lists and packing through the commands, against a real database."""

from __future__ import annotations

import json

from oms_testing import add_order, stock_up


def approved_orders(oms, env, tmp_path, count=3):
    stock_up(env, tmp_path, {"TEA-LJ-100": 20, "CUP-CEL-02": 10, "0012-SET": 5})
    add_order(env, "#1", lines=(("TEA-LJ-100", 1, "18.50"),))
    add_order(env, "#2", lines=(("TEA-LJ-100", 2, "18.50"), ("CUP-CEL-02", 1, "24.00")))
    add_order(env, "#3", lines=(("0012-SET", 1, "89.00"),))
    assert oms("approve", "#1", "#2", "#3").exit_code == 0


def test_wave_create_moves_orders_to_picking_and_reports_each_wave(oms, env, tmp_path):
    approved_orders(oms, env, tmp_path)
    run = oms("wave", "create", "--json")
    assert run.exit_code == 0
    waves = json.loads(run.stdout)["waves"]
    assert [(w["strategy"], sorted(w["orders"]), w["units"]) for w in waves] == [
        ("single", ["#1", "#3"], 2),
        ("multi", ["#2"], 3),
    ]
    states = {
        o["channel_order_no"]: o["state"]
        for o in json.loads(oms("orders", "list", "--json").stdout)
    }
    assert states == {"#1": "picking", "#2": "picking", "#3": "picking"}
    assert oms("wave", "create", "--json").stdout.count('"code"') == 0  # nothing left to wave


def test_a_dry_run_plans_but_creates_nothing(oms, env, tmp_path):
    approved_orders(oms, env, tmp_path)
    run = oms("wave", "create", "--dry-run")
    assert run.exit_code == 0 and "dry run, nothing created" in run.stderr
    assert oms("wave", "list", "--ids").stdout == ""


def test_remove_puts_an_order_back_to_approved_and_close_waits_for_packing(oms, env, tmp_path):
    approved_orders(oms, env, tmp_path)
    oms("wave", "create")
    assert oms("wave", "remove", "1", "#1").stdout == "#1: picking → approved (was tote 1)\n"
    refused = oms("wave", "close", "WAVE-000001")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: WAVE-000001 still has 1 order(s) picking (#3); pack them, "
        "or `omsctl wave remove` them first\n"
    )
    assert oms("pack", "#3", "--scan", "0012-SET").exit_code == 0
    assert oms("wave", "close", "1").stdout == "WAVE-000001: closed\n"


def test_packing_the_right_units_moves_to_packed_and_a_mismatch_is_recorded(oms, env, tmp_path):
    approved_orders(oms, env, tmp_path)
    oms("wave", "create")
    wrong = oms("pack", "#2", "--scan", "TEA-LJ-100", "--scan", "0012-SET")
    assert wrong.exit_code == 1
    assert "mismatch:" in wrong.stdout and "stays picking" in wrong.stderr
    assert json.loads(oms("orders", "show", "#2", "--json").stdout)["state"] == "picking"
    right = oms("pack", "#2", input="TEA-LJ-100\nTEA-LJ-100\nCUP-CEL-02\n")
    assert right.exit_code == 0
    assert right.stdout.splitlines()[-1] == "#2: picking → packed (3 unit(s) verified)"
    history = json.loads(oms("orders", "show", "#2", "--json").stdout)["history"]
    assert [h["action"] for h in history][-2:] == ["pack_mismatch", "pack"]


def test_a_scan_of_no_product_changes_nothing(oms, env, tmp_path):
    approved_orders(oms, env, tmp_path)
    oms("wave", "create")
    run = oms("pack", "#1", "--scan", "NOPE-123")
    assert run.exit_code == 1
    assert run.stderr == (
        "error: no product has the code 'NOPE-123'; scan the item's SKU or "
        "barcode again; nothing was recorded\n"
    )
    history = json.loads(oms("orders", "show", "#1", "--json").stdout)["history"]
    assert "pack_mismatch" not in [h["action"] for h in history]


def test_packing_an_order_that_is_not_picking_says_what_to_do(oms, env, tmp_path):
    approved_orders(oms, env, tmp_path)
    run = oms("pack", "#1", "--scan", "TEA-LJ-100")
    assert (run.exit_code, run.stderr) == (
        1,
        "error: order #1 is approved, not picking; add it to a wave first (`omsctl wave create`)\n",
    )


def test_an_unknown_wave_is_one_line_and_exit_1(oms, env):
    run = oms("wave", "show", "77")
    assert (run.exit_code, run.stderr) == (
        1,
        "error: no wave '77'; `omsctl wave list` shows the waves\n",
    )


def test_the_pick_list_csv_walks_the_bins_once_with_totes(oms, env, tmp_path):
    approved_orders(oms, env, tmp_path)
    oms("wave", "create", "--strategy", "multi")
    rows = oms("wave", "picklist", "1", "--csv").stdout.splitlines()
    assert rows[0] == "stop,location,sku,title,product_barcode,quantity,tote,order"
    assert len(rows) == 3  # two stops for the one multi-unit order
