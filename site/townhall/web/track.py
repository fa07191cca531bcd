"""Track it: a reference and the email address or postcode given with it -> what has happened so far.

No account is needed. The answer for a wrong reference, a wrong email address
or postcode and a case whose details were removed is the same sentence, and
wrong guesses are counted per client (TOWNHALL_TRACK_RATE_LIMIT per 15 minutes,
shared by every worker): past the limit every attempt is refused before
anything is looked up, so the refusal says nothing about the reference either.
The form is a POST, so the email address never sits in an address bar or a
server log; the page it returns is not stored anywhere.
"""

from __future__ import annotations

from flask import Blueprint, request

from .. import engines
from ..cases import track, validate_track
from ..text import N_
from . import forms
from .common import content_site, render, today

bp = Blueprint("track", __name__)

NO_MATCH = N_("We could not find a case with that reference number and email address or postcode. Check you "
              "typed them as they are in your confirmation email, then try again")
FIELDS = ("reference", "email_or_postcode")


@bp.get("/track")
def form():
    values = dict.fromkeys(FIELDS, "")
    values["reference"] = request.args.get("reference", "")[:40]
    return show(values)


@bp.post("/track")
def lookup():
    prefix = content_site().council.prefix
    found, errors, values = validate_track(request.form, prefix=prefix)
    if errors:
        return show(values, errors, status=400)
    limits = engines.limits()
    decision = limits.track.peek(forms.client())
    if not decision.allowed:
        return show(values, {"reference": forms.message(N_("You have tried too many times.")) + " "
                             + forms.wait_words(decision)}, status=429, translated=True)
    reference, proof = found
    with engines.database().read_session() as session:
        case = track(session, reference, proof, today(), prefix=prefix)
    if case is None:
        limits.track.hit(forms.client())
        return show(values, {"reference": NO_MATCH}, status=400)
    return render("track/case.html", block="content", case=case)


def show(values: dict[str, str], errors: dict[str, str] | None = None, *, status: int = 200,
         translated: bool = False):
    shown = dict(errors or {}) if translated else forms.messages(errors or {})
    return render("track/form.html", block="content", values=values, errors=shown,
                  summary=forms.summary(shown)), status
