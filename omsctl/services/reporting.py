"""The KPI report: the facts from SQL (store/kpi_facts.py), measured with domain.kpis.

This module turns the options into a window, the period before it and the periods to show
(in the merchant's time zone), gathers the facts in one read-only transaction, and lets
domain.kpis fold them into the report with the formulas docs/kpis.md writes down.
"""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from omsctl.domain import kpi_periods as periods_
from omsctl.domain import kpis
from omsctl.domain.clock import parse_moment
from omsctl.domain.errors import ConfigProblem, UsageProblem
from omsctl.domain.kpi_periods import By, Span
from omsctl.services.context import Env
from omsctl.store.kpi_facts import FactGatherer, LocalDay, Scope


def kpi_report(
    env: Env,
    *,
    since: str | None = None,
    until: str | None = None,
    by: str = "day",
    channel: str | None = None,
    carrier: str | None = None,
    tz: str | None = None,
) -> kpis.KpiReport:
    """KPIs of whole local days from `since` up to `until` (exclusive), by day, week or month,
    with the period just before for comparison.

    `until` defaults to the start of today, so a report (and a nightly CSV) holds complete
    days only; a window that would then be empty (`--since today`) runs to the end of today.
    """
    zone = _zone(tz or env.settings["general.timezone"])
    step = _by(by)
    cutoff = _cutoff(env.settings["reports.ship_cutoff"])
    now = env.now()
    today = periods_.local_day(now, zone)
    end = periods_.end_day(parse_moment(until, now=now, tz=zone), zone) if until else today
    start = (
        periods_.first_day(parse_moment(since, now=now, tz=zone), zone)
        if since
        else periods_.default_start(end, step)
    )
    if since and not until and start >= end:
        end = start + timedelta(days=1)
    if start >= end:
        raise UsageProblem(
            f"the report would end ({end}) before it starts ({start})",
            hint="give --since before --until; --until is exclusive",
        )
    window = Span(start, end, f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}")
    before = periods_.previous(start, end, step)
    promised_table: dict[str, int] = env.settings.section("tracking.promised_days")

    def promised(name: str, service: str) -> int | None:
        return kpis.promised_days(promised_table, name, service)

    scope = Scope(
        channel=channel.strip().lower() if channel else None,
        carrier=carrier.strip().upper() if carrier else None,
    )
    lookback = max(promised_table.values(), default=0)
    spans = periods_.periods(start, end, step)
    # Durations are keyed by period when periods are longer than a day (see kpis.Duration).
    segments = None if step is By.DAY else [before.start, *(p.start for p in spans)]
    with env.uow(write=False) as uow:
        session = uow.session
        sql = LocalDay(session.get_bind().dialect.name, zone)
        facts = FactGatherer(session, sql, scope, zone, now).gather(
            before.start, end, lookback_days=lookback, cutoff=cutoff, segments=segments
        )
    return kpis.build_report(
        facts,
        window=window,
        before=before,
        periods=spans,
        today=today,
        promised=promised,
        zone=zone,
        by=step.value,
        ship_cutoff=cutoff,
        channel=scope.channel,
        carrier=scope.carrier,
    )


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageProblem(
            f"unknown time zone {name!r}", hint="use an IANA name such as Europe/Berlin or UTC"
        ) from None
    return name


def _by(value: str) -> By:
    try:
        return By(value.strip().lower())
    except ValueError:
        raise UsageProblem(
            f"--by {value!r} is not a period", hint="use day, week or month"
        ) from None


def _cutoff(text: str) -> time:
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ConfigProblem(
            f"reports.ship_cutoff {text!r} is not a time of day", hint='use e.g. "14:00"'
        ) from None
