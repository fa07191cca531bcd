""""Is this page useful?" at the foot of every page.

Yes or No is stored the moment it is pressed (only the page, the answer, the
language and the day: no personal data). After "No" the resident may say what
they were trying to do and what went wrong; those words join the same answer
(its id travels signed, so nobody can write to another), with email addresses,
phone numbers, postcodes and long numbers removed before they are stored.

Without JavaScript each step is a page of its own (post, then redirect, so a
refresh sends nothing twice); with htmx the box at the foot of the page
changes in place, says thank you in the live region and moves focus to what
replaced the button that was pressed.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from .. import engines
from ..cases import add_comments, record_feedback, validate_comments, validate_feedback
from . import forms
from .common import is_htmx, language, render, step_of_a_form, today
from .csrf import public_form
from .preferences import safe_return_path

bp = Blueprint("feedback", __name__)


def signer() -> URLSafeSerializer:
    from flask import current_app

    return URLSafeSerializer(current_app.secret_key, salt="townhall-page-feedback")


def page_path(value: str | None) -> str:
    return safe_return_path(value) or "/"


@bp.post("/feedback")
@public_form
def send():
    answer, errors, values = validate_feedback(request.form, language=language())
    path = page_path(values.get("path"))
    if errors:
        return panel_or_page("ask", path, errors=forms.messages(errors), status=400)
    if forms.honeypot_filled():
        return thanks(path)  # a bot: say thank you, store nothing
    if not engines.limits().feedback.hit(forms.client()).allowed:
        return thanks(path)  # counted enough from this client for now; the thank-you is still true
    row_id = engines.database().transaction(lambda session: record_feedback(session, answer, today()).id)
    if answer.useful:
        return thanks(path)
    token = signer().dumps(row_id)
    if is_htmx():
        return panel_or_page("comments", path, token=token)
    return redirect(url_for("feedback.comments", token=token, path=path), code=303)


@bp.get("/feedback/comments")
@step_of_a_form
def comments():
    path = page_path(request.args.get("path"))
    token = request.args.get("token", "")
    if _row_id(token) is None:
        return redirect(url_for("feedback.thanks_page", path=path), code=303)
    return panel_or_page("comments", path, token=token)


@bp.post("/feedback/comments")
@public_form
def save_comments():
    path = page_path(request.form.get("path"))
    token = request.form.get("token", "")
    row_id = _row_id(token)
    if row_id is None:
        return thanks(path)
    errors, values = validate_comments(request.form)
    if errors:
        return panel_or_page("comments", path, token=token, values=values, errors=forms.messages(errors),
                             status=400)
    if not forms.honeypot_filled() and (values["trying_to"] or values["went_wrong"]):
        engines.database().transaction(
            lambda session: add_comments(session, row_id, values["trying_to"], values["went_wrong"]))
    return thanks(path)


@bp.get("/feedback/thanks")
@step_of_a_form
def thanks_page():
    return panel_or_page("thanks", page_path(request.args.get("path")))


def thanks(path: str):
    if is_htmx():
        return panel_or_page("thanks", path)
    return redirect(url_for("feedback.thanks_page", path=path), code=303)


def _row_id(token: str) -> int | None:
    try:
        value = signer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def panel_or_page(state: str, path: str, *, token: str | None = None, values: dict | None = None,
                  errors: dict | None = None, status: int = 200):
    """The feedback box in its new state: the box alone for htmx, else a page of its own."""
    errors = errors or {}
    context = dict(state=state, path=path, token=token, values=values or {}, errors=errors,
                   summary=forms.summary(errors), title=_("Thank you for your feedback") if state == "thanks"
                   else _("Page feedback"))
    template = "feedback/_panel.html" if is_htmx() else "feedback/page.html"
    return render(template, **context), status
