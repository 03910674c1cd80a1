"""Time-power windows in the site's local time zone.

The window opens at `start` (HH:MM, local wall time) and lasts `duration_min` minutes
of elapsed time, so it may cross midnight and a DST change. On the spring-forward day
a start inside the missing hour opens at the same UTC instant as the hour before the
gap (zoneinfo's fold=0: 02:30 means 03:30 summer time); on the fall-back day a start
inside the repeated hour uses its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=64)
def _window_on(day: date, zone: str, start: str, duration_min: int) -> tuple[float, float]:
    hours, minutes = (int(part) for part in start.split(":"))
    opens = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return opens.timestamp(), (opens + timedelta(minutes=duration_min)).timestamp()


def window_for(now: datetime, zone: str, start: str, duration_min: int) -> tuple[float, float]:
    """(opens, closes) as UTC epoch seconds: the window open at `now`, else the next one."""
    today = now.astimezone(ZoneInfo(zone)).date()
    now_ts = now.timestamp()
    for offset in (-1, 0, 1):
        opens, closes = _window_on(today + timedelta(days=offset), zone, start, duration_min)
        if now_ts < closes:
            return opens, closes
    raise AssertionError("a window of at most one day always ends within two days")  # pragma: no cover
