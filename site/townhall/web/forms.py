"""What every form blueprint shares: messages in the reader's language, error summaries, the honeypot,
per-client limits, bigger bodies for long letters, and the signed session's small notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask import request
from flask_babel import gettext as _

from ..cases import reference_example
from ..speech.limits import Decision
from .common import content_site

HONEYPOT = "th_extra"
# A complaint can be long, and percent-encoding makes each non-ASCII character up to 12 bytes; a resident
# who pastes too much gets "must be 5,000 characters or fewer" with their words kept, not a 413 page.
FORM_BODY_LIMIT = 512 * 1024

# Where the error summary's link for a field goes: radios and dates link to their first box.
FIRST_BOX = {
    "contact_preference": "contact_preference-email",
    "format": "format-large_print",
    "useful": "useful-yes",
    "channel": "channel-letter",
    "received_on": "received_on-day",
    "new_date": "new_date-day",
    "outcome": "outcome-first",
    "kind": "kind-enquiry",
}


def allow_long_forms() -> None:
    """Let this request's body be bigger than the site's default (long complaints in any script)."""
    request.max_content_length = FORM_BODY_LIMIT
    request.max_form_memory_size = FORM_BODY_LIMIT


def message(template: str, **params: object) -> str:
    """A domain message (marked with N_) in the reader's language, with this council's examples filled in."""
    council = content_site().council
    return _(template, example=council.example_postcode, reference_example=reference_example(council.prefix),
             **params)


def messages(errors: Mapping[str, str]) -> dict[str, str]:
    return {name: message(text) for name, text in errors.items()}


def summary(errors: Mapping[str, str], first_box: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(id to link to, message) for the error summary, in the order given."""
    boxes = {**FIRST_BOX, **(first_box or {})}
    return [(boxes.get(name, name), text) for name, text in errors.items()]


def honeypot_filled() -> bool:
    return bool(request.form.get(HONEYPOT, "").strip())


def client() -> str:
    """The client's address as the limits count it (behind TOWNHALL_PROXY_COUNT proxies, the forwarded one)."""
    return request.remote_addr or "unknown"


def wait_words(decision: Decision) -> str:
    minutes = max(1, -(-decision.retry_after // 60))
    return _("Please wait %(minutes)s minutes, then try again.", minutes=minutes) if minutes > 1 else _(
        "Please wait a minute, then try again.")


def read_date(form: Mapping[str, str], name: str) -> tuple[date | None, dict[str, str], str | None]:
    """A date from three boxes (<name>-day, -month, -year): (date or None, values to show again, error)."""
    values = {f"{name}-{part}": str(form.get(f"{name}-{part}", "")).strip()[:4] for part in ("day", "month", "year")}
    day, month, year = (values[f"{name}-{part}"] for part in ("day", "month", "year"))
    if not (day or month or year):
        return None, values, _("Enter the date")
    if not all(part.isascii() and part.isdigit() for part in (day, month, year)):
        return None, values, _("The date must be a real date, with numbers only, like 27 3 2026")
    if len(year) != 4:
        return None, values, _("The year must have 4 numbers, like 2026")
    try:
        return date(int(year), int(month), int(day)), values, None
    except ValueError:
        return None, values, _("The date must be a real date, like 27 3 2026")


def service_choices(lang: str) -> list[tuple[str, str]]:
    """(slug, title in the reader's language) of every service, for a "Which service?" list."""
    return [(service.slug, service.title) for service in content_site().all_services(lang)]


def service_titles() -> dict[str, str]:
    """Each service's English title by slug: stored with a case so staff read one name for it."""
    return {slug: service.title for slug, service in content_site().services.items()}
