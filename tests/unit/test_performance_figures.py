"""Monthly figures from cases: known cases give known percentages, the due day itself counts as kept, and a
refresh replaces what it counted without touching imported figures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from townhall.cases import Casework, WorkingCalendar, answer, plain_composer, submit
from townhall.cases.models import Case, PageFeedback
from townhall.cases.validation import Submission
from townhall.content.models import Standard, Timescale
from townhall.performance import (
    PAGE_FEEDBACK,
    Count,
    MonthlyFigure,
    count_cases,
    kept,
    percent,
    refresh_month,
    stored,
)
from townhall.performance.figures import save

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
OCTOBER = date(2026, 10, 1)
STANDARDS = [Standard(promise="x", within=Timescale(amount, "working days"), id=ident) for ident, amount in (
    ("written-acknowledge", 3), ("written-answer", 10), ("complaint-stage-1", 5),
    ("complaint-stage-2-acknowledge", 3), ("complaint-stage-2-answer", 20))]
_serial = iter(range(1, 10_000))


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def case(*, kind: str = "enquiry", stage: int | None = None, acknowledge_by: date | None = None,
         answer_by: date | None = None, acknowledged: datetime | None = None, answered: datetime | None = None,
         closed: datetime | None = None, channel: str = "web") -> Case:
    number = next(_serial)
    return Case(reference=f"BK-{number:04d}-TEST", kind=kind, stage=stage, channel=channel,
                received_at=at(date(2026, 9, 20)), language="en", details="x", contact_preference="email",
                status="answered" if answered else "received", acknowledge_by=acknowledge_by, answer_by=answer_by,
                acknowledged_at=acknowledged, answered_at=answered, closed_at=closed)


def test_percent_rounds_half_up_and_says_nothing_for_no_contacts():
    assert percent(7, 8) == 88  # 87.5
    assert percent(87, 100) == 87
    assert percent(2, 3) == 67
    assert percent(0, 0) is None
    assert percent(5, 5) == 100


def test_kept_on_the_due_day_itself_even_late_in_the_evening():
    due = date(2026, 10, 14)
    assert kept(at(due, 23, 59), due, today=date(2026, 12, 1)) is True  # the boundary day counts as kept
    assert kept(datetime(2026, 10, 14, 22, 30, tzinfo=UTC), due, today=date(2026, 12, 1)) is True  # 23:30 BST
    assert kept(datetime(2026, 10, 14, 23, 30, tzinfo=UTC), due, today=date(2026, 12, 1)) is False  # 00:30 next day
    assert kept(at(date(2026, 10, 15), 9), due, today=date(2026, 12, 1)) is False
    assert kept(None, due, today=date(2026, 10, 20)) is False  # overdue and still not done
    assert kept(None, due, today=due) is None  # not done, but the day is not over: too soon to say


def test_a_known_set_of_cases_gives_known_percentages(sqlite_database):
    due = date(2026, 10, 14)
    with sqlite_database.session() as session:
        session.add_all([
            # written-answer, due 14 October: 2 of 4 kept (one of them on the due day) -> 50%
            case(answer_by=due, answered=at(due, 16, 59), acknowledge_by=date(2026, 10, 1),
                 acknowledged=at(date(2026, 10, 1), 9)),
            case(answer_by=due, answered=at(date(2026, 10, 2))),
            case(answer_by=due, answered=at(date(2026, 10, 15), 9)),  # a day late
            case(answer_by=due),  # never answered, and the day has passed
            case(answer_by=date(2026, 10, 30)),  # not due yet on "today" below: left out
            # written-acknowledge: acknowledged on the day (kept), 2 days late (missed); a phone call has none
            case(acknowledge_by=date(2026, 10, 5), acknowledged=at(date(2026, 10, 5), 17, 30)),
            case(acknowledge_by=date(2026, 10, 5), acknowledged=at(date(2026, 10, 7))),
            case(acknowledge_by=None, answer_by=date(2026, 11, 3), channel="phone"),
            # complaint stage 1, answered early; stage 2 acknowledged by the answer itself
            case(kind="complaint", stage=1, answer_by=date(2026, 10, 9), answered=at(date(2026, 10, 8))),
            case(kind="complaint", stage=2, acknowledge_by=date(2026, 10, 6), answer_by=date(2026, 11, 2),
                 answered=at(date(2026, 10, 6))),
            # due in September: not October's figure
            case(answer_by=date(2026, 9, 30), answered=at(date(2026, 10, 1))),
        ])
    with sqlite_database.read_session() as session:
        counts = count_cases(session, OCTOBER, today=date(2026, 10, 20))
    assert counts["written-answer"] == Count(4, 2)
    assert percent(counts["written-answer"].met, counts["written-answer"].counted) == 50
    assert counts["written-acknowledge"] == Count(3, 2)  # the first case's acknowledgement on 1 October, too
    assert counts["complaint-stage-1"] == Count(1, 1)
    assert counts["complaint-stage-2-acknowledge"] == Count(1, 1)
    assert counts["complaint-stage-2-answer"] == Count(0, 0)  # due in November


def test_figures_use_the_dates_the_working_day_rules_gave_the_case(sqlite_database):
    """Through the real casework: answered on the date in the confirmation is kept, a working day later is not."""
    casework = Casework.build(STANDARDS, WorkingCalendar(), compose=plain_composer, mail_domain="example.org",
                              reference_prefix="BK")
    fields = dict(kind="enquiry", details="Where is my bin?", name="Jo", email="jo@example.com", postcode="BK1 1AA",
                  contact_preference="email", service_slug=None, service_title=None)
    received = at(date(2026, 9, 28), 10)  # Monday: 10 working days -> Monday 12 October
    with sqlite_database.session() as session:
        on_time = submit(session, casework, Submission(**fields), received).case
        late = submit(session, casework, Submission(**fields), received).case
        ids = on_time.id, late.id
        assert on_time.answer_by == date(2026, 10, 12)
    with sqlite_database.session() as session:
        answer(session, casework, ids[0], staff_id=None, text="Done", now=at(date(2026, 10, 12), 16))
        answer(session, casework, ids[1], staff_id=None, text="Done", now=at(date(2026, 10, 13), 9))
    with sqlite_database.read_session() as session:
        counts = count_cases(session, OCTOBER, today=date(2026, 12, 1))
        assert session.scalar(select(Case.acknowledge_by).where(Case.id == ids[0])) == date(2026, 10, 1)
    assert counts["written-answer"] == Count(2, 1)
    assert counts["written-acknowledge"] == Count(2, 2)  # due 1 October, acknowledged at once by the web form

def test_refresh_stores_the_month_and_keeps_imported_figures(sqlite_database):
    with sqlite_database.session() as session:
        session.add(case(answer_by=date(2026, 10, 14), answered=at(date(2026, 10, 14))))
        session.add_all([PageFeedback(path="/x", useful=useful, created_on=date(2026, 10, day), language="en")
                         for day, useful in ((1, True), (2, True), (3, False), (31, True))])
        session.add(PageFeedback(path="/x", useful=False, created_on=date(2026, 11, 1), language="en"))
        save(session, "phone-answer", OCTOBER, Count(100, 81), "import", NOW)
        save(session, "complaint-stage-1", OCTOBER, Count(9, 9), "demo", NOW)
    with sqlite_database.session() as session:
        refresh_month(session, OCTOBER, today=date(2026, 12, 1), now=NOW)
    with sqlite_database.session() as session:  # twice: replaced, never doubled
        refresh_month(session, OCTOBER, today=date(2026, 12, 1), now=NOW)
    with sqlite_database.read_session() as session:
        figures = stored(session)
        assert session.scalar(select(MonthlyFigure.id).where(MonthlyFigure.measure == "written-acknowledge")) is None
    assert (figures["written-answer"][OCTOBER].counted, figures["written-answer"][OCTOBER].met) == (1, 1)
    assert figures["written-answer"][OCTOBER].source == "cases"
    assert (figures["phone-answer"][OCTOBER].counted, figures["phone-answer"][OCTOBER].met) == (100, 81)
    assert figures["complaint-stage-1"][OCTOBER].source == "demo"  # nothing counted: the demo's figure stays
    assert (figures[PAGE_FEEDBACK][OCTOBER].counted, figures[PAGE_FEEDBACK][OCTOBER].met) == (4, 3)


def test_the_database_refuses_impossible_figures(sqlite_database):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), sqlite_database.session() as session:
        session.add(MonthlyFigure(measure="x", month=OCTOBER, counted=5, met=6, source="import", updated_at=NOW))
