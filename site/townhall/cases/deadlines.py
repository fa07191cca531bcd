"""Which promise applies to what, and the dates that follow, read from ``content/standards.yaml``.

The numbers live in the standards the content team edits (``within: 3 working
days``); this module only knows which standard applies to which kind of case and
channel:

=========================  ==============================  ===========================
what                       acknowledge by                  answer by
=========================  ==============================  ===========================
enquiry, format request    written-acknowledge (3)         written-answer (10)
compliment                 written-acknowledge (3)         none: we pass it on
complaint, stage 1         written-acknowledge (3)         complaint-stage-1 (5)
complaint, stage 2         complaint-stage-2-acknowledge   complaint-stage-2-answer
voicemail (calculator)     none                            voicemail (1)
=========================  ==============================  ===========================

A contact staff log from a phone call or a visit has no acknowledgement date:
the resident spoke to us, which is the acknowledgement. Everything written
(web form, email, letter) has one. The same rules serve the case records and
the "When will I hear back?" calculator (`contact_due_dates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from ..content.models import Standard
from .workingdays import DayOff, WorkingCalendar, add_working_days, clock_start, days_off_between

WORKING_DAYS = "working days"
SPOKEN_CHANNELS = ("phone", "visit")

# (kind, stage) -> (acknowledgement standard id, answer standard id)
RULES: dict[tuple[str, int | None], tuple[str | None, str | None]] = {
    ("enquiry", None): ("written-acknowledge", "written-answer"),
    ("format_request", None): ("written-acknowledge", "written-answer"),
    ("compliment", None): ("written-acknowledge", None),
    ("complaint", 1): ("written-acknowledge", "complaint-stage-1"),
    ("complaint", 2): ("complaint-stage-2-acknowledge", "complaint-stage-2-answer"),
}

# The calculator's contact kinds -> (kind, stage) in RULES, or a rule of their own.
CONTACT_KINDS: dict[str, tuple[str | None, str | None]] = {
    "letter": RULES[("enquiry", None)],
    "email": RULES[("enquiry", None)],
    "web_form": RULES[("enquiry", None)],
    "voicemail": (None, "voicemail"),
    "complaint_stage_1": RULES[("complaint", 1)],
    "complaint_stage_2": RULES[("complaint", 2)],
}


class StandardMissing(Exception):
    """standards.yaml lacks a standard the dates depend on, or gives it in a unit we cannot count."""


@dataclass(frozen=True)
class DueDates:
    """The dates we promise, how they were worked out, and the weekdays they skip."""

    received_at: datetime
    received_on: date  # the day it arrived, UK time
    clock_started: date  # the receipt day, or the next working day (after 5pm, weekends, days off)
    acknowledge_by: date | None
    answer_by: date | None
    acknowledge_standard: str | None
    answer_standard: str | None
    acknowledge_days: int | None
    answer_days: int | None
    skipped: tuple[DayOff, ...]  # weekdays off from the receipt day to the last date given, in order

    @property
    def last_date(self) -> date | None:
        return self.answer_by or self.acknowledge_by

    @property
    def clock_delayed(self) -> bool:
        """Whether it counts from a later day than it arrived (the page says why)."""
        return self.clock_started != self.received_on


def standards_by_id(standards: Iterable[Standard] | Mapping[str, Standard]) -> dict[str, Standard]:
    if isinstance(standards, Mapping):
        return dict(standards)
    return {standard.id: standard for standard in standards if standard.id}


def working_days_of(standards: Mapping[str, Standard], ident: str) -> int:
    """How many working days standard `ident` allows, or StandardMissing with a message for the content team."""
    standard = standards.get(ident)
    if standard is None or standard.within is None:
        raise StandardMissing(f'standards.yaml needs a standard with id "{ident}" and a "within" timescale')
    if standard.within.unit != WORKING_DAYS:
        raise StandardMissing(f'standards.yaml: standard "{ident}" must be measured in working days, '
                              f'not "{standard.within.unit}"')
    return standard.within.amount


def due_dates(kind: str, stage: int | None, received_at: datetime,
              standards: Iterable[Standard] | Mapping[str, Standard], calendar: WorkingCalendar,
              channel: str = "web") -> DueDates:
    """The acknowledgement and answer dates for a case of `kind` (and complaint `stage`) received then."""
    rule = RULES.get((kind, stage if kind == "complaint" else None))
    if rule is None:
        raise ValueError(f"no timescale for kind {kind!r} at stage {stage!r}")
    acknowledge, answer = rule
    if channel in SPOKEN_CHANNELS:
        acknowledge = None
    return _dates(acknowledge, answer, received_at, standards_by_id(standards), calendar)


def contact_due_dates(contact_kind: str, received_at: datetime,
                      standards: Iterable[Standard] | Mapping[str, Standard],
                      calendar: WorkingCalendar) -> DueDates:
    """For the "When will I hear back?" calculator: letter, email, web_form, voicemail, complaint stages."""
    if contact_kind not in CONTACT_KINDS:
        raise ValueError(f"unknown contact kind {contact_kind!r}; one of {', '.join(CONTACT_KINDS)}")
    acknowledge, answer = CONTACT_KINDS[contact_kind]
    return _dates(acknowledge, answer, received_at, standards_by_id(standards), calendar)


def _dates(acknowledge: str | None, answer: str | None, received_at: datetime,
           standards: Mapping[str, Standard], calendar: WorkingCalendar) -> DueDates:
    start = clock_start(received_at, calendar)
    acknowledge_days = working_days_of(standards, acknowledge) if acknowledge else None
    answer_days = working_days_of(standards, answer) if answer else None
    acknowledge_by = add_working_days(start, acknowledge_days, calendar).day if acknowledge_days is not None else None
    answer_by = add_working_days(start, answer_days, calendar).day if answer_days is not None else None
    last = answer_by or acknowledge_by or start
    received_day = received_at.astimezone(calendar.zone).date()
    return DueDates(
        received_at=received_at,
        received_on=received_day,
        clock_started=start,
        acknowledge_by=acknowledge_by,
        answer_by=answer_by,
        acknowledge_standard=acknowledge,
        answer_standard=answer,
        acknowledge_days=acknowledge_days,
        answer_days=answer_days,
        skipped=days_off_between(received_day, last, calendar),
    )
