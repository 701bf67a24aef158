"""Several real processes reviewing and approving at once against one SQLite file never
reserve more than is on hand."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from oms_testing import add_order, stock_up
from sqlalchemy import String, cast, func, select, update

from omsctl.store.tables import Order, OrderHistory, OrderLine, Reservation, StockLevel

SKUS = ("TEA-LJ-100", "CUP-CEL-02", "POT-YX-350")
UNITS_PER_BIN = 6  # in each of two warehouses: 12 units of each SKU
ORDERS = 50

#: Approves the orders named on its command line one at a time, in its own shuffled order,
#: each in its own transaction (as a person clicking through the queue would).
APPROVER = """
import random, sys
from omsctl.services.context import Env
from omsctl.services.order_actions import approve
db, seed, refs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
random.Random(seed).shuffle(refs)
env = Env(db=db, actor=f"approver-{seed}")
print(sum(approve(env, [ref]).failed == 0 for ref in refs))
"""

#: Runs the whole review three times, a moment apart.
REVIEWER = """
import sys, time
from omsctl.services.context import Env
from omsctl.services.reviewing import review_orders
env = Env(db=sys.argv[1], actor="reviewer")
for _ in range(3):
    print(review_orders(env).approved)
    time.sleep(0.05)
"""


def make_orders(env, rng: random.Random) -> list[str]:
    """Orders of 1-2 lines of 1-2 units, each to its own door so review holds none as a
    duplicate; together they want more than three times the stock."""
    refs = []
    for n in range(1, ORDERS + 1):
        skus = rng.sample(SKUS, rng.choice((1, 2)))
        refs.append(f"#C{n:03d}")
        add_order(env, refs[-1], lines=tuple((sku, rng.choice((1, 2)), "9.90") for sku in skus))
    orders = Order.__table__  # type: ignore[attr-defined]
    with env.engine.begin() as conn:
        conn.execute(
            update(orders).values(ship_street1="Bergmannstraße " + cast(orders.c.id, String))
        )
    return refs


def test_reviewers_and_approvers_in_parallel_never_oversell(env, tmp_path: Path) -> None:
    rng = random.Random(20261120)
    units = dict.fromkeys(SKUS, UNITS_PER_BIN)
    stock_up(env, tmp_path, units, warehouse="BER")
    stock_up(env, tmp_path, units, warehouse="HAM")
    refs = make_orders(env, rng)
    with env.engine.connect() as conn:
        demand = conn.execute(select(func.sum(OrderLine.quantity))).scalar()
    stock = 2 * UNITS_PER_BIN * len(SKUS)
    assert demand >= 3 * stock

    db = env.db
    python = [sys.executable]
    environ = {**os.environ, "OMSCTL_USER": "tester", "NO_COLOR": "1"}
    commands = [
        *[[*python, "-c", APPROVER, db, str(seed), *refs] for seed in range(4)],
        [*python, "-c", REVIEWER, db],
        [*python, "-m", "omsctl", "--db", db, "review"],
        [*python, "-m", "omsctl", "--db", db, "review"],
        [*python, "-m", "omsctl", "--db", db, "approve", *refs],
    ]
    start = time.perf_counter()
    running = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environ)
        for c in commands
    ]
    results = [(p, *p.communicate(timeout=120)) for p in running]
    seconds = time.perf_counter() - start

    for _process, _out, err in results:
        assert "locked" not in err, err
        assert "Traceback" not in err, err
    # The workers and reviews succeed; `approve` of every order in one go refuses those
    # approved already or out of stock: some (exit 3) or, if it ran last, all (exit 1).
    assert [p.returncode for p, _, _ in results[:7]] == [0] * 7
    assert results[7][0].returncode in (0, 1, 3)

    with env.engine.connect() as conn:
        levels = conn.execute(
            select(StockLevel.sku, StockLevel.location_id, StockLevel.on_hand, StockLevel.reserved)
        ).all()
        live = Counter()
        for sku, location, qty in conn.execute(
            select(Reservation.sku, Reservation.location_id, Reservation.quantity)
        ):
            live[(sku, location)] += qty
        approved_units = conn.execute(
            select(func.sum(OrderLine.quantity))
            .join(Order, Order.id == OrderLine.order_id)  # type: ignore[arg-type]
            .where(Order.state == "approved")
        ).scalar()
        approvals = Counter(
            conn.execute(
                select(OrderHistory.order_id).where(OrderHistory.to_state == "approved")
            ).scalars()
        )
        approvers = Counter(
            conn.execute(
                select(OrderHistory.actor).where(OrderHistory.to_state == "approved")
            ).scalars()
        )
        approved = conn.execute(
            select(func.count()).select_from(Order).where(Order.state == "approved")  # type: ignore[arg-type]
        ).scalar()

    oversold = sum(max(0, reserved - on_hand) for _, _, on_hand, reserved in levels)
    assert oversold == 0
    assert all(reserved == live[(sku, loc)] for sku, loc, _, reserved in levels)
    assert sum(reserved for *_, reserved in levels) == approved_units <= stock
    assert approved == len(approvals) and set(approvals.values()) == {1}
    print(
        f"{len(commands)} processes, {ORDERS} orders wanting {demand} units of {stock}: "
        f"{approved} approved, {approved_units} units reserved, oversold {oversold}, "
        f"{seconds:.1f} s; approved by {dict(approvers)}"
    )
