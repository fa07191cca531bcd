""""When will I hear back?": the question checked, and the answer from the very rules the cases follow.

The dates themselves come from `deadlines.contact_due_dates` (the same
standards, calendar and clock as every case), so the calculator can never
promise a different day from the confirmation page or the staff queue. This
module only checks the question: which way the resident got in touch, and on
which day (typed as three boxes on the page, or as YYYY-MM-DD in the API).

The calculator is asked about a day, not a moment, so it reads the day as
"reached us during office hours" (9am, UK time). Something sent on a weekend,
a bank holiday or a closure day then counts from the next working day, exactly
as a case does; something sent after 5pm on a working day also counts from the
next one, which the page says in words because it cannot know the hour.

Days more than a year either side of today are refused with a kind message:
closure days are only written a year or so ahead, and an answer for 1990 or
2090 helps nobody.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from ..content.models import Standard
from ..errors import TownhallError
from ..hours import LONDON
from ..text import N_
from .deadlines import CONTACT_KINDS, DueDates, contact_due_dates
from .workingdays import WorkingCalendar

ASSUMED_ARRIVAL = time(9, 0)  # a day without an hour: as if it arrived when the offices opened
FURTHEST = timedelta(days=366)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class HearBackError(TownhallError):
    """Something wrong in the question; `field` says which part of the form to mark."""

    status = 400
    field = "sent"


class NoContact(HearBackError):
    code = "no_contact"
    field = "contact"
    template = N_("Select how you contacted us")


class UnknownContact(HearBackError):
    code = "unknown_contact"
    field = "contact"
    template = N_("Select how you contacted us from the list")


class NoDate(HearBackError):
    code = "no_date"
    template = N_("Enter the date you sent it")


class DatePartMissing(HearBackError):
    code = "incomplete_date"
    template = N_("The date you sent it must include a day, a month and a year")


class NotADate(HearBackError):
    code = "not_a_date"
    template = N_("The date you sent it must be a real date, like 27 3 2026")


class YearTooShort(HearBackError):
    code = "not_a_date"
    template = N_("The year must have 4 numbers, like 2026")


class BadIsoDate(NotADate):
    code = "not_a_date"
    template = N_("The date must be a real date written as YYYY-MM-DD, like 2026-03-27")


class DateTooEarly(HearBackError):
    code = "date_too_early"
    template = N_("The date you sent it must be in the last 12 months. If you sent it longer ago than that, "
                  "please contact us and we will find out what is happening")


class DateTooLate(HearBackError):
    code = "date_too_late"
    template = N_("The date you plan to send it must be in the next 12 months")


ERROR_CODES = ("no_contact", "unknown_contact", "no_date", "incomplete_date", "not_a_date", "date_too_early",
               "date_too_late")
# Whole sentences, not a word put into one: a translation may need to change more than the word.
MISSING = {"day": N_("The date you sent it must include a day"),
           "month": N_("The date you sent it must include a month"),
           "year": N_("The date you sent it must include a year")}


# What people and other programs also write for a kind ("web-form", "Complaint stage 1", "stage 2").
CONTACT_ALIASES = {"form": "web_form", "webform": "web_form", "online_form": "web_form", "e_mail": "email",
                   "complaint": "complaint_stage_1", "stage_1": "complaint_stage_1", "stage_2": "complaint_stage_2",
                   "complaint_stage1": "complaint_stage_1", "complaint_stage2": "complaint_stage_2",
                   "voice_mail": "voicemail", "post": "letter"}


def check_contact(contact: str | None) -> str:
    """The kind of contact, written as the API documents it, or close to it (case, hyphens, spaces)."""
    contact = "_".join((contact or "").strip().lower().replace("-", " ").replace("_", " ").split())
    contact = CONTACT_ALIASES.get(contact, contact)
    if not contact:
        raise NoContact()
    if contact not in CONTACT_KINDS:
        raise UnknownContact()
    return contact


def date_from_parts(day: str, month: str, year: str) -> date:
    """The GOV.UK date pattern's three boxes as a date, or the kindest error for what is wrong."""
    parts = {"day": day.strip(), "month": month.strip(), "year": year.strip()}
    if not any(parts.values()):
        raise NoDate()
    missing = [name for name, value in parts.items() if not value]
    if missing:
        raise DatePartMissing(template=MISSING[missing[0]])
    if not all(value.isascii() and value.isdigit() for value in parts.values()):
        raise NotADate()
    if len(parts["year"]) != 4:
        raise YearTooShort()
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise NotADate() from None


def date_from_iso(text: str | None) -> date:
    text = (text or "").strip()
    if not text:
        raise NoDate()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise BadIsoDate() from None


def check_range(sent: date, today: date) -> date:
    if sent < today - FURTHEST:
        raise DateTooEarly()
    if sent > today + FURTHEST:
        raise DateTooLate()
    return sent


def hear_back(contact: str, sent: date, today: date, standards: Mapping[str, Standard],
              calendar: WorkingCalendar) -> DueDates:
    """The dates for `contact` sent on `sent` (checked: a known kind, within a year of `today`)."""
    contact = check_contact(contact)
    check_range(sent, today)
    received_at = datetime.combine(sent, ASSUMED_ARRIVAL, tzinfo=LONDON)
    return contact_due_dates(contact, received_at, standards, calendar)


__all__ = ["ERROR_CODES", "HearBackError", "check_contact", "date_from_iso", "date_from_parts", "hear_back"]
