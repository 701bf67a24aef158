"""A person's decisions on orders: approve, hold, release, cancel.

Each call takes several orders; every order is decided in its own savepoint, so one refused
order (wrong state, unknown number) is reported while the others are committed (exit 3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from omsctl.domain.errors import IllegalTransition, OmsError, UsageProblem
from omsctl.domain.holds import reason as hold_reason
from omsctl.domain.lifecycle import State
from omsctl.services import lifecycle
from omsctl.services.context import Env
from omsctl.services.splitting import backorder as split_backorder
from omsctl.store.orders import find_order
from omsctl.store.tables import Order


@dataclass(frozen=True, slots=True)
class Outcome:
    order: str
    id: int | None
    from_state: str | None
    to_state: str | None
    ok: bool
    message: str = ""


@dataclass(frozen=True, slots=True)
class ActionReport:
    action: str
    outcomes: tuple[Outcome, ...]

    @property
    def failed(self) -> int:
        return sum(not o.ok for o in self.outcomes)


Decide = Callable[[Session, Order, Env], str]


def _run(env: Env, action: str, refs: Sequence[str], decide: Decide) -> ActionReport:
    if not refs:
        raise UsageProblem(f"{action}: name at least one order")
    outcomes: list[Outcome] = []
    with env.uow() as uow:
        for ref in refs:
            savepoint = uow.session.begin_nested()
            try:
                order = find_order(uow.session, ref)
                before = order.state
                message = decide(uow.session, order, env)
                savepoint.commit()
                outcomes.append(Outcome(ref, order.id, before, order.state, True, message))
            except OmsError as exc:
                savepoint.rollback()
                outcomes.append(Outcome(ref, None, None, None, False, str(exc)))
        uow.commit()
    return ActionReport(action, tuple(outcomes))


def approve(
    env: Env, refs: Sequence[str], note: str = "", *, backorder: bool = False
) -> ActionReport:
    """new or on_hold → approved; a person's approval resolves the order's open holds.

    With `backorder`, an order not wholly in stock is first split (services.splitting): the
    part in stock is approved, the rest waits in a child order that starts new. Without it,
    such an order is refused and nothing is reserved, so no order ships incomplete unasked.
    """

    def decide(session: Session, order: Order, env: Env) -> str:
        # picking → approved is how an order leaves a wave (`wave remove`), not an approval.
        if order.state not in (State.NEW, State.ON_HOLD):
            raise IllegalTransition(
                f"order {lifecycle.order_ref(order)} is {order.state}, not new or on_hold",
                hint="only new and held orders are approved",
            )
        now = env.now()
        wanted = env.warehouse_preferences
        notes = []
        if backorder:
            waiting = split_backorder(
                session, order, actor=env.actor, at=now, preferences=wanted, note=note
            )
            if waiting:
                lines = ", ".join(f"{x.sku}:{x.quantity}" for x in waiting.lines)
                notes.append(f"backorder {waiting.child} (new): {lines}")
        lifecycle.move(
            session,
            order,
            State.APPROVED,
            action="approve",
            actor=env.actor,
            at=now,
            detail=note,
            preferences=wanted,
        )
        resolved = lifecycle.resolve_holds(
            session, order, actor=env.actor, at=now, resolution="approved by a person"
        )
        if resolved:
            notes.append(f"{resolved} hold(s) resolved")
        return "; ".join(notes)

    return _run(env, "approve", refs, decide)


def hold(env: Env, refs: Sequence[str], code: str, note: str = "") -> ActionReport:
    """Put orders on hold for a reason; an order already held gains one more reason."""
    hold_reason(code)  # refuse an unknown reason before touching any order
    sla = env.settings.section("holds.sla_hours")

    def decide(session: Session, order: Order, env: Env) -> str:
        now = env.now()
        if order.state == State.ON_HOLD:
            lifecycle.record(session, order, "hold", env.actor, now, f"{code}: {note}".rstrip(": "))
        else:
            lifecycle.move(
                session,
                order,
                State.ON_HOLD,
                action="hold",
                actor=env.actor,
                at=now,
                detail=f"{code}: {note}".rstrip(": "),
            )
        lifecycle.add_hold(session, order, code, note, at=now, sla_hours=sla)
        return code

    return _run(env, "hold", refs, decide)


def release(env: Env, refs: Sequence[str], code: str | None = None, note: str = "") -> ActionReport:
    """Resolve holds (all, or one reason); an order with none left becomes approved."""

    def decide(session: Session, order: Order, env: Env) -> str:
        if order.state != State.ON_HOLD:
            raise UsageProblem(
                f"order {lifecycle.order_ref(order)} is {order.state}, not on_hold",
                hint="only held orders are released; use `omsctl approve` for new orders",
            )
        now = env.now()
        resolved = lifecycle.resolve_holds(
            session, order, actor=env.actor, at=now, resolution=note or "released", reason=code
        )
        if code and not resolved:
            raise UsageProblem(f"order {lifecycle.order_ref(order)} has no open {code} hold")
        left = lifecycle.open_holds(session, order)
        if left:
            reasons = ", ".join(sorted({h.reason for h in left}))
            lifecycle.record(
                session, order, "release", env.actor, now, f"{code}; still held: {reasons}"
            )
            return f"still held: {reasons}"
        lifecycle.move(
            session,
            order,
            State.APPROVED,
            action="release",
            actor=env.actor,
            at=now,
            detail=note,
            preferences=env.warehouse_preferences,
        )
        return ""

    return _run(env, "release", refs, decide)


def cancel(env: Env, refs: Sequence[str], note: str = "") -> ActionReport:
    """new, on_hold or approved → cancelled; open holds are closed with it."""

    def decide(session: Session, order: Order, env: Env) -> str:
        now = env.now()
        lifecycle.move(
            session, order, State.CANCELLED, action="cancel", actor=env.actor, at=now, detail=note
        )
        lifecycle.resolve_holds(session, order, actor=env.actor, at=now, resolution="cancelled")
        return ""

    return _run(env, "cancel", refs, decide)
