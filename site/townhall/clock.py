"""Today and now in the UK, with a fixed date for tests and demonstrations.

Functions that work out dates take `today`/`now` as a parameter (time is a
parameter); the web layer and the engines ask here once, honouring the
TOWNHALL_TODAY setting (an ISO date) when it is set.
"""

from __future__ import annotations

from datetime import date, datetime

from .hours import LONDON


def today(fixed: date | str | None = None) -> date:
    """The UK date now, or `fixed` (a date or an ISO date string) when given."""
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return datetime.now(LONDON).date()
