"""`orders split`, `orders merge` and `approve --backorder` end to end: exit codes and messages."""

from __future__ import annotations

import json

from oms_testing import add_order, stock_up
from sqlalchemy import select

from omsctl.store.tables import Order


def _readdress(env, number: str, **columns: str) -> None:
    with env.uow() as uow:
        order = uow.session.scalars(select(Order).where(Order.channel_order_no == number)).one()
        for name, value in columns.items():
            setattr(order, name, value)
        uow.session.add(order)
        uow.commit()


def test_split_moves_the_named_units_into_a_new_child_order(oms, env):
    add_order(env, "#1001", lines=(("TEE-BLK-M", 3, "19.00"), ("CANDLE-LAV", 1, "8.50")))
    run = oms("orders", "split", "#1001", "--line", "TEE-BLK-M:1", "--line", "CANDLE-LAV:1")
    assert run.exit_code == 0
    assert run.stdout == "#1001: split off TEE-BLK-M:1, CANDLE-LAV:1 into #1001-S1 (new)\n"
    child = json.loads(oms("orders", "show", "#1001-S1", "--json").stdout)
    assert [(x["sku"], x["quantity"]) for x in child["lines"]] == [
        ("TEE-BLK-M", 1),
        ("CANDLE-LAV", 1),
    ]
    assert child["total"] == "27.50"
    parent = json.loads(oms("orders", "show", "#1001", "--json").stdout)
    assert [(x["sku"], x["quantity"]) for x in parent["lines"]] == [("TEE-BLK-M", 2)]


def test_split_of_an_approved_order_says_its_stock_was_reserved_again(oms, env, tmp_path):
    stock_up(env, tmp_path, {"TEE-BLK-M": 5})
    add_order(env, "#1001", lines=(("TEE-BLK-M", 3, "19.00"),))
    assert oms("approve", "#1001").exit_code == 0
    run = oms("orders", "split", "#1001", "--line", "TEE-BLK-M:1", "--json")
    assert run.exit_code == 0
    result = json.loads(run.stdout)
    assert (result["state"], result["child"], result["child_state"], result["rereserved"]) == (
        "approved",
        "#1001-S1",
        "new",
        True,
    )
    assert result["kept"] == [{"sku": "TEE-BLK-M", "quantity": 2}]


def test_split_of_an_order_being_picked_is_refused_with_exit_1(oms, env):
    add_order(env, "#1001", state="picking", lines=(("TEE-BLK-M", 3, "19.00"),))
    run = oms("orders", "split", "#1001", "--line", "TEE-BLK-M:1")
    assert run.exit_code == 1
    assert run.stderr == (
        "error: order #1001 is picking and cannot be split; "
        "only new, on_hold and approved orders can be split\n"
    )


def test_split_of_more_than_was_ordered_is_a_usage_error(oms, env):
    add_order(env, "#1001", lines=(("TEE-BLK-M", 3, "19.00"),))
    run = oms("orders", "split", "#1001", "--line", "TEE-BLK-M:4")
    assert run.exit_code == 2
    assert run.stderr == (
        "error: cannot split off 4 of TEE-BLK-M: the order has 3; split off at most 3\n"
    )


def test_a_line_that_is_not_sku_colon_quantity_is_a_usage_error(oms, env):
    add_order(env, "#1001")
    run = oms("orders", "split", "#1001", "--line", "TEA-LJ-100")
    assert run.exit_code == 2
    assert run.stderr.startswith(
        "error: Invalid value for --line: 'TEA-LJ-100' is not SKU:QTY, e.g. TEE-BLK-M:2"
    )


def test_merge_joins_the_orders_into_the_first_and_lists_them_in_show(oms, env):
    add_order(env, "#1001")
    add_order(env, "#1002", lines=(("MUG-WHT-350", 1, "9.00"),))
    run = oms("orders", "merge", "#1001", "#1002")
    assert run.exit_code == 0
    assert run.stdout == "#1002: new → merged (into #1001)\n#1001: new, 2 line(s), 3 unit(s)\n"
    shown = json.loads(oms("orders", "show", "#1001", "--json").stdout)
    assert shown["merged_from"] == [{"id": 2, "channel": "shopify", "channel_order_no": "#1002"}]
    assert shown["total"] == "34.00"
    assert json.loads(oms("orders", "show", "#1002", "--json").stdout)["state"] == "merged"


def test_merge_of_orders_to_different_addresses_is_refused_with_exit_1(oms, env):
    add_order(env, "#1001")
    add_order(env, "#1002")
    _readdress(env, "#1002", ship_city="Hamburg", ship_postal_code="20095")
    run = oms("orders", "merge", "#1001", "#1002")
    assert run.exit_code == 1
    assert run.stderr == (
        "error: cannot merge #1002 into #1001: the addresses differ in city "
        "(#1001 has 'Berlin', #1002 has 'Hamburg'); "
        "only orders of one buyer to one address can be merged\n"
    )


def test_merge_of_a_shipped_order_is_refused_with_exit_1(oms, env):
    add_order(env, "#1001")
    add_order(env, "#1002", state="shipped")
    run = oms("orders", "merge", "#1001", "#1002")
    assert run.exit_code == 1
    assert run.stderr == (
        "error: order #1002 is shipped and cannot be merged; "
        "only new, on_hold and approved orders can be merged\n"
    )


def test_merge_of_one_order_is_a_usage_error(oms, env):
    add_order(env, "#1001")
    run = oms("orders", "merge", "#1001")
    assert run.exit_code == 2
    assert run.stderr == (
        "error: name at least two orders to merge; "
        "the first one named keeps its number and gets the others' lines\n"
    )


def test_merge_suggest_lists_orders_of_one_buyer_to_one_address(oms, env):
    add_order(env, "#1001")
    add_order(env, "#1002")
    add_order(env, "#1003", state="shipped")
    add_order(env, "#1004")
    _readdress(env, "#1004", ship_street1="Oranienstraße 5")
    run = oms("orders", "merge", "--suggest", "--json")
    assert run.exit_code == 0
    assert json.loads(run.stdout) == [
        {
            "orders": ["#1001", "#1002"],
            "ids": [1, 2],
            "states": ["new", "new"],
            "buyer": "Lena Hoffmann",
            "ship_to": "Bergmannstraße 12, 10961 Berlin, DE",
        }
    ]
    assert run.stderr == "1 group(s) could merge\n"
    assert oms("orders", "merge", "--suggest", "#1001").exit_code == 2


def test_approve_with_backorder_approves_the_part_in_stock(oms, env, tmp_path):
    stock_up(env, tmp_path, {"TEA-LJ-100": 1})
    add_order(env, "#1001", lines=(("TEA-LJ-100", 3, "12.50"),))
    refused = oms("approve", "#1001")
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: #1001: order #1001: not enough stock")
    run = oms("approve", "#1001", "--backorder")
    assert run.exit_code == 0
    assert run.stdout == "#1001: new → approved (backorder #1001-S1 (new): TEA-LJ-100:2)\n"
    assert oms("orders", "list", "--status", "new", "--ids").stdout == "2\n"
