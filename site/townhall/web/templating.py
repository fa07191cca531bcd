"""What every template can use: the reader's settings and language, and filters that
word data (opening hours, timescales, dates, phone numbers) in the reader's language.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from babel.dates import format_date, get_day_names
from flask import Flask, request
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..content import Council, Standard, Timescale
from ..hours import LONDON, OpeningHours, Span
from ..preferences import Preferences
from .common import content_site, language, preferences
from .i18n import alternates, canonical_url, current_address


def install(app: Flask) -> None:
    app.context_processor(_page_context)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    for name, function in FILTERS.items():
        app.jinja_env.filters[name] = function
    app.add_template_global(promise_sentence)
    app.add_template_global(council)
    app.add_template_global(current_address)

    app.add_template_global(echo)


def echo(value: Any, neutral: str) -> Markup:
    """What the reader typed, shown as it is but read aloud (and kept in the audio's cues) as `neutral`
    words: speech never says, nor stores, a resident's own text (speech/script.py, data-speech-echo)."""
    return Markup('<span data-speech-echo="{}">{}</span>').format(neutral, value)


def _page_context() -> dict[str, Any]:
    prefs: Preferences = preferences()
    return {
        "council_name": council_name(),
        "prefs": prefs,
        "lang": language(),
        "language_versions": alternates,
        "canonical_url": canonical_url,
        "content_site": content_site(),
    }


def council() -> Council:
    """Who the council is (content/council.yaml): its name, main contact, a postcode of its area."""
    return content_site().council


def council_name() -> str:
    """The council's name in the reader's language (content/council.yaml)."""
    return content_site().council.name_in(language())


# --- filters -----------------------------------------------------------------


def tel_href(number: str | None) -> str:
    """tel: link for a number as written: "01632 960000" -> "tel:+441632960000"."""
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith(("18001", "18002")) and len(digits) > 6:
        return f"tel:{digits}"
    if digits.startswith("0") and len(digits) >= 10:
        return f"tel:+44{digits[1:]}"
    return f"tel:{digits}"


def time_label(moment: time | None) -> str:
    if moment is None or moment == time(0):
        return _("midnight")
    if moment == time(12):
        return _("midday")
    hour = moment.hour % 12 or 12
    clock = f"{hour}:{moment.minute:02d}" if moment.minute else str(hour)
    return _("%(time)sam", time=clock) if moment.hour < 12 else _("%(time)spm", time=clock)


def span_label(span: Span) -> str:
    if span.opens == time(0) and span.closes is None:
        return _("open 24 hours")
    return _("%(opens)s to %(closes)s", opens=time_label(span.opens), closes=time_label(span.closes))


def spans_label(spans: tuple[Span, ...]) -> str:
    if not spans:
        return _("Closed")
    labels = [span_label(span) for span in spans]
    text = labels[0]
    for label in labels[1:]:
        text = _("%(first)s and %(second)s", first=text, second=label)
    return text


def day_names() -> list[str]:
    names = get_day_names("wide", locale=language())
    return [names[index] for index in range(7)]


def days_label(first: int, last: int) -> str:
    names = day_names()
    if (first, last) == (0, 6):
        return _("Every day")
    if first == last:
        return names[first]
    if last == first + 1:
        return _("%(first)s and %(second)s", first=names[first], second=names[last])
    return _("%(first)s to %(last)s", first=names[first], last=names[last])


def hours_rows(hours: OpeningHours | None) -> list[tuple[str, str]]:
    """Merged (days, times) rows in the reader's language."""
    if hours is None:
        return []
    return [(days_label(first, last), spans_label(spans)) for first, last, spans in hours.ranges()]


def hours_sentence(hours: OpeningHours | None) -> str:
    """Opening hours in one line, closed days left out: "Monday to Friday, 8:30am to 5pm"."""
    if hours is None:
        return ""
    rows = [_("%(days)s, %(times)s", days=days_label(first, last), times=spans_label(spans))
            for first, last, spans in hours.ranges() if spans]
    text = rows[0] if rows else ""
    for row in rows[1:]:
        text = _("%(first)s and %(second)s", first=text, second=row)
    return text


def timescale_label(timescale: Timescale | None) -> str:
    """"2 working days", "20 seconds" in the reader's language (with its plural rules)."""
    if timescale is None:
        return ""
    count = int(timescale.amount)
    units = {
        "seconds": lambda: ngettext("%(num)s second", "%(num)s seconds", count),
        "minutes": lambda: ngettext("%(num)s minute", "%(num)s minutes", count),
        "hours": lambda: ngettext("%(num)s hour", "%(num)s hours", count),
        "days": lambda: ngettext("%(num)s day", "%(num)s days", count),
        "working days": lambda: ngettext("%(num)s working day", "%(num)s working days", count),
        "weeks": lambda: ngettext("%(num)s week", "%(num)s weeks", count),
        "months": lambda: ngettext("%(num)s month", "%(num)s months", count),
    }
    return units[timescale.unit]()


def promise_sentence(standard: Standard | None, in_language: str | None = None) -> str:
    """"We will collect your missed bin within 2 working days." in the language the promise is written in.

    Empty for a preview draft whose promise cannot be read."""
    if standard is None:
        return ""
    with force_locale(in_language or language()):
        if standard.within:
            return _("We will %(promise)s within %(time)s.", promise=standard.promise,
                     time=timescale_label(standard.within))
        return _("We aim to %(promise)s for %(percent)s out of every 100 queries.", promise=standard.promise,
                 percent=standard.target_percent)


def long_date(value: date | None) -> str:
    """14 September 2026 (Welsh: 14 Medi 2026)."""
    if value is None:
        return ""
    return format_date(value, format="d MMMM y", locale=language())


def address_lines(address: str | None) -> Markup:
    """A postal address with one line per line, escaped."""
    if not address:
        return Markup("")
    lines = [escape(line.strip()) for line in address.strip().splitlines() if line.strip()]
    return Markup("<br>").join(lines)


_SITE_LINK = re.compile(r'(<a\s[^>]*?href=")(/(?!/))')
_EXTERNAL_LINK = re.compile(r'<a href="https?://(?P<host>[^/":]+)[^"]*"(?P<rest>[^>]*)>(?P<text>.*?)</a>', re.S)


def site_links(html: str) -> Markup:
    """Point links inside Markdown bodies at this language version of the site, and mark links
    to other websites as leaving it.

    The content team writes site links as /services/x; on a Welsh page they must
    lead to /cy/services/x (and under any deployment prefix, to that prefix).
    A link to another website says where it goes ("(on GOV.UK)") unless its words
    already do, and tells screen readers it is another website (see `leaves_site`).
    """
    root = request.script_root
    text = str(html)
    if root:
        text = _SITE_LINK.sub(lambda match: f"{match[1]}{root}{match[2]}", text)
    return Markup(_EXTERNAL_LINK.sub(_mark_external, text))


def _mark_external(match: re.Match) -> str:
    site = content_site().linked_sites.get(match["host"].lower())
    name = site.name_in(language()) if site else ""
    named = bool(name) and name.lower().removeprefix("the ") in match["text"].lower()
    note = _("on %(site)s", site=name) if name and not named else ""
    visible = f" ({escape(note)})" if note else ""
    hidden = f'<span class="th-visually-hidden"> ({escape(_("another website"))})</span>'
    icon = '<span class="th-external__icon" aria-hidden="true">&#8599;</span>'
    opening = match[0][: match.start("text") - match.start()]
    if 'rel="' not in opening:
        opening = opening[:-1] + ' rel="external">'
    return f'{opening}{match["text"]}<span class="th-external">{visible}{hidden}{icon}</span></a>'



def timestamp(value: float | None) -> str:
    """A time the site recorded (seconds since 1970) as "3 December 2026, 14:05", in UK time."""
    if not value:
        return ""
    moment = datetime.fromtimestamp(value, LONDON)
    return f"{format_date(moment.date(), format='d MMMM y', locale=language())}, {moment:%H:%M}"


FILTERS = {
    "timestamp": timestamp,
    "tel_href": tel_href,
    "hours_rows": hours_rows,
    "hours_sentence": hours_sentence,
    "site_links": site_links,
    "timescale": timescale_label,
    "long_date": long_date,
    "address_lines": address_lines,
    "time_label": time_label,
}
