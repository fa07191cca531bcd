"""Questions about data the site holds, answered through the places engine rather than a page.

"When is my bin collected", "which school catchment am I in", "who is my councillor", "where is
my nearest library", "is the library open now" and "when will I hear back" have an answer that
depends on where the resident lives (or on a promise the council publishes), not on a paragraph.
Each intent is recognised by its words in English and Welsh (folded, mutated forms listed); one
that needs a postcode asks for it when none was given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

BIN_DAY, CATCHMENT, WARD, NEAREST, OPENING, HEAR_BACK = (
    "bin_day", "catchment", "ward", "nearest", "opening", "hear_back")
NEEDS_POSTCODE = frozenset({BIN_DAY, CATCHMENT, WARD, NEAREST, OPENING})

_BIN = frozenset("""bin bins rubbish refuse recycling wheelie bin bins binmen dustbin dustbins dustmen waste
    collection collections collected collect biniau bin sbwriel ailgylchu gasglu casglu chasglu casgliad
    gasgliad""".split())
_DAY = frozenset("""day days when next date dates which what diwrnod ddiwrnod dydd pryd nesaf dyddiad
    collected collection collect emptied come""".split())
_DAY_STRICT = frozenset("day days when next date dates diwrnod ddiwrnod dydd pryd nesaf dyddiad".split())
# Bin questions that are about something else: a missed, broken or extra bin, garden waste, bulky items.
_NOT_BIN_DAY = frozenset("""missed miss wasnt werent didnt forgot forgotten not never broken damaged stolen lost
    new replacement replace order extra bigger garden bulky sofa fridge clinical tip dump centre fly tipping
    tipped heb methu fethu newydd gardd torri wedi assisted pull out help""".split())
_CATCHMENT = frozenset("catchment catchments dalgylch ddalgylch nalgylch dalgylchoedd".split())
_WARD = frozenset("""councillor councillors councilor councilors cllr ward wards cynghorydd gynghorydd
    nghynghorydd cynghorwyr gynghorwyr nghynghorwyr""".split())
_NOT_WARD = frozenset("""complain complaint cwyn gwyno election elections vote voting pleidleisio become stand
    standing job""".split())
_NEAR = frozenset("nearest near nearby closest close local agosaf agos lleol nesaf".split())
_OPEN = frozenset("""open opening opens hours closed close closing shut times ar agor agored oriau cau
    ngau""".split())
_HEAR_BACK = (("hear", "back"), ("hear", "from"), ("get", "back"), ("reply",), ("replied",), ("respond",),
              ("response",), ("answer", "my"), ("how", "long"), ("clywed",), ("ateb",), ("ymateb",),
              ("faint", "o", "amser"), ("pa", "mor", "hir"))

# Kinds of place, as residents name them, by the places engine's category slugs.
CATEGORY_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "libraries": (("library",), ("libraries",), ("libary",), ("llyfrgell",), ("lyfrgell",), ("llyfrgelloedd",)),
    "recycling-centres": (("tip",), ("dump",), ("recycling", "centre"), ("recycling", "centres"),
                          ("recycling", "center"), ("household", "waste"), ("canolfan", "ailgylchu"),
                          ("ganolfan", "ailgylchu"), ("tip", "sbwriel")),
    "leisure-centres": (("leisure", "centre"), ("leisure", "centres"), ("leisure", "center"), ("gym",),
                        ("swimming",), ("pool",), ("sports", "centre"), ("canolfan", "hamdden"),
                        ("ganolfan", "hamdden"), ("nofio",), ("pwll",)),
    "parks-and-play-areas": (("park",), ("parks",), ("playground",), ("play", "area"), ("play", "park"),
                             ("parc",), ("maes", "chwarae")),
    "childrens-centres-and-family-hubs": (("family", "hub"), ("childrens", "centre"), ("children", "centre"),
                                          ("canolfan", "plant"), ("hwb", "teulu")),
    "council-offices": (("council", "offices"), ("council", "office"), ("town", "hall"), ("civic", "centre"),
                        ("swyddfa", "cyngor"), ("swyddfeydd", "cyngor"), ("swyddfa", "gyngor"),
                        ("swyddfeydd", "y", "cyngor"), ("neuadd", "y", "dref")),
    "primary-schools": (("primary", "school"), ("primary", "schools"), ("ysgol", "gynradd")),
    "secondary-schools": (("secondary", "school"), ("secondary", "schools"), ("high", "school"),
                          ("ysgol", "uwchradd")),
}


@dataclass(frozen=True)
class Intent:
    name: str
    category: str | None = None  # for NEAREST and OPENING: the kind of place


def _has_phrase(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(words[index:index + size] == phrase for index in range(len(words) - size + 1))


def category_in(words: tuple[str, ...], categories: Iterable[str]) -> str | None:
    """The kind of place a question names ("the tip", "llyfrgell"), among those the places engine has."""
    known = set(categories)
    best: tuple[int, str] | None = None
    for slug, phrases in CATEGORY_WORDS.items():
        if slug not in known:
            continue
        for phrase in phrases:
            if _has_phrase(words, phrase) and (best is None or len(phrase) > best[0]):
                best = (len(phrase), slug)
    return best[1] if best else None


def recognise(words: tuple[str, ...], categories: Iterable[str] = ()) -> Intent | None:
    """The intent a question's words show, or None when it is a question for the pages."""
    found = set(words)
    categories = tuple(categories)
    category = category_in(words, categories)
    if any(_has_phrase(words, phrase) for phrase in _HEAR_BACK):
        return Intent(HEAR_BACK)
    if found & _CATCHMENT:
        return Intent(CATCHMENT)
    if found & _WARD and not found & _NOT_WARD:
        return Intent(WARD)
    if category and found & _OPEN and "council" not in found and "cyngor" not in found or (
            category and found & _OPEN and category == "council-offices"):
        return Intent(OPENING, category)
    if category and found & _NEAR:
        return Intent(NEAREST, category)
    if found & _BIN and found & _DAY_STRICT and not found & _NOT_BIN_DAY and category is None:
        return Intent(BIN_DAY)
    if found & _BIN and found & _DAY and ({"my", "fy", "our", "ein"} & found) and not found & _NOT_BIN_DAY \
            and category is None and found & {"collected", "collection", "collect", "come", "emptied",
                                              "casglu", "gasglu"}:
        return Intent(BIN_DAY)
    return None
