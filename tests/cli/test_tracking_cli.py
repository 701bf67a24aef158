"""Tracking numbers through the commands: checked, recorded once, shipped, confirmed once."""

from __future__ import annotations

import json

from oms_testing import add_order, stock_up


def packed(oms, env, tmp_path, numbers=("#1", "#2")):
    stock_up(env, tmp_path, {"TEA-LJ-100": 20})
    for number in numbers:
        add_order(env, number, lines=(("TEA-LJ-100", 2, "18.50"),))
    assert oms("approve", *numbers).exit_code == 0
    assert oms("wave", "create").exit_code == 0
    for number in numbers:
        assert oms("pack", number, "-s", "TEA-LJ-100", "-s", "TEA-LJ-100").exit_code == 0


def test_a_valid_number_ships_the_order_and_takes_the_stock(oms, env, tmp_path):
    packed(oms, env, tmp_path)
    run = oms("track", "add", "#1", "1z 999 aa1 0123456784")
    assert run.stdout == "#1: UPS 1Z999AA10123456784 (1Z), shipped\n"
    shown = json.loads(oms("orders", "show", "#1", "--json").stdout)
    assert shown["state"] == "shipped"
    assert shown["shipments"][0]["tracking_number"] == "1Z999AA10123456784"
    stock = json.loads(oms("stock", "list", "--json").stdout)[0]
    assert (stock["on_hand"], stock["reserved"]) == (18, 2)


def test_a_mistyped_number_is_refused_with_the_expected_check_digit(oms, env, tmp_path):
    packed(oms, env, tmp_path)
    run = oms("track", "add", "#1", "1Z999AA10123456785")
    assert (run.exit_code, run.stderr) == (1, "error: UPS check digit should be 4, is 5\n")
    assert json.loads(oms("orders", "show", "#1", "--json").stdout)["state"] == "packed"


def test_a_number_on_another_shipment_is_refused(oms, env, tmp_path):
    packed(oms, env, tmp_path)
    assert oms("track", "add", "#1", "3400100001").exit_code == 0
    run = oms("track", "add", "#2", "3400100001")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: 3400100001 is already the tracking number of order #1")


def test_recording_the_same_number_again_changes_nothing(oms, env, tmp_path):
    packed(oms, env, tmp_path)
    oms("track", "add", "#1", "3400100001")
    again = oms("track", "add", "#1", "3400100001")
    assert again.stdout == "#1: DHL 3400100001 (Express), already recorded\n"


def test_a_carrier_without_check_digit_needs_carrier(oms, env, tmp_path):
    packed(oms, env, tmp_path)
    assert oms("track", "add", "#1", "SF1234500007919").exit_code == 1
    assert oms("track", "add", "#1", "SF1234500007919", "--carrier", "SF").exit_code == 0


def test_the_export_sends_each_shipment_once_unless_asked_again(oms, env, tmp_path):
    packed(oms, env, tmp_path)
    oms("track", "add", "#1", "1Z999AA10123456784")
    first = oms("track", "export", "--channel", "shopify").stdout.splitlines()
    assert first[0] == "order_number,tracking_number,carrier,service,ship_date,tracking_url"
    assert first[1].startswith("#1,1Z999AA10123456784,UPS,")
    assert oms("track", "export", "--channel", "shopify").stdout.splitlines()[1:] == []
    assert len(oms("track", "export", "--channel", "shopify", "--again").stdout.splitlines()) == 2


def test_import_records_rows_and_rejects_bad_ones_with_their_line(oms, env, tmp_path):
    packed(oms, env, tmp_path)
    path = tmp_path / "tracking.csv"
    path.write_text(
        "order,number,carrier\n#1,3400100001,DHL\n#2,1Z999AA10123456785,UPS\n", encoding="utf-8"
    )
    run = oms("track", "import", str(path))
    assert run.exit_code == 3
    assert f"rejected: {path}:3: number: UPS check digit should be 4, is 5" in run.stderr
    assert "tracking: 1 recorded, 0 unchanged, 1 rejected" in run.stderr
    assert oms("track", "import", str(path)).stderr.count("1 unchanged") == 1
