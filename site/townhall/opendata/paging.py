"""Reading query parameters and cutting lists into Open Referral pages.

Every parameter is read from a plain mapping (the web layer passes
``request.args``), so the rules are the same for every endpoint and are tested
without an app. A value we cannot read is a ``BadParameter`` with a hint that
shows a good one; nothing is silently replaced by a default.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any, TypeVar

from .errors import BadParameter

T = TypeVar("T")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PAGE = 1_000_000  # far past any real directory; keeps the number small enough to read back
MAX_TEXT = 200  # longest search or id we read: a real one is far shorter
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WHOLE = re.compile(r"\d{1,9}")
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?")
_NUMBER = re.compile(r"\d{1,3}(\.\d{1,2})?")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def text(args: Mapping[str, str], name: str) -> str | None:
    """A free-text parameter, trimmed; None when absent or blank. Control characters are refused."""
    value = args.get(name)
    if value is None or not value.strip():
        return None
    if _CONTROL.search(value) or len(value) > MAX_TEXT:
        raise BadParameter(name=name, value=shown(value),
                           hint="Use plain words or an id of up to 200 characters.")
    return value.strip()


def whole_number(args: Mapping[str, str], name: str, default: int, most: int) -> int:
    """A whole number from 1 to ``most``; the default when absent."""
    value = args.get(name)
    if value is None:
        return default
    if not _WHOLE.fullmatch(value.strip()) or not 1 <= int(value) <= most:
        raise BadParameter(name=name, value=shown(value),
                           hint=f"Use a whole number from 1 to {most:,}, like {name}=2.")
    return int(value)


def number(args: Mapping[str, str], name: str) -> float | None:
    """A non-negative number such as an age, like 18 or 2.5."""
    value = text(args, name)
    if value is None:
        return None
    if not _NUMBER.fullmatch(value):
        raise BadParameter(name=name, value=shown(value), hint="Use a number of years, like 18.")
    return float(value)


def boolean(args: Mapping[str, str], name: str) -> bool | None:
    value = text(args, name)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise BadParameter(name=name, value=shown(value), hint="Use true or false.")
    return value.lower() == "true"


def clock_time(args: Mapping[str, str], name: str) -> time | None:
    """A time of day in 24-hour form: 09:30 or 09:30:00."""
    value = text(args, name)
    if value is None:
        return None
    match = _TIME.fullmatch(value)
    if not match:
        raise BadParameter(name=name, value=shown(value), hint="Use a 24-hour time, like 09:30 or 17:00.")
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


def day(args: Mapping[str, str], name: str = "day") -> str | None:
    """A day of the week as the standard's schedules write it (MO...SU); English names work too."""
    value = text(args, name)
    if value is None:
        return None
    word = value.lower()
    if value.upper() in DAY_CODES:
        return value.upper()
    if word in _DAY_NAMES:
        return DAY_CODES[_DAY_NAMES.index(word)]
    raise BadParameter(name=name, value=shown(value),
                       hint="Use a day of the week as MO, TU, WE, TH, FR, SA or SU, or its name, like Monday.")


def shown(value: str) -> str:
    """The value as a message may repeat it: control characters made visible, and short."""
    visible = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", value)
    return visible if len(visible) <= 40 else visible[:39] + "…"


@dataclass(frozen=True)
class Paging:
    """Which page a reader asked for, and how long a page is."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Paging:
        return cls(whole_number(args, "page", 1, MAX_PAGE), whole_number(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE))


def page_of(items: Sequence[T], paging: Paging, shape: Any = None) -> dict[str, Any]:
    """The standard's page envelope around one page of ``items``.

    A page past the end is an empty page with the real totals (never a repeat of
    the last page), so a reader walking the pages knows when to stop.
    ``shape`` turns each item into its record.
    """
    total = len(items)
    pages = math.ceil(total / paging.per_page)
    start = (paging.page - 1) * paging.per_page
    chosen = items[start:start + paging.per_page]
    contents = [shape(item) for item in chosen] if shape else list(chosen)
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": paging.page,
        "size": len(contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= pages,
        "empty": not contents,
        "contents": contents,
    }
