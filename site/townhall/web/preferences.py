"""Accessibility settings: text size, colours, line spacing and speech mode.

A plain form that saves a cookie and comes back to the settings page with a
message; with htmx, each change is saved as it is made and applied at once,
and the page's status message says what changed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Response, make_response, redirect, request, url_for
from flask_babel import gettext as _
from htmx_flask import make_response as htmx_response

from ..hours import LONDON
from ..preferences import CHOICES, COOKIE_MAX_AGE, COOKIE_NAME, Preferences, from_form
from .common import is_htmx, preferences, render, today

bp = Blueprint("preferences", __name__)


def choice_labels() -> dict[str, dict[str, str]]:
    """What each choice is called on the form, in the reader's language."""
    return {
        "text": {"standard": _("Standard"), "large": _("Large"), "larger": _("Larger")},
        "colours": {
            "auto": _("Use my device's setting"),
            "standard": _("Standard: black text on white"),
            "high-contrast": _("High contrast: black on white with stronger lines"),
            "dark": _("Dark: light text on a dark background"),
            "yellow-on-black": _("Yellow text on black"),
            "cream": _("Dark text on a cream background"),
        },
        "spacing": {"standard": _("Standard"), "wide": _("Wide"), "wider": _("Wider")},
        "speech": {"off": _("Off"), "on": _("On: show Listen buttons so you can hear pages read aloud")},
    }


def setting_names() -> dict[str, str]:
    return {"text": _("Text size"), "colours": _("Colours"), "spacing": _("Line spacing"), "speech": _("Speech")}


def safe_return_path(value: str | None) -> str | None:
    """Only paths on this site: never an open redirect to another host."""
    if not value or len(value) > 500:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


def save_cookie(response: Response, chosen: Preferences) -> Response:
    """Store the choices, or remove the cookie when everything is back to the default.

    Display choices last a year. A cookie that only remembers alerts hidden today ends
    at midnight, UK time: hiding an alert is for the rest of the visit, not for good.
    """
    chosen = chosen.for_today(today())
    if chosen.is_default:
        response.delete_cookie(COOKIE_NAME, samesite="Lax", secure=request.is_secure, httponly=True)
    elif chosen.display_is_default:
        midnight = datetime.combine(today() + timedelta(days=1), time(0), tzinfo=LONDON)
        response.set_cookie(COOKIE_NAME, chosen.cookie_value(), expires=midnight, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    else:
        response.set_cookie(COOKIE_NAME, chosen.cookie_value(), max_age=COOKIE_MAX_AGE, samesite="Lax",
                            secure=request.is_secure, httponly=True)
    return response


def error_messages() -> dict[str, str]:
    return {
        "text": _("Choose a text size from the list"),
        "colours": _("Choose colours from the list"),
        "spacing": _("Choose line spacing from the list"),
        "speech": _("Choose whether to turn speech on or off"),
    }


# Where the htmx answer can say "saved": under each setting, and under the Save button.
PLACES_TO_SAY_IT = (*CHOICES, "save")


def page(current: Preferences, status: str | None = None, rejected: list[str] | None = None, code: int = 200,
         near: str | None = None):
    """The settings page, or its status for htmx; ``near`` names where the reader is (the setting
    they changed, or "save"), so the message is said there."""
    messages = error_messages()
    errors_by_field = {name: messages[name] for name in rejected or []}
    body = render(
        "preferences/settings.html",
        block="status" if is_htmx() else None,
        current=current,
        choices=CHOICES,
        labels=choice_labels(),
        names=setting_names(),
        status=status,
        errors=[(f"{name}-{CHOICES[name][0]}", message) for name, message in errors_by_field.items()],
        errors_by_field=errors_by_field,
        return_to=safe_return_path(request.values.get("return_to")),
        near=near if near in PLACES_TO_SAY_IT else None,
        places_to_say_it=PLACES_TO_SAY_IT,
    )
    return make_response(body, code)


@bp.get("/settings")
def show():
    status = None
    if request.args.get("saved"):
        status = _("Your settings have been saved.")
    elif request.args.get("reset"):
        status = _("Your settings have been reset. This website now follows your device's settings.")
    return page(preferences(), status)


@bp.post("/settings")
def save():
    before = preferences()
    chosen, rejected = from_form(request.form, before)
    if rejected:
        return page(before, rejected=rejected, code=400)
    if is_htmx():
        changed = chosen.changed_from(before)
        labels, names = choice_labels(), setting_names()
        said = [f"{names[name]}: {labels[name][getattr(chosen, name)]}" for name in changed]
        status = _("Saved. %(changes)s.", changes="; ".join(said)) if said else _("Your settings are saved.")
        response = page(chosen, status, near=changed[-1] if changed else "save")
        response = htmx_response(response, trigger={"th:preferences": {"classes": chosen.html_classes()}})
        return save_cookie(response, chosen)
    target = url_for("preferences.show", saved=1, return_to=safe_return_path(request.form.get("return_to")))
    return save_cookie(redirect(target, code=303), chosen)


@bp.post("/settings/reset")
def reset():
    target = url_for("preferences.show", reset=1, return_to=safe_return_path(request.form.get("return_to")))
    return save_cookie(redirect(target, code=303), Preferences())
