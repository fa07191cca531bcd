"""Guided answers: one question per page, as plain GET forms ("Can I get a Blue Badge?").

The answers so far ride in the address (?where-you-live=yes&benefits=none), so a guide
works without JavaScript, Back, Forward and Reload do what a reader expects, a result can be
bookmarked or shared, and nothing is stored. htmx swaps only the step (a block of the same
template) and pushes the new address. An address someone has edited by hand gets a kind
message (400), never an error page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, request, url_for
from flask_babel import gettext as _

from .. import engines
from ..guides import Guide, Walk, follow
from ..guides.loader import RESERVED
from .common import found_or_404, language, render

bp = Blueprint("guides", __name__)

MAX_ANSWERS = 30  # more answers than any guide has questions: someone is playing with the address
MAX_VALUE = 80


@bp.route("/ask/guides")
def index():
    """Every published guide; in preview, also what stops the others being published (for the content team)."""
    found = engines.guides()
    return render("guides/index.html", guides=found.all(), problems=found.problems)


@bp.route("/ask/guides/<slug>")
def guide(slug: str):
    found = found_or_404(engines.guides().get(slug))
    answers = _answers()
    walk = follow(found, answers or {})
    if answers is None or walk.wrong or walk.broken:
        return render("guides/guide.html", block="step", guide=found, walk=Walk(), tampered=True,
                      **_links(found, walk)), 400
    question = walk.question
    missing = question is not None and request.args.get("asked") == question.id
    error = _("Select an answer") if missing else None
    was = request.args.get("was", "")[:MAX_VALUE] if question else ""
    return render("guides/guide.html", block="step", guide=found, walk=walk, tampered=False, error=error,
                  was=was if question and question.option(was) else "", **_links(found, walk))


def _answers() -> dict[str, str] | None:
    """{question id: value} from the address, or None when it cannot be a guide's answers."""
    answers: dict[str, str] = {}
    names = [name for name in request.args.keys() if name not in RESERVED]
    if len(names) > MAX_ANSWERS:
        return None
    for name in names:
        values = request.args.getlist(name)
        if len(values) != 1 or len(values[0]) > MAX_VALUE or len(name) > MAX_VALUE:
            return None
        answers[name] = values[0]
    return answers


def _links(guide: Guide, walk: Walk) -> dict:
    """The addresses the step links to: the start, and each answer's "Change" (the answers before it)."""
    base = url_for("guides.guide", slug=guide.slug)
    changes = []
    before: list[tuple[str, str]] = []
    for question, option in walk.answered:
        query = urlencode([*before, ("was", option.value)])
        changes.append((question, option, f"{base}?{query}"))
        before.append((question.id, option.value))
    return {"start_url": base, "changes": changes, "lang": language()}
