"""Scoring the champions field in plain Python, for queries with common words.

whoosh's matcher tree costs tens of microseconds per posting; a champion list
has at most CHAMPIONS postings, so reading each list once per index generation
and summing BM25 scores in a dictionary is much faster, and gives the same
scores whoosh would (the same `bm25` function, idf and field lengths of the
full ``text`` field). Phrases need all their words here, as champion postings
have no positions.
"""

from __future__ import annotations

import heapq
from array import array

from whoosh import query as wq
from whoosh.scoring import bm25

from .index import BM25_B, BM25_K1, CHAMPION_FIELD, RANK_WEIGHTS

MAX_CACHED_TERMS = 20_000


class ChampionScorer:
    """Reads champion lists from one open searcher and scores queries over them."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.average = searcher.avg_field_length("text") or 1.0
        # Read once when a worker opens a generation (a few milliseconds for 20,000 documents).
        reader = self.reader
        self._lengths = array("I", (reader.doc_field_length(d, "text", 1) or 1 for d in range(reader.doc_count_all())))
        self._lists: dict[str, tuple[array, array, float]] = {}
        self._allowed: dict[tuple, frozenset[int]] = {}
        self._ranked = {rank: frozenset(searcher.docs_for_query(wq.Term("rank", rank))) for rank in RANK_WEIGHTS}

    def _length(self, docnum: int) -> int:
        return self._lengths[docnum]

    def postings(self, term: str) -> tuple[array, array, float]:
        """(document numbers, weights, idf) for a word's champions."""
        found = self._lists.get(term)
        if found is not None:
            return found
        ids, weights = array("I"), array("f")
        if (CHAMPION_FIELD, term) in self.reader:
            matcher = self.reader.postings(CHAMPION_FIELD, term)
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
        if len(self._lists) >= MAX_CACHED_TERMS:
            self._lists.clear()
        found = self._lists[term] = (ids, weights, self.searcher.idf("text", term))
        return found

    def allowed(self, filters: tuple[tuple[str, str], ...]) -> frozenset[int] | None:
        if not filters:
            return None
        if filters not in self._allowed:
            query = wq.And([wq.Term(name, value) for name, value in filters])
            self._allowed[filters] = frozenset(self.searcher.docs_for_query(query))
        return self._allowed[filters]

    def search(self, concepts: list[list[tuple[tuple[str, ...], float]]], limit: int,
               allowed: frozenset[int] | None = None,
               versions: dict[int, int] | None = None) -> tuple[int, list[tuple[float, int]]]:
        """(pages matched, the best ``limit`` as (score, docnum)), best first.

        ``concepts``: for each concept, its alternatives as (terms, boost).
        ``versions`` maps a translation's document to its original's: the
        versions of one page count once, by their best score.
        """
        scores: dict[int, float] = {}
        length = self._length
        for alternatives in concepts:
            for terms, boost in alternatives:
                partial: dict[int, float] | None = None
                for term in terms:
                    ids, weights, idf = self.postings(term)
                    here = {}
                    for docnum, weight in zip(ids, weights, strict=True):
                        if allowed is not None and docnum not in allowed:
                            continue
                        if partial is None or docnum in partial:
                            here[docnum] = (partial[docnum] if partial else 0.0) + bm25(
                                idf, weight, length(docnum), self.average, BM25_B, BM25_K1)
                    partial = here
                    if not partial:
                        break
                for docnum, score in (partial or {}).items():
                    scores[docnum] = scores.get(docnum, 0.0) + score * boost
        for rank, factor in RANK_WEIGHTS.items():
            for docnum in self._ranked[rank].intersection(scores):
                scores[docnum] *= factor
        return collapse(scores, limit, versions)


def collapse(scores: dict[int, float], limit: int,
             versions: dict[int, int] | None = None) -> tuple[int, list[tuple[float, int]]]:
    """(pages, the best ``limit`` (score, docnum)): each page once, as its best-scoring version."""
    if not versions or not versions.keys() & scores.keys():
        return len(scores), heapq.nlargest(limit, ((score, docnum) for docnum, score in scores.items()))
    pages: dict[int, tuple[float, int]] = {}
    for docnum, score in scores.items():
        page = versions.get(docnum, docnum)
        found = pages.get(page)
        if found is None or score > found[0]:
            pages[page] = (score, docnum)
    return len(pages), heapq.nlargest(limit, pages.values())
