""""When will I hear back?" (/when-will-i-hear-back) and its JSON twin (/api/when-will-i-hear-back).

A plain GET form: how you contacted us and the day you sent it, answered with
the dates we promise, in words, and the days off that moved them. htmx swaps
only the answer block of the same template. The dates are the cases' own
(`cases.hearback` calls `deadlines.contact_due_dates` with the casework's
standards and calendar), so the tool, the confirmation page and the staff queue
agree by construction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _

from .. import engines
from ..cases.deadlines import CONTACT_KINDS, DueDates
from ..cases.hearback import (
    ERROR_CODES,
    HearBackError,
    check_contact,
    check_range,
    date_from_iso,
    date_from_parts,
    hear_back,
)
from ..cases.workingdays import BANK_HOLIDAY
from ..content.models import Standard
from ..text import N_
from .common import content_site, language, render, today
from .errors import error_message
from .openapi import ApiPart, error_responses, json_response, operation, ref

bp = Blueprint("hear_back", __name__)

CONTACT_WORDS = {
    "letter": N_("Letter"),
    "email": N_("Email"),
    "web_form": N_("Online form on this website"),
    "voicemail": N_("Voicemail (a message left on our phone line)"),
    "complaint_stage_1": N_("Complaint (stage 1)"),
    "complaint_stage_2": N_("Complaint (stage 2): you asked us to look at your complaint again"),
}
DATE_PARTS = ("day", "month", "year")


def contact_options() -> list[tuple[str, str, None]]:
    return [(kind, _(CONTACT_WORDS[kind]), None) for kind in CONTACT_KINDS]


def weekend_days(due: DueDates) -> int:
    """Saturdays and Sundays from the day it was sent to the last date given: the days off every week has."""
    last = due.last_date or due.clock_started
    return sum(1 for offset in range((last - due.received_on).days + 1)
               if date.fromordinal(due.received_on.toordinal() + offset).weekday() >= 5)


def standards_in_language() -> dict[str, Standard]:
    return {standard.id: standard for standard in content_site().standards_in(language()) if standard.id}


@bp.route("/when-will-i-hear-back")
def page():
    args = request.args
    asked = "contact" in args or any(f"sent-{part}" in args for part in DATE_PARTS)
    day = today()
    values = {"contact": args.get("contact", "").strip()[:40]}
    for part in DATE_PARTS:
        values[f"sent-{part}"] = args.get(f"sent-{part}", "").strip()[:10] if asked else str(
            getattr(day, part))
    errors: dict[str, str] = {}
    due: DueDates | None = None
    sent: date | None = None
    if asked:
        try:
            check_contact(values["contact"])
        except HearBackError as error:
            errors["contact"] = error_message(error)
        try:
            sent = check_range(date_from_parts(*(values[f"sent-{part}"] for part in DATE_PARTS)), day)
        except HearBackError as error:
            errors["sent"] = error_message(error)
        if not errors and sent is not None:
            casework = engines.casework()
            due = hear_back(values["contact"], sent, day, casework.standards, casework.calendar)
    summary = [("contact-" + next(iter(CONTACT_KINDS)) if name == "contact" else "sent-day", text)
               for name, text in errors.items()]
    body = render("hear_back/page.html", block="answer", values=values, errors=errors, summary=summary,
                  due=due, sent=sent, contact=values["contact"], contact_options=contact_options(),
                  standards=standards_in_language(), today=day, weekends=weekend_days(due) if due else 0)
    return body, 400 if errors else 200


# --- the JSON API ---------------------------------------------------------------------------------------

def _standard_json(ident: str | None, days: int | None, by: date | None,
                   standards: dict[str, Standard]) -> dict[str, Any] | None:
    if ident is None or by is None:
        return None
    standard = standards.get(ident)
    return {
        "date": by.isoformat(),
        "standard": {"id": ident, "promise": standard.promise if standard else None,
                     "working_days": days},
    }


def due_json(contact: str, sent: date, due: DueDates) -> dict[str, Any]:
    standards = standards_in_language()
    lang = language()
    reason = None
    if due.clock_delayed:
        off = next((day for day in due.skipped if day.day == due.received_on), None)
        reason = "weekend" if due.received_on.weekday() >= 5 else (off.kind if off else "after_hours")
    return {
        "contact": contact,
        "sent": sent.isoformat(),
        "counted_from": due.clock_started.isoformat(),
        "counted_from_reason": reason,
        "acknowledge": _standard_json(due.acknowledge_standard, due.acknowledge_days, due.acknowledge_by, standards),
        "answer": _standard_json(due.answer_standard, due.answer_days, due.answer_by, standards),
        "days_off": [{"date": off.day.isoformat(), "kind": off.kind, "name": off.name_in(lang)}
                     for off in due.skipped],
        "weekend_days": weekend_days(due),
        "assumes": _("It reached us during office hours on the day given (before 5pm, UK time). Anything that "
                     "reaches us after 5pm counts from the next working day."),
    }


@bp.route("/api/when-will-i-hear-back")
def api() -> Response:
    contact = check_contact(request.args.get("contact", "")[:40])
    sent = date_from_iso(request.args.get("sent", "")[:20])
    casework = engines.casework()
    due = hear_back(contact, sent, today(), casework.standards, casework.calendar)
    return jsonify(due_json(contact, sent, due))


# --- this API's part of the OpenAPI document (web/openapi.py assembles it) -------------------

TAG = "When will I hear back?"


def openapi_part() -> ApiPart:
    promise = {"type": ["object", "null"], "required": ["date", "standard"], "properties": {
        "date": {"type": "string", "format": "date"},
        "standard": {"type": "object", "required": ["id", "working_days"], "properties": {
            "id": {"type": "string", "description": "The standard's id in our published service standards"},
            "promise": {"type": ["string", "null"], "description": 'Completes "We will ..."'},
            "working_days": {"type": "integer", "minimum": 0}}}}}
    return ApiPart(
        paths={"/api/when-will-i-hear-back": operation(
            "getWhenWillIHearBack",
            "The dates by which we will acknowledge and answer something you sent us",
            {"200": json_response("The dates, the standards they come from and the days off that moved them",
                                  ref("HearBackAnswer")),
             **error_responses({400: list(ERROR_CODES)})},
            tag=TAG,
            description=(
                "Working days exclude weekends, England and Wales bank holidays and the days the council's "
                "offices are closed. Counting starts on the day it was sent if that is a working day (it is "
                "taken to have arrived before 5pm), otherwise on the next working day; the dates are that "
                "many working days after the day counting starts. Dates more than a year before or after "
                "today are refused."),
            parameters=[
                {"name": "contact", "in": "query", "required": True,
                 "schema": {"type": "string", "enum": list(CONTACT_KINDS)},
                 "description": "How you contacted us. Case, hyphens and spaces do not matter (web-form, Complaint stage 1)."},
                {"name": "sent", "in": "query", "required": True, "schema": {"type": "string", "format": "date"},
                 "description": "The day you sent it, as YYYY-MM-DD (UK time)."},
            ])},
        schemas={"HearBackAnswer": {
            "type": "object",
            "required": ["contact", "sent", "counted_from", "acknowledge", "answer", "days_off"],
            "properties": {
                "contact": {"type": "string", "enum": list(CONTACT_KINDS)},
                "sent": {"type": "string", "format": "date"},
                "counted_from": {"type": "string", "format": "date",
                                 "description": "The working day counting starts from (day 0)"},
                "counted_from_reason": {"type": ["string", "null"],
                                        "enum": [None, "weekend", BANK_HOLIDAY, "closure", "after_hours"],
                                        "description": "Why counting starts after the day it was sent"},
                "acknowledge": {**promise, "description": "null when we do not send an acknowledgement "
                                                          "(a voicemail is answered instead)"},
                "answer": promise,
                "days_off": {"type": "array", "description": "Weekdays that were not counted, from the day "
                                                            "sent to the last date given",
                             "items": {"type": "object", "required": ["date", "kind", "name"], "properties": {
                                 "date": {"type": "string", "format": "date"},
                                 "kind": {"type": "string", "enum": [BANK_HOLIDAY, "closure"]},
                                 "name": {"type": "string"}}}},
                "weekend_days": {"type": "integer", "minimum": 0,
                                 "description": "Saturdays and Sundays from the day sent to the last date given"},
                "assumes": {"type": "string"},
            }}},
        tags=[{"name": TAG, "description": "The dates from our service standards for something you sent us."}],
    )

