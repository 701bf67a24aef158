from __future__ import annotations

import json

from oms_testing import add_order


def test_editing_records_each_change_and_clears_reviews_keys(oms, env):
    add_order(env, "#1", country="DE")
    run = oms(
        "orders",
        "edit",
        "#1",
        "--phone",
        "+49 30 1234567",
        "--postal-code",
        "'01067",
        "--note",
        "buyer called",
    )
    assert run.exit_code == 0
    assert run.stdout.splitlines() == [
        "#1: postal_code: 10961 → 01067",
        "#1: phone: ∅ → +49 30 1234567",
    ]
    shown = json.loads(oms("orders", "show", "#1", "--json").stdout)
    assert shown["ship_to"]["postal_code"] == "01067"
    assert shown["history"][-1]["action"] == "edit"
    assert shown["history"][-1]["detail"].endswith("— buyer called")


def test_editing_a_shipped_order_is_refused_and_changes_nothing(oms, env):
    add_order(env, "#2", state="shipped")
    run = oms("orders", "edit", "#2", "--city", "Hamburg")
    assert run.exit_code == 1
    assert run.stderr == (
        "error: order #2 is shipped and can no longer be edited; edits are for "
        "new, on_hold and approved orders; after that the parcel data is on "
        "its label\n"
    )
    assert json.loads(oms("orders", "show", "#2", "--json").stdout)["ship_to"]["city"] == "Berlin"


def test_an_unknown_country_is_a_usage_error(oms, env):
    add_order(env, "#3")
    run = oms("orders", "edit", "#3", "--country", "Atlantis")
    assert run.exit_code == 2
    assert "'Atlantis' is not a country omsctl knows" in run.stderr
