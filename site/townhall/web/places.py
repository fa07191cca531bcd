"""Places: "Your area", "Find my nearest", "Check your school catchment area" and ward pages.

Each view reads the request, asks the places engine one question and renders
one template; for htmx the same template's answer block is sent alone. Answers
that are not results (not a postcode, withdrawn, outside our area...) are
domain errors, turned into the page's error block here in one place.
"""

from __future__ import annotations

import os
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, request, url_for
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..hours import LONDON, OpeningHours
from ..places.collections import next_collections
from ..places.engine import Answer, Places
from ..places.errors import (
    N_,
    GeodataMissing,
    NoCategory,
    OutsideArea,
    PlacesError,
    UnknownCategory,
)
from ..places.svgmap import MapDrawing, draw
from .common import language, render
from .templating import council_name, day_names, time_label

bp = Blueprint("places", __name__)
NEAREST_COUNT = 5
CATCHMENT_LAYERS = ("primary-catchments", "secondary-catchments")
_lock = threading.Lock()


# --- the engine, reloaded when an import swaps the geodata ------------------------


def engine() -> Places:
    """The loaded geodata; reopened when `flask geodata ...` has made a new generation."""
    folder = Path(current_app.config["TOWNHALL_GEODATA"])
    try:
        stamp = os.stat(folder / "CURRENT").st_mtime_ns
    except FileNotFoundError:
        raise GeodataMissing() from None
    cached = current_app.extensions.get("townhall.places")
    if cached is None or cached[0] != stamp:
        with _lock:
            cached = current_app.extensions.get("townhall.places")
            if cached is None or cached[0] != stamp:
                places = Places.open(folder, council=current_app.config["TOWNHALL_COUNCIL_NAME"],
                                     warning_metres=current_app.config["TOWNHALL_BOUNDARY_WARNING_METRES"])
                cached = (stamp, places)
                current_app.extensions["townhall.places"] = cached
    return cached[1]


# --- words for the templates ----------------------------------------------------------


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
        key.append(_marked(_("The star is %(place)s."), place=Markup(", ").join(drawing.names("you"))))
    if "place" in drawn:
        key.append(_("Numbered circles are the places in the numbered list, in the same order."))
    if "highlight" in drawn:
        key.append(_marked(_("The shaded shape is %(area)s."), area=Markup(", ").join(drawing.names("highlight"))))
    if "context" in drawn:
        key.append(_("The outline is the district boundary."))
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


def today() -> date:
    """Today in the UK; tests fix it with the TOWNHALL_TODAY setting (an ISO date)."""
    fixed = current_app.config.get("TOWNHALL_TODAY")
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return datetime.now(LONDON).date()


BIN_LABELS = {"rubbish": N_("Rubbish"), "recycling": N_("Recycling")}


def collection_dates(properties: dict[str, Any], count: int = 2) -> list[tuple[str, list[str]]]:
    """The next collections of each bin, in words: [("Rubbish", ["Wednesday 2 December", ...]), ...].

    Today's collection is still listed (the lorry may not have come yet) and says "today", so
    a reader checking in the evening knows it is not a later one."""
    now = today()

    def words(day: date) -> str:
        named = format_date(day, "EEEE d MMMM")
        return _("%(date)s (today)", date=named) if day == now else named

    return [(_(BIN_LABELS[found.bin]), [words(day) for day in found.dates])
            for found in next_collections(properties, now, count)]


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


def area_map(places: Places, answer: Answer, layer: str | None, nearest=()) -> MapDrawing | None:
    """The council, the area this answer is about, the place itself and numbered facilities."""
    try:
        boundary = places.areas("boundary")
    except PlacesError:
        boundary = []
    areas = [(places.geometry("boundary", area), "context", area.name) for area in boundary]
    focus = []
    if layer:
        match = answer.area(layer)
        if match and match.area:
            shape = places.geometry(layer, match.area)
            areas.append((shape, "highlight", highlight_name(match.layer, match.area)))
            focus.append(shape)
    points = [(answer.location.lat, answer.location.lon, "", "you", answer.location.postcode or _("your location"))]
    points += [(n.facility.lat, n.facility.lon, str(i), "place", n.facility.name) for i, n in enumerate(nearest, start=1)]
    return draw(areas, points, focus=focus or None)


def _read_query() -> dict[str, Any]:
    args = request.args
    postcode = " ".join(args.get("postcode", "").split())[:40]
    lat, lon = args.get("lat", "").strip()[:20], args.get("lon", "").strip()[:20]
    return {"postcode": postcode, "lat": lat, "lon": lon, "asked": bool(postcode or lat or lon or "postcode" in args)}


def _answer(places: Places, query: dict[str, Any], category: str | None = None, count: int = NEAREST_COUNT) -> Answer:
    if query["lat"] or query["lon"]:
        return places.lookup_point(query["lat"], query["lon"], category, count)
    return places.lookup(query["postcode"], category, count)


class OddCategory(PlacesError):
    """A type of place that is not one of the form's choices (a changed or mistyped link).
    Not echoed back: it may hold anything, even control characters."""

    status = 400
    code = "odd_category"
    template = N_("Choose a type of place from the list.")


def _ask(template: str, question, check=None, **context: Any):
    """Ask the engine (when the reader has asked) and render the page or its answer block.

    `check(places)` runs first, asked or not, for what is wrong in the question itself.
    A domain error becomes the answer block's message, sent with the error's status.
    """
    query = _read_query()
    found: dict[str, Any] = {}
    error = outside = None
    category_error = False
    status = 200
    try:
        places = engine()
        if check is not None:
            check(places)
        if query["asked"]:
            found = question(places, query)
    except OutsideArea as caught:
        outside, status = caught, caught.status
    except PlacesError as caught:
        error, status = caught, caught.status
        category_error = isinstance(caught, (NoCategory, UnknownCategory, OddCategory))
    body = render(
        template, block="answer", query=query, status=status,
        error=error_message(error) if error else None, category_error=category_error,
        outside=error_message(outside) if outside else None,
        distance_label=distance_label, open_status=open_status, layer_text=layer_text,
        outside_link=outside.find_council if outside else None, scale_label=scale_label, map_key=map_key,
        category_label=category_label, collection_dates=collection_dates, area_name=area_name,
        councillor_name=councillor_name, **WORDS,
        **{"answer": None, **found}, **context,
    )
    return body, status


# Helpers every places template uses to put data into the reader's language.
WORDS = {"category_words": category_words, "category_lang": category_lang, "in_english": in_english,
         "english_attr": english_attr, "capitalise": capitalise, "lower_first": lower_first,
         "catchment_school": catchment_school, "highlight_name": highlight_name}


# --- pages ----------------------------------------------------------------------------


@bp.route("/your-area")
def your_area():
    """Everything for one postcode: every area, the nearest of each kind of place."""
    def question(places: Places, query):
        answer = _answer(places, query)
        nearest = {category.slug: places.nearest(answer.location, category.slug, 1) for category in places.categories}
        return {"answer": answer, "nearest": nearest, "categories": places.categories,
                "map": area_map(places, answer, "wards")}

    return _ask("places/your_area.html", question)


@bp.route("/find-my-nearest")
def find_my_nearest():
    """The nearest places of one kind, with opening hours and distances."""
    chosen = request.args.get("category", "").strip()[:60]
    try:
        categories = engine().categories
    except PlacesError:
        categories = []
    known = {category.slug for category in categories}

    def check(places: Places):
        if chosen and chosen not in known:
            raise OddCategory()

    def question(places: Places, query):
        if not chosen:
            raise NoCategory()
        answer = _answer(places, query, places.category(chosen).slug)
        return {"answer": answer, "map": area_map(places, answer, None, answer.nearest),
                "updated": places.facilities_updated}

    return _ask("places/find_my_nearest.html", question, check=check, categories=categories,
                chosen=chosen if chosen in known else "")


@bp.route("/school-catchment-areas")
def school_catchment():
    """Which primary and secondary catchment areas a postcode is in, and for which year."""
    def question(places: Places, query):
        answer = _answer(places, query)
        matches = [answer.area(name) for name in CATCHMENT_LAYERS if answer.area(name)]
        maps = {match.layer.name: area_map(places, answer, match.layer.name) for match in matches if match.area}
        return {"answer": answer, "catchments": matches, "maps": maps}

    return _ask("places/school_catchment.html", question)


@bp.route("/wards/<code>")
def ward(code: str):
    """A ward and its councillors."""
    try:
        places = engine()
        area = places.area("wards", code[:20])
    except PlacesError:
        area = None
    if area is None:
        abort(404)
    layer = places.layer("wards")
    shape = places.geometry("wards", area)
    boundary = places.areas("boundary") if "boundary" in {l.name for l in places.layers} else []
    drawing = draw([(places.geometry("boundary", b), "context", b.name) for b in boundary]
                   + [(shape, "highlight", highlight_name(layer, area))], [], focus=[shape])
    return render("places/ward.html", ward=area, layer=layer, map=drawing, layer_text=layer_text,
                  scale_label=scale_label, map_key=map_key, councillor_name=councillor_name)


@bp.app_template_global()
def ward_url(code: str) -> str:
    return url_for("places.ward", code=code)


@bp.app_template_filter("weekday")
def weekday(english: str) -> str:
    """A day named in the data ("Tuesday") in the reader's language."""
    from ..hours import DAY_NAMES

    return day_names()[DAY_NAMES.index(english)] if english in DAY_NAMES else english
