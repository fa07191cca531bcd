"""Today and now in the UK, with a fixed date for tests and demonstrations.

Functions that work out dates take `today`/`now` as a parameter (time is a
parameter); the web layer and the engines ask here once, honouring the
TOWNHALL_TODAY setting (an ISO date) when it is set.
"""

from __future__ import annotations

from datetime import date, datetime, time

from .hours import LONDON


def today(fixed: date | str | None = None, fixed_now: datetime | str | None = None) -> date:
    """The UK date now, or `fixed` (a date or an ISO date string), or the date of `fixed_now`."""
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    if fixed_now:
        return now(fixed_now).astimezone(LONDON).date()
    return datetime.now(LONDON).date()


def now(fixed: datetime | str | None = None, fixed_today: date | str | None = None) -> datetime:
    """This moment in the UK (timezone-aware), or `fixed`; midday on `fixed_today` when only that is given."""
    if fixed:
        moment = fixed if isinstance(fixed, datetime) else datetime.fromisoformat(str(fixed))
        return moment.replace(tzinfo=LONDON) if moment.tzinfo is None else moment
    if fixed_today:
        return datetime.combine(today(fixed_today), time(12), tzinfo=LONDON)
    return datetime.now(LONDON)
