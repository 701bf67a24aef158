"""Review: clean orders go through by themselves; every other order waits with its reasons.

One run reads what it needs for all candidates in a few queries (their lines, open holds, the
product master, stock through one StockBook, and the duplicate keys), decides each order with
the domain's rules, and writes in bulk. A hold a person resolved stays resolved: review never
raises the same reason again on that order. Holds whose cause can go away by itself (payment
arrived, stock received, address fixed) are cleared by review when it has.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from omsctl.domain.errors import StockProblem
from omsctl.domain.lifecycle import State
from omsctl.domain.payments import expired_unpaid
from omsctl.domain.review import Finding, OrderFacts, ReviewSettings, address_fingerprint, review
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.services.order_actions import preferences
from omsctl.services.stockbook import StockBook
from omsctl.store.tables import Hold, Order, OrderLine, Product

#: Hold reasons review clears by itself once the rule no longer fires.
AUTO_CLEAR = frozenset({"unpaid", "address_incomplete", "phone_invalid", "unknown_sku",
                        "out_of_stock"})
CLEARED = "review: the cause is gone"
_CHUNK = 900


@dataclass(frozen=True, slots=True)
class OrderReview:
    id: int
    order: str
    channel: str
    from_state: str
    to_state: str
    holds: tuple[Finding, ...]  # the reasons it now waits for
    cleared: tuple[str, ...]


@dataclass
class ReviewReport:
    dry_run: bool
    reviewed: int = 0
    approved: int = 0
    held: dict[str, int] = field(default_factory=dict)
    cleared: int = 0
    expired: int = 0
    orders: list[OrderReview] = field(default_factory=list)


def review_orders(env: Env, *, dry_run: bool = False, expire_unpaid: bool = False) -> ReviewReport:
    """Run the rules over new and held orders; approve (and reserve) or hold each one."""
    from omsctl.review_checks import I18nAddressCheck, PhoneNumbersCheck

    rules = ReviewSettings.from_config(env.settings.section("review"))
    report = ReviewReport(dry_run)
    with env.uow() as uow:
        run = _Run(uow.session, env, rules, I18nAddressCheck(), PhoneNumbersCheck(), report)
        if expire_unpaid:
            run.expire()
        run.review()
        if not dry_run:
            uow.commit()
    return report


class _Run:
    def __init__(self, session: Session, env: Env, rules: ReviewSettings, address, phone,  # type: ignore[no-untyped-def]
                 report: ReviewReport) -> None:
        self.s, self.env, self.rules, self.report = session, env, rules, report
        self.address, self.phone = address, phone
        self.now, self.actor = env.now(), env.actor
        self.sla = env.settings.section("holds.sla_hours")
        self.prefs = preferences(env)

    def expire(self) -> None:
        """Cancel orders unpaid for longer than the time-out; their stock goes back."""
        limit = self.now - timedelta(hours=self.rules.unpaid_timeout_hours)
        stmt = select(Order).where(
            Order.state.in_((State.NEW, State.ON_HOLD, State.APPROVED)),  # type: ignore[attr-defined]
            Order.payment_status == "pending", Order.ordered_at < limit,
        )
        for order in self.s.scalars(stmt):
            if not expired_unpaid(order.ordered_at, order.payment_status, self.now,
                                  self.rules.unpaid_timeout_hours):
                continue
            hours = self.rules.unpaid_timeout_hours
            lifecycle.move(self.s, order, State.CANCELLED, action="expire", actor=self.actor,
                           at=self.now, detail=f"unpaid for more than {hours} h")
            lifecycle.resolve_holds(self.s, order, actor=self.actor, at=self.now,
                                    resolution="cancelled: payment timed out")
            self.report.expired += 1

    def review(self) -> None:
        orders = list(self.s.scalars(
            select(Order).where(Order.state.in_((State.NEW, State.ON_HOLD)))  # type: ignore[attr-defined]
            .order_by(Order.ordered_at, Order.id)  # type: ignore[arg-type]
        ))
        ids = [o.id or 0 for o in orders]
        lines = _lines(self.s, ids)
        open_holds, settled = _holds(self.s, ids)
        products = set(self.s.scalars(select(Product.sku)))
        book = StockBook(self.s, {sku for order_lines in lines.values() for sku, _ in order_lines})
        self._write_keys(orders)
        phones, places = _duplicate_counts(self.s, orders, self.rules.duplicate_window_hours)
        for order in orders:
            oid = order.id or 0
            facts = self._facts(order, lines.get(oid, []), products, book,
                                phones.get(oid, 0), places.get(oid, 0))
            findings = [f for f in review(facts, self.rules, self.address, self.phone)
                        if f.reason not in settled.get(oid, set())]
            self._decide(order, findings, open_holds.get(oid, {}), book)
        book.flush()
        self.report.reviewed = len(orders)

    def _write_keys(self, orders: Sequence[Order]) -> None:
        for order in orders:
            e164 = self.phone.normalise(order.ship_phone or order.buyer_phone,
                                        order.ship_country) or ""
            place = address_fingerprint(order.ship_street1, order.ship_street2, order.ship_city,
                                        order.ship_postal_code, order.ship_country)
            if (order.phone_e164, order.address_fingerprint) != (e164, place):
                order.phone_e164, order.address_fingerprint = e164, place

    def _facts(self, o: Order, lines: list[tuple[str, int]], products: set[str],
               book: StockBook, same_phone: int, same_place: int) -> OrderFacts:
        needed: Counter[str] = Counter()
        for sku, qty in lines:
            needed[sku] += qty
        short = {sku: (qty, book.available(sku)) for sku, qty in needed.items()
                 if sku in products and qty > book.available(sku)}
        return OrderFacts(
            order_id=o.id or 0, channel_order_no=o.channel_order_no, currency=o.currency,
            total=o.total, payment_status=o.payment_status, buyer_note=o.buyer_note,
            buyer_email=o.buyer_email, phone=o.ship_phone or o.buyer_phone, name=o.ship_name,
            company=o.ship_company, street1=o.ship_street1, street2=o.ship_street2,
            district=o.ship_district, city=o.ship_city, province=o.ship_province,
            postal_code=o.ship_postal_code, country=o.ship_country, lines=tuple(lines),
            unknown_skus=frozenset(sku for sku in needed if sku not in products),
            short_skus=short, recent_same_phone=same_phone, recent_same_address=same_place,
        )

    def _decide(self, order: Order, findings: list[Finding], open_: dict[str, Hold],
                book: StockBook) -> None:
        before = order.state
        found = {f.reason: f for f in findings}
        cleared = tuple(r for r in open_ if r in AUTO_CLEAR and r not in found)
        for reason in cleared:
            hold = open_[reason]
            hold.resolved_at, hold.resolved_by, hold.resolution = self.now, self.actor, CLEARED
        waiting = [f for f in findings if f.reason not in open_]
        still = [r for r in open_ if r not in cleared]
        if not waiting and not still:
            try:
                lifecycle.move(self.s, order, State.APPROVED, action="review", actor=self.actor,
                               at=self.now, detail="passed every review rule",
                               preferences=self.prefs, book=book)
                self.report.approved += 1
            except StockProblem as problem:
                waiting = [Finding("out_of_stock", problem.message)]
        if waiting:
            for finding in waiting:
                lifecycle.add_hold(self.s, order, finding.reason, finding.detail, at=self.now,
                                   sla_hours=self.sla)
                self.report.held[finding.reason] = self.report.held.get(finding.reason, 0) + 1
            summary = "; ".join(f"{f.reason}: {f.detail}" for f in waiting)
            if order.state == State.NEW:
                lifecycle.move(self.s, order, State.ON_HOLD, action="review", actor=self.actor,
                               at=self.now, detail=summary)
            else:
                lifecycle.record(self.s, order, "review", self.actor, self.now, summary)
        self.report.cleared += len(cleared)
        if before != order.state or waiting or cleared:
            holds = tuple(waiting) + tuple(Finding(r, open_[r].detail) for r in still)
            self.report.orders.append(OrderReview(
                order.id or 0, order.channel_order_no, order.channel, before, order.state,
                holds, cleared))


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _lines(session: Session, ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
    found: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for chunk in _chunks(ids):
        stmt = (select(OrderLine.order_id, OrderLine.sku, OrderLine.quantity)
                .where(OrderLine.order_id.in_(chunk))  # type: ignore[attr-defined]
                .order_by(OrderLine.order_id, OrderLine.line_no))
        for order_id, sku, qty in session.execute(stmt):
            found[order_id].append((sku, qty))
    return found


def _holds(session: Session, ids: Sequence[int]) -> tuple[dict[int, dict[str, Hold]], dict[int, set[str]]]:
    """Open holds by order and reason, and the reasons a person resolved (they stay resolved)."""
    open_: dict[int, dict[str, Hold]] = defaultdict(dict)
    settled: dict[int, set[str]] = defaultdict(set)
    for chunk in _chunks(ids):
        for hold in session.scalars(select(Hold).where(Hold.order_id.in_(chunk))):  # type: ignore[attr-defined]
            if hold.resolved_at is None:
                open_[hold.order_id].setdefault(hold.reason, hold)
            elif hold.resolution != CLEARED:
                settled[hold.order_id].add(hold.reason)
    return open_, settled


def _duplicate_counts(session: Session, orders: Sequence[Order],
                      window_hours: int) -> tuple[dict[int, int], dict[int, int]]:
    """For each order, how many orders share its phone, and its address, within the window."""
    if not orders:
        return {}, {}
    window = timedelta(hours=window_hours)
    start = min(o.ordered_at for o in orders) - window
    end = max(o.ordered_at for o in orders) + window
    by_phone: dict[str, list[datetime]] = defaultdict(list)
    by_place: dict[str, list[datetime]] = defaultdict(list)
    seen: set[int] = set()
    for o in orders:
        seen.add(o.id or 0)
        if o.phone_e164:
            by_phone[o.phone_e164].append(o.ordered_at)
        if o.address_fingerprint:
            by_place[o.address_fingerprint].append(o.ordered_at)
    for column, keys, times in ((Order.phone_e164, by_phone, by_phone),
                                (Order.address_fingerprint, by_place, by_place)):
        wanted = sorted(keys)
        for offset in range(0, len(wanted), _CHUNK):
            stmt = select(Order.id, column, Order.ordered_at).where(
                column.in_(wanted[offset : offset + _CHUNK]),  # type: ignore[attr-defined]
                Order.ordered_at >= start, Order.ordered_at <= end,
                Order.state != State.MERGED,
            )
            for order_id, key, at in session.execute(stmt):
                if order_id not in seen:
                    times[key].append(at)
    for series in (*by_phone.values(), *by_place.values()):
        series.sort()

    def count(series: list[datetime], at: datetime) -> int:
        return bisect_right(series, at + window) - bisect_left(series, at - window)

    phones = {o.id or 0: count(by_phone[o.phone_e164], o.ordered_at)
              for o in orders if o.phone_e164}
    places = {o.id or 0: count(by_place[o.address_fingerprint], o.ordered_at)
              for o in orders if o.address_fingerprint}
    return phones, places


def clear_keys(session: Session, order_ids: Iterable[int]) -> None:
    """Forget review's keys for edited orders, so the next review computes them afresh."""
    ids = list(order_ids)
    for chunk in _chunks(ids):
        session.execute(update(Order).where(Order.id.in_(chunk))  # type: ignore[union-attr]
                        .values(phone_e164="", address_fingerprint=""))
