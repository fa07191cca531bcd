"""Words for data: putting places, distances, dates and names into the reader's language.

Registered once as template globals (`install`), so every template can use
them without a view passing them in; views and the API use them directly.
Data written only in English (a facility's name, an imported kind of place)
is marked ``lang="en"`` on pages in another language, so screen readers switch voice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..hours import DAY_NAMES, LONDON, OpeningHours
from ..places.svgmap import MapDrawing
from ..text import N_
from .common import language
from .templating import council_name, day_names, echo, time_label


def install(app: Flask) -> None:
    for function in TEMPLATE_GLOBALS:
        app.add_template_global(function)
    app.add_template_filter(weekday)


def distance_label(metres: float) -> str:
    miles, km = metres / 1609.344, metres / 1000
    if miles < 0.1:
        return _("less than 0.1 miles (%(metres)s metres)", metres=format_decimal(round(metres), "0"))
    return _("%(miles)s miles (%(km)s km)", miles=format_decimal(miles, "0.0"), km=format_decimal(km, "0.0"))


def scale_label(metres: float) -> str:
    """The map's scale bar: "0.5 km" in the reader's language."""
    return _("%(km)s km", km=format_decimal(metres / 1000, "0.0##"))


def _marked(translated: str, **params: Any) -> Markup:
    """A translated sentence filled in with values that may carry markup (a name marked
    lang="en"); plain values are escaped."""
    return escape(translated) % params


def map_key(drawing: MapDrawing) -> list[str]:
    """The map's key, built from what was really drawn: a star, numbered circles or a
    shaded area are only explained when the map shows them."""
    drawn = drawing.drawn
    key = []
    if "you" in drawn:
        # The place asked about (a reader's postcode) is read aloud as neutral words (speech never says it).
        place = echo(Markup(", ").join(drawing.names("you")), _("the place you asked about"))
        key.append(_marked(_("The star is %(place)s."), place=place))
    if "place" in drawn:
        key.append(_("Numbered circles are the places in the numbered list, in the same order."))
    if "school" in drawn:
        key.append(_marked(_("The square is %(school)s."), school=Markup(", ").join(drawing.names("school"))))
    if "highlight" in drawn:
        key.append(_marked(_("The shaded shape is %(area)s."), area=Markup(", ").join(drawing.names("highlight"))))
    if "context" in drawn:  # only when the district's edge crosses the map (see MapArea.outlined)
        key.append(_("The dashed line is the edge of the district."))
    key.append(_("North is at the top."))
    return key


# The demo's kinds of place. Their labels come from the data (an import names its own
# categories); these are marked so the message catalogue can hold them in Welsh, and any
# other label is shown as imported.
DEMO_CATEGORY_LABELS = (
    N_("Council offices"), N_("Libraries"), N_("Children's centres and family hubs"), N_("Recycling centres"),
    N_("Leisure centres"), N_("Parks and play areas"), N_("Primary schools"), N_("Secondary schools"),
    N_("Clubs and societies"),
)


def category_label(category) -> str:
    """A kind of place's name in the reader's language where the catalogue has it, else as
    imported (plain text: for page titles and map titles, which cannot carry markup)."""
    return kind_of_place(category.label)


def kind_of_place(label: str) -> str:
    """A kind of place's name (as imported) in the reader's language, where the catalogue has it."""
    return _(label) if label in DEMO_CATEGORY_LABELS else label


def category_in_english(category) -> bool:
    """True when a kind of place is named in English on a page in another language (an
    imported category the catalogue does not know)."""
    return language() != "en" and category.label not in DEMO_CATEGORY_LABELS


def category_lang(category) -> Markup:
    """' lang="en"' for an element holding a category named in English on a Welsh page."""
    return Markup(' lang="en"') if category_in_english(category) else Markup("")


def lower_first(text: str) -> str:
    """A name lower-cased to sit inside a sentence ("Libraries" -> "libraries"), leaving an
    acronym alone ("NHS dentists")."""
    if not text or text[:2].isupper():
        return text
    return text[0].lower() + text[1:]


def category_words(category, lower: bool = True):
    """A kind of place inside a sentence or heading: lower-cased, in the reader's language,
    or in English marked lang="en" when the catalogue has no name for it."""
    words = category_label(category)
    words = lower_first(words) if lower else words
    return in_english(words) if category_in_english(category) else words


def in_english(value):
    """Data written only in English (a facility's name, address, notes), marked lang="en"
    when it sits in a page in another language, so screen readers use an English voice."""
    if not value or language() == "en":
        return value
    return Markup('<span lang="en">%s</span>') % value


def english_attr() -> Markup:
    """' lang="en"' on an element whose whole text is English data, on a page in another language."""
    return Markup(' lang="en"') if language() != "en" else Markup("")


def capitalise(text):
    """The first letter of a heading or title in upper case, skipping any markup before it
    (a Welsh title may start with the kind of place: "Llyfrgelloedd agosaf at BK1 1AA")."""
    is_markup = isinstance(text, Markup)
    plain = str(text)
    at = 0
    while at < len(plain):
        if is_markup and plain[at] == "<":
            end = plain.find(">", at)
            if end < 0:
                break
            at = end + 1
        elif plain[at].isspace():
            at += 1
        else:
            if plain[at].isalpha():
                plain = plain[:at] + plain[at].upper() + plain[at + 1:]
            break
    return Markup(plain) if is_markup else plain


def catchment_school(area) -> str:
    """The school a catchment area serves: its `school` property, else the area's name without
    a trailing "catchment area" (so a Welsh sentence never reads "dalgylch X catchment area")."""
    school = (area.properties.get("school") or "").strip()
    if school:
        return school
    name = area.name.strip()
    if name.lower().endswith(" catchment area"):
        name = name[: -len(" catchment area")].strip()
    return name


_TITLES = ("councillor ", "cllr ", "cllr. ", "y cynghorydd ")


def councillor_name(name: str) -> str:
    """"Councillor Priya Mensah" in the reader's language; a title already in the data is
    not doubled (imported ward data often writes "Cllr" or "Councillor" in the name)."""
    plain = name.strip()
    for title in _TITLES:
        if plain.lower().startswith(title):
            plain = plain[len(title):].strip()
            break
    return _("Councillor %(name)s", name=plain)


def area_name(match) -> str:
    """An area's name; the council's own area is named as the site names the council."""
    if match.layer.name == "boundary" and match.area is not None:
        return council_name()
    return match.area.name if match.area is not None else ""


def open_status(hours: OpeningHours | None, moment: datetime | None = None) -> dict[str, Any] | None:
    """"Open now: closes at 5pm" / "Closed now: opens Monday at 9am", in words, not colour."""
    if hours is None:
        return None
    moment = moment or datetime.now(LONDON)
    is_open = hours.is_open_at(moment)
    change = hours.next_change(moment)
    if change is None:
        detail = _("open all day, every day") if is_open else ""
    else:
        ahead, at = change
        when = time_label(at)
        if ahead == 0:
            detail = _("closes at %(time)s", time=when) if is_open else _("opens at %(time)s", time=when)
        elif ahead == 1:
            detail = _("closes tomorrow at %(time)s", time=when) if is_open else _("opens tomorrow at %(time)s", time=when)
        else:
            day = day_names()[(moment.astimezone(LONDON).weekday() + ahead) % 7]
            detail = (_("closes %(day)s at %(time)s", day=day, time=when) if is_open
                      else _("opens %(day)s at %(time)s", day=day, time=when))
    return {"open": is_open, "label": _("Open now") if is_open else _("Closed now"), "detail": detail}


def layer_text(layer, key: str) -> str:
    return layer.text(key, language())


def highlight_name(layer, area) -> str:
    """How the map key names a shaded area, in the reader's language (the data's English names
    marked lang="en" on a page in another language)."""
    if layer.kind == "ward":
        return _marked(_("%(ward)s ward"), ward=area.name)
    if layer.kind == "catchment":
        return _marked(_("the catchment area of %(school)s"), school=in_english(catchment_school(area)))
    return in_english(area.name)


def weekday(english: str) -> str:
    """A day named in the data ("Tuesday") in the reader's language."""
    return day_names()[DAY_NAMES.index(english)] if english in DAY_NAMES else english


TEMPLATE_GLOBALS = (
    distance_label, scale_label, map_key, category_label, category_words, category_lang, in_english, english_attr,
    capitalise, lower_first, catchment_school, highlight_name, councillor_name, area_name,
    open_status, layer_text,
)
