"""CSRF protection on every POST of the site, and a kind answer when a token is missing or stale.

Flask-WTF's `CSRFProtect` checks every POST: plain forms send the token in a
hidden ``csrf_token`` field (the ``csrf_field()`` macro in
components/questions.html); htmx requests also send it in the ``X-CSRFToken``
header, which our own script (static/js/townhall.js) copies from
``<meta name="csrf-token">`` on ``htmx:configRequest`` (the Content Security
Policy forbids inline script, so it cannot be written into the page).

The two small forms on every page (page feedback, hiding an alert) are the
exception: a session token in them would give every visitor a session cookie,
and a page with a cookie cannot be cached by the app or the front (issue 13's
storm). They are `public_form`s: exempt from the session check, and checked
instead by the browser's own same-origin headers (`Sec-Fetch-Site`, else
`Origin`) and a token that is the same for every visitor on the same day
(signed with the secret key, good for two days, so a page kept in a cache
still works). Neither form acts for a person (no login, no personal data), so
a forged post could do no more than its sender could do directly.

A token fails when the session cookie is gone (the browser was restarted,
cookies were cleared or blocked) or the form came from elsewhere. The answer is
a 400 page that says so plainly and keeps what was typed: the same fields, with
a fresh token, behind a "Send it again" button, and the text itself shown so it
can be copied. Passwords are never sent back.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from itsdangerous import BadSignature, URLSafeSerializer

from .common import is_htmx, render, today

csrf = CSRFProtect()

NEVER_KEPT = {"csrf_token", "password", "th_extra"}
MAX_KEPT_FIELDS = 60
PUBLIC_SALT = "townhall-public-form"
PUBLIC_TOKEN_DAYS = 2
SAME_ORIGIN_FETCHES = {"same-origin", "none"}  # "none": typed or bookmarked by the person themselves


def install(app: Flask) -> None:
    csrf.init_app(app)
    app.register_error_handler(CSRFError, refused)
    app.add_template_global(public_form_token)
    app.add_template_global(session_form_token)


def session_form_token() -> str | None:
    """The session's token for htmx requests that are not forms (the layout's meta tag), when there is one.

    Only looked for when the visitor already has a session cookie: even looking marks a page as
    varying on cookies (Flask adds `Vary: Cookie`), and pages for everyone must stay public.
    """
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return None
    return generate_csrf()


def public_form_token() -> str:
    """Today's token for the forms on every page: the same for every visitor, so pages stay cacheable."""
    return _public_signer().dumps(today().toordinal())


def public_form(view: Callable[..., Any]) -> Callable[..., Any]:
    """A POST view for a form on every page: checked by origin and the day's token instead of the session."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        problem = _public_form_problem()
        if problem:
            raise CSRFError(problem)
        return view(*args, **kwargs)

    csrf.exempt(checked)
    return checked


def _public_form_problem() -> str | None:
    fetched_from = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    origin = request.headers.get("Origin", "").strip()
    if fetched_from and fetched_from not in SAME_ORIGIN_FETCHES:
        return "The form was sent from another site."
    if not fetched_from and origin and origin != "null" and origin != request.host_url.rstrip("/"):
        return "The form was sent from another site."
    try:
        day = _public_signer().loads(request.form.get("csrf_token", ""))
    except BadSignature:
        return "The form's token is missing or wrong."
    if not isinstance(day, int) or not 0 <= today().toordinal() - day <= PUBLIC_TOKEN_DAYS:
        return "The form's token has expired."
    return None


def _public_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=PUBLIC_SALT)


def field_labels() -> dict[str, str]:
    """Names for the fields people type into, so the page can show what they typed."""
    return {
        "details": _("What you told us"), "desired_outcome": _("What you would like us to do"),
        "name": _("Full name"), "email": _("Email address"), "phone": _("Telephone number"),
        "address": _("Address"), "postcode": _("Postcode"), "access_needs": _("What you need from us"),
        "format_language": _("Language"), "format_details": _("Format"), "trying_to": _("What you were trying to do"),
        "went_wrong": _("What went wrong"), "reference": _("Reference number"),
        "email_or_postcode": _("Email address or postcode"), "answer": _("Answer"), "reason": _("Reason"),
        "note": _("Note"),
    }


def refused(error: CSRFError):
    """The form could not be trusted: say why in plain words and offer to send the same answers again."""
    kept = [(name, value) for name, value in request.form.items(multi=True)
            if name not in NEVER_KEPT][:MAX_KEPT_FIELDS]
    labels = field_labels()
    shown = [(labels[name], value) for name, value in kept if name in labels and value.strip()]
    query = request.query_string.decode("latin-1")
    action = request.script_root + request.path + (f"?{query}" if query and len(query) < 1000 else "")
    body = render("errors/csrf.html", block="content", kept=kept, shown=shown, action=action)
    headers = {"HX-Retarget": "#main-content", "HX-Reswap": "innerHTML"} if is_htmx() else {}
    return body, 400, headers
