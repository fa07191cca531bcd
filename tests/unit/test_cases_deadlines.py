"""Due dates: which standard applies to what, with the numbers read from the standards."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from townhall.cases.deadlines import StandardMissing, contact_due_dates, due_dates
from townhall.cases.workingdays import WorkingCalendar, calendar_from_content
from townhall.config import PROJECT_ROOT
from townhall.content.models import Standard, Timescale

LONDON = ZoneInfo("Europe/London")


def standard(ident: str, amount: int, unit: str = "working days") -> Standard:
    return Standard(promise="do it", within=Timescale(amount, unit), id=ident)


# The same numbers as content/standards.yaml; one test below reads the real file.
STANDARDS = [standard("voicemail", 1), standard("written-acknowledge", 3), standard("written-answer", 10),
             standard("complaint-stage-1", 5), standard("complaint-stage-2-acknowledge", 3),
             standard("complaint-stage-2-answer", 20), standard("phone-answer", 20, "seconds")]


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return calendar_from_content(PROJECT_ROOT / "content")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


MONDAY = date(2026, 3, 9)  # an ordinary week: no bank holidays until Good Friday, 3 April


def test_enquiry_by_web(calendar):
    due = due_dates("enquiry", None, at(MONDAY, 10), STANDARDS, calendar)
    assert due.acknowledge_by == date(2026, 3, 12)  # Thu: Tue, Wed, Thu
    assert due.answer_by == date(2026, 3, 23)  # 10 working days: Tue 10 ... Mon 23
    assert (due.acknowledge_standard, due.answer_standard) == ("written-acknowledge", "written-answer")
    assert (due.acknowledge_days, due.answer_days) == (3, 10)
    assert not due.clock_delayed


def test_complaint_stages(calendar):
    stage_one = due_dates("complaint", 1, at(MONDAY, 10), STANDARDS, calendar)
    assert stage_one.answer_by == date(2026, 3, 16)  # 5 working days
    assert stage_one.acknowledge_by == date(2026, 3, 12)
    stage_two = due_dates("complaint", 2, at(MONDAY, 10), STANDARDS, calendar)
    assert stage_two.acknowledge_by == date(2026, 3, 12)
    # 20 working days from Mon 9 Mar: 10-13 (4), 16-20 (9), 23-27 (14), 30 Mar-2 Apr (18), Good Friday 3 Apr
    # and Easter Monday 6 Apr skipped, Tue 7 (19), Wed 8 (20).
    assert stage_two.answer_by == date(2026, 4, 8)
    assert [off.day for off in stage_two.skipped] == [date(2026, 4, 3), date(2026, 4, 6)]


def test_compliment_has_no_answer_date_and_a_call_needs_no_acknowledgement(calendar):
    compliment = due_dates("compliment", None, at(MONDAY, 10), STANDARDS, calendar)
    assert compliment.answer_by is None and compliment.acknowledge_by == date(2026, 3, 12)
    phoned = due_dates("enquiry", None, at(MONDAY, 10), STANDARDS, calendar, channel="phone")
    assert phoned.acknowledge_by is None and phoned.answer_by == date(2026, 3, 23)


def test_format_request_follows_the_written_standards(calendar):
    due = due_dates("format_request", None, at(MONDAY, 10), STANDARDS, calendar)
    assert (due.acknowledge_by, due.answer_by) == (date(2026, 3, 12), date(2026, 3, 23))


def test_numbers_come_from_the_standards_not_the_code(calendar):
    faster = [replace(s, within=Timescale(2, "working days")) if s.id == "written-answer" else s for s in STANDARDS]
    assert due_dates("enquiry", None, at(MONDAY, 10), faster, calendar).answer_by == date(2026, 3, 11)


def test_a_missing_or_unusable_standard_is_explained(calendar):
    with pytest.raises(StandardMissing, match='id "complaint-stage-1"'):
        due_dates("complaint", 1, at(MONDAY, 10), [s for s in STANDARDS if s.id != "complaint-stage-1"], calendar)
    seconds = [standard("written-acknowledge", 3, "days"), *STANDARDS[2:]]
    with pytest.raises(StandardMissing, match="working days"):
        due_dates("enquiry", None, at(MONDAY, 10), seconds, calendar)


def test_saturday_evening_web_form_over_christmas(calendar):
    # Sat 19 Dec 2026, 9pm: the clock starts Mon 21 Dec. Acknowledge: Tue 22 (1), Wed 23 (2), Thu 24 (3).
    # Answer: then 25 and 28 Dec bank holidays, 29-31 closed, 1 Jan bank holiday; Mon 4 (4) ... Fri 8 (8),
    # Mon 11 (9), Tue 12 (10).
    due = due_dates("enquiry", None, at(date(2026, 12, 19), 21), STANDARDS, calendar)
    assert due.received_on == date(2026, 12, 19)
    assert due.clock_started == date(2026, 12, 21)
    assert due.clock_delayed
    assert due.acknowledge_by == date(2026, 12, 24)
    assert due.answer_by == date(2027, 1, 12)
    assert [off.day.day for off in due.skipped] == [25, 28, 29, 30, 31, 1]


def test_calculator_contact_kinds(calendar):
    voicemail = contact_due_dates("voicemail", at(MONDAY, 18), STANDARDS, calendar)
    assert voicemail.acknowledge_by is None
    assert voicemail.answer_by == date(2026, 3, 11)  # after 5pm: clock starts Tue, one working day -> Wed
    letter = contact_due_dates("letter", at(MONDAY, 10), STANDARDS, calendar)
    assert letter.answer_by == date(2026, 3, 23)
    assert contact_due_dates("complaint_stage_1", at(MONDAY, 10), STANDARDS, calendar).answer_by == date(2026, 3, 16)
    with pytest.raises(ValueError):
        contact_due_dates("pigeon", at(MONDAY, 10), STANDARDS, calendar)


def test_the_real_standards_file(calendar):
    from townhall.content import load_site

    site = load_site(PROJECT_ROOT / "content")
    due = due_dates("complaint", 2, at(MONDAY, 10), site.standards, calendar)
    assert (due.acknowledge_days, due.answer_days) == (3, 20)
    assert contact_due_dates("voicemail", at(MONDAY, 10), site.standards, calendar).answer_days == 1
