""""Is this page useful?": checking and storing the answers, and the content team's report.

No personal data is asked for; whatever is typed anyway is scrubbed (`scrub.py`)
before it is stored. Only the day is kept, not the time, so an answer cannot be
matched to a visit in a server log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..text import N_
from .models import LANGUAGES, SIZES, PageFeedback
from .scrub import scrub
from .validation import clean_text

YES = ("yes", "true", "1")
NO = ("no", "false", "0")


@dataclass(frozen=True)
class FeedbackAnswer:
    path: str
    useful: bool
    trying_to: str | None
    went_wrong: str | None
    language: str


def validate_feedback(form: Mapping[str, object], *, language: str = "en"
                      ) -> tuple[FeedbackAnswer | None, dict[str, str], dict[str, str]]:
    """(answer or None, errors, values to show again). The free text is optional, and scrubbed later."""
    values = {name: clean_text(form.get(name), multiline=name != "path" and name != "useful")
              for name in ("path", "useful", "trying_to", "went_wrong")}
    errors: dict[str, str] = {}
    useful = values["useful"].lower()
    if useful not in YES + NO:
        errors["useful"] = N_("Select yes if this page is useful")
    path = values["path"]
    if not path.startswith("/") or path.startswith("//") or len(path) > SIZES["path"]:
        errors["path"] = N_("We could not tell which page this was about. Go back to the page and try again")
    for name, message in (("trying_to", N_("What you were trying to do must be 1,000 characters or fewer")),
                          ("went_wrong", N_("What went wrong must be 1,000 characters or fewer"))):
        if len(values[name]) > SIZES[name]:
            errors[name] = message
    if errors:
        return None, errors, values
    return FeedbackAnswer(path=path, useful=useful in YES, trying_to=values["trying_to"] or None,
                          went_wrong=values["went_wrong"] or None,
                          language=language if language in LANGUAGES else "en"), errors, values


def record_feedback(session: Session, answer: FeedbackAnswer, today: date) -> PageFeedback:
    """Store an answer with its free text scrubbed (what is removed is listed in scrub.py)."""
    row = PageFeedback(path=answer.path, useful=answer.useful,
                       trying_to=_scrubbed(answer.trying_to, SIZES["trying_to"]),
                       went_wrong=_scrubbed(answer.went_wrong, SIZES["went_wrong"]),
                       created_on=today, language=answer.language)
    session.add(row)
    session.flush()
    return row


def add_comments(session: Session, feedback_id: int, trying_to: str | None, went_wrong: str | None) -> bool:
    """Add what a resident typed after answering "No" to that answer (scrubbed, as when stored).

    The "No" is stored the moment it is pressed, so it counts even if nothing
    more is typed; the comments then join that same row (the web layer signs
    its id, so nobody can write to another answer). Only once, and only to a
    "No": False when the row is missing, a "Yes", or already has comments.
    """
    row = session.get(PageFeedback, feedback_id)
    if row is None or row.useful or row.trying_to is not None or row.went_wrong is not None:
        return False
    row.trying_to = _scrubbed(clean_text(trying_to, multiline=True), SIZES["trying_to"])
    row.went_wrong = _scrubbed(clean_text(went_wrong, multiline=True), SIZES["went_wrong"])
    session.flush()
    return True


def validate_comments(form: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    """(errors, values) for the two optional boxes shown after "No"."""
    values = {name: clean_text(form.get(name), multiline=True) for name in ("trying_to", "went_wrong")}
    errors = {}
    for name, message in (("trying_to", N_("What you were trying to do must be 1,000 characters or fewer")),
                          ("went_wrong", N_("What went wrong must be 1,000 characters or fewer"))):
        if len(values[name]) > SIZES[name]:
            errors[name] = message
    return errors, values


def _scrubbed(text: str | None, size: int) -> str | None:
    if not text:
        return None
    return scrub(text)[:size] or None  # a marker can be longer than what it replaced


@dataclass(frozen=True)
class FeedbackComment:
    created_on: date
    trying_to: str | None
    went_wrong: str | None
    language: str


@dataclass(frozen=True)
class PageFeedbackSummary:
    path: str
    no: int
    yes: int
    comments: list[FeedbackComment]  # from "No" answers, newest first


def feedback_report(session: Session, *, since: date | None = None, pages: int = 50,
                    comments_per_page: int = 20) -> list[PageFeedbackSummary]:
    """The pages with the most "No" answers, most first, each with its latest comments."""
    conditions = [PageFeedback.created_on >= since] if since else []
    no = func.sum(sql_case((PageFeedback.useful.is_(False), 1), else_=0))
    yes = func.sum(sql_case((PageFeedback.useful.is_(True), 1), else_=0))
    rows = session.execute(
        select(PageFeedback.path, no.label("no"), yes.label("yes")).where(*conditions)
        .group_by(PageFeedback.path).having(no > 0).order_by(no.desc(), PageFeedback.path).limit(pages)
    ).all()
    report = []
    for path, no_count, yes_count in rows:
        comments = session.scalars(
            select(PageFeedback).where(PageFeedback.path == path, PageFeedback.useful.is_(False), *conditions,
                                       (PageFeedback.trying_to.is_not(None)) | (PageFeedback.went_wrong.is_not(None)))
            .order_by(PageFeedback.created_on.desc(), PageFeedback.id.desc()).limit(comments_per_page)
        ).all()
        report.append(PageFeedbackSummary(path, int(no_count), int(yes_count), [
            FeedbackComment(row.created_on, row.trying_to, row.went_wrong, row.language) for row in comments]))
    return report
