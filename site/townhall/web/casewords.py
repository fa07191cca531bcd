"""Words for cases: kinds, statuses, outcomes, formats, dates and the days a date skips, in the reader's language.

Registered as template globals and filters (`install`), and used by the email
composer under `force_locale` (so every function here asks Flask-Babel for the
locale in force rather than reading the request: a Welsh-speaking member of
staff answering an English resident sends an English email).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Flask
from flask_babel import format_date, format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..cases.deadlines import DueDates
from ..cases.workingdays import BANK_HOLIDAY, DayOff
from ..hours import LONDON
from ..text import N_

KINDS = {
    "enquiry": N_("enquiry"),
    "complaint": N_("complaint"),
    "format_request": N_("request for another format"),
    "compliment": N_("compliment"),
}
KIND_TITLES = {
    "enquiry": N_("Enquiry"),
    "complaint": N_("Complaint"),
    "format_request": N_("Request for another format"),
    "compliment": N_("Compliment"),
}
STATUSES = {
    "received": N_("Received"),
    "acknowledged": N_("Acknowledged"),
    "answered": N_("Answered"),
    "closed": N_("Closed"),
}
OUTCOMES = {
    "upheld": N_("Upheld"),
    "partly_upheld": N_("Partly upheld"),
    "not_upheld": N_("Not upheld"),
    "withdrawn": N_("Withdrawn"),
    "resolved": N_("Resolved"),
    "referred": N_("Referred to another organisation"),
    "passed_on": N_("Passed on to the team"),
}
FORMATS = {
    "large_print": N_("Large print"),
    "audio": N_("Audio"),
    "braille": N_("Braille"),
    "easy_read": N_("Easy Read"),
    "bsl": N_("British Sign Language (BSL)"),
    "spoken_language": N_("An interpreter or a translation into another language"),
    "other": N_("Something else"),
}
CHANNELS = {
    "web": N_("Online form"),
    "email": N_("Email"),
    "letter": N_("Letter"),
    "phone": N_("Phone call"),
    "visit": N_("In person"),
}
PREFERENCES = {
    "email": N_("Email"),
    "phone": N_("Phone"),
    "letter": N_("Letter"),
    "none": N_("No reply needed"),
}
EVENTS = {
    "received": N_("We received it"),
    "acknowledged": N_("We told you we have it"),
    "answered": N_("We answered"),
    "new_date": N_("We set a new date"),
    "escalated": N_("Taken to stage 2"),
    "closed": N_("Closed"),
}
ROLES = {
    "customer_service": N_("Customer service"),
    "content": N_("Content team"),
    "admin": N_("Administrator"),
}


def install(app: Flask) -> None:
    for function in (kind_words, kind_title, status_words, outcome_words, format_words, channel_words,
                     preference_words, event_words, role_words, skipped_days, clock_reason, days_words,
                     example_reference):
        app.add_template_global(function)
    app.add_template_filter(day_date)
    app.add_template_filter(format_number)
    app.add_template_filter(london_day)
    app.add_template_filter(london_time)
    app.add_template_filter(paragraphs)


def _word(table: dict[str, str], key: str | None) -> str:
    return _(table[key]) if key in table else (key or "")


def kind_words(kind: str, stage: int | None = None) -> str:
    """Inside a sentence: "enquiry", "stage 2 complaint"."""
    if kind == "complaint" and stage == 2:
        return _("stage 2 complaint")
    return _word(KINDS, kind)


def kind_title(kind: str, stage: int | None = None) -> str:
    if kind == "complaint" and stage == 2:
        return _("Stage 2 complaint")
    return _word(KIND_TITLES, kind)


def status_words(status: str) -> str:
    return _word(STATUSES, status)


def outcome_words(outcome: str | None) -> str:
    return _word(OUTCOMES, outcome)


def format_words(chosen: str | None) -> str:
    return _word(FORMATS, chosen)


def channel_words(channel: str) -> str:
    return _word(CHANNELS, channel)


def preference_words(preference: str) -> str:
    return _word(PREFERENCES, preference)


def event_words(kind: str) -> str:
    return _word(EVENTS, kind)


def role_words(role: str) -> str:
    return _word(ROLES, role)


def locale_code() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def day_date(value: date | None) -> str:
    """A date in words with its weekday: "Monday 23 March 2026" (Welsh: "Dydd Llun 23 Mawrth 2026")."""
    if value is None:
        return ""
    return format_date(value, "EEEE d MMMM y")


def london_day(moment: datetime | None) -> date | None:
    """The day a stored (UTC) time fell on in the UK."""
    return moment.astimezone(LONDON).date() if moment else None


def london_time(moment: datetime | None) -> str:
    """"Monday 9 March 2026 at 4:05pm" for staff pages (UK time)."""
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    clock = f"{hour}:{local.minute:02d}"
    clock = _("%(time)sam", time=clock) if local.hour < 12 else _("%(time)spm", time=clock)
    return _("%(date)s at %(time)s", date=day_date(local.date()), time=clock)


def paragraphs(text: str | None) -> Markup:
    """Text as typed, as HTML paragraphs (blank lines) and line breaks, escaped."""
    if not text:
        return Markup("")
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
    return Markup("\n").join(Markup("<p>%s</p>") % Markup("<br>").join(escape(line) for line in block.split("\n"))
                              for block in blocks)


def example_reference() -> str:
    """A reference with this council's prefix, for hints: "like BK-7KQ4-M9XR"."""
    from ..cases import reference_example
    from .common import content_site

    return reference_example(content_site().council.prefix)


def format_number(value: int) -> str:
    """5,000 (Welsh: 5,000): a whole number as the reader writes it."""
    return format_decimal(value, "#,##0")


def days_words(count: int | None) -> str:
    """"10 working days", "1 working day"."""
    if count is None:
        return ""
    return ngettext("%(num)s working day", "%(num)s working days", count)


@dataclass(frozen=True)
class SkippedDays:
    """Weekdays in a row skipped for one reason: "Friday 3 April 2026: Good Friday"."""

    when: str
    why: str


def skipped_days(skipped: tuple[DayOff, ...] | list[DayOff]) -> list[SkippedDays]:
    """The weekdays a date skips, in order, days in a row with the same name joined:
    "Tuesday 29 December 2026 to Thursday 31 December 2026: Office closed between Christmas and New Year"."""
    lang = locale_code()
    runs: list[list[DayOff]] = []
    for off in sorted(set(skipped)):
        if runs and runs[-1][-1].name == off.name and _next_weekday(runs[-1][-1].day) == off.day:
            runs[-1].append(off)
        else:
            runs.append([off])
    found = []
    for run in runs:
        first, last = run[0].day, run[-1].day
        when = day_date(first) if first == last else _("%(first)s to %(last)s", first=day_date(first),
                                                          last=day_date(last))
        why = run[0].name_in(lang)
        if run[0].kind == BANK_HOLIDAY:
            why = _("%(name)s (bank holiday)", name=why)
        found.append(SkippedDays(when, why))
    return found


def _next_weekday(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def clock_reason(due: DueDates) -> str | None:
    """Why the count starts after the day it arrived, or None when it starts that day.

    "You sent it after 5pm, so we count from Monday 9 March 2026." / "...on a Saturday..." /
    "...on a day our offices were closed (Good Friday)...".
    """
    if not due.clock_delayed:
        return None
    local = due.received_at.astimezone(LONDON)
    start = day_date(due.clock_started)
    if local.date().weekday() >= 5:
        return _("You sent it at the weekend, so we count from %(start)s.", start=start)
    off = next((day for day in due.skipped if day.day == local.date()), None)
    if off is not None:
        return _("You sent it on a day our offices were closed (%(why)s), so we count from %(start)s.",
                 why=off.name_in(locale_code()), start=start)
    return _("You sent it after 5pm, so we count from %(start)s.", start=start)
