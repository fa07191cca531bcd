"""What the content team learns from searches and postcode look-ups, without learning about anyone.

Recorded (by the web layer, off the request path):

* a search's words, **scrubbed before they are stored** (`scrub.py`: emails,
  phone numbers, postcodes, long numbers) and normalised (`normalise_query`:
  case folded, punctuation and spacing tidied), with how many results it had
  and a visitor key;
* a result followed from a search (the normalised words only);
* a postcode outside the area, as its **outward code only** ("SW1A", a
  district of thousands of homes).

The visitor key (`visitor_key`) is a keyed hash (HMAC-SHA-256) of the address
with a key made from the site's secret key and the day, cut to 16 hex
characters. It changes every day and cannot be reversed or matched to a
server log without the secret key; the address itself is never stored. It is
only there to count *different* visitors, so that a query is shown to staff
once at least three have used it (`MIN_VISITORS`): one person's words, which
might still say who they are (scrubbing removes emails, phone numbers and
postcodes, not names), are never shown. Because the key changes daily, keys
are only compared within a day: a query is shown once three different keys
used it on the same day, so one person searching for their own name on three
days is still one visitor each day and never shown.

No address, no time of day, no cookie. Reports read only the grouped counts.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..places.postcodes import is_valid as is_postcode
from .models import LANGUAGES, SIZES, OutsidePostcode, SearchClick, SearchRecord
from .scrub import EMAIL_REMOVED, NUMBER_REMOVED, PHONE_REMOVED, POSTCODE_REMOVED, scrub

MIN_VISITORS = 3
KEEP_DAYS = 400  # the longest report period is a year; a little more, then `flask data purge` deletes them
MARKERS = (EMAIL_REMOVED, PHONE_REMOVED, POSTCODE_REMOVED, NUMBER_REMOVED)
_NOT_WORD = re.compile(r"[^\w\s'\-\[\]]+")
_SPACES = re.compile(r"\s+")
_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")


def normalise_query(text: str | None) -> str | None:
    """The words as they are grouped and stored: scrubbed, lower case, tidy. None when nothing is left.

    Scrubbing comes first, on the text as typed, so a postcode or phone number is caught however it was
    spaced; the markers it leaves ("[email removed]") are kept, so staff can see that something was there.
    """
    if not text:
        return None
    cleaned = scrub(unicodedata.normalize("NFKC", text)[:500])
    kept: list[str] = []
    for piece in re.split(r"(\[[a-z ]+ removed\])", cleaned):
        if piece in MARKERS:
            kept.append(piece)
            continue
        piece = _NOT_WORD.sub(" ", piece.casefold()).replace("[", " ").replace("]", " ")
        kept.append(piece)
    words = _SPACES.sub(" ", " ".join(kept)).strip(" -'")
    if not words or all(word in " ".join(MARKERS) for word in words.split()):
        return None  # nothing but removed details: nothing a page could be written for
    return words[:SIZES["query"]].rstrip()


def visitor_key(secret: str, day: date, address: str | None) -> str:
    """A key for "the same visitor today": HMAC of the address under a key from the secret and the day."""
    daily = hashlib.sha256(f"townhall-insights|{secret}|{day.isoformat()}".encode()).digest()
    return hmac.new(daily, (address or "unknown").encode(), hashlib.sha256).hexdigest()[:SIZES["visitor"]]


def outward_code(postcode: str | None) -> str | None:
    """"SW1A 1AA" -> "SW1A"; None for anything that is not a whole postcode (nothing is stored then)."""
    compact = "".join((postcode or "").split()).upper()
    if not 5 <= len(compact) <= 7 or not is_postcode(compact):
        return None
    outward = compact[:-3]
    return outward if _OUTWARD.fullmatch(outward) else None


# -- recording (each a few rows; the caller commits) ----------------------------------------------------------

def record_search(session: Session, query: str | None, results: int, *, language: str, visitor: str,
                  day: date) -> SearchRecord | None:
    words = normalise_query(query)
    if words is None:
        return None
    row = SearchRecord(day=day, query=words, language=language if language in LANGUAGES else "en",
                       results=max(0, int(results)), visitor=visitor[:SIZES["visitor"]])
    session.add(row)
    return row


def record_click(session: Session, query: str | None, *, day: date) -> SearchClick | None:
    words = normalise_query(query)
    if words is None:
        return None
    row = SearchClick(day=day, query=words)
    session.add(row)
    return row


def record_outside_postcode(session: Session, postcode: str | None, *, day: date) -> OutsidePostcode | None:
    outward = outward_code(postcode)
    if outward is None:
        return None
    row = OutsidePostcode(day=day, outward=outward)
    session.add(row)
    return row


# -- the content team's report ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueryCount:
    query: str
    searches: int
    visitors: int  # different visitors, counted day by day and added up (see the module docstring)


@dataclass(frozen=True)
class SearchInsights:
    nothing_found: list[QueryCount]
    nothing_clicked: list[QueryCount]


def search_insights(session: Session, *, since: date, min_visitors: int = MIN_VISITORS,
                    limit: int = 50) -> SearchInsights:
    """Queries used by at least `min_visitors` different visitors since `since`, most used first:
    those that found nothing, and those whose results nobody followed."""
    visitors = func.count(func.distinct(SearchRecord.visitor))
    searches = func.count(SearchRecord.id)

    def grouped(*conditions) -> list[QueryCount]:
        # Visitor keys change every day, so "different visitors" is only known within a day: a query is shown
        # once `min_visitors` different keys used it on one day.
        shown = (select(SearchRecord.query).where(SearchRecord.day >= since, *conditions)
                 .group_by(SearchRecord.query, SearchRecord.day).having(visitors >= min_visitors))
        rows = session.execute(
            select(SearchRecord.query, searches, visitors)
            .where(SearchRecord.day >= since, *conditions, SearchRecord.query.in_(shown))
            .group_by(SearchRecord.query)
            .order_by(searches.desc(), SearchRecord.query).limit(limit)
        ).all()
        return [QueryCount(query, int(count), int(people)) for query, count, people in rows]

    clicked = select(SearchClick.query).where(SearchClick.day >= since)
    return SearchInsights(
        nothing_found=grouped(SearchRecord.results == 0),
        nothing_clicked=grouped(SearchRecord.results > 0, SearchRecord.query.not_in(clicked)),
    )


def outside_postcodes(session: Session, *, since: date, limit: int = 50) -> list[tuple[str, int]]:
    """(outward code, look-ups) for postcodes outside the area since `since`, most first."""
    count = func.count(OutsidePostcode.id)
    rows = session.execute(
        select(OutsidePostcode.outward, count).where(OutsidePostcode.day >= since)
        .group_by(OutsidePostcode.outward).order_by(count.desc(), OutsidePostcode.outward).limit(limit)
    ).all()
    return [(outward, int(number)) for outward, number in rows]


def forget_old(session: Session, today: date, keep_days: int = KEEP_DAYS) -> int:
    """Delete search and postcode rows older than `keep_days` (run by `flask data purge`); returns how many."""
    cutoff = date.fromordinal(today.toordinal() - keep_days)
    removed = 0
    for model in (SearchRecord, SearchClick, OutsidePostcode):
        removed += session.execute(delete(model).where(model.day < cutoff)).rowcount or 0
    return removed
