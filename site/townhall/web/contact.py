"""Residents' forms: contact us, make a complaint (stage 1 and stage 2), ask for another format, compliments.

Each form is a few question pages, "Check your answers" and a confirmation
(the GOV.UK question-page pattern). What was typed on earlier pages travels in
hidden fields of the next page's form, not in the session or the database:

* nothing expires, so a resident can take all afternoon (WCAG 2.2.1) and
  nothing typed is lost to a timer;
* a long complaint does not fit in a cookie (4 KB), and hidden fields carry any
  length the request limit allows;
* we hold no personal details until the resident presses Send (data
  minimisation), and two forms in two tabs never mix.

"Back" and "Change" are buttons of the same form, so they carry the answers
too. Sending stores the case, queues its email, wakes the outbox and redirects
(303) to the confirmation page, which finds the case through a note in the
signed session of the browser that sent it; a form sent twice (double click,
resend) makes one case through its submission key.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import Blueprint, redirect, request, session, url_for
from flask_babel import gettext as _
from htmx_flask import make_response as htmx_response
from sqlalchemy.exc import IntegrityError

from .. import engines
from ..cases import (
    ActionNotAllowed,
    Submitted,
    confirmation,
    find_submitted,
    request_stage_two,
    submit,
    validate_stage_two,
    validate_submission,
)
from ..cases.validation import FORM_FIELDS
from ..text import N_
from . import forms
from .common import content_site, is_htmx, language, now, render, step_of_a_form

bp = Blueprint("contact", __name__)

SENT = "sent"  # session key: the reference and kind of the last case this browser sent
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,40}$")
YOU = ("name", "contact_preference", "email", "phone", "address", "postcode", "access_needs")
REVEALED_BY = {"email": "email", "phone": "phone", "address": "letter"}
NOT_FOUND = N_("We could not find a stage 1 complaint with that reference number and email address or postcode. "
               "Check them and try again")


@dataclass(frozen=True)
class FormSpec:
    """One of the residents' forms: its kind of case, address, words and the questions on its first page."""

    kind: str
    endpoint: str
    title: str  # N_: the form's name ("Contact us")
    about: tuple[str, ...]  # the fields of the first question page

    @property
    def steps(self) -> tuple[str, ...]:
        return ("about", "you")

    def fields_of(self, step: str) -> tuple[str, ...]:
        return self.about if step == "about" else YOU if step == "you" else ()

    def page(self, step: str) -> str:
        """The questions of `step`: forms/questions/<page>.html, titled PAGE_TITLES[<page>]."""
        return f"about_{self.kind}" if step == "about" else step


PAGE_TITLES = {
    "about_enquiry": N_("What would you like to ask us?"),
    "about_complaint": N_("What is your complaint about?"),
    "about_format_request": N_("What format or language do you need?"),
    "about_compliment": N_("What would you like to tell us?"),
    "you": N_("How can we reply to you?"),
    "check": N_("Check your answers before sending"),
}


FORMS = {
    "enquiry": FormSpec("enquiry", "contact.enquiry", N_("Contact us"), ("service", "details")),
    "complaint": FormSpec("complaint", "contact.complaint", N_("Make a complaint"),
                          ("service", "details", "desired_outcome")),
    "format_request": FormSpec("format_request", "contact.format_request",
                               N_("Ask for information in another format or language"),
                               ("format", "format_language", "format_details", "details", "service")),
    "compliment": FormSpec("compliment", "contact.compliment", N_("Send us a compliment"), ("service", "details")),
}


@bp.before_request
def longer_bodies() -> None:
    if request.method == "POST":
        forms.allow_long_forms()


@bp.route("/contact", methods=["GET", "POST"])
def enquiry():
    return handle(FORMS["enquiry"])


@bp.route("/complain", methods=["GET", "POST"])
def complaint():
    return handle(FORMS["complaint"])


@bp.route("/ask-for-another-format", methods=["GET", "POST"])
def format_request():
    return handle(FORMS["format_request"])


@bp.route("/compliment", methods=["GET", "POST"])
def compliment():
    return handle(FORMS["compliment"])


@bp.get("/contact/confirmation")
@step_of_a_form
def enquiry_sent():
    return confirmation_page(FORMS["enquiry"])


@bp.get("/complain/confirmation")
@step_of_a_form
def complaint_sent():
    return confirmation_page(FORMS["complaint"])


@bp.get("/ask-for-another-format/confirmation")
@step_of_a_form
def format_request_sent():
    return confirmation_page(FORMS["format_request"])


@bp.get("/compliment/confirmation")
@step_of_a_form
def compliment_sent():
    return confirmation_page(FORMS["compliment"])


# -- the question pages, "Check your answers" and sending ------------------------------------------------

def handle(spec: FormSpec):
    if request.method == "GET":
        values = dict.fromkeys(FORM_FIELDS, "")
        chosen = request.args.get("service", "")
        if chosen in content_site().services:
            values["service"] = chosen
        return show(spec, "about", values)
    form = answers_given(spec)
    validation = validate_submission(spec.kind, form, services=forms.service_titles(), language=language())
    values = {**validation.values, "submission_key": submission_key()}
    go = request.form.get("go", "continue")
    step = request.form.get("step", "about")
    step = step if step in (*spec.steps, "check") else "about"
    checking = request.form.get("checking") == "1"
    if go == "back":
        return show(spec, previous_step(spec, step), values, checking=checking)
    if go.startswith("change-") and go[7:] in spec.steps:
        return show(spec, go[7:], values, checking=True)
    if go == "send" or step == "check":
        return send(spec, validation, values)
    errors = {name: text for name, text in validation.errors.items() if name in spec.fields_of(step)}
    if errors:
        return show(spec, step, values, errors, checking=checking, status=400)
    following = "check" if checking or step == spec.steps[-1] else spec.steps[spec.steps.index(step) + 1]
    return show(spec, following, values)


def answers_given(spec: FormSpec) -> dict[str, str]:
    """The form as sent, without answers this form never asks, or asked under a choice not chosen (a revealed
    email box the resident filled and then chose "Phone" instead is not theirs to be checked on)."""
    asked = set(spec.about) | set(YOU)
    form = {name: request.form.get(name, "") if name in asked else "" for name in FORM_FIELDS}
    preference = form["contact_preference"]
    for name, needs in REVEALED_BY.items():
        if preference != needs:
            form[name] = ""
    if form["format"] != "spoken_language":
        form["format_language"] = ""
    if form["format"] != "other":
        form["format_details"] = ""
    return form


def submission_key() -> str:
    typed = request.form.get("submission_key", "")
    return typed if KEY_PATTERN.match(typed) else ""


def previous_step(spec: FormSpec, step: str) -> str:
    if step == "check":
        return spec.steps[-1]
    index = spec.steps.index(step) if step in spec.steps else 0
    return spec.steps[max(0, index - 1)]


def show(spec: FormSpec, step: str, values: dict[str, str], errors: dict[str, str] | None = None, *,
         checking: bool = False, status: int = 200, notice: str | None = None):
    if step == "check" and not values.get("submission_key"):
        values = {**values, "submission_key": secrets.token_urlsafe(18)}
    translated = forms.messages(errors or {})
    page = spec.page(step)
    body = render(
        "forms/question.html", block="content", question_template=f"forms/questions/{page}.html",
        page_title=_(PAGE_TITLES[page]), spec=spec, form_title=_(spec.title), step=step, values=values,
        errors=translated, summary=forms.summary(translated), checking=checking,
        shown=spec.fields_of(step), notice=notice,
        action=url_for(spec.endpoint), services=forms.service_choices(language()),
        service_title=dict(forms.service_choices(language())).get(values.get("service", "")),
    )
    return body, status


def send(spec: FormSpec, validation, values: dict[str, str]):
    if validation.errors:
        first = next((step for step in spec.steps if set(validation.errors) & set(spec.fields_of(step))),
                     spec.steps[0])
        errors = {name: text for name, text in validation.errors.items() if name in spec.fields_of(first)}
        errors = errors or validation.errors
        return show(spec, first, values, errors, checking=True, status=400)
    if forms.honeypot_filled():
        return show(spec, "check", values, status=400,
                    notice=_("Sorry, we could not send your form. Please check your answers and send it again."))
    decision = engines.limits().submissions.hit(forms.client())
    if not decision.allowed:
        return show(spec, "check", values, status=429, notice=_(
            "You have sent a lot of forms in a short time, so we cannot take another just now. Your answers "
            "are kept below. %(wait)s", wait=forms.wait_words(decision)))
    submitted = store(validation.submission, values["submission_key"] or None)
    return confirmed(spec, submitted)


def store(submission, key: str | None) -> Submitted:
    """Save the case and its email in one transaction, then wake the outbox (which sends after we answer)."""
    database, casework, moment = engines.database(), engines.casework(), now()
    try:
        submitted = database.transaction(lambda db: submit(db, casework, submission, moment, submission_key=key))
    except IntegrityError:
        if not key:
            raise
        with database.read_session() as db:  # the same form, sent twice at once: the other request stored it
            existing = find_submitted(db, key)
            if existing is None:
                raise
            submitted = Submitted(existing, casework.due(existing.kind, existing.stage, existing.received_at,
                                                         existing.channel))
    engines.outbox().wake()
    return submitted


def confirmed(spec: FormSpec, submitted: Submitted):
    session[SENT] = {"reference": submitted.reference, "kind": submitted.case.kind}
    target = url_for(f"{spec.endpoint}_sent")
    if is_htmx():  # a whole new page: its address, title and focus start afresh
        return htmx_response("", redirect=target)
    return redirect(target, code=303)


def confirmation_page(spec: FormSpec):
    sent = session.get(SENT) or {}
    found = None
    if sent.get("kind") == spec.kind and isinstance(sent.get("reference"), str):
        with engines.database().read_session() as db:
            found = confirmation(db, engines.casework(), sent["reference"])
    if found is None:
        return redirect(url_for(spec.endpoint))
    return render("forms/confirmation.html", block="content", spec=spec, form_title=_(spec.title),
                  submitted=found, case=found.case, due=found.due)


# -- stage 2 -----------------------------------------------------------------------------------------------

STAGE_TWO_FIELDS = ("reference", "email_or_postcode", "details", "desired_outcome")


@bp.route("/complain/stage-2", methods=["GET", "POST"])
def stage_two():
    spec = FORMS["complaint"]
    prefix = content_site().council.prefix
    if request.method == "GET":
        values = dict.fromkeys(STAGE_TWO_FIELDS, "")
        values["reference"] = request.args.get("reference", "")[:40]
        return show_stage_two(values)
    found, errors, values = validate_stage_two(request.form, prefix=prefix)
    go = request.form.get("go", "continue")
    if go == "change":
        return show_stage_two(values)
    if errors:
        return show_stage_two(values, errors, status=400)
    if go != "send":
        return show_stage_two(values, check=True)
    if forms.honeypot_filled():
        return show_stage_two(values, check=True, status=400, notice=_(
            "Sorry, we could not send your form. Please check your answers and send it again."))
    limits = engines.limits()
    decision = limits.track.peek(forms.client())
    if not decision.allowed:
        return show_stage_two(values, {"reference": _("You have tried too many times.") + " "
                                       + forms.wait_words(decision)}, status=429, translated=True)
    database, casework, moment = engines.database(), engines.casework(), now()
    try:
        submitted = database.transaction(lambda db: request_stage_two(
            db, casework, reference=found.reference, email_or_postcode=found.email_or_postcode,
            details=found.details, desired_outcome=found.desired_outcome, now=moment))
    except ActionNotAllowed as refusal:
        return show_stage_two(values, {"reference": refusal.message}, status=409)
    if submitted is None:
        limits.track.hit(forms.client())
        return show_stage_two(values, {"reference": NOT_FOUND}, status=400)
    engines.outbox().wake()
    return confirmed(spec, submitted)


def show_stage_two(values: dict[str, str], errors: dict[str, str] | None = None, *, check: bool = False,
                   status: int = 200, notice: str | None = None, translated: bool = False):
    translated_errors = dict(errors or {}) if translated else forms.messages(errors or {})
    template = "forms/stage_two_check.html" if check else "forms/stage_two.html"
    body = render(template, block="content", values=values, errors=translated_errors,
                  summary=forms.summary(translated_errors),
                  notice=notice, action=url_for("contact.stage_two"), form_title=_("Ask for stage 2"))
    return body, status
