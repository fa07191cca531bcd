"""From what a resident typed to a whoosh query, without ever parsing their input as syntax.

Residents type questions ("how do I get a blue badge"), misspell words
("recyling"), use their own words ("rubbish" for "bins") and sometimes paste
odd things (quotes, brackets, AND/OR/NOT, wildcards, emoji, a whole letter).
None of it is query syntax here: the text is cleaned, capped and split into
words; question words are dropped; each remaining word or synonym phrase
becomes a "concept" matched by any of its alternatives; unknown words get the
closest word from the index's own vocabulary. Nothing in here can raise on
user input.

Queries may be English or Welsh. Each concept is looked up both ways: English
stems (with the synonym list) in English documents, and Welsh terms (see
welsh.py) in Welsh ones. The engine decides which language the query is in;
that language's alternatives count in full and the other's a little less.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from . import welsh
from .index import ANALYZER
from .synonyms import Synonyms

MAX_QUERY_CHARS = 200  # longer input is cut at a word boundary; the page says so
MAX_WORDS = 12
SYNONYM_WEIGHT = 0.5  # a synonym counts less than the word the resident used
CORRECTION_WEIGHT = 0.9
ALL_WORDS_BONUS = 1.0  # extra weight for pages that have every word the resident typed
OTHER_LANGUAGE_WEIGHT = 0.6  # matches in the language the query is not in
_QUERY_WORD = re.compile(r"[^\W_]+(?:['\u2019]+[^\W_]+)*")

# Words that carry no meaning in a search box: how people phrase a question.
QUESTION_WORDS = frozenset("""
    how do does did i im ive id me my mine who whom whose what whats where wheres which why when can could
    should would get got getting need needs want wants please about someone somebody there theres here
    tell find out know is are was were am be been a an the to of for in on at by with from and or not no
    it its this that these those some any you your yours we our us they their them he she his her
    will shall may might must have has had just also so if than then very much many
    speak speaking talk talking ring call calling
""".split()) | STOP_WORDS
# "can't", "wasnt": typed with or without the apostrophe, these only phrase the question ("my bin
# wasn't collected"). Left in, they were "corrected" to other words ("wasnt" to "want", "cant" to "cans").
NEGATIONS = frozenset("""
    dont doesnt didnt cant cannot couldnt wont wouldnt shouldnt isnt arent wasnt werent hasnt havent hadnt
    aint mustnt neednt youre theyre weve youve theyve whos hes shes
""".split())
QUESTION_WORDS = QUESTION_WORDS | NEGATIONS

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def clean_query(raw: object) -> tuple[str, bool]:
    """Make any input safe to echo and search: (cleaned text, whether it was cut short)."""
    text = raw if isinstance(raw, str) else ""
    text = unicodedata.normalize("NFKC", text[: MAX_QUERY_CHARS * 4])
    text = _CONTROL.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= MAX_QUERY_CHARS:
        return text, False
    cut = text[:MAX_QUERY_CHARS]
    if " " in cut[MAX_QUERY_CHARS // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut, True


def stem_word(word: str) -> str:
    return stem(word.lower())


def query_words(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each word as the synonym list splits it ("dont", like `phrase_words`), with its Welsh parts.

    Welsh joins words with apostrophes ("fy miniau'n", "i'r"), which are separate words
    for Welsh analysis ("miniau", "n"), while English words keep them together ("don't").
    """
    found = []
    for match in _QUERY_WORD.finditer(text.lower()):
        pieces = tuple(re.split(r"['\u2019]+", match.group()))
        found.append(("".join(pieces), pieces))
    return found


def is_stop_word(word: str) -> bool:
    """A word that only phrases a question, in English or Welsh ("how", "sut")."""
    return word in QUESTION_WORDS or welsh.is_stop(word)


@dataclass
class Concept:
    """One idea in the query: the words typed, and every phrase that counts as a match."""

    words: tuple[str, ...]
    alternatives: list[tuple[tuple[str, ...], float]] = field(default_factory=list)
    correction: str | None = None  # the vocabulary word used for an unknown word
    welsh: tuple[str, ...] = ()  # the words' Welsh index terms, all needed
    welsh_weight: float = 1.0

    @property
    def is_stop(self) -> bool:
        return len(self.words) == 1 and is_stop_word(self.words[0])


@dataclass
class Understanding:
    """What we made of the query; the engine turns it into a whoosh query."""

    text: str  # cleaned, as echoed back to the resident
    truncated: bool
    concepts: list[Concept]
    language: str = "en"  # the language the query is in: its matches count in full

    @property
    def suggestion(self) -> str | None:
        """The query with misspelt words replaced ("did you mean"), if any were."""
        if not any(concept.correction for concept in self.concepts):
            return None
        return " ".join(concept.correction or " ".join(concept.words) for concept in self.concepts)

    @property
    def key(self) -> tuple:
        """Equal for queries that mean the same, for the results cache."""
        return (self.language, *(tuple(sorted(c.alternatives)) + (c.welsh,) for c in self.concepts))

    def typed_terms(self) -> frozenset[str]:
        """The index terms of what the resident typed (corrected, without synonyms), in both languages."""
        found: set[str] = set()
        for concept in self.concepts:
            if concept.alternatives:
                found.update(analysed(concept.alternatives[0][0]))
            found.update(concept.welsh)
        return frozenset(found)


def understand(
    raw: object,
    synonyms: Synonyms,
    known: Callable[[str], bool] = lambda word: True,
    correct: Callable[[str], str | None] = lambda word: None,
    language: str = "en",
) -> Understanding:
    """Split, expand and correct a query. ``known``/``correct`` come from the index's vocabulary.

    ``language`` is the language the query is in (the engine works it out): ``correct``
    should only suggest words of that language.
    """
    text, truncated = clean_query(raw)
    tokens = query_words(text)[:MAX_WORDS]
    typed = [word for word, _pieces in tokens]
    # Correct unknown words first, so a misspelt phrase ("counsil tax") still finds its synonyms.
    words, pieces = [], []
    for word, parts in tokens:
        fixed = None if is_stop_word(word) or known(word) or synonyms.knows(word) else correct(word)
        words.append(fixed or word)
        pieces.append((fixed,) if fixed else parts)
    concepts: list[Concept] = []
    position = 0
    while position < len(words):
        matched = synonyms.match(words, position)
        length = matched[0] if matched else 1
        span = tuple(words[position:position + length])
        original = tuple(typed[position:position + length])
        weight = 1.0 if span == original else CORRECTION_WEIGHT
        group = matched[1] if matched else (span,)
        welsh_terms = tuple(dict.fromkeys(
            found for parts in pieces[position:position + length] for part in parts
            if (found := welsh.term(part))))
        concept = Concept(original, _alternatives(span, group, weight), welsh=welsh_terms, welsh_weight=weight)
        if span != original:
            concept.correction = " ".join(span)
        concepts.append(concept)
        position += length
    meaningful = [concept for concept in concepts if not concept.is_stop]
    # "who", on its own, is still a search
    return Understanding(text, truncated, meaningful or concepts, "cy" if language == "cy" else "en")


def _alternatives(typed: tuple[str, ...], group, weight: float = 1.0) -> list[tuple[tuple[str, ...], float]]:
    typed_key = tuple(stem_word(word) for word in typed)
    chosen = [(typed, weight)]
    for phrase in group:
        if tuple(stem_word(word) for word in phrase) != typed_key:
            chosen.append((phrase, round(weight * SYNONYM_WEIGHT, 3)))
    return chosen


def analysed(phrase: tuple[str, ...]) -> list[str]:
    """The index's own terms for a phrase: stemmed, stop words and single letters dropped."""
    return [token.text for token in ANALYZER(" ".join(phrase))]


def scoring_groups(understanding: Understanding) -> list[list[tuple[tuple[str, ...], float]]]:
    """What to score: for each concept, its alternatives as (index terms, boost).

    A query of several concepts gets one more group: all the resident's own
    words together, so a page that has every word ("child benefit") ranks
    above pages that match one word and its synonyms many times. Both the
    champion scorer and the whoosh query are built from this.

    Each concept's Welsh terms are one more alternative (they only ever match
    Welsh documents). Alternatives in the query's language count in full; the
    other language's count OTHER_LANGUAGE_WEIGHT as much.
    """
    english, cymraeg = ((1.0, OTHER_LANGUAGE_WEIGHT) if understanding.language == "en"
                        else (OTHER_LANGUAGE_WEIGHT, 1.0))
    groups = []
    typed_english: list[tuple[str, ...]] = []
    typed_welsh: list[tuple[str, ...]] = []
    for concept in understanding.concepts:
        weights: dict[tuple[str, ...], float] = {}
        for number, (phrase, weight) in enumerate(concept.alternatives):
            terms = tuple(analysed(phrase))
            if terms:
                if number == 0:
                    typed_english.append(terms)
                weights[terms] = max(round(weight * english, 3), weights.get(terms, 0.0))
        if concept.welsh:
            typed_welsh.append(concept.welsh)
            weights[concept.welsh] = round(concept.welsh_weight * cymraeg, 3)
        if weights:
            groups.append(list(weights.items()))
    if len(groups) > 1:
        together = []
        for typed, weight in ((typed_english, english), (typed_welsh, cymraeg)):
            if len(typed) > 1:
                together.append((tuple(dict.fromkeys(term for terms in typed for term in terms)),
                                 round(ALL_WORDS_BONUS * weight, 3)))
        if together:
            groups.append(together)
    return groups


def to_whoosh(understanding: Understanding, field_name: str = "text") -> wq.Query | None:
    """The same scoring groups as a whoosh query: an Or of groups, each an Or of its alternatives.

    A phrase needs all its words (the index keeps no positions). Alternatives
    are summed, not maxed: whoosh's DisjunctionMax matcher gives every matching
    document the same score, which loses the ranking.
    """
    clauses = []
    for group in scoring_groups(understanding):
        options = [
            wq.Term(field_name, terms[0], boost=weight) if len(terms) == 1
            else wq.And([wq.Term(field_name, term) for term in terms], boost=weight)
            for terms, weight in group
        ]
        clauses.append(options[0] if len(options) == 1 else wq.Or(options))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.Or(clauses)


def query_terms(understanding: Understanding) -> set[str]:
    """Every index term the query could look up."""
    return {term for concept in understanding.concepts for phrase, _ in concept.alternatives
            for term in analysed(phrase)} | {term for concept in understanding.concepts for term in concept.welsh}
