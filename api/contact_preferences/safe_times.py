"""When a message may reach a survivor: the hours and days they marked as safe.

A survivor may share a phone or live with someone who reads over their shoulder in the evening,
so they choose a window of hours (on the organisation's clock, the one reminders are planned on)
and may exclude weekends. A reminder due outside the window waits for the window's next start;
it is never sent early, and never after the date it is about (then it is held back and the
advocate is told why).

Hours are whole hours, ``from`` inclusive and ``until`` exclusive: 10 to 16 means 10:00–15:59.
A window may wrap midnight (22 to 6). No window at all means any time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

SATURDAY: Final = 5
_LOOKAHEAD_DAYS: Final = 8  # a week covers every window; one more day for a wrap past midnight


@dataclass(frozen=True)
class SafeTimes:
    """The person's window (both hours None: any hour) and whether weekends are excluded."""

    from_hour: int | None = None
    until_hour: int | None = None
    weekdays_only: bool = False

    @property
    def any_time(self) -> bool:
        """No restriction at all."""
        return self.from_hour is None and not self.weekdays_only


class SafeTimesError(ValueError):
    """The window cannot be used; the message says how to fix it."""


BOTH_HOURS: Final = "Choose both times, or “Any time” for both."
SAME_HOURS: Final = "Choose an end time that is not the same as the start time."
BAD_HOUR: Final = "Choose a time from the list."


def checked(times: SafeTimes) -> SafeTimes:
    """``times`` if it is a usable window; :class:`SafeTimesError` otherwise."""
    if (times.from_hour is None) != (times.until_hour is None):
        raise SafeTimesError(BOTH_HOURS)
    for hour in (times.from_hour, times.until_hour):
        if hour is not None and not 0 <= hour <= 23:
            raise SafeTimesError(BAD_HOUR)
    if times.from_hour is not None and times.from_hour == times.until_hour:
        raise SafeTimesError(SAME_HOURS)
    return times


def _hour_allowed(times: SafeTimes, hour: int) -> bool:
    if times.from_hour is None or times.until_hour is None:
        return True
    if times.from_hour < times.until_hour:
        return times.from_hour <= hour < times.until_hour
    return hour >= times.from_hour or hour < times.until_hour  # wraps midnight


def is_safe_at(times: SafeTimes, moment: datetime, zone: ZoneInfo) -> bool:
    """Whether a message may arrive at ``moment`` (an aware instant)."""
    local = moment.astimezone(zone)
    if times.weekdays_only and local.weekday() >= SATURDAY:
        return False
    return _hour_allowed(times, local.hour)


def next_safe_instant(times: SafeTimes, moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` if it is safe, else the first safe whole hour after it (as a UTC instant).

    Walks local whole hours: a daylight-saving gap or repeat is handled by ``zoneinfo`` (a
    skipped hour is never chosen twice, and the answer is always later than ``moment``).
    """
    if is_safe_at(times, moment, zone):
        return moment
    local = moment.astimezone(zone)
    day = local.date()
    for offset in range(_LOOKAHEAD_DAYS * 24 + 1):
        hour_start = datetime.combine(day, time(local.hour), tzinfo=zone) + timedelta(hours=offset)
        # Re-normalise through UTC so a DST change between the start and now gives a real instant.
        candidate = hour_start.astimezone(UTC)
        if candidate > moment and is_safe_at(times, candidate, zone):
            return candidate
    # Not reached for a checked window: every week has a safe hour.
    raise SafeTimesError("There is no safe hour in the coming week.")


def describe(times: SafeTimes, zone_name: str) -> str | None:
    """The window in words for the advocate (English, staff-facing); None when any time is fine."""
    if times.any_time:
        return None
    parts = []
    if times.from_hour is not None and times.until_hour is not None:
        parts.append(f"only from {times.from_hour:02d}:00 to {times.until_hour:02d}:00 ({zone_name})")
    if times.weekdays_only:
        parts.append("not on Saturdays or Sundays")
    return "Emails to the person go " + ", ".join(parts) + "; a reminder due at another time waits."
