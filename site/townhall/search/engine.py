"""The read-only searcher the web layer calls: `SearchEngine(folder, synonyms).search(...)`.

Opens whatever generation CURRENT names and notices (at most once a second)
when a newer one has been swapped in. Results for the same meaning, filters
and depth are cached per generation, so paging through results or many
residents typing the same words cost one search.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.scoring import BM25F

from .champions import ChampionScorer
from .documents import KINDS
from .index import BM25_B, BM25_K1, CHAMPIONS, KIND_WEIGHTS, IndexInfo, current_index
from .query import Understanding, query_terms, scoring_groups, stem_word, to_whoosh, understand
from .synonyms import Synonyms

PER_PAGE = 10
MAX_PAGE = 50
CACHE_SIZE = 512
RECHECK_SECONDS = 1.0
SPELL_FIELD = "vocabulary"
MAX_CORRECTABLE = 20  # letters; longer "words" are pasted codes or noise


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    title: str
    url: str
    summary: str
    category: str
    category_title: str
    council: bool  # False: another organisation's job
    organisation: str
    phone: str
    emergency: str
    score: float


@dataclass(frozen=True)
class SearchResults:
    query: str  # cleaned, safe to echo (templates still escape it)
    truncated: bool  # the query was longer than we accept and was cut
    hits: tuple[Hit, ...]
    total: int
    page: int
    per_page: int
    kind: str | None
    category: str | None
    suggestion: str | None  # "did you mean", from the index's own words
    ready: bool = True  # False when there is no index yet
    at_least: bool = False  # total is a lower bound: "more than N results"

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.first + len(self.hits) - 1 if self.hits else 0


class SearchEngine:
    """Searches the current index generation. Safe to share between threads."""

    def __init__(self, root: Path | str, synonyms: Synonyms | None = None, cache_size: int = CACHE_SIZE):
        self.root = Path(root)
        self.synonyms = synonyms or Synonyms(key=stem_word)
        self.cache_size = cache_size
        self._lock = threading.RLock()
        self._info: IndexInfo | None = None
        self._searcher = None
        self._checked = 0.0
        self._cache: OrderedDict = OrderedDict()
        self._corrections: dict[str, str | None] = {}
        self._champions: ChampionScorer | None = None

    # -- opening --------------------------------------------------------------
    def _current(self):
        """The searcher for the newest generation, reopening when CURRENT changed."""
        now = time.monotonic()
        if self._searcher is not None and now - self._checked < RECHECK_SECONDS:
            return self._searcher
        self._checked = now
        info = current_index(self.root)
        if info is None:
            return self._searcher  # keep serving what we have, if anything
        if self._info is None or info.generation != self._info.generation:
            searcher = whoosh_index.open_dir(str(info.path)).searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1))
            if self._searcher is not None:
                self._searcher.close()
            self._searcher, self._info = searcher, info
            self._champions = ChampionScorer(searcher)
            self._cache.clear()
            self._corrections.clear()
        return self._searcher

    @property
    def info(self) -> IndexInfo | None:
        with self._lock:
            self._current()
            return self._info

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = self._info = None

    # -- vocabulary -----------------------------------------------------------
    def _known(self, searcher, word: str) -> bool:
        """Short words, numbers and very long strings are never "corrected"."""
        if len(word) < 4 or len(word) > MAX_CORRECTABLE or not word.isalpha():
            return True
        return searcher.reader().doc_frequency("text", stem_word(word)) > 0

    def _correct(self, searcher, word: str) -> str | None:
        """The closest word in the index's vocabulary, preferring common words.

        Most typos are one edit away, so that is tried first (with the first
        letter right, then without); two edits only for longer words, keeping
        their first two letters, because a wider search of a large vocabulary
        costs tens of milliseconds. Answers are remembered per index generation.
        """
        if word in self._corrections:
            return self._corrections[word]
        reader = searcher.reader()
        attempts = [(1, 1), (1, 0)] + ([(2, 2)] if len(word) >= 7 else [])
        best: tuple | None = None
        for maxdist, prefix in attempts:
            for candidate in reader.terms_within(SPELL_FIELD, word, maxdist, prefix=prefix):
                candidate = candidate.decode() if isinstance(candidate, bytes) else candidate
                frequency = reader.doc_frequency("text", stem_word(candidate))
                if frequency:
                    rank = (edit_distance(word, candidate), -frequency, candidate)
                    best = rank if best is None or rank < best else best
            if best:
                break
        if len(self._corrections) >= self.cache_size:
            self._corrections.clear()
        self._corrections[word] = best[2] if best else None
        return self._corrections[word]

    # -- searching ------------------------------------------------------------
    def understand(self, raw: object) -> Understanding:
        with self._lock:
            searcher = self._current()
            if searcher is None:
                return understand(raw, self.synonyms)
            return understand(raw, self.synonyms, lambda w: self._known(searcher, w),
                              lambda w: self._correct(searcher, w))

    def search(self, raw: object, *, kind: str | None = None, category: str | None = None,
               page: int = 1, per_page: int = PER_PAGE) -> SearchResults:
        """Search; never raises on anything a resident can type or put in a URL."""
        kind = kind if kind in KINDS else None
        category = category if isinstance(category, str) and 0 < len(category) <= 80 else None
        page = min(max(1, page if isinstance(page, int) else 1), MAX_PAGE)
        with self._lock:
            searcher = self._current()
            understanding = self.understand(raw)
            empty = SearchResults(understanding.text, understanding.truncated, (), 0, 1, per_page, kind, category,
                                  understanding.suggestion, ready=searcher is not None)
            if searcher is None or not understanding.concepts:
                return empty
            depth = page * per_page
            key = (understanding.key, kind, category, depth)
            cached = self._cache.get(key)
            if cached is None:
                cached = self._run(searcher, understanding, kind, category, depth)
                self._cache[key] = cached
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
            else:
                self._cache.move_to_end(key)
        total, at_least, hits = cached
        if not hits:
            return empty
        if (page - 1) * per_page >= len(hits):  # past the last page: show the last one
            page = max(1, math.ceil(len(hits) / per_page))
        shown = hits[(page - 1) * per_page: page * per_page]
        return SearchResults(understanding.text, understanding.truncated, tuple(shown), total, page, per_page,
                             kind, category, understanding.suggestion, at_least=at_least)

    def _run(self, searcher, understanding: Understanding, kind: str | None, category: str | None, depth: int):
        """(total, total is a lower bound?, hits down to ``depth``).

        Scored over the champion lists first (see champions.py). When every word
        is in CHAMPIONS documents or fewer, those lists are complete and the
        answer is exact. Otherwise, if they give at least ``depth`` results,
        those are the best ones and the total is a lower bound; if not, whoosh
        searches the full field (exact, and slower).
        """
        pairs = tuple((name, value) for name, value in (("kind", kind), ("category", category)) if value)
        concepts = scoring_groups(understanding)
        reader = searcher.reader()
        complete = all(reader.doc_frequency("text", term) <= CHAMPIONS for term in query_terms(understanding))
        matched, best = self._champions.search(concepts, depth, self._champions.allowed(pairs))
        if complete or len(best) >= depth:
            return matched, not complete, [self._hit(searcher.stored_fields(docnum), score) for score, docnum in best]
        query = to_whoosh(understanding)
        if query is None:
            return 0, False, []
        allow = wq.And([wq.Term(name, value) for name, value in pairs]) if pairs else None
        results = searcher.search(query, limit=depth, filter=allow)
        hits = [self._hit(hit.fields(), (hit.score or 0.0) * KIND_WEIGHTS.get(hit["kind"], 1.0)) for hit in results]
        return len(results), False, sorted(hits, key=lambda hit: -hit.score)

    @staticmethod
    def _hit(fields: dict, score: float | None) -> Hit:
        return Hit(fields["id"], fields["kind"], fields["title"], fields["url"], fields.get("summary", ""),
                   "" if fields["category"] == "-" else fields["category"], fields.get("category_title", ""),
                   bool(fields.get("council", True)), fields.get("organisation", ""), fields.get("phone", ""),
                   fields.get("emergency", ""), round(score or 0.0, 4))


def edit_distance(first: str, second: str) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count as one edit), for ranking corrections."""
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            cost = 0 if a == b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
