"""The emails residents get, in their own language: acknowledgement, answer, delay and closure.

Each is a Jinja template pair, ``templates/emails/<kind>.txt`` (plain text)
and ``<kind>.html`` (simple HTML: headings, paragraphs, a list; no images, no
styles a mail program could strip), written under `force_locale(case.language)`
so a Welsh resident gets Welsh whatever language the member of staff who
answered uses. `compose` is what `Casework` calls (the domain's `Composer`);
`install` registers it for `engines.casework()` to pick up.

Links point at the council's website from council.yaml (an email is read
far from the request that caused it); without one, at the address of the
request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _

from ..cases import ComposedEmail
from ..cases.mail import ACKNOWLEDGEMENT, ANSWER, CLOSURE, DELAY
from ..cases.models import Case
from ..engines.cases import COMPOSER
from .casewords import kind_words
from .common import content_site


def install(app: Flask) -> None:
    app.extensions[COMPOSER] = compose


def site_url(path: str, lang: str) -> str:
    """An absolute link to `path` in `lang` on the council's website."""
    website = (content_site().council.website or "").rstrip("/")
    if not website and has_request_context():
        website = request.host_url.rstrip("/")
    prefix = "" if lang == "en" else f"/{lang}"
    return f"{website}{prefix}{path}"


def subject(kind: str, case: Case) -> str:
    what = kind_words(case.kind, case.stage)
    if kind == ACKNOWLEDGEMENT:
        return _("We have your %(what)s: %(reference)s", what=what, reference=case.reference)
    if kind == ANSWER:
        return _("Our answer to your %(what)s: %(reference)s", what=what, reference=case.reference)
    if kind == DELAY:
        return _("We need more time for your %(what)s: %(reference)s", what=what, reference=case.reference)
    return _("We have closed your %(what)s: %(reference)s", what=what, reference=case.reference)


def compose(kind: str, case: Case, context: Mapping[str, Any]) -> ComposedEmail | None:
    """The email of `kind` about `case`, or None for a kind we do not send."""
    if kind not in (ACKNOWLEDGEMENT, ANSWER, DELAY, CLOSURE):
        return None
    lang = case.language if case.language in current_app.config["TOWNHALL_LANGUAGES"] else "en"
    with force_locale(lang):
        council = content_site().council
        values = {
            **context, "case": case, "lang": lang, "council_name": council.name_in(lang),
            "track_url": site_url("/track", lang), "stage_two_url": site_url("/complain/stage-2", lang),
            "privacy_url": site_url("/privacy", lang),
            "survey_url": site_url(f"/survey/{context['survey_token']}", lang) if context.get("survey_token") else None,
        }
        environment = current_app.jinja_env
        text = environment.get_template(f"emails/{kind}.txt").render(values)
        html = environment.get_template(f"emails/{kind}.html").render(values)
        return ComposedEmail(subject(kind, case), text.strip() + "\n", html)
