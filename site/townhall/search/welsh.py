"""Welsh text for the index: lowercase, no English stemming, and forgiving of mutations.

Welsh changes the first letter of a word after some words ("cyngor" -> "treth
gyngor", "fy nghyngor"; "treth" -> "y dreth"; "biniau" -> "fy miniau"). A
resident may type any of these forms, and our pages use whichever the grammar
needs. So each word is reduced to a key that is the same for its mutated forms:
its first sound is replaced by a class letter (upper case, so it never looks
like a word):

    K   c, g, ngh, ng, ch, and words starting with a vowel or w (g disappears
        after soft mutation: "gwasanaeth" -> "wasanaeth"; "h" before a vowel is
        dropped: "ei henw" -> "enw")
    P   p, b, mh, ph, m, f
    T   t, d, nh, th, dd, n
    L   ll, l
    R   rh, r

So "gyngor", "nghyngor" and "cyngor" are all "Kyngor". This joins a few
unrelated words too ("tal" and "dal"), which ranking mostly sorts out; it is
much cheaper than a Welsh dictionary. Common plural endings (-iau, -au,
-oedd, -ion) are taken off, so "biniau" finds "bin". Accents are folded
("dŵr" = "dwr") because many keyboards cannot type them.

Every Welsh term starts with "~", so Welsh and English terms share one index
field without ever matching each other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

PREFIX = "~"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # letters only: apostrophes and hyphens split words ("i'r", "e-bost")
_VOWELS = frozenset("aeiouwy")
# Longest first: the first that matches is the word's first sound.
_INITIALS = (
    ("ngh", "K"), ("mh", "P"), ("nh", "T"), ("ng", "K"), ("ch", "K"), ("ph", "P"), ("th", "T"),
    ("dd", "T"), ("ll", "L"), ("rh", "R"), ("ff", None),
    ("c", "K"), ("g", "K"), ("p", "P"), ("b", "P"), ("m", "P"), ("f", "P"),
    ("t", "T"), ("d", "T"), ("n", "T"), ("l", "L"), ("r", "R"),
)
_PLURALS = ("oedd", "iau", "ion", "au")
_SHORTEST_STEM = 3

# Words that carry no meaning in a search box, with their mutated forms: how people phrase a question.
STOP_WORDS = frozenset("""
    a ac ag am ar at i o y yr yn ym yng ei eu ein eich fy dy ni chi nhw fe fo hi ef e mi fi ti
    mae maen maer oes sy sydd yw ydy ydi ydw ydych ydyn ydyw oedd bod fod wedi gan gyda efo hefo
    neu ond na nad nid ddim dim fel os pan hyn hynny hwn hon yma yna sut beth pa ble lle pryd pwy pam
    cael gael chael angen eisiau isio moyn gwneud wneud gallaf allaf alla gallu allu rwy rydw rydyn
    dw dwi wyt hefyd dros drwy trwy mewn wrth rhaid oherwydd achos
""".split())


def fold(word: str) -> str:
    """Lower case without accents: "Dŵr" -> "dwr"."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> Iterator[str]:
    """Folded words, as the index and queries both split them."""
    for match in _WORD.finditer(text):
        yield fold(match.group())


def radical_key(word: str) -> str:
    """The same key for a folded word and its mutated forms (see the module docstring)."""
    for plural in _PLURALS:
        if word.endswith(plural) and len(word) - len(plural) >= _SHORTEST_STEM:
            word = word[: -len(plural)]
            break
    if len(word) >= 2 and word[0] == "h" and word[1] in _VOWELS:
        return "K" + word[1:]
    if word[0] in _VOWELS:
        return "K" + word
    for initial, group in _INITIALS:
        if word.startswith(initial):
            return word if group is None else group + word[len(initial):]
    return word


def is_stop(word: str) -> bool:
    return fold(word) in STOP_WORDS


def term(word: str) -> str | None:
    """The index term for one word, or None for stop words and single letters."""
    folded = fold(word)
    if len(folded) < 2 or folded in STOP_WORDS or not folded.isalpha():
        return None
    return PREFIX + radical_key(folded)


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """(index term, folded word) for each meaningful word of a Welsh text."""
    for word in words(text):
        if len(word) >= 2 and word not in STOP_WORDS:
            yield PREFIX + radical_key(word), word


def terms(text: str) -> list[str]:
    return [found for found, _word in tokens(text)]
