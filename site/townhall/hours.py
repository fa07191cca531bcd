"""Opening hours as data: parse what people write, answer "open now?", lay out a week.

Used by service pages (when to phone) and by facilities (when the library is
open), so the content team and open-data imports share one vocabulary. Two
spellings are understood:

* plain English, as the content team writes it: ``Monday to Friday`` +
  ``9am to 5pm``; ``Saturday`` + ``closed``; ``9am to 1pm and 2pm to 5pm``;
* the OpenStreetMap ``opening_hours`` basics found in open data:
  ``Mo-Fr 09:00-17:00; Sa 10:00-16:00; Su off`` or ``24/7``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY_LOOKUP = {
    **{name.lower(): index for index, name in enumerate(DAY_NAMES)},
    **{name[:3].lower(): index for index, name in enumerate(DAY_NAMES)},
    **{name[:2].lower(): index for index, name in enumerate(DAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_NAMED_GROUPS = {
    "every day": tuple(range(7)),
    "daily": tuple(range(7)),
    "weekdays": tuple(range(5)),
    "weekends": (5, 6),
}


class HoursError(ValueError):
    """Opening hours that cannot be understood; the message says what was expected."""


@dataclass(frozen=True)
class Span:
    """One stretch of opening time within a day (closes may be 24:00, kept as None)."""

    opens: time
    closes: time | None  # None means midnight at the end of the day

    def contains(self, moment: time) -> bool:
        return self.opens <= moment and (self.closes is None or moment < self.closes)

    def label(self) -> str:
        if self.opens == time(0) and self.closes is None:
            return "open 24 hours"
        return f"{format_time(self.opens)} to {format_time(self.closes)}"


@dataclass(frozen=True)
class OpeningHours:
    """A week of opening times: for each day (Monday = 0), its spans in order."""

    week: tuple[tuple[Span, ...], ...]

    def is_open_at(self, moment: datetime) -> bool:
        """Whether the place is open at this moment (naive moments are UK local time)."""
        local = moment.astimezone(LONDON) if moment.tzinfo else moment
        return any(span.contains(local.time()) for span in self.week[local.weekday()])

    def is_open_now(self) -> bool:
        return self.is_open_at(datetime.now(LONDON))

    def next_change(self, moment: datetime) -> tuple[int, time | None] | None:
        """When the place next opens (if closed now) or closes (if open now).

        Returns (days ahead, time): days ahead is 0 for today, and a time of None
        means midnight at the end of that day. None if it never changes (open
        all the time, or never open).
        """
        local = moment.astimezone(LONDON) if moment.tzinfo else moment
        now, today = local.time(), local.weekday()
        if self.is_open_at(moment):
            for ahead in range(8):
                spans = self.week[(today + ahead) % 7]
                if ahead == 0:
                    span = next(span for span in spans if span.contains(now))
                else:
                    span = next((span for span in spans if span.opens == time(0)), None)
                    if span is None:
                        return ahead - 1, None
                if span.closes is not None:
                    return ahead, span.closes
            return None
        for ahead in range(8):
            for span in self.week[(today + ahead) % 7]:
                if ahead == 0 and span.opens <= now:
                    continue
                return ahead, span.opens
        return None

    def rows(self) -> list[tuple[str, str]]:
        """Seven (day, times) rows for a table; "Closed" where there is no span."""
        return [(DAY_NAMES[day], day_label(spans)) for day, spans in enumerate(self.week)]

    def ranges(self) -> list[tuple[int, int, tuple[Span, ...]]]:
        """Neighbouring days that share times, merged: (first day, last day, spans).

        Structured so the web layer can word it in the reader's language.
        """
        merged: list[tuple[int, int, tuple[Span, ...]]] = []
        for day, spans in enumerate(self.week):
            if merged and merged[-1][2] == spans and merged[-1][1] == day - 1:
                merged[-1] = (merged[-1][0], day, spans)
            else:
                merged.append((day, day, spans))
        return merged

    def summary(self) -> list[tuple[str, str]]:
        """English rows for plain-text uses: ("Monday to Friday", "9am to 5pm")."""
        return [(day_range_label(first, last), day_label(spans)) for first, last, spans in self.ranges()]

    @property
    def always_closed(self) -> bool:
        return not any(self.week)


def day_label(spans: Iterable[Span]) -> str:
    labels = [span.label() for span in spans]
    return " and ".join(labels) if labels else "Closed"


def day_range_label(first: int, last: int) -> str:
    if (first, last) == (0, 6):
        return "Every day"
    if first == last:
        return DAY_NAMES[first]
    if last == first + 1:
        return f"{DAY_NAMES[first]} and {DAY_NAMES[last]}"
    return f"{DAY_NAMES[first]} to {DAY_NAMES[last]}"


def format_time(moment: time | None) -> str:
    """9am, 12:30pm, midday, midnight: how UK councils write times for residents."""
    if moment is None or moment == time(0):
        return "midnight"
    if moment == time(12):
        return "midday"
    suffix = "am" if moment.hour < 12 else "pm"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{suffix}"


# --- parsing -----------------------------------------------------------------

_TIME_12 = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)$")
_TIME_24 = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_time(text: str) -> time | None:
    """Parse 9am, 9.30am, 12:30pm, 17:00, midday, midnight. 24:00 becomes None (end of day)."""
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned in ("midday", "noon"):
        return time(12)
    if cleaned in ("midnight", "24:00", "24.00"):
        return None
    if match := _TIME_12.match(cleaned):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise HoursError(f'"{text}" is not a time of day')
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
        return time(hour, minute)
    if match := _TIME_24.match(cleaned):
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise HoursError(f'"{text}" is not a time of day')
        return time(hour, minute)
    raise HoursError(f'"{text}" is not a time we understand: write it like 9am, 12:30pm or 17:00')


def parse_days(text: str) -> tuple[int, ...]:
    """Parse "Monday to Friday", "Mo-Fr", "Monday, Wednesday and Friday", "weekdays"."""
    cleaned = text.strip().lower()
    if cleaned in _NAMED_GROUPS:
        return _NAMED_GROUPS[cleaned]
    days: list[int] = []
    for part in re.split(r"\s*(?:,|\band\b|&)\s*", cleaned):
        if not part:
            continue
        ends = re.split(r"\s*(?:\bto\b|-|–)\s*", part)
        if len(ends) == 1:
            days.append(_day_index(ends[0], text))
        elif len(ends) == 2:
            first, last = _day_index(ends[0], text), _day_index(ends[1], text)
            span = range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            days.extend(span)
        else:
            raise HoursError(f'"{text}" is not a list of days')
    if not days:
        raise HoursError(f'"{text}" names no days: write them like "Monday to Friday"')
    return tuple(sorted(set(days)))


def _day_index(word: str, whole: str) -> int:
    cleaned = word.strip().rstrip(".")
    if cleaned.endswith("s") and cleaned[:-1] in _DAY_LOOKUP and len(cleaned) > 4:
        cleaned = cleaned[:-1]  # "Tuesdays", as clubs write when they meet
    try:
        return _DAY_LOOKUP[cleaned]
    except KeyError:
        raise HoursError(f'"{word.strip()}" in "{whole}" is not a day of the week') from None


def parse_spans(text: str) -> tuple[Span, ...]:
    """Parse "9am to 5pm", "9am to 1pm and 2pm to 5pm", "closed", "24 hours", "09:00-17:00"."""
    cleaned = text.strip().lower()
    if cleaned in ("closed", "off", "shut"):
        return ()
    if cleaned in ("24 hours", "open 24 hours", "all day", "00:00-24:00"):
        return (Span(time(0), None),)
    spans = []
    for part in re.split(r"\s*(?:,|\band\b|&)\s*", cleaned):
        ends = re.split(r"\s*(?:\bto\b|-|–|until)\s*", part)
        if len(ends) != 2:
            raise HoursError(f'"{text}" is not a time range: write it like "9am to 5pm"')
        opens, closes = parse_time(ends[0]), parse_time(ends[1])
        if opens is None:
            raise HoursError(f'"{text}" cannot open at midnight at the end of the day')
        if closes is not None and closes <= opens:
            raise HoursError(f'In "{text}" the closing time must come after the opening time')
        spans.append(Span(opens, closes))
    return tuple(sorted(spans, key=lambda span: span.opens))


def parse_hours(spec: Any) -> OpeningHours:
    """Turn front matter, a CSV cell or an OSM opening_hours string into OpeningHours.

    Raises HoursError with a plain message naming the part that is wrong.
    """
    if isinstance(spec, OpeningHours):
        return spec
    week: list[list[Span]] = [[] for _ in range(7)]
    for days, spans in _entries(spec):
        for day in days:
            week[day] = list(spans)  # a later line for the same day replaces it
    return OpeningHours(tuple(tuple(spans) for spans in week))


def _entries(spec: Any) -> Iterable[tuple[tuple[int, ...], tuple[Span, ...]]]:
    if isinstance(spec, str):
        yield from _entries_from_text(spec)
    elif isinstance(spec, list):
        for number, entry in enumerate(spec, start=1):
            if not isinstance(entry, dict) or set(entry) - {"days", "times"} or "days" not in entry:
                raise HoursError(
                    f"entry {number} should have 'days' (like Monday to Friday) "
                    "and 'times' (like 9am to 5pm)"
                )
            yield parse_days(str(entry["days"])), parse_spans(str(entry.get("times", "closed")))
    else:
        raise HoursError("opening hours should be a list of days and times")


def _entries_from_text(text: str) -> Iterable[tuple[tuple[int, ...], tuple[Span, ...]]]:
    cleaned = text.strip()
    if cleaned.lower() in ("24/7", "24 hours", "open 24 hours"):
        yield tuple(range(7)), (Span(time(0), None),)
        return
    for rule in filter(None, (part.strip() for part in re.split(r"[;\n]", cleaned))):
        match = re.match(r"^(.*?[a-z.])\s*:?\s+(closed|off|shut|24 hours|\d.*)$", rule, re.IGNORECASE)
        if not match:
            raise HoursError(
                f'"{rule}" should name days then times, like "Monday to Friday 9am to 5pm" '
                'or "Mo-Fr 09:00-17:00"'
            )
        yield parse_days(match[1]), parse_spans(match[2])
