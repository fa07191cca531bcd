"""Bin collection dates for a round, worked out from the round's own data (no Flask).

A collection round's area carries, for each kind of bin, the date of one collection
and how often it comes: ``rubbish_from``/``recycling_from`` (ISO dates) and
``every_weeks`` (1 for weekly; 2 for alternate weeks, the default). From those and
today's date we list the next few collections, so a resident sees real dates
("Wednesday 15 April") rather than a "week A" or "week B" code.

Real weeks have bank holidays. The waste team's rules (content/bin-collections.yaml,
read into `BinRules`) say how each round's collections move in a bank-holiday
week, and list one-off changes such as the Christmas schedule; a one-off change
wins over the rule. The bank holidays themselves come from the caller (the
working-days calendar the cases domain keeps, from the maintained `holidays`
package), so this module only applies them, and tests can pass any they like.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from ..content.models import BIN_KINDS, BinChange, BinRules

BINS = BIN_KINDS  # the kinds of bin a round's data can describe, in the order shown
BANK_HOLIDAY = "bank-holiday"
CHANGE = "change"
LOOK_BACK = timedelta(days=15)  # a usual date this far back can still move into the window


class Holiday(Protocol):
    """What a bank-holiday calendar tells us about a day off (cases.workingdays.DayOff fits)."""

    name: str
    name_cy: str


BankHolidays = Callable[[date], "Holiday | None"]


def rounds_layer(layers: Iterable[Any]) -> str | None:
    """The name of the bin rounds layer (the area layer of kind "collection"), whatever the council called it."""
    return next((layer.name for layer in layers if layer.kind == "collection"), None)


def no_bank_holidays(_day: date) -> Holiday | None:
    return None


@dataclass(frozen=True, slots=True)
class Collection:
    """One collection: the day the lorry comes, the day it usually would, and why they differ."""

    day: date
    usual: date
    why: str | None = None  # None, BANK_HOLIDAY or CHANGE
    holiday: Holiday | None = None  # the bank holiday that moved it
    change: BinChange | None = None  # the one-off change that moved it

    @property
    def moved(self) -> bool:
        return self.day != self.usual

    def reason_in(self, lang: str) -> str:
        """What moved it, in `lang`: "Christmas", "Good Friday" ("Dydd Gwener y Groglith")."""
        if self.change is not None:
            return self.change.reason_in(lang)
        if self.holiday is not None:
            if lang == "cy" and self.holiday.name_cy:
                return self.holiday.name_cy
            return self.holiday.name.replace(" (observed)", " (substitute day)")
        return ""


@dataclass(frozen=True, slots=True)
class BinDates:
    bin: str  # one of BINS
    dates: tuple[date, ...]  # the next collections, soonest first (today counts)
    collections: tuple[Collection, ...] = ()  # the same, with the usual day and why it moved


def _pattern(properties: dict[str, Any]) -> tuple[timedelta, dict[str, date]] | None:
    """(how often, {bin: a usual collection day}) from the round's data, or None when unusable."""
    try:
        every = int(properties.get("every_weeks", 2))
    except (TypeError, ValueError):
        return None
    if every < 1:
        return None
    starts = {}
    for kind in BINS:
        try:
            starts[kind] = date.fromisoformat(str(properties[f"{kind}_from"]))
        except (KeyError, ValueError):
            continue
    return timedelta(weeks=every), starts


def _usual_days(start: date, step: timedelta, first: date, last: date) -> list[date]:
    """Every usual collection day from `first` to `last` (inclusive), on the round's pattern."""
    if last < start:
        return []
    if first <= start:
        day = start
    else:
        cycles = -(-(first - start).days // step.days)  # whole cycles, rounded up
        day = start + cycles * step
    days = []
    while day <= last:
        days.append(day)
        day += step
    return days


def move(usual: date, code: str, kind: str, rules: BinRules, bank_holiday: BankHolidays) -> Collection:
    """Where one usual collection really happens: a one-off change first, then the round's rule."""
    for change in rules.changes:
        if change.usual == usual and change.applies_to(code, kind):
            return Collection(change.moved_to, usual, CHANGE, change=change)
    if rules.rule_for(code) != "one-day-later" or usual.weekday() > 4:
        return Collection(usual, usual)
    monday = usual - timedelta(days=usual.weekday())
    holidays = [found for offset in range(usual.weekday() + 1)
                if (found := bank_holiday(monday + timedelta(days=offset))) is not None]
    if not holidays:
        return Collection(usual, usual)
    day = usual + timedelta(days=len(holidays))
    while bank_holiday(day) is not None:  # never onto a bank holiday: one more day on
        day += timedelta(days=1)
    return Collection(day, usual, BANK_HOLIDAY, holiday=holidays[-1])


def collections_between(properties: dict[str, Any], first: date, last: date, *, code: str = "",
                        rules: BinRules | None = None,
                        bank_holiday: BankHolidays = no_bank_holidays) -> tuple[BinDates, ...]:
    """Every collection of each kind of bin from `first` to `last` (inclusive), moved as the rules say."""
    pattern = _pattern(properties)
    if pattern is None or last < first:
        return ()
    step, starts = pattern
    rules = rules or BinRules()
    found = []
    for kind, start in starts.items():
        usual_days = _usual_days(start, step, first - LOOK_BACK, last + LOOK_BACK)
        moved = sorted((move(day, code, kind, rules, bank_holiday) for day in usual_days), key=lambda c: c.day)
        chosen = tuple(c for c in moved if first <= c.day <= last)
        found.append(BinDates(kind, tuple(c.day for c in chosen), chosen))
    return tuple(found)


def next_collections(properties: dict[str, Any], today: date, count: int = 2, *, code: str = "",
                     rules: BinRules | None = None,
                     bank_holiday: BankHolidays = no_bank_holidays) -> tuple[BinDates, ...]:
    """The next ``count`` collection dates of each kind of bin the round's data describes.

    Empty when the data gives no dates (a round imported without them), so the
    caller can fall back to the collection day alone.
    """
    pattern = _pattern(properties)
    if pattern is None or count < 1:
        return ()
    step, starts = pattern
    window = max([today, *starts.values()]) + step * (count + 1) + LOOK_BACK
    found = []
    for dates in collections_between(properties, today, window, code=code, rules=rules, bank_holiday=bank_holiday):
        chosen = dates.collections[:count]
        found.append(BinDates(dates.bin, tuple(c.day for c in chosen), chosen))
    return tuple(found)
