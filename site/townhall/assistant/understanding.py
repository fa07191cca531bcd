"""What a question is about: its meaningful words as index terms, a postcode, and its language.

The same word handling as search (search/query.py, search/welsh.py), so a question and a search
for the same words agree: English words are stemmed ("collected" = "collection"), Welsh words are
reduced to a key that is the same for their mutated forms ("nghyngor" = "cyngor"), and the content
team's synonym list ("rubbish" = "bin") widens each word. Question words ("how do I", "sut mae")
carry no meaning here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..places.postcodes import find_in_text
from ..search import welsh
from ..search.query import QUESTION_WORDS, clean_query, query_words, stem_word
from ..search.synonyms import Synonyms

SYNONYM_WEIGHT = 0.5
# Chatty words that say nothing about the subject ("hi, I was just wondering...").
CHATTER = frozenset("""
    hi hello hey hiya thanks thank thankyou cheers please pls plz just wondering wonder wondered help helpme
    anyone anybody really actually basically sorry excuse quick question ask asking like going gonna wanna
    mate love lovely dear sir madam ok okay yes yeah possible able way ways let lets see dont know
    diolch helo shwmae bore da plis os gwelwch yn dda
""".split())
# Words only Welsh questions use (and none of the English ones): how the question's language is told.
WELSH_MARKERS = frozenset("""
    sut beth pryd ble pwy pam mae fy yw ydy ydi ydw oes sydd rydw dw dwi eisiau isio moyn angen gallaf alla
    gyda efo ein eich yr gael cael chael wneud gwneud fod ydych hefyd ddim dim yng ym mewn nesaf agosaf
    faint o'r i'r hynny
""".split())
ENGLISH_MARKERS = frozenset("""
    how what when where who why which the is are my can could do does i im need want get will would
    should me there about have has
""".split())


def word_terms(word: str) -> tuple[str, ...]:
    """A word's index terms in both languages: its English stem and its Welsh key."""
    found = [stem_word(word)]
    welsh_term = welsh.term(word)
    if welsh_term:
        found.append(welsh_term)
    return tuple(found)


def is_meaningless(word: str) -> bool:
    return (len(word) < 2 or word in QUESTION_WORDS or welsh.is_stop(word) or word in CHATTER
            or word.isdigit())


def text_terms(text: str) -> set[str]:
    """Every term of a text's meaningful words (how passages and phrasings are indexed)."""
    found: set[str] = set()
    for word, _pieces in query_words(text):
        if not is_meaningless(word):
            found.update(word_terms(word))
    return found


@dataclass(frozen=True)
class Understood:
    text: str  # cleaned, safe to echo
    lang: str  # the language the question is in
    words: tuple[str, ...]  # every word, lower case, as typed (the postcode taken out)
    meaningful: tuple[str, ...]  # the words that say what it is about
    terms: dict[str, float] = field(default_factory=dict)  # index term -> weight (1 typed, less for synonyms)
    postcode: str | None = None  # a postcode written in the question, standard form

    @property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.words)


def question_language(words: list[str], lang: str) -> str:
    """Welsh when more of its words are only Welsh than only English; else the page's language."""
    cy = sum(1 for word in words if welsh.fold(word) in WELSH_MARKERS)
    en = sum(1 for word in words if word in ENGLISH_MARKERS)
    if cy > en:
        return "cy"
    if en > cy:
        return "en"
    return "cy" if lang == "cy" else "en"


def understand(raw: object, lang: str, synonyms: Synonyms | None = None) -> Understood:
    """Read a question; never raises on anything a resident can type."""
    text, _cut = clean_query(raw)
    found = find_in_text(text)
    postcode = None
    rest = text
    if found:
        postcode, written = found
        rest = text.replace(written, " ")
    words = [welsh.fold(word) for word, _pieces in query_words(rest)][:40]
    meaningful = [word for word in words if not is_meaningless(word)]
    terms: dict[str, float] = {}
    for word in meaningful:
        for term in word_terms(word):
            terms[term] = 1.0
    if synonyms is not None:
        position = 0
        while position < len(words):
            matched = synonyms.match(words, position)
            if not matched:
                position += 1
                continue
            length, group = matched
            typed = words[position:position + length]
            if not all(is_meaningless(word) for word in typed):
                for phrase in group:
                    for word in phrase:
                        if not is_meaningless(word):
                            terms.setdefault(stem_word(word), SYNONYM_WEIGHT)
            position += length
    return Understood(text, question_language(words, lang), tuple(words), tuple(meaningful), terms, postcode)
