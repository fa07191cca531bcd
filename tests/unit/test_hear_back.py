""""When will I hear back?": the dates, worked out by hand from the bank holidays and the standards.

Every expected date below was counted on a calendar, not by the code: day 0 is the day it was sent
(or the next working day when it was sent on a weekend, bank holiday or closure day), and "within N
working days" is the Nth working day after day 0.
"""

from __future__ import annotations

from datetime import date

import pytest

from townhall.cases.deadlines import contact_due_dates  # noqa: F401 - the one source of the dates
from townhall.cases.hearback import (
    DatePartMissing,
    DateTooEarly,
    DateTooLate,
    NoContact,
    NoDate,
    NotADate,
    UnknownContact,
    YearTooShort,
    date_from_iso,
    date_from_parts,
    hear_back,
)
from townhall.cases.workingdays import CLOSURE, DayOff, WorkingCalendar, calendar_from_content
from townhall.config import PROJECT_ROOT
from townhall.content.loader import load_site

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def standards():
    site = load_site(PROJECT_ROOT / "content")
    return {standard.id: standard for standard in site.standards if standard.id}


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return calendar_from_content(PROJECT_ROOT / "content")


def dates(contact, sent, standards, calendar, today=TODAY):
    due = hear_back(contact, sent, today, standards, calendar)
    return due.acknowledge_by, due.answer_by


@pytest.mark.parametrize(("contact", "sent", "acknowledge", "answer"), [
    # Christmas 2026: Fri 25 Christmas Day, Mon 28 Boxing Day (substitute), 29-31 office closed, Fri 1 Jan.
    ("email", date(2026, 12, 24), date(2027, 1, 6), date(2027, 1, 15)),
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    ("web_form", date(2026, 4, 2), date(2026, 4, 9), date(2026, 4, 20)),
    ("complaint_stage_2", date(2026, 3, 9), date(2026, 3, 12), date(2026, 4, 8)),
    # Early May bank holiday, Monday 4 May 2026.
    ("letter", date(2026, 5, 1), date(2026, 5, 7), date(2026, 5, 18)),
    # Spring bank holiday, Monday 25 May 2026 (a stage 1 complaint: 5 working days).
    ("complaint_stage_1", date(2026, 5, 22), date(2026, 5, 28), date(2026, 6, 1)),
    # Summer bank holiday, Monday 31 August 2026.
    ("email", date(2026, 8, 28), date(2026, 9, 3), date(2026, 9, 14)),
    # Sent on a closure day (Tue 29 Dec 2026): counts from Mon 4 Jan 2027.
    ("email", date(2026, 12, 29), date(2027, 1, 7), date(2027, 1, 18)),
    # Sent on a Saturday: counts from Monday 9 March 2026.
    ("email", date(2026, 3, 7), date(2026, 3, 12), date(2026, 3, 23)),
    ("voicemail", date(2026, 3, 7), None, date(2026, 3, 10)),
    # Voicemail on the Thursday before Good Friday: the next working day is Tuesday.
    ("voicemail", date(2026, 4, 2), None, date(2026, 4, 7)),
])
def test_dates_counted_by_hand(contact, sent, acknowledge, answer, standards, calendar):
    assert dates(contact, sent, standards, calendar, today=sent) == (acknowledge, answer)


def test_the_days_that_moved_it_are_named(standards, calendar):
    due = hear_back("email", date(2026, 12, 24), date(2026, 12, 1), standards, calendar)
    assert [(off.day, off.kind) for off in due.skipped] == [
        (date(2026, 12, 25), "bank_holiday"), (date(2026, 12, 28), "bank_holiday"),
        (date(2026, 12, 29), "closure"), (date(2026, 12, 30), "closure"), (date(2026, 12, 31), "closure"),
        (date(2027, 1, 1), "bank_holiday")]
    assert due.skipped[0].name == "Christmas Day" and due.skipped[0].name_cy == "Dydd Nadolig"


def test_a_closure_day_of_its_own_moves_the_dates(standards):
    """A one-day closure (a staff training day) in an ordinary week pushes both dates on by one day."""
    training = DayOff(date(2026, 6, 10), CLOSURE, "Staff training", "Hyfforddiant staff")
    plain = dates("email", date(2026, 6, 8), standards, WorkingCalendar())
    closed = dates("email", date(2026, 6, 8), standards, WorkingCalendar([training]))
    assert plain == (date(2026, 6, 11), date(2026, 6, 22))
    assert closed == (date(2026, 6, 12), date(2026, 6, 23))


def test_a_saturday_counts_from_monday(standards, calendar):
    due = hear_back("web_form", date(2026, 3, 7), TODAY, standards, calendar)
    assert due.clock_delayed and due.clock_started == date(2026, 3, 9)


def test_the_calculator_and_a_case_agree(standards, calendar):
    """The same rules as a web-form enquiry that reached us at 9am that day."""
    from datetime import datetime

    from townhall.cases.deadlines import due_dates
    from townhall.hours import LONDON

    for sent in (date(2026, 12, 24), date(2026, 4, 2), date(2026, 3, 7)):
        case = due_dates("enquiry", None, datetime(sent.year, sent.month, sent.day, 9, tzinfo=LONDON), standards,
                         calendar, "web")
        tool = hear_back("web_form", sent, sent, standards, calendar)
        assert (case.acknowledge_by, case.answer_by) == (tool.acknowledge_by, tool.answer_by)


@pytest.mark.parametrize(("parts", "error"), [
    (("", "", ""), NoDate),
    (("", "3", "2026"), DatePartMissing),
    (("12", "", "2026"), DatePartMissing),
    (("12", "3", ""), DatePartMissing),
    (("31", "2", "2026"), NotADate),
    (("29", "2", "2026"), NotADate),  # not a leap year
    (("0", "1", "2026"), NotADate),
    (("1", "13", "2026"), NotADate),
    (("first", "3", "2026"), NotADate),
    (("١", "٣", "٢٠٢٦"), NotADate),  # Arabic-Indic digits: str.isdigit says yes, int() would accept them
    (("1", "3", "26"), YearTooShort),
])
def test_impossible_dates_get_kind_errors(parts, error):
    with pytest.raises(error) as caught:
        date_from_parts(*parts)
    assert caught.value.status == 400 and caught.value.message


def test_a_leap_day_is_a_real_date():
    assert date_from_parts(" 29 ", "02", "2028") == date(2028, 2, 29)


@pytest.mark.parametrize("text", ["", "2026-2-3", "03/02/2026", "2026-02-30", "20260203", "2026-02-03T10:00",
                                  "x" * 50])
def test_iso_dates_are_checked(text):
    with pytest.raises((NoDate, NotADate)):
        date_from_iso(text)


def test_dates_far_away_are_refused(standards, calendar):
    with pytest.raises(DateTooEarly):
        hear_back("email", date(2024, 1, 1), TODAY, standards, calendar)
    with pytest.raises(DateTooLate):
        hear_back("email", date(2028, 1, 1), TODAY, standards, calendar)
    hear_back("email", date(2025, 6, 1), TODAY, standards, calendar)  # a year ago is fine
    hear_back("email", date(2027, 6, 1), TODAY, standards, calendar)


def test_contact_is_checked(standards, calendar):
    with pytest.raises(NoContact):
        hear_back("", TODAY, TODAY, standards, calendar)
    with pytest.raises(UnknownContact):
        hear_back("carrier-pigeon", TODAY, TODAY, standards, calendar)


@pytest.mark.parametrize(("written", "kind"), [
    ("web-form", "web_form"), ("Web form", "web_form"), ("complaint-stage-1", "complaint_stage_1"),
    ("Complaint stage 2", "complaint_stage_2"), ("complaint", "complaint_stage_1"), (" EMAIL ", "email"),
    ("voice-mail", "voicemail"), ("letter", "letter"),
])
def test_kinds_written_a_little_differently_are_understood(written, kind):
    from townhall.cases.hearback import check_contact

    assert check_contact(written) == kind
