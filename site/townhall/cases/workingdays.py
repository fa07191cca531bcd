"""Working days: the unit every written promise in the charter is measured in.

A working day is a weekday that is neither an England and Wales bank holiday
(from the maintained `holidays` package, substitute days included) nor a day
the council's offices are closed (``content/closures.yaml``, which the team
edits, such as the days between Christmas and New Year).

When the clock starts (`clock_start`): something received on a working day
before the offices close (5pm, UK time) counts from that day; received after
5pm, or on a weekend, bank holiday or closure day, it counts from the next
working day, as if it arrived first thing that morning. So a web form sent at
8pm on Saturday, or a letter that came on a bank holiday Monday, starts the
clock on the next working day, and "within 3 working days" means the third
working day after that one. This is the usual reading of a charter's promise,
and the one residents can check with a calendar.

Every answer also says which weekdays it skipped and why, so the page can
explain a date that looks later than expected ("We skipped 25 and 28 December
(bank holidays) and 29 to 31 December (office closed)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import yaml

from ..content.problems import ContentProblem
from ..hours import LONDON

OFFICE_CLOSES = time(17, 0)
BANK_HOLIDAY = "bank_holiday"
CLOSURE = "closure"
MAX_CLOSURE_DAYS = 31  # a longer run is almost certainly a typing mistake in the year or month
MAX_WORKING_DAYS = 366

# Welsh names for the England and Wales bank holidays (the `holidays` package has English only).
WELSH_BANK_HOLIDAYS = {
    "New Year's Day": "Dydd Calan",
    "Good Friday": "Dydd Gwener y Groglith",
    "Easter Monday": "Dydd Llun y Pasg",
    "May Day": "Gŵyl Banc Calan Mai",
    "Spring Bank Holiday": "Gŵyl Banc y Gwanwyn",
    "Late Summer Bank Holiday": "Gŵyl Banc yr Haf",
    "Christmas Day": "Dydd Nadolig",
    "Boxing Day": "Gŵyl San Steffan",
}
OBSERVED = " (observed)"


@dataclass(frozen=True, order=True)
class DayOff:
    """A weekday on which the clock does not run, and why (in English and Welsh)."""

    day: date
    kind: str  # BANK_HOLIDAY or CLOSURE
    name: str
    name_cy: str

    def name_in(self, lang: str) -> str:
        return self.name_cy if lang == "cy" else self.name


@dataclass(frozen=True)
class WorkingDays:
    """The answer to "n working days after this date": the date, and the weekdays skipped on the way."""

    day: date
    skipped: tuple[DayOff, ...] = ()


class WorkingCalendar:
    """Weekends, bank holidays and the council's closures: which days count."""

    def __init__(self, closures: Iterable[DayOff] = (), *, bank_holidays: bool = True,
                 office_closes: time = OFFICE_CLOSES, zone: ZoneInfo = LONDON):
        self.closures = {closure.day: closure for closure in closures}
        self.bank_holidays = bank_holidays
        self.office_closes = office_closes
        self.zone = zone

    def day_off(self, day: date) -> DayOff | None:
        """Why a weekday is not a working day (a bank holiday wins over a closure), or None."""
        if day.weekday() >= 5:
            return None
        if self.bank_holidays:
            holiday = _bank_holidays(day.year).get(day)
            if holiday:
                return holiday
        return self.closures.get(day)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.day_off(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> dict[date, DayOff]:
    found = holidays.UK(subdiv="ENG", years=year)
    return {day: DayOff(day, BANK_HOLIDAY, name, _welsh_name(name)) for day, name in found.items()}


def _welsh_name(english: str) -> str:
    """Welsh for a bank holiday's name; one-off holidays we have no Welsh for keep their English name."""
    observed = english.endswith(OBSERVED)
    base = english.removesuffix(OBSERVED)
    welsh = WELSH_BANK_HOLIDAYS.get(base, base)
    return f"{welsh} (diwrnod amgen)" if observed else welsh


def clock_start(received_at: datetime, calendar: WorkingCalendar) -> date:
    """The day the clock starts for something received at `received_at` (see the module docstring)."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    local = received_at.astimezone(calendar.zone)
    day = local.date()
    if calendar.is_working_day(day) and local.time() < calendar.office_closes:
        return day
    return calendar.next_working_day(day)


def add_working_days(start: date, n: int, calendar: WorkingCalendar) -> WorkingDays:
    """The `n`th working day after `start`, and every weekday skipped after `start` up to it.

    `start` itself is never counted (it is "day 0"); `n = 0` returns `start`.
    """
    if not 0 <= n <= MAX_WORKING_DAYS:
        raise ValueError(f"n must be from 0 to {MAX_WORKING_DAYS} working days, not {n}")
    day, counted, skipped = start, 0, []
    while counted < n:
        day += timedelta(days=1)
        if day.weekday() >= 5:
            continue
        off = calendar.day_off(day)
        if off:
            skipped.append(off)
        else:
            counted += 1
    return WorkingDays(day, tuple(skipped))


def days_off_between(first: date, last: date, calendar: WorkingCalendar) -> tuple[DayOff, ...]:
    """Weekdays that are not working days, from `first` to `last` inclusive."""
    found, day = [], first
    while day <= last:
        off = calendar.day_off(day)
        if off:
            found.append(off)
        day += timedelta(days=1)
    return tuple(found)


@dataclass(frozen=True)
class SkippedRun:
    """Consecutive days off of one kind: "29 to 31 December", or one day when `first == last`."""

    first: date
    last: date

    @property
    def single(self) -> bool:
        return self.first == self.last


@dataclass(frozen=True)
class SkippedGroup:
    """The days skipped for one reason, as runs: bank holidays "25 and 28 December"."""

    kind: str  # BANK_HOLIDAY or CLOSURE
    runs: tuple[SkippedRun, ...]
    names: tuple[str, ...]  # each distinct name once, in date order ("Christmas Day", ...)
    names_cy: tuple[str, ...]


def group_skipped(skipped: Iterable[DayOff]) -> list[SkippedGroup]:
    """Skipped days grouped by reason, in order of first appearance, each as runs of consecutive days.

    Christmas 2026 gives bank holidays 25 and 28 December (two runs: the 26th and
    27th were a weekend, not holidays) and closures 29 to 31 December (one run),
    which is what "We skipped 25 and 28 December (bank holidays) and 29 to 31
    December (office closed)" needs.
    """
    by_kind: dict[str, list[DayOff]] = {}
    for off in sorted(set(skipped)):
        by_kind.setdefault(off.kind, []).append(off)
    groups = []
    for kind, days in by_kind.items():
        runs: list[SkippedRun] = []
        for off in days:
            if runs and off.day == runs[-1].last + timedelta(days=1):
                runs[-1] = SkippedRun(runs[-1].first, off.day)
            else:
                runs.append(SkippedRun(off.day, off.day))
        groups.append(SkippedGroup(kind, tuple(runs), tuple(dict.fromkeys(off.name for off in days)),
                                   tuple(dict.fromkeys(off.name_cy for off in days))))
    return groups


# -- the council's closure days ---------------------------------------------------

CLOSURES_FILE = "closures.yaml"
_CLOSURE_FIELDS = {"date", "from", "to", "name", "cy"}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ClosuresInvalid(Exception):
    """closures.yaml has mistakes; each problem names the file, the line and the field."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in {CLOSURES_FILE}:\n{listing}")


@dataclass
class _Reader:
    path: str
    problems: list[ContentProblem] = field(default_factory=list)

    def problem(self, line: int | None, field_name: str | None, message: str) -> None:
        self.problems.append(ContentProblem(self.path, message, field_name, line))


def load_closures(path: Path | str, *, display_path: str | None = None) -> list[DayOff]:
    """Read and check the council's closure days; raise `ClosuresInvalid` listing every mistake.

    A missing file means "no closures" (a council may have none). Each entry is
    one day (``date:``) or a run (``from:`` and ``to:``), with ``name`` in
    English and ``cy`` in Welsh; dates are written YYYY-MM-DD.
    """
    path = Path(path)
    reader = _Reader(display_path or f"content/{path.name}")
    if not path.exists():
        return []
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except UnicodeDecodeError:
        raise ClosuresInvalid([ContentProblem(reader.path, "is not saved as UTF-8 text. Save it again as UTF-8")]) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        reason = getattr(error, "problem", None) or "the layout is not valid"
        raise ClosuresInvalid([ContentProblem(
            reader.path, f"could not be read ({reason}). Check the indentation, and that each closure starts "
            "with '- date:' or '- from:'", line=mark.line + 1 if mark else None)]) from None
    if root is None:
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise ClosuresInvalid([ContentProblem(reader.path, "should be a list, each closure starting with '- date:' "
                                              "or '- from:'", line=root.start_mark.line + 1)])
    closures: dict[date, DayOff] = {}
    for item in root.value:
        for closure in _read_closure(item, reader):
            if closure.day in closures:
                reader.problem(item.start_mark.line + 1, None, f"{closure.day.isoformat()} is listed twice")
            closures[closure.day] = closure
    if reader.problems:
        raise ClosuresInvalid(reader.problems)
    return sorted(closures.values())


def _read_closure(node: yaml.Node, reader: _Reader) -> list[DayOff]:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        reader.problem(line, None, "should be a closure with 'date' (or 'from' and 'to'), 'name' and 'cy'")
        return []
    values: dict[str, tuple[Any, int]] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in _CLOSURE_FIELDS:
            reader.problem(key_node.start_mark.line + 1, key, "is not a setting we know. Use date (or from and to), "
                           "name and cy")
            continue
        values[key] = (value_node.value if isinstance(value_node, yaml.ScalarNode) else None,
                       value_node.start_mark.line + 1)
    name = _text(values, "name", reader, line, "the closure's name in English, like: Office closed")
    name_cy = _text(values, "cy", reader, line, "the closure's name in Welsh, like: Swyddfa ar gau")
    if "date" in values and ("from" in values or "to" in values):
        reader.problem(line, "date", "use either 'date' for one day, or 'from' and 'to' for several, not both")
        return []
    if "date" in values:
        first = last = _date(values, "date", reader, line)
    elif "from" in values or "to" in values:
        first, last = _date(values, "from", reader, line), _date(values, "to", reader, line)
        if first and last and last < first:
            reader.problem(values["to"][1], "to", f"{last.isoformat()} is before the 'from' date "
                           f"{first.isoformat()}")
            return []
        if first and last and (last - first).days >= MAX_CLOSURE_DAYS:
            reader.problem(values["to"][1], "to", f"runs for more than {MAX_CLOSURE_DAYS} days. Check the year "
                           "and month; list a longer closure in parts")
            return []
    else:
        reader.problem(line, "date", "is missing. Add a date written as YYYY-MM-DD, like 2026-12-29")
        return []
    if not (first and last and name and name_cy):
        return []
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    return [DayOff(day, CLOSURE, name, name_cy) for day in days if day.weekday() < 5]


def _text(values: dict[str, tuple[Any, int]], key: str, reader: _Reader, line: int, example: str) -> str | None:
    value, where = values.get(key, (None, line))
    text = str(value).strip() if value is not None else ""
    if not text:
        reader.problem(where, key, f"is missing. Add {example}")
        return None
    if len(text) > 100:
        reader.problem(where, key, "is longer than 100 characters. Shorten it: it is shown in a sentence")
        return None
    return text


def _date(values: dict[str, tuple[Any, int]], key: str, reader: _Reader, line: int) -> date | None:
    if key not in values:
        reader.problem(line, key, "is missing. Add a date written as YYYY-MM-DD, like 2026-12-29")
        return None
    value, where = values[key]
    text = str(value).strip() if value is not None else ""
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        reader.problem(where, key, f'"{text}" is not a date. Write it as YYYY-MM-DD, like 2026-12-29')
        return None


def calendar_from_content(content_folder: Path | str) -> WorkingCalendar:
    """The calendar the site uses: bank holidays plus ``<content>/closures.yaml`` (raises if it is wrong)."""
    return WorkingCalendar(load_closures(Path(content_folder) / CLOSURES_FILE))


__all__ = [
    "BANK_HOLIDAY", "CLOSURE", "ClosuresInvalid", "DayOff", "SkippedGroup", "SkippedRun", "WorkingCalendar",
    "WorkingDays", "add_working_days", "calendar_from_content", "clock_start", "days_off_between",
    "group_skipped", "load_closures",
]
