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

from bisect import bisect_left
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

    def __init__(self, searcher, versions: dict[int, tuple[int, ...]], site_words: Iterable[str] = (),
                 complete_lists=None):
        """``complete_lists(term)``: the (document numbers, weights) of a word from a list read once per
        generation (the champion lists, complete for a word in few documents), or None to read it here."""
        self.searcher = searcher
        self.reader = searcher.reader()
        self.complete_lists = complete_lists
        self.versions = versions  # a page's document -> every version of it (English, Welsh, Welsh words)
        words = [word.lower() for word in site_words]
        self.site_terms = frozenset(stem_word(word) for word in words) | frozenset(
            found for word in words if (found := welsh.term(word)))

    def weights(self, terms: set[str], docnums: set[int]) -> dict[tuple[str, int], float]:
        """How much each word weighs in each document (absent: not there). One posting list read per
        word, skipping to the few documents asked about in order."""
        found: dict[tuple[str, int], float] = {}
        wanted = sorted(docnums)
        for term in terms:
            listed = self.complete_lists(term) if self.complete_lists else None
            if listed is not None:
                ids, weights = listed
                for docnum in wanted:
                    at = bisect_left(ids, docnum)
                    if at < len(ids) and ids[at] == docnum:
                        found[(term, docnum)] = float(weights[at])
                continue
            if ("text", term) not in self.reader:
                continue
            matcher = self.reader.postings("text", term)
            for docnum in wanted:
                if not matcher.is_active():
                    break
                if matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found[(term, docnum)] = float(matcher.weight())
        return found

    @staticmethod
    def _alternatives(concept: Concept) -> list[tuple[str, ...]]:
        """Every way an idea can be on a page: the words typed, a synonym (a phrase needs all its
        words), its Welsh terms."""
        found = [tuple(analysed(phrase)) for phrase, _weight in concept.alternatives]
        if concept.welsh:
            found.append(concept.welsh)
        return [terms for terms in found if terms]

    def strengths(self, alternatives: list[list[tuple[str, ...]]], docnums: Sequence[int]) -> list[list[float]]:
        """For each page, how much it weighs each idea (given as its alternatives): its best alternative,
        in whichever version of the page has it."""
        versions = {docnum: self.versions.get(docnum, (docnum,)) for docnum in docnums}
        weights = self.weights({term for options in alternatives for terms in options for term in terms},
                               {version for group in versions.values() for version in group})
        return [[max((min(weights.get((term, version), 0.0) for term in terms)
                      for version in versions[docnum] for terms in options), default=0.0)
                 for options in alternatives]
                for docnum in docnums]

    def _names_the_site(self, concept: Concept) -> bool:
        terms = [stem_word(word) for word in concept.words] + list(concept.welsh)
        return bool(terms) and all(term in self.site_terms for term in terms)

    def rarity(self, concept: Concept, alternatives: list[tuple[str, ...]], language: str) -> float:
        """How much an idea says: the idf of its rarest word in the query's language. An idea no page
        has in any of its forms (a synonym, Welsh) counts twice: the site has nothing on it at all
        ("hygiene"), which says more than a word a few pages use in passing."""
        terms = concept.welsh if language == "cy" and concept.welsh else (
            tuple(analysed(concept.alternatives[0][0])) if concept.alternatives else ())
        rarity = max((self.searcher.idf("text", term) for term in terms), default=0.0)
        nowhere = not any(all(self.reader.doc_frequency("text", term) for term in terms) for terms in alternatives)
        return rarity * UNKNOWN_IDEA if nowhere else rarity

    def judge(self, understanding: Understanding, docnums: Sequence[int]) -> tuple[bool, float]:
        """(whether one of the first results matches well, the largest share of the query's ideas one
        of them is about): the second is how a spelling correction is judged against the words typed.
        A correction to a word a page only mentions in passing ("skip" to "skin", said once on the dead
        animals page) finds nothing better."""
        first = list(docnums[:LOOKED_AT])
        concepts = list(understanding.concepts)
        if not first or not concepts:
            return False, 0.0
        alternatives = [self._alternatives(concept) for concept in concepts]
        table = self.strengths(alternatives, first)
        found = max(sum(1 for strength in row if strength >= ABOUT) / len(concepts) for row in table)
        ideas = [number for number, concept in enumerate(concepts) if not self._names_the_site(concept)]
        ideas = ideas or list(range(len(concepts)))
        rarities = {number: self.rarity(concepts[number], alternatives[number], understanding.language)
                    for number in ideas}
        whole = sum(rarities.values())
        for row in table:
            if all(row[number] >= ABOUT for number in ideas):
                return True, found
            strong = sum(rarity for number, rarity in rarities.items() if row[number] >= STRONG)
            if whole and strong >= SHARE * whole:
                return True, found
        return False, found
