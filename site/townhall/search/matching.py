"""How well a page matches what was typed: the answers to "did anything really match?" and "did the
spelling we would suggest find something better than the words typed?".

Scores rank results but do not say whether the best of them is any good: some page always
comes first, even for words the site has no page about ("food hygiene rating", "meeting
minutes"). So each of the query's ideas (its concepts) is looked up in a result's words and
weighed by where it is (see index.WEIGHTS: a title counts 6 for each time a word is in it, the
keywords 4, the summary 2, the body 1): a page is *about* an idea when it weighs ABOUT or more
(more than one passing mention), and *strongly* about it from STRONG (its title, or its keywords
and more).

A page matches the query well when it is about every idea in it, or strongly about ideas that
carry at least a third of what the query says (each idea counted by how rare its words are:
idf; an idea no page has at all counts double). Words that only name the site itself ("council", the council's own name) say nothing
about what a resident is looking for on a council's site, so they do not count, unless they are
all the query has.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from . import welsh
from .query import Concept, Understanding, analysed, stem_word

ABOUT = 2.0  # more than one mention in the body, or one in the summary, keywords or title
STRONG = 5.0  # in the title, or the keywords and more
SHARE = 1 / 3  # of the query's weight, carried by ideas the page is strongly about
LOOKED_AT = 3  # results that can answer for the rest: residents read the first few
UNKNOWN_IDEA = 2.0  # how much more an idea no page has counts (see rarity)


class Matching:
    """Looks up the words of a query in a few results, for one open index generation."""

    def __init__(self, searcher, versions: dict[int, tuple[int, ...]], site_words: Iterable[str] = ()):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.versions = versions  # a page's document -> every version of it (English, Welsh, Welsh words)
        words = [word.lower() for word in site_words]
        self.site_terms = frozenset(stem_word(word) for word in words) | frozenset(
            found for word in words if (found := welsh.term(word)))

    def weight(self, term: str, docnum: int) -> float:
        """How much a word weighs in one document (0 when it is not there)."""
        if ("text", term) not in self.reader:
            return 0.0
        matcher = self.reader.postings("text", term)
        matcher.skip_to(docnum)
        return float(matcher.weight()) if matcher.is_active() and matcher.id() == docnum else 0.0

    def strength(self, concept: Concept, docnum: int) -> float:
        """How much a page weighs an idea: its best alternative (a synonym counts, a phrase needs all its
        words), in whichever version of the page has it."""
        best = 0.0
        alternatives = [tuple(analysed(phrase)) for phrase, _weight in concept.alternatives]
        if concept.welsh:
            alternatives.append(concept.welsh)
        for version in self.versions.get(docnum, (docnum,)):
            for terms in alternatives:
                if terms:
                    best = max(best, min(self.weight(term, version) for term in terms))
        return best

    def _names_the_site(self, concept: Concept) -> bool:
        terms = [stem_word(word) for word in concept.words] + list(concept.welsh)
        return bool(terms) and all(term in self.site_terms for term in terms)

    def rarity(self, concept: Concept, language: str) -> float:
        """How much an idea says: the idf of its rarest word in the query's language. An idea no page
        has in any of its forms (a synonym, Welsh) counts twice: the site has nothing on it at all
        ("hygiene"), which says more than a word a few pages use in passing."""
        terms = concept.welsh if language == "cy" and concept.welsh else (
            tuple(analysed(concept.alternatives[0][0])) if concept.alternatives else ())
        rarity = max((self.searcher.idf("text", term) for term in terms), default=0.0)
        return rarity * UNKNOWN_IDEA if self._nowhere(concept) else rarity

    def _nowhere(self, concept: Concept) -> bool:
        alternatives = [tuple(analysed(phrase)) for phrase, _weight in concept.alternatives] + [concept.welsh]
        return not any(terms and all(self.reader.doc_frequency("text", term) for term in terms)
                       for terms in alternatives)

    def matches_well(self, understanding: Understanding, docnums: Sequence[int]) -> bool:
        """Whether one of the first results is about what was typed (see the module's docstring)."""
        if not docnums:
            return False
        ideas = [concept for concept in understanding.concepts if not self._names_the_site(concept)]
        ideas = ideas or list(understanding.concepts)
        rarities = [self.rarity(concept, understanding.language) for concept in ideas]
        whole = sum(rarities)
        for docnum in docnums[:LOOKED_AT]:
            strengths = [self.strength(concept, docnum) for concept in ideas]
            if all(strength >= ABOUT for strength in strengths):
                return True
            strong = sum(rarity for rarity, strength in zip(rarities, strengths, strict=True) if strength >= STRONG)
            if whole and strong >= SHARE * whole:
                return True
        return False

    def found_share(self, understanding: Understanding, docnums: Sequence[int]) -> float:
        """The largest share of the query's ideas one of the first results is about: how a spelling
        correction is judged against the words typed. A correction to a word a page only mentions in
        passing ("skip" to "skin", said once on the dead animals page) finds nothing better."""
        concepts = understanding.concepts
        if not docnums or not concepts:
            return 0.0
        return max(sum(1 for concept in concepts if self.strength(concept, docnum) >= ABOUT) / len(concepts)
                   for docnum in docnums[:LOOKED_AT])
