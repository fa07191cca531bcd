"""The satisfaction survey a closing email links to (/survey/<token>): one question, answered once, no login.

A token we never made, or one that is not even the right shape, gets the kind
"Page not found" page (404): nothing says whether a survey exists. A survey
already answered says so and thanks the resident, and a second answer changes
nothing. The comment is optional and scrubbed of personal details before it is
stored (cases/survey.py). The form is an ordinary POST with the session's CSRF
token; htmx swaps the answer into the page.
"""

from __future__ import annotations

from flask import Blueprint, abort, request

from .. import engines
from ..cases.survey import SCORES, SurveyError, answer_survey, find_survey, validate_survey
from ..text import N_
from . import forms
from .common import render, step_of_a_form, today

bp = Blueprint("survey", __name__)

SCORE_WORDS = {5: N_("Very satisfied"), 4: N_("Satisfied"), 3: N_("Neither satisfied nor dissatisfied"),
               2: N_("Dissatisfied"), 1: N_("Very dissatisfied")}


def _survey_or_404(token: str):
    try:
        with engines.database().read_session() as session:
            found = find_survey(session, token)
            return found.answered_on is not None
    except SurveyError:
        abort(404)


@bp.get("/survey/<token>")
@step_of_a_form
def form(token: str):
    if _survey_or_404(token):
        return render("survey/done.html", block="content", already=True)
    return show(token, {"score": "", "comment": ""})


@bp.post("/survey/<token>")
@step_of_a_form
def send(token: str):
    answered_before = _survey_or_404(token)
    if answered_before:
        return render("survey/done.html", block="content", already=True)
    answer, errors, values = validate_survey(request.form)
    if answer is None:
        return show(token, values, forms.messages(errors), status=400)
    try:
        engines.database().transaction(lambda session: answer_survey(session, token, answer, today()))
    except SurveyError as error:
        if error.code == "not_found":
            abort(404)
        return render("survey/done.html", block="content", already=True)
    return render("survey/done.html", block="content", already=False)


def show(token: str, values: dict[str, str], errors: dict[str, str] | None = None, status: int = 200):
    errors = errors or {}
    return render("survey/form.html", block="content", token=token, values=values, errors=errors,
                  summary=forms.summary(errors, {"score": "score-5"}),
                  scores=[(str(score), SCORE_WORDS[score]) for score in SCORES]), status
