"""Waybill number pools: ranges of tracking numbers a carrier hands a merchant in advance.

Taking a number is one conditional UPDATE inside the write transaction, so two printers
printing at once can never get the same number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from omsctl.domain.errors import InputProblem, StockProblem
from omsctl.services.context import Env
from omsctl.store.chunks import in_chunks
from omsctl.store.tables import WaybillNumber

NUMBERS = WaybillNumber.__table__  # type: ignore[attr-defined]


@dataclass
class PoolLoad:
    carrier: str
    loaded: int = 0
    already_there: int = 0
    rejected: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PoolStatus:
    carrier: str
    loaded: int
    used: int
    left: int
    low: bool


def load_numbers(env: Env, carrier: str, path: Path) -> PoolLoad:
    """Add numbers (one per line; a CSV's first column; a header line is skipped)."""
    carrier = carrier.strip().upper()
    result = PoolLoad(carrier)
    if not path.exists():
        raise InputProblem(f"{path}: no such file")
    numbers: dict[str, int] = {}
    with path.open(encoding="utf-8-sig") as text:
        for line_no, line in enumerate(text, start=1):
            value = line.split(",")[0].strip().replace(" ", "").upper()
            if not value or (line_no == 1 and not any(c.isdigit() for c in value)):
                continue
            if not value.isalnum():
                result.rejected.append(f"{path}:{line_no}: {value!r} is not a tracking number")
                continue
            numbers.setdefault(value, line_no)
    now = env.now()
    with env.uow() as uow:
        conn = uow.session.connection()
        known = set()
        wanted = sorted(numbers)
        for chunk in in_chunks(wanted):
            known.update(
                conn.execute(
                    select(NUMBERS.c.number).where(
                        NUMBERS.c.carrier == carrier,
                        NUMBERS.c.number.in_(chunk),
                    )
                ).scalars()
            )
        fresh = [
            {"carrier": carrier, "number": n, "loaded_at": now} for n in wanted if n not in known
        ]
        if fresh:
            conn.execute(insert(NUMBERS), fresh)
        uow.commit()
    result.loaded, result.already_there = len(fresh), len(known)
    return result


def pool_status(env: Env) -> list[PoolStatus]:
    low = env.settings["waybills.low_warning"]
    stmt = (
        select(NUMBERS.c.carrier, func.count(), func.count(NUMBERS.c.order_id))
        .group_by(NUMBERS.c.carrier)
        .order_by(NUMBERS.c.carrier)
    )
    with env.uow(write=False) as uow:
        return [
            PoolStatus(c, total, used, total - used, total - used < low)
            for c, total, used in uow.session.connection().execute(stmt)
        ]


def has_pool(session: Session, carrier: str) -> bool:
    return (
        session.connection()
        .execute(select(func.count()).select_from(NUMBERS).where(NUMBERS.c.carrier == carrier))
        .scalar_one()
        > 0
    )


def take_number(session: Session, carrier: str, order_id: int, at: datetime) -> str | None:
    """The next unused number of the carrier's pool, now the order's; None if no pool exists."""
    conn = session.connection()
    next_free = (
        select(NUMBERS.c.id)
        .where(NUMBERS.c.carrier == carrier, NUMBERS.c.order_id.is_(None))
        .order_by(NUMBERS.c.id)
        .limit(1)
        .scalar_subquery()
    )
    done = conn.execute(
        update(NUMBERS)
        .where(NUMBERS.c.id == next_free, NUMBERS.c.order_id.is_(None))
        .values(order_id=order_id, used_at=at)
        .returning(NUMBERS.c.number)
    )
    number = done.scalar()
    if number is not None:
        return str(number)
    if has_pool(session, carrier):
        raise StockProblem(
            f"the {carrier} waybill pool is used up",
            hint=f"load more numbers: `omsctl waybills load --carrier {carrier} FILE`",
        )
    return None
