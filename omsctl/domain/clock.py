"""Reading the moments people type: `2026-11-01`, `2026-11-01T08:00+08:00`, `today`, `7d`."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from omsctl.domain.errors import UsageProblem


def parse_moment(text: str, *, now: datetime, tz: str = "UTC") -> datetime:
    """An aware UTC moment; dates and words are midnight in the merchant's time zone `tz`."""
    raw = text.strip().lower()
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    midnight = datetime.combine(local_now.date(), time(), tzinfo=zone)
    if raw == "now":
        return now.astimezone(UTC)
    if raw == "today":
        return midnight.astimezone(UTC)
    if raw == "yesterday":
        return (midnight - timedelta(days=1)).astimezone(UTC)
    if raw[:-1].isdigit() and raw[-1:] in {"d", "h"}:
        amount = int(raw[:-1])
        delta = timedelta(days=amount) if raw.endswith("d") else timedelta(hours=amount)
        return (now - delta).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageProblem(
            f"{text!r} is not a date or time",
            hint="use 2026-11-01, 2026-11-01T08:00, today, yesterday, 7d or 12h",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def parse_cutoff(text: str, *, now: datetime, tz: str = "UTC") -> datetime:
    """A cut-off: `14:00` is today at 14:00 in the merchant's zone; else as parse_moment."""
    raw = text.strip()
    hours, sep, minutes = raw.partition(":")
    if sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2:
        zone = ZoneInfo(tz)
        local = now.astimezone(zone)
        try:
            at = local.replace(hour=int(hours), minute=int(minutes), second=0, microsecond=0)
        except ValueError:
            raise UsageProblem(f"{text!r} is not a time of day", hint="use e.g. 14:00") from None
        return at.astimezone(UTC)
    return parse_moment(raw, now=now, tz=tz)
