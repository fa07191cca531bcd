"""Noting searches, followed results and outside postcodes for the content team, from the web layer.

Each helper hands the recorder a small piece of work and returns at once; any
failure is logged by its type only and swallowed (see engines/insights.py).
The visitor key is worked out here, from the request's address, and the address
goes no further than this function.
"""

from __future__ import annotations

import logging
from functools import partial

from flask import current_app, request

from .. import engines
from ..cases.insights import record_click, record_outside_postcode, record_search, visitor_key
from .common import WARM_UP, language, today
from .forms import client

log = logging.getLogger(__name__)


def note_search(query: str, results: int) -> None:
    if request.environ.get(WARM_UP):
        return
    try:
        day = today()
        visitor = visitor_key(str(current_app.secret_key), day, client())
        engines.insights().record(partial(_search, query=query, results=results, language=language(),
                                          visitor=visitor, day=day))
    except Exception as error:  # noqa: BLE001 - never break a search
        log.warning("insights: search not noted (%s)", type(error).__name__)


def note_click(query: str) -> None:
    try:
        engines.insights().record(partial(_click, query=query, day=today()))
    except Exception as error:  # noqa: BLE001 - never break the way to a result
        log.warning("insights: click not noted (%s)", type(error).__name__)


def note_outside_postcode(postcode: str | None) -> None:
    try:
        engines.insights().record(partial(_outside, postcode=postcode, day=today()))
    except Exception as error:  # noqa: BLE001 - never break a postcode answer
        log.warning("insights: postcode not noted (%s)", type(error).__name__)


def _search(session, **fields) -> None:
    record_search(session, fields.pop("query"), fields.pop("results"), **fields)


def _click(session, *, query, day) -> None:
    record_click(session, query, day=day)


def _outside(session, *, postcode, day) -> None:
    record_outside_postcode(session, postcode, day=day)


def is_search_press() -> bool:
    """A search the resident asked for (a page load, or the Search button: the form, which has no id),
    not the letters typed so far nor a filter changed (htmx names those controls in HX-Trigger)."""
    htmx = getattr(request, "htmx", None)
    return not htmx or not htmx.trigger
