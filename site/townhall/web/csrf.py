"""CSRF protection on every POST of the site, and a kind answer when a token is missing or stale.

Flask-WTF's `CSRFProtect` checks every POST: plain forms send the token in a
hidden ``csrf_token`` field (the ``csrf_field()`` macro in
components/questions.html); htmx requests also send it in the ``X-CSRFToken``
header, which our own script (static/js/townhall.js) copies from
``<meta name="csrf-token">`` on ``htmx:configRequest`` (the Content Security
Policy forbids inline script, so it cannot be written into the page).

A token fails when the session cookie is gone (the browser was restarted,
cookies were cleared or blocked) or the form came from elsewhere. The answer is
a 400 page that says so plainly and keeps what was typed: the same fields, with
a fresh token, behind a "Send it again" button, and the text itself shown so it
can be copied. Passwords are never sent back.
"""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect

from .common import is_htmx, render

csrf = CSRFProtect()

NEVER_KEPT = {"csrf_token", "password", "th_extra"}
MAX_KEPT_FIELDS = 60


def install(app: Flask) -> None:
    csrf.init_app(app)
    app.register_error_handler(CSRFError, refused)


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
