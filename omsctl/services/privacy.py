"""Forgetting people: the personal data of long-finished orders, blanked for privacy (R22).

`db purge-personal` runs from cron; what is kept (country, city, a postal prefix, every
non-personal column) keeps the KPIs over those orders as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    case,
    func,
    insert,
    literal,
    select,
    update,
)

from omsctl.domain.errors import UsageProblem
from omsctl.services.context import Env
from omsctl.store import checks
from omsctl.store.chunks import in_chunks
from omsctl.store.tables import Hold, LogisticsException
from omsctl.store.types import UTCDateTime

ORDERS = checks.ORDERS
HISTORY = checks.HISTORY
HOLDS = Hold.__table__  # type: ignore[attr-defined]
EXCEPTIONS = LogisticsException.__table__  # type: ignore[attr-defined]


#: Orders that are over: nothing will be shipped, labelled or reviewed for them again.
FINISHED = ("completed", "cancelled", "returned", "merged")
#: Columns that name, reach or locate a person; blanked by the purge.
PERSONAL = (
    "buyer_name",
    "buyer_email",
    "buyer_phone",
    "ship_name",
    "ship_company",
    "ship_street1",
    "ship_street2",
    "ship_district",
    "ship_phone",
    "buyer_note",
    "phone_e164",
    "address_fingerprint",
)
#: What is left of a postal code: the first characters, the area a KPI by region needs.
POSTAL_PREFIX = 3
PURGE_ACTION = "purge_personal"
#: History rows whose text never holds people's words: where the order came from.
_KEEP_DETAIL = ("import", PURGE_ACTION)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    cutoff: datetime
    orders: int
    dry_run: bool


def purge_personal(env: Env, older_than_days: int, *, dry_run: bool = False) -> PurgeResult:
    """Blank the personal data of orders finished more than `older_than_days` days ago.

    "Finished" is the time of the order's last history row, so an order touched recently
    (a late return, a note) keeps its data for the whole period after that. Kept: channel,
    order number, state, money, times, SKUs, country, province, city and a postal-code
    prefix, so counts, totals, lead times and KPIs by region do not move. The import
    fingerprint stays too, so re-importing an old export still finds the order unchanged
    instead of writing the buyer back. Each purged order gets a history row saying so.
    """
    if older_than_days < 0:
        raise UsageProblem("--older-than must be 0 or more days")
    now = env.now()
    cutoff = now - timedelta(days=older_than_days)
    sqlite = env.url.get_backend_name() == "sqlite"
    with env.uow() as uow:
        conn = uow.session.connection()
        ids = _finished_before(conn, cutoff)
        if not dry_run and ids:
            if sqlite:  # overwrite the old text in the pages, not only unlink it
                conn.exec_driver_sql("PRAGMA secure_delete=ON")
            try:
                for chunk in in_chunks(ids):
                    _purge(conn, chunk, env.actor, now, older_than_days)
            finally:
                if sqlite:  # the pages are rewritten already; the pooled connection goes back
                    conn.exec_driver_sql("PRAGMA secure_delete=OFF")
            uow.commit()
    if sqlite and ids and not dry_run:
        _checkpoint(env)
    return PurgeResult(cutoff, len(ids), dry_run)


def _checkpoint(env: Env) -> None:
    """Move the purged pages from the -wal into the file now, so no old copy outlives them.

    Best effort: a reader that is still looking at an older snapshot keeps its pages until
    it ends, and the next automatic checkpoint finishes the job.
    """
    with env.engine.connect().execution_options(omsctl_begin="DEFERRED") as conn:
        conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]


def _finished_before(conn: Connection, cutoff: datetime) -> list[int]:
    last = (
        select(HISTORY.c.order_id, func.max(HISTORY.c.at).label("last_at"))
        .group_by(HISTORY.c.order_id)
        .subquery("last")
    )
    purged = select(HISTORY.c.order_id).where(HISTORY.c.action == PURGE_ACTION)
    stmt = (
        select(ORDERS.c.id)
        .outerjoin(last, last.c.order_id == ORDERS.c.id)
        .where(
            ORDERS.c.state.in_(FINISHED),
            func.coalesce(last.c.last_at, ORDERS.c.updated_at) < literal(cutoff, UTCDateTime()),
            ORDERS.c.id.not_in(purged),
        )
        .order_by(ORDERS.c.id)
    )
    return list(conn.execute(stmt).scalars())


def _purge(conn: Connection, ids: list[int], actor: str, now: datetime, days: int) -> None:
    values: dict[str, Any] = {name: "" for name in PERSONAL}
    values["ship_postal_code"] = func.substr(ORDERS.c.ship_postal_code, 1, POSTAL_PREFIX)
    values["updated_at"] = now
    conn.execute(update(ORDERS).where(ORDERS.c.id.in_(ids)).values(values))
    conn.execute(
        update(HISTORY)
        .where(HISTORY.c.order_id.in_(ids), HISTORY.c.action.not_in(_KEEP_DETAIL))
        .values(detail="")
    )
    conn.execute(
        update(HOLDS)
        .where(HOLDS.c.order_id.in_(ids))
        .values(
            detail="",
            resolution=case((HOLDS.c.resolution.is_(None), None), else_=literal("")),
        )
    )
    conn.execute(
        update(EXCEPTIONS).where(EXCEPTIONS.c.order_id.in_(ids)).values(detail="", note="")
    )
    detail = f"personal data removed (finished more than {days} days before)"
    conn.execute(
        insert(HISTORY).from_select(
            ("order_id", "at", "actor", "action", "from_state", "to_state", "detail"),
            select(
                ORDERS.c.id,
                literal(now, UTCDateTime()),
                literal(actor),
                literal(PURGE_ACTION),
                ORDERS.c.state,
                ORDERS.c.state,
                literal(detail),
            ).where(ORDERS.c.id.in_(ids)),
        )
    )
