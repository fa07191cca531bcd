"""Small text helpers every capability shares: translation markers, slugs and unique ids.

No Flask here: the domain packages mark messages for translation with ``N_``
and the web layer translates them when a reader's language is known.
"""

from __future__ import annotations

import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['’‘`]")


def N_(message: str) -> str:
    """Mark a message for the catalogue (`make extract-messages` finds it) without translating it here."""
    return message


def slugify(text: str, fallback: str = "") -> str:
    """A readable, ASCII-only name for addresses and anchors: "Children's centres" -> "childrens-centres".

    Accents are folded ("Caerdydd Ŵyr" -> "caerdydd-wyr") and apostrophes dropped rather than
    turned into hyphens, so a possessive stays one word.
    """
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", _APOSTROPHES.sub("", folded.lower())).strip("-")
    return slug or fallback


def unique_id(candidate: str, used: set[str]) -> str:
    """`candidate`, or `candidate-2`, `-3`... when it is taken; the chosen id is added to `used`."""
    chosen, number = candidate, 2
    while chosen in used:
        chosen, number = f"{candidate}-{number}", number + 1
    used.add(chosen)
    return chosen
