"""Report periods: whole days in the merchant's time zone, folded into days, weeks or months.

A KPI report is read as "yesterday", "last week", "November", so periods are cut at the
merchant's midnight, not at UTC's: an order paid at 23:30 in Berlin belongs to that Berlin
day. Every period is a run of whole local days; the database keeps UTC and is asked for
local days, which are then folded into periods here.

The previous period is the one the report compares with: the same number of days just
before, or the same number of calendar months when the report covers whole months (October
is compared with September, not with the 31 days before it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class By(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Span:
    """Local days `start` up to, not including, `end`; `label` names the period."""

    start: date
    end: date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last(self) -> date:
        """The last day inside the span, for people ("1–30 Nov"); `end` is exclusive."""
        return self.end - timedelta(days=1)


def local_day(moment: datetime, zone: str) -> date:
    """The merchant's calendar day of an aware moment."""
    return moment.astimezone(ZoneInfo(zone)).date()


def midnight(day: date, zone: str) -> datetime:
    """The UTC moment the local `day` starts (a DST-safe local midnight)."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def first_day(moment: datetime, zone: str) -> date:
    """Where a report starting at `moment` starts: the local day it falls in (rounded down)."""
    return local_day(moment, zone)


def end_day(moment: datetime, zone: str) -> date:
    """Where a report ending at `moment` ends (exclusive): a midnight stays, any later time
    rounds up to the next day, so `--until now` includes today so far."""
    day = local_day(moment, zone)
    return day if midnight(day, zone) == moment.astimezone(UTC) else day + timedelta(days=1)


def floor(day: date, by: By) -> date:
    """The first day of the period that `day` is in: itself, its Monday, or the 1st."""
    if by is By.WEEK:
        return day - timedelta(days=day.weekday())
    if by is By.MONTH:
        return day.replace(day=1)
    return day


def _next(day: date, by: By) -> date:
    """The first day of the period after the one starting at `day` (a floor)."""
    if by is By.DAY:
        return day + timedelta(days=1)
    if by is By.WEEK:
        return day + timedelta(days=7)
    return add_months(day, 1)


def add_months(day: date, months: int) -> date:
    """The 1st of the month `months` after `day`'s month (negative goes back)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def label(day: date, by: By) -> str:
    """A period's name: 2026-11-19, 2026-W47 (ISO week), or 2026-11."""
    if by is By.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if by is By.MONTH:
        return f"{day.year}-{day.month:02d}"
    return day.isoformat()


def periods(start: date, end: date, by: By) -> list[Span]:
    """The periods from `start` to `end` (exclusive), cut at natural boundaries.

    A window that starts mid-week or mid-month gets a shorter first (or last) period; it is
    not widened, so the totals are always those of exactly the days asked for.
    """
    spans = []
    cursor = start
    while cursor < end:
        stop = min(_next(floor(cursor, by), by), end)
        spans.append(Span(cursor, stop, label(cursor, by)))
        cursor = stop
    return spans


def previous(start: date, end: date, by: By) -> Span:
    """The period to compare with: as many whole months before, or as many days before."""
    if by is By.MONTH and start.day == 1 and end.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month
        before = add_months(start, -months)
    else:
        before = start - (end - start)
    return Span(before, start, "previous")


def default_start(end: date, by: By) -> date:
    """The window when `--since` is not given: 7 days, 4 weeks or 3 months up to `end`."""
    if by is By.WEEK:
        return floor(end - timedelta(days=1), by) - timedelta(weeks=3)
    if by is By.MONTH:
        return add_months(floor(end - timedelta(days=1), by), -2)
    return end - timedelta(days=7)


def utc_offsets(zone: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offsets (minutes) between two moments: `[(from, minutes), ...]`.

    The first entry applies to everything before the second entry's moment (and to anything
    before `start`); each later one from its moment on. A zone without daylight saving gives
    one entry. The database uses this to turn UTC into local days without a zone database
    (SQLite has none), so each change is found to the second.
    """
    tz = ZoneInfo(zone)

    def offset(moment: datetime) -> int:
        delta = moment.astimezone(tz).utcoffset() or timedelta()
        return int(delta.total_seconds() // 60)

    changes = [(start, offset(start))]
    cursor = start
    step = timedelta(hours=6)  # zones change offset at most a few times a year
    while cursor < end:
        following = min(cursor + step, end)
        if offset(following) != changes[-1][1]:
            # Offsets change on a whole second: search the seconds between the two moments.
            low, high = int(cursor.timestamp()), math.ceil(following.timestamp())
            while high - low > 1:
                middle = (low + high) // 2
                if offset(datetime.fromtimestamp(middle, UTC)) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            moment = datetime.fromtimestamp(high, UTC)
            changes.append((moment, offset(moment)))
        cursor = following
    return changes
