"""Reading front matter fields with checks that explain themselves.

A `FieldReader` wraps one mapping from one file. Each accessor returns a
clean value or None, and records a problem (file, field, what is expected)
instead of raising, so a single check run lists every mistake in a file.
Service pages, contacts and the directory of other organisations all read
their fields through here, so a phone number is checked the same way
everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from ..hours import LONDON, HoursError, OpeningHours, parse_hours
from .problems import ProblemLog

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
URL = re.compile(r"^https?://[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?(?:/\S*)?$", re.IGNORECASE)
SITE_PATH = re.compile(r"^/[A-Za-z0-9/_.#?=&-]*$")
# UK numbers as residents dial them: 01632 960000, 0300 123 4567, 0800 111 999,
# short codes such as 101, 105, 111, 999, and Relay UK's 18001/18002 prefixes.
# Also Relay UK's emergency number 18000 and the few short freephone numbers
# such as Childline's 0800 1111.
UK_PHONE = re.compile(r"^(?:(?:18001|18002)\s?)?(?:0\d{9,10}|\d{3}|\+44\d{9,10}|116\d{3}|0800\d{4})$|^18000$")
AMOUNT = re.compile(r"^£\d{1,3}(?:,\d{3})*(?:\.\d{2})?$|^£\d+(?:\.\d{2})?$")

MAX_KEYWORD = 60  # characters in one keyword phrase

TIME_UNITS = {
    "second": "seconds",
    "minute": "minutes",
    "hour": "hours",
    "day": "days",
    "working day": "working days",
    "week": "weeks",
    "month": "months",
}
_WITHIN = re.compile(r"^(\d+)\s+([a-z ]+?)s?$")


def _suggest_date(text: str) -> str:
    """The date written YYYY-MM-DD, when `text` is a British date such as 02/11/2026; else an example."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    padded = re.fullmatch(r"(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})", text)
    if match or padded:
        day, month, year = (int(match[1]), int(match[2]), int(match[3])) if match else (
            int(padded[3]), int(padded[2]), int(padded[1]))
        try:
            return f"{date(year, month, day).isoformat()} (for {text})"
        except ValueError:
            pass
    return "like 2026-09-14 for 14 September 2026"


class FieldReader:
    """Typed, checked access to one file's fields; problems go to the shared log."""

    def __init__(self, data: Any, path: str, log: ProblemLog, prefix: str = "", lines: dict[str, int] | None = None):
        self.path = path
        self.log = log
        self.prefix = prefix
        self.lines = lines or {}
        if not isinstance(data, dict):
            self.problem(None, "should be a set of named fields (name: value)")
            data = {}
        self.data: dict[str, Any] = data

    # -- plumbing -----------------------------------------------------------
    def name(self, key: str | None) -> str | None:
        if key is None:
            return self.prefix.rstrip(".") or None
        return f"{self.prefix}{key}"

    def line(self, name: str | None) -> int | None:
        """The line a setting is on: its own, else the nearest setting around it."""
        while name:
            if name in self.lines:
                return self.lines[name]
            name = name.rpartition(".")[0]
        return None

    def problem(self, key: str | None, message: str, code: str = "field") -> None:
        name = self.name(key)
        self.log.add(self.path, message, name, line=self.line(name), code=code)

    def nested(self, key: str) -> FieldReader:
        return FieldReader(self.data.get(key) or {}, self.path, self.log, prefix=f"{self.prefix}{key}.",
                           lines=self.lines)

    def has(self, key: str) -> bool:
        return self.data.get(key) not in (None, "", [])

    def unknown(self, allowed: Iterable[str]) -> None:
        """Report fields nobody reads: usually a typo such as 'sumary'."""
        allowed = set(allowed)
        for key in self.data:
            if key not in allowed:
                choices = ", ".join(sorted(allowed))
                self.problem(str(key), f"is not a setting we know (check its spelling). The settings you can use "
                             f"here are: {choices}", code="unknown-setting")

    # -- accessors ----------------------------------------------------------
    def text(self, key: str, *, required: bool = True, max_length: int | None = None) -> str | None:
        value = self.data.get(key)
        if value in (None, ""):
            if required:
                self.problem(key, "is missing. Add it as text", code="missing-setting")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem(key, "should be text")
            return None
        value = value.strip()
        if max_length and len(value) > max_length:
            self.problem(key, f"is {len(value)} characters long. Keep it to {max_length} or fewer")
        return value

    def text_list(self, key: str, *, required: bool = False) -> list[str]:
        value = self.data.get(key)
        if value in (None, "", []):
            if required:
                self.problem(key, "is missing. Add a list, like [first, second]")
            return []
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",")]
        if not isinstance(value, list) or not all(isinstance(item, (str, int)) for item in value):
            self.problem(key, "should be a list of words or phrases, like [missed bin, bin not emptied]")
            return []
        return [str(item).strip() for item in value if str(item).strip()]

    def welsh_keywords(self, key: str) -> list[str]:
        """Welsh search words for a page or entry written only in English (`keywords_cy`).

        Checked like `keywords`, and each must be a short phrase of words (search matches
        words, so a sentence or a number alone would find nothing useful).
        """
        found = []
        for phrase in self.text_list(key):
            if len(phrase) > MAX_KEYWORD:
                self.problem(key, f'"{phrase[:40]}..." is {len(phrase)} characters long. Keep each word or phrase '
                             f"to {MAX_KEYWORD} characters or fewer, like [cofrestru genedigaeth, tystysgrif geni]")
            elif not re.search(r"[^\W\d_]", phrase):
                self.problem(key, f'"{phrase}" has no words in it. Write Welsh words residents would search '
                             "with, like [toriad pŵer, dim trydan]")
            else:
                found.append(phrase)
        return found

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, "should be true or false")
            return default
        return value

    def date(self, key: str, *, required: bool = True) -> date | None:
        value = self.data.get(key)
        if value in (None, ""):
            if required:
                self.problem(key, "is missing. Add a date written as YYYY-MM-DD, like 2026-09-14", code="missing-setting")
            return None
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                self.problem(key, f'"{value}" is not a date that exists. Check the month (01 to 12) and the day',
                             code="bad-date")
                return None
        self.problem(key, f'"{value}" is not written the way we need. Write the year, then the month, then the day, '
                     f"with hyphens: {_suggest_date(text)}", code="bad-date")
        return None

    def moment(self, key: str, *, end: bool = False, required: bool = True) -> datetime | None:
        """A date and time in the UK: "2026-12-01 08:00", or a date alone ("2026-12-01").

        A date alone starts at the beginning of that day, or for an `end`, runs to the end
        of it: "end: 2027-03-01" means "until the end of 1 March", as people read it.
        """
        value = self.data.get(key)
        if value in (None, ""):
            if required:
                self.problem(key, "is missing. Add a date, or a date and time, like 2026-12-01 or 2026-12-01 08:00")
            return None
        found: datetime | None = None
        if isinstance(value, datetime):
            found = value
        elif isinstance(value, date):
            found = datetime.combine(value + timedelta(days=1) if end else value, time(0))
        else:
            text = str(value).strip()
            try:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                    day = date.fromisoformat(text)
                    found = datetime.combine(day + timedelta(days=1) if end else day, time(0))
                elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2})?", text):
                    found = datetime.fromisoformat(text.replace(" ", "T"))
            except ValueError:
                found = None
        if found is None:
            self.problem(key, f'"{value}" is not a date and time. Write it as YYYY-MM-DD HH:MM, like 2026-12-01 08:00 '
                         "(24-hour clock), or a date alone, like 2026-12-01")
            return None
        return found.replace(tzinfo=LONDON) if found.tzinfo is None else found.astimezone(LONDON)

    def slug(self, key: str, choices: Iterable[str] | None = None, *, required: bool = True) -> str | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        if not SLUG.match(value):
            self.problem(key, f'"{value}" should use only lowercase letters, numbers and hyphens')
            return None
        if choices is not None:
            choices = sorted(choices)
            if value not in choices:
                self.problem(key, f'"{value}" is not one we know. Choose one of: {", ".join(choices)}')
                return None
        return value

    def phone(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        digits = re.sub(r"[\s()-]", "", value)
        if not UK_PHONE.match(digits):
            self.problem(key, f'"{value}" is not a UK phone number. Write it like 01632 960000')
            return None
        return value

    def email(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is not None and not EMAIL.match(value):
            self.problem(key, f'"{value}" is not an email address. Write it like name@example.org')
            return None
        return value

    def url(self, key: str, *, required: bool = False, allow_site_path: bool = True) -> str | None:
        value = self.text(key, required=required)
        if value is None:
            return None
        if URL.match(value) or (allow_site_path and SITE_PATH.match(value)):
            return value
        self.problem(key, f'"{value}" is not a web address. Write it like https://www.example.org/page')
        return None

    def hours(self, key: str, *, required: bool = False) -> OpeningHours | None:
        value = self.data.get(key)
        if value in (None, "", []):
            if required:
                self.problem(key, "is missing. Add days and times, like Monday to Friday, 9am to 5pm")
            return None
        try:
            return parse_hours(value)
        except HoursError as error:
            self.problem(key, f"{error}")
            return None

    def within(self, key: str, *, required: bool = True) -> tuple[int, str] | None:
        """A timescale such as "2 working days" or "20 seconds": (whole number, plural unit)."""
        value = self.text(key, required=required)
        if value is None:
            return None
        match = _WITHIN.match(value.lower())
        unit = match and TIME_UNITS.get(match[2].strip())
        if not match or not unit:
            units = ", ".join(TIME_UNITS.values())
            self.problem(key, f'"{value}" should be a whole number and a unit, like "2 working days". Units: {units}')
            return None
        return int(match[1]), unit
