"""Bin collection dates for a round, worked out from the round's own data (no Flask).

A collection round's area carries, for each kind of bin, the date of one collection
and how often it comes: ``rubbish_from``/``recycling_from`` (ISO dates) and
``every_weeks`` (1 for weekly; 2 for alternate weeks, the default). From those and
today's date we list the next few collections, so a resident sees real dates
("Wednesday 15 April") rather than a "week A" or "week B" code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

BINS = ("rubbish", "recycling")  # the kinds of bin a round's data can describe, in the order shown


@dataclass(frozen=True, slots=True)
class BinDates:
    bin: str  # one of BINS
    dates: tuple[date, ...]  # the next collections, soonest first (today counts)


def next_collections(properties: dict[str, Any], today: date, count: int = 2) -> tuple[BinDates, ...]:
    """The next ``count`` collection dates of each kind of bin the round's data describes.

    Empty when the data gives no dates (a round imported without them), so the
    caller can fall back to the collection day alone.
    """
    try:
        every = int(properties.get("every_weeks", 2))
    except (TypeError, ValueError):
        return ()
    if every < 1 or count < 1:
        return ()
    step = timedelta(weeks=every)
    found = []
    for kind in BINS:
        try:
            start = date.fromisoformat(str(properties[f"{kind}_from"]))
        except (KeyError, ValueError):
            continue
        if today <= start:
            first = start
        else:
            cycles = -(-(today - start).days // step.days)  # whole cycles, rounded up
            first = start + cycles * step
        found.append(BinDates(kind, tuple(first + n * step for n in range(count))))
    return tuple(found)
