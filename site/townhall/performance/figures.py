"""Counting a month: the cases "Listening" records, the survey and page feedback -> monthly figures.

The same rules as the promises themselves (`cases.deadlines.RULES`): an enquiry's
acknowledgement counts towards "written-acknowledge", a stage 2 complaint's answer
towards "complaint-stage-2-answer", and so on. The dates compared are the ones the
case was given when it arrived (`acknowledge_by`, `answer_by`), worked out in working
days by `cases.workingdays`, so the figures and the resident's confirmation email
can never disagree. A new date staff set later does not move the promise: the
figure says whether we kept the one we made.

Which month a case counts in: the month its promise fell due. Within the promise
means done on or before the due day (UK time): done on the due day itself counts
as kept. A case not yet done whose due day has not passed is left out (we do not
know yet); one not done after its due day counts as missed. A spoken contact (phone,
visit) has no acknowledgement date and so is not counted for acknowledgements.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.orm import Session

from ..cases.deadlines import RULES
from ..cases.models import Case, PageFeedback
from ..cases.survey import satisfaction_count
from ..hours import LONDON
from .models import PAGE_FEEDBACK, SATISFACTION, MonthlyFigure

ACKNOWLEDGE, ANSWER = "acknowledge", "answer"


def _case_measures() -> dict[tuple[str, int | None], dict[str, str]]:
    """(kind, stage) -> {"acknowledge": standard id, "answer": standard id}, from the deadlines' own rules."""
    measures: dict[tuple[str, int | None], dict[str, str]] = {}
    for key, (acknowledge, answer) in RULES.items():
        measures[key] = {step: ident for step, ident in ((ACKNOWLEDGE, acknowledge), (ANSWER, answer)) if ident}
    return measures


CASE_MEASURES = _case_measures()
# Every standard counted from the case records; the rest come from the monthly CSV.
CASE_STANDARDS = frozenset(ident for steps in CASE_MEASURES.values() for ident in steps.values())


@dataclass
class Count:
    counted: int = 0
    met: int = 0

    def add(self, kept: bool) -> None:
        self.counted += 1
        self.met += int(kept)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """Every month's first day from `first`'s month to `last`'s month, both included."""
    months, month = [], month_start(first)
    while month <= month_start(last):
        months.append(month)
        month = next_month(month)
    return months


def kept(done_at: datetime | None, due: date, today: date, zone: ZoneInfo = LONDON) -> bool | None:
    """True when done on or before the due day (UK time), False when done later or still not done after it,
    None when not done and the due day has not yet passed (too soon to say)."""
    if done_at is None:
        return None if due >= today else False
    return done_at.astimezone(zone).date() <= due


def count_cases(session: Session, month: date, today: date, zone: ZoneInfo = LONDON) -> dict[str, Count]:
    """Each case-counted standard's count for the month its promises fell due in."""
    first, after = month_start(month), next_month(month)
    counts = {ident: Count() for ident in CASE_STANDARDS}
    rows = session.execute(
        select(Case.kind, Case.stage, Case.acknowledge_by, Case.answer_by, Case.acknowledged_at, Case.answered_at,
               Case.closed_at)
        .where(or_(and_(Case.acknowledge_by >= first, Case.acknowledge_by < after),
                   and_(Case.answer_by >= first, Case.answer_by < after)))
    )
    for kind, stage, acknowledge_by, answer_by, acknowledged_at, answered_at, closed_at in rows:
        steps = CASE_MEASURES.get((kind, stage if kind == "complaint" else None), {})
        if ACKNOWLEDGE in steps and acknowledge_by is not None and first <= acknowledge_by < after:
            result = kept(acknowledged_at or answered_at or closed_at, acknowledge_by, today, zone)
            if result is not None:
                counts[steps[ACKNOWLEDGE]].add(result)
        if ANSWER in steps and answer_by is not None and first <= answer_by < after:
            result = kept(answered_at or closed_at, answer_by, today, zone)
            if result is not None:
                counts[steps[ANSWER]].add(result)
    return counts


def count_page_feedback(session: Session, month: date) -> Count:
    """How many answered "Is this page useful?" in the month, and how many said yes."""
    first, after = month_start(month), next_month(month)
    total, useful = session.execute(
        select(func.count(PageFeedback.id), func.coalesce(func.sum(case((PageFeedback.useful, 1), else_=0)), 0))
        .where(PageFeedback.created_on >= first, PageFeedback.created_on < after)
    ).one()
    return Count(int(total), int(useful))


def save(session: Session, measure: str, month: date, count: Count, source: str, now: datetime) -> None:
    """Write one figure, replacing whatever that measure had for that month."""
    session.execute(delete(MonthlyFigure).where(MonthlyFigure.measure == measure,
                                                MonthlyFigure.month == month_start(month)))
    session.add(MonthlyFigure(measure=measure, month=month_start(month), counted=count.counted, met=count.met,
                              source=source, updated_at=now))


def refresh_month(session: Session, month: date, *, today: date, now: datetime,
                  zone: ZoneInfo = LONDON) -> dict[str, Count]:
    """Count the month again from the records (cases, survey answers, page feedback) and store it (the caller
    commits).

    Run by `flask performance refresh` (each night, for this month and the last). Imported
    channels are not touched; a measure with nothing to count in the month stores no figure.
    """
    counts: dict[str, Count] = dict(count_cases(session, month, today, zone))
    counts[PAGE_FEEDBACK] = count_page_feedback(session, month)
    counts[SATISFACTION] = Count(*satisfaction_count(session, month_start(month), next_month(month)))
    for measure, count in counts.items():
        if count.counted:
            save(session, measure, month, count, "cases", now)
        else:  # nothing to count: no figure (and the demo's history, if any, stays)
            session.execute(delete(MonthlyFigure).where(MonthlyFigure.measure == measure,
                                                        MonthlyFigure.month == month_start(month),
                                                        MonthlyFigure.source == "cases"))
    return counts


def stored(session: Session, measures: Iterable[str] | None = None, *, since: date | None = None,
           until: date | None = None) -> dict[str, dict[date, MonthlyFigure]]:
    """The stored figures, measure -> month -> figure (one indexed read; nothing is recounted)."""
    query = select(MonthlyFigure)
    if measures is not None:
        query = query.where(MonthlyFigure.measure.in_(list(measures)))
    if since is not None:
        query = query.where(MonthlyFigure.month >= month_start(since))
    if until is not None:
        query = query.where(MonthlyFigure.month <= month_start(until))
    found: dict[str, dict[date, MonthlyFigure]] = {}
    for figure in session.scalars(query.order_by(MonthlyFigure.measure, MonthlyFigure.month)):
        found.setdefault(figure.measure, {})[figure.month] = figure
    return found


def as_counts(figures: Mapping[str, Mapping[date, MonthlyFigure]]) -> dict[str, dict[date, Count]]:
    return {measure: {month: Count(f.counted, f.met) for month, f in months.items()}
            for measure, months in figures.items()}
