"""CSV that omsctl writes cannot carry a formula into the merchant's spreadsheet."""

from __future__ import annotations


def test_listings_neutralise_a_buyers_formula_name_in_csv(oms, env):
    from oms_testing import add_order
    from sqlalchemy import update

    from omsctl.store.tables import Order

    add_order(env, "#1")
    with env.uow() as uow:
        uow.session.execute(update(Order).values(buyer_name="=cmd|'/C calc'!A0"))
        uow.commit()
    row = oms("orders", "list", "--csv").stdout.splitlines()[1]
    assert ",'=cmd|'/C calc'!A0," in row
