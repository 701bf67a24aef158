"""Products, warehouses and stock through the commands: messages, exit codes, then the data."""

from __future__ import annotations

import json

from oms_testing import SAMPLES, add_order


def setup_shop(oms, tmp_path):
    assert oms("products", "import", str(SAMPLES / "products.csv")).exit_code == 0
    for code, country in (("HZ", "CN"), ("BER", "DE"), ("NJ", "US")):
        assert oms("warehouses", "add", code, "--name", code, "--country", country).exit_code == 0
    assert oms("stock", "import", str(SAMPLES / "stock.csv")).exit_code == 0


def test_stock_list_json_has_the_documented_keys_and_leading_zeros(oms, env, tmp_path):
    setup_shop(oms, tmp_path)
    rows = json.loads(oms("stock", "list", "--json", "--warehouse", "BER").stdout)
    assert rows[0].keys() == {"sku", "warehouse", "location", "on_hand", "reserved", "available"}
    assert {
        "sku": "0012-SET",
        "warehouse": "BER",
        "location": "B-03-2",
        "on_hand": 5,
        "reserved": 0,
        "available": 5,
    } in rows


def test_a_product_row_with_a_bad_weight_is_rejected_with_its_line_and_exit_3(oms, env, tmp_path):
    path = tmp_path / "products.csv"
    path.write_text("sku,title,weight_kg\nTEA-A,Tea A,0.1\nTEA-B,Tea B,heavy\n", encoding="utf-8")
    run = oms("products", "import", str(path))
    assert run.exit_code == 3
    assert f"rejected: {path}:3: weight_kg: 'heavy' is not an amount like 12.50" in run.stderr
    assert [p["sku"] for p in json.loads(oms("products", "list", "--json").stdout)] == ["TEA-A"]


def test_adding_a_warehouse_twice_is_a_conflict_exit_1(oms, env):
    assert oms("warehouses", "add", "HZ", "--name", "Hangzhou", "--country", "CN").exit_code == 0
    run = oms("warehouses", "add", "HZ", "--name", "Again", "--country", "CN")
    assert (run.exit_code, run.stderr) == (
        1,
        "error: warehouse HZ exists already; `omsctl warehouses list` shows it\n",
    )


def test_stock_adjust_below_what_is_reserved_is_refused_and_changes_nothing(oms, env, tmp_path):
    setup_shop(oms, tmp_path)
    add_order(env, "#1", lines=(("KETTLE-GS-1L", 1, "49.00"),), country="CN")
    assert oms("approve", "#1").exit_code == 0
    run = oms("stock", "adjust", "KETTLE-GS-1L", "-1", "--reason", "dropped", "--warehouse", "HZ")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: cannot adjust")
    hz = [
        r
        for r in json.loads(oms("stock", "list", "--json").stdout)
        if r["sku"] == "KETTLE-GS-1L" and r["warehouse"] == "HZ"
    ]
    assert hz == [
        {
            "sku": "KETTLE-GS-1L",
            "warehouse": "HZ",
            "location": "D-01-1",
            "on_hand": 1,
            "reserved": 1,
            "available": 0,
        }
    ]


def test_approving_short_stock_names_the_sku_what_is_needed_and_available(oms, env, tmp_path):
    setup_shop(oms, tmp_path)
    add_order(env, "#2", lines=(("KETTLE-GS-1L", 9, "49.00"),), country="US")
    run = oms("approve", "#2")
    assert run.exit_code == 1
    assert run.stderr == (
        "error: #2: order #2: not enough stock (KETTLE-GS-1L needs 9, 3 available); receive "
        "stock (`omsctl stock import --add`) or hold the order\n"
    )


def test_low_stock_lists_what_is_at_or_under_its_reorder_point(oms, env, tmp_path):
    setup_shop(oms, tmp_path)
    low = json.loads(oms("stock", "list", "--low", "--json").stdout)
    assert [(r["sku"], r["available"], r["reorder_point"]) for r in low] == [("KETTLE-GS-1L", 3, 5)]
    assert low[0]["suggested_order"] >= 3


def test_the_hold_queue_is_most_urgent_first(oms, env):
    add_order(env, "#10")
    add_order(env, "#11")
    oms("hold", "#10", "--reason", "buyer_note")
    oms("hold", "#11", "--reason", "address_incomplete")
    rows = json.loads(oms("holds", "list", "--json").stdout)
    assert [(r["order"], r["reason"], r["priority"]) for r in rows] == [
        ("#11", "address_incomplete", 1),
        ("#10", "buyer_note", 3),
    ]
    assert oms("holds", "list", "--reason", "nope").stderr.startswith(
        "error: unknown hold reason 'nope'"
    )
