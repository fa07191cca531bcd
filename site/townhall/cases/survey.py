"""The satisfaction survey: one question after a case closes, answered once, without logging in.

"How satisfied are you with how we dealt with this?" on five points, and an
optional comment. The closing email carries a link with a random token
(`invite`, in the same transaction as the closure); the token is the only key,
so it must be unguessable (32 random bytes' worth is far more than enough).
The comment is scrubbed of emails, phone numbers, postcodes and long numbers
before it is stored, and only days are kept. "How we're doing" counts the
answers each month (`satisfaction_count`): how many answered, and how many were
satisfied or very satisfied.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..text import N_
from .models import SIZES, Case, SurveyAnswer
from .scrub import scrub
from .validation import clean_text

SCORES = (5, 4, 3, 2, 1)  # very satisfied first, as the question is read
SATISFIED = 4  # 4 and 5: satisfied or very satisfied
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,43}$")


class SurveyError(Exception):
    """Nothing to answer: `code` is "not_found" or "answered"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SurveyValues:
    score: int | None
    comment: str | None


def invite(session: Session, case: Case, today: date) -> str:
    """The survey token for a closing case (one per case: a case closed again keeps its first token)."""
    found = session.scalar(select(SurveyAnswer).where(SurveyAnswer.case_id == case.id))
    if found is not None:
        return found.token
    token = secrets.token_urlsafe(32)
    session.add(SurveyAnswer(token=token, case_id=case.id, language=case.language, sent_on=today))
    session.flush()
    return token


def well_formed(token: str) -> bool:
    return bool(TOKEN.match(token or ""))


def find_survey(session: Session, token: str) -> SurveyAnswer:
    """The survey for `token`; SurveyError("not_found") for a token we never made (or a malformed one)."""
    found = session.scalar(select(SurveyAnswer).where(SurveyAnswer.token == token)) if well_formed(token) else None
    if found is None:
        raise SurveyError("not_found")
    return found


def validate_survey(form: Mapping[str, object]) -> tuple[SurveyValues | None, dict[str, str], dict[str, str]]:
    """(answer or None, errors, values to show again)."""
    values = {"score": clean_text(form.get("score")) or "", "comment": clean_text(form.get("comment"),
                                                                                     multiline=True) or ""}
    errors: dict[str, str] = {}
    score = int(values["score"]) if (values["score"].isascii() and values["score"].isdigit()) and int(values["score"]) in SCORES else None
    if score is None:
        errors["score"] = N_("Select how satisfied you are")
    if len(values["comment"]) > SIZES["survey_comment"]:
        errors["comment"] = N_("Your comment must be 1,000 characters or fewer")
    if errors:
        return None, errors, values
    return SurveyValues(score, values["comment"] or None), errors, values


def answer_survey(session: Session, token: str, answer: SurveyValues, today: date) -> SurveyAnswer:
    """Store the answer once; SurveyError("answered") the second time, whatever it says."""
    found = find_survey(session, token)
    if found.answered_on is not None:
        raise SurveyError("answered")
    found.score = answer.score
    found.comment = scrub(answer.comment)[: SIZES["survey_comment"]] if answer.comment else None
    found.answered_on = today
    return found


def satisfaction_count(session: Session, first: date, after: date) -> tuple[int, int]:
    """(how many answered, how many were satisfied or very satisfied) between `first` and before `after`."""
    answered, satisfied = session.execute(
        select(func.count(SurveyAnswer.id),
               func.coalesce(func.sum(sql_case((SurveyAnswer.score >= SATISFIED, 1), else_=0)), 0))
        .where(SurveyAnswer.answered_on >= first, SurveyAnswer.answered_on < after)
    ).one()
    return int(answered), int(satisfied)
