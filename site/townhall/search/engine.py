"""The read-only searcher the web layer calls: `SearchEngine(folder, synonyms).search(...)`.

Opens whatever generation CURRENT names and notices (at most once a second)
when a newer one has been swapped in. A generation is opened only once its
files match its manifest, as a copy in memory (index.py, "Integrity"); one
found damaged (at opening, or on disk later) is never opened again: the engine
keeps serving what it has (or the previous generation), and asks for a new
build in the background (``repair``, given by whoever knows the documents). Results for the same meaning, filters
and depth are cached per generation, so paging through results or many
residents typing the same words cost one search. Searches from several
threads run at the same time: nothing is locked while a query is scored.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from whoosh import query as wq
from whoosh.scoring import BM25F

from . import welsh
from .champions import ChampionScorer, collapse
from .documents import KINDS, LANGUAGES
from .index import (
    ANALYZER,
    BM25_B,
    BM25_K1,
    CHAMPIONS,
    RANK_WEIGHTS,
    WELSH_VOCABULARY,
    IndexDamaged,
    IndexInfo,
    current_index,
    open_verified,
    previous_generations,
    quick_damage,
)
from .matching import Matching
from .query import (
    MAX_WORDS,
    Understanding,
    analysed,
    clean_query,
    is_stop_word,
    query_terms,
    query_words,
    scoring_groups,
    stem_word,
    to_whoosh,
    understand,
)
from .synonyms import Synonyms

log = logging.getLogger(__name__)

PER_PAGE = 10
MAX_PAGE = 50
CACHE_SIZE = 512
RECHECK_SECONDS = 1.0
RETIRE_SECONDS = 60.0  # a replaced generation is closed this long after, when no search can still be using it
NAMED_CANDIDATES = 30  # results looked at beyond the page, for pages the query names
WELSH_LETTERS = frozenset("âêîôûŵŷ")
SPELL_FIELD = "vocabulary"
MAX_CORRECTABLE = 20  # letters; longer "words" are pasted codes or noise
MIN_CORRECTION = 4  # letters: a shorter word has too many neighbours one slip away ("plot" is not "pot")


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
    lang: str = "en"  # the language of this version of the page
    ref: str = ""  # the page, whichever version this is
    address: str = ""


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
    language: str = "en"  # the language the query was taken to be in
    # Whether one of the first results is really about what was typed (matching.py). When it is not,
    # the page says so plainly before showing the closest pages.
    matched_well: bool = True

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.first + len(self.hits) - 1 if self.hits else 0


class _Generation:
    """One open index generation and everything worked out from it; shared by every thread.

    whoosh searchers are safe to read from several threads at once (the index
    is memory-mapped and never written once named). Only the caches change,
    each under its own small lock.
    """

    def __init__(self, info: IndexInfo, cache_size: int, site_words: tuple[str, ...] = ()):
        self.info = info
        self.searcher = open_verified(info.path).searcher(weighting=BM25F(B=BM25_B, K1=BM25_K1))
        self.reader = self.searcher.reader()
        self.champions = ChampionScorer(self.searcher)
        self.cache_size = cache_size
        self.lock = threading.Lock()  # for the caches below
        self.results: OrderedDict = OrderedDict()
        self.corrections: dict[tuple[str, str], str | None] = {}
        self.titles: dict[int, frozenset[str]] = {}
        # Translations: Welsh document -> English original, and back. Welsh words-only documents (search
        # words for a page written only in English) count as versions of the page but are never shown.
        self.original: dict[int, int] = {}
        self.translation: dict[int, int] = {}
        self.words_only: set[int] = set()
        for docnum in self.searcher.docs_for_query(wq.Term("lang", "cy")):
            fields = self.searcher.stored_fields(docnum)
            english = self.searcher.document_number(id=fields["ref"])
            if english is None:
                continue
            self.original[docnum] = english
            if fields.get("words_only"):
                self.words_only.add(docnum)
            else:
                self.translation[english] = docnum
        versions: dict[int, list[int]] = {}
        for translated, english in self.original.items():
            versions.setdefault(english, [english]).append(translated)
        every = {docnum: tuple(group) for group in versions.values() for docnum in group}
        self.matching = Matching(self.searcher, every, site_words, complete_lists=self._complete_list)
        self.facts: dict[int, tuple[bool, str, str]] = {}  # docnum -> (council's own, kind, language)

    def _complete_list(self, term: str):
        """A word's champion list when it is complete (the word is in CHAMPIONS documents or fewer)."""
        if self.reader.doc_frequency("text", term) > CHAMPIONS:
            return None
        ids, weights, _idf = self.champions.postings(term)
        return ids, weights

    def fact(self, docnum: int) -> tuple[bool, str, str]:
        """(the council's own page?, its kind, its language), read once."""
        with self.lock:
            found = self.facts.get(docnum)
        if found is None:
            fields = self.searcher.stored_fields(docnum)
            found = (bool(fields.get("council", True)), fields.get("kind", ""), fields.get("lang", "en"))
            with self.lock:
                self.facts[docnum] = found
        return found

    def cached(self, key):
        with self.lock:
            found = self.results.get(key)
            if found is not None:
                self.results.move_to_end(key)
            return found

    def remember(self, key, value) -> None:
        with self.lock:
            self.results[key] = value
            if len(self.results) > self.cache_size:
                self.results.popitem(last=False)

    def close(self) -> None:
        self.searcher.close()


class SearchEngine:
    """Searches the current index generation. Safe to share between threads: searches run at once."""

    def __init__(self, root: Path | str, synonyms: Synonyms | None = None, cache_size: int = CACHE_SIZE,
                 repair: Callable[[], object] | None = None, site_words: tuple[str, ...] = ()):
        """``site_words``: the words that name the site itself (the council's name in each language,
        "council"), which say nothing about what a resident is looking for (see matching.py)."""
        self.root = Path(root)
        self.synonyms = synonyms or Synonyms(key=stem_word)
        self.cache_size = cache_size
        self.repair = repair  # builds a whole index again (in the background) when one is found damaged
        self.site_words = tuple(site_words)
        self._open_lock = threading.Lock()  # only held while (re)opening a generation
        self._generation: _Generation | None = None
        self._retired: list[tuple[float, _Generation]] = []
        self._checked = 0.0
        self._damaged: set[str] = set()  # generations found damaged: never opened again
        self._repairing: threading.Thread | None = None

    # -- opening --------------------------------------------------------------
    def _current(self) -> _Generation | None:
        """The newest generation, reopened (at most once a second) when CURRENT names another.

        A search holds on to the generation it started with, so the old one is
        only closed a while after it was replaced.
        """
        generation = self._generation
        if generation is not None and time.monotonic() - self._checked < RECHECK_SECONDS:
            return generation
        with self._open_lock:
            now = time.monotonic()
            if self._generation is not None and now - self._checked < RECHECK_SECONDS:
                return self._generation
            self._checked = now
            info = current_index(self.root)
            if info is None:
                return self._generation  # keep serving what we have, if anything
            if info.generation in self._damaged:
                pass  # already known: the repair has been asked for
            elif self._generation is None or info.generation != self._generation.info.generation:
                fresh = self._open(info) or (self._fallback() if self._generation is None else None)
                if fresh is not None:
                    if self._generation is not None:
                        self._retired.append((now, self._generation))
                    self._generation = fresh
            elif (problem := quick_damage(info.path)) is not None:
                # What we serve is a checked copy in memory; the files on disk were damaged since.
                self._found_damaged(info.generation, problem)
            still = []
            for since, old in self._retired:
                if now - since > RETIRE_SECONDS:
                    old.close()
                else:
                    still.append((since, old))
            self._retired = still
            return self._generation

    def _open(self, info: IndexInfo) -> _Generation | None:
        try:
            return _Generation(info, self.cache_size, self.site_words)
        except IndexDamaged as error:
            self._found_damaged(info.generation, str(error))
            return None

    def _fallback(self) -> _Generation | None:
        """The newest previous generation that is whole, to serve while a new one is built."""
        for path in previous_generations(self.root):
            if path.name in self._damaged:
                continue
            info = IndexInfo(path, path.name, "", 0, path.stat().st_mtime, 0.0)
            opened = self._open(info)
            if opened is not None:
                log.warning("Serving the previous search index (%s) until a new one is built", path.name)
                return opened
        return None

    def _found_damaged(self, generation: str, problem: str) -> None:
        """Never open `generation` again, and have a whole index built in the background. Lock held."""
        self._damaged.add(generation)
        log.error("The search index is damaged (%s); building a new one", problem)
        if self.repair is None or (self._repairing is not None and self._repairing.is_alive()):
            return
        self._repairing = threading.Thread(target=self._run_repair, name="search-repair", daemon=True)
        self._repairing.start()

    def _run_repair(self) -> None:
        try:
            self.repair()  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - logged; search keeps serving what it has
            log.exception("The damaged search index could not be rebuilt. Run `flask search build`")
        with self._open_lock:
            self._checked = 0.0  # look at CURRENT again on the next search

    def problem(self) -> str | None:
        """Why search is not as it should be, for a readiness check (/readyz); None when all is well.

        Cheap: the generation in use, and a size check of the current one's files.
        """
        generation = self._current()
        info = current_index(self.root)
        if generation is None:
            return "there is no whole search index to serve"
        if info is None:
            return "the search index has no CURRENT generation"
        if info.generation in self._damaged or generation.info.generation != info.generation:
            return f"the current search index ({info.generation}) is damaged; serving {generation.info.generation}"
        return quick_damage(info.path)

    def wait_for_repair(self, timeout: float = 60.0) -> None:
        """For tests and the command line: wait until a repair started here has finished."""
        repairing = self._repairing
        if repairing is not None:
            repairing.join(timeout)

    def refresh(self) -> None:
        """Look for a new generation on the next search, without waiting for the usual second."""
        self._checked = 0.0

    @property
    def info(self) -> IndexInfo | None:
        generation = self._current()
        return generation.info if generation else None

    def has(self, document_id: str) -> bool:
        """Whether the current index holds a document with this id ("facility:brackenford-library")."""
        generation = self._current()
        return generation is not None and generation.searcher.document_number(id=document_id) is not None

    def close(self) -> None:
        with self._open_lock:
            for _since, old in self._retired:
                old.close()
            if self._generation is not None:
                self._generation.close()
            self._generation, self._retired = None, []

    # -- vocabulary -----------------------------------------------------------
    def _english_known(self, generation: _Generation, word: str) -> bool:
        return self.synonyms.knows(word) or generation.reader.doc_frequency("text", stem_word(word)) > 0

    @staticmethod
    def _welsh_known(generation: _Generation, word: str) -> bool:
        found = welsh.term(word)
        return found is not None and generation.reader.doc_frequency("text", found) > 0

    def _language(self, generation: _Generation, words: list[str], reader_language: str) -> str:
        """The language a query is in: the one more of its words are known only in; else the page's."""
        english = cymraeg = 0
        for word in words:
            if is_stop_word(word):
                continue
            in_english, in_welsh = self._english_known(generation, word), self._welsh_known(generation, word)
            if WELSH_LETTERS.intersection(word):
                in_english = False
            if in_welsh and not in_english:
                cymraeg += 1
            elif in_english and not in_welsh:
                english += 1
        if cymraeg != english:
            return "cy" if cymraeg > english else "en"
        return "cy" if reader_language == "cy" else "en"

    def _known(self, generation: _Generation, word: str) -> bool:
        """Short words, numbers and very long strings are never "corrected"; nor are words of either language."""
        if len(word) < 4 or len(word) > MAX_CORRECTABLE or not word.isalpha():
            return True
        return self._english_known(generation, word) or self._welsh_known(generation, word)

    def _correct(self, generation: _Generation, word: str, language: str) -> str | None:
        """The closest word in the query language's vocabulary, preferring common words.

        A Welsh query is only ever corrected to Welsh words (and an English one to
        English words), so "treth gyngor" never becomes "teeth gyngor". Most typos
        are one edit away, so that is tried first (with the first letter right,
        then without); two edits only for longer words, keeping their first two
        letters, because a wider search of a large vocabulary costs tens of
        milliseconds. Answers are remembered per index generation.
        """
        key = (language, word)
        with generation.lock:
            if key in generation.corrections:
                return generation.corrections[key]
        reader = generation.reader
        if language == "cy":
            field, typed, term_of = WELSH_VOCABULARY, welsh.fold(word), welsh.term
        else:
            field, typed, term_of = SPELL_FIELD, word, stem_word
        attempts = [(1, 1), (1, 0)] + ([(2, 2)] if len(typed) >= 7 else [])
        best: tuple | None = None

        def consider(candidates) -> None:
            nonlocal best
            for candidate in candidates:
                candidate = candidate.decode() if isinstance(candidate, bytes) else candidate
                if len(candidate) < MIN_CORRECTION:
                    continue
                found = term_of(candidate)
                frequency = reader.doc_frequency("text", found) if found else 0
                if frequency:
                    rank = (edit_distance(typed, candidate), -frequency, candidate)
                    best = rank if best is None or rank < best else best

        # Two letters swapped ("nosie") are one slip, but two edits to the automaton, which only
        # tries two edits for long words: look the swaps up directly.
        consider(swap for swap in _swaps(typed) if (field, swap) in reader)
        for maxdist, prefix in attempts:
            consider(reader.terms_within(field, typed, maxdist, prefix=prefix))
            if best:
                break
        with generation.lock:
            if len(generation.corrections) >= self.cache_size:
                generation.corrections.clear()
            generation.corrections[key] = best[2] if best else None
        return best[2] if best else None

    # -- searching ------------------------------------------------------------
    def understand(self, raw: object, lang: str = "en") -> Understanding:
        return self._understand(self._current(), raw, lang)

    def _understand(self, generation: _Generation | None, raw: object, lang: str,
                    correct: bool = True) -> Understanding:
        """What the query means; with ``correct=False``, the words exactly as typed (no "did you mean")."""
        if generation is None:
            return understand(raw, self.synonyms, language=lang)
        text, _cut = clean_query(raw)
        language = self._language(generation, [word for word, _ in query_words(text)][:MAX_WORDS], lang)
        if not correct:
            return understand(raw, self.synonyms, language=language)
        return understand(raw, self.synonyms, lambda w: self._known(generation, w),
                          lambda w: self._correct(generation, w, language), language)

    def search(self, raw: object, *, kind: str | None = None, category: str | None = None,
               page: int = 1, per_page: int = PER_PAGE, lang: str = "en") -> SearchResults:
        """Search; never raises on anything a resident can type or put in a URL.

        ``lang`` is the language of the page the resident searched from: results
        are shown in it where the page has that version (others are marked with
        their own language), and a query whose words could be either language is
        taken to be in it.
        """
        kind = kind if kind in KINDS else None
        category = category if isinstance(category, str) and 0 < len(category) <= 80 else None
        page = min(max(1, page if isinstance(page, int) else 1), MAX_PAGE)
        lang = lang if lang in LANGUAGES else "en"
        generation = self._current()
        understanding = self._understand(generation, raw, lang)
        depth = page * per_page
        ranked = None
        if generation is not None and understanding.concepts:
            ranked = self._ranked(generation, understanding, kind, category, depth, lang)
            if understanding.suggestion:
                # Suggest a spelling only when it finds a page about more of what was asked than the
                # words typed do, and that page matches well ("skip permit" finds permits; "skin
                # permit" finds nothing better; "burial slot" finds only booking slots at the tip).
                typed = self._understand(generation, raw, lang, correct=False)
                as_typed = self._ranked(generation, typed, kind, category, depth, lang)
                if ranked.found <= as_typed.found or not ranked.matched_well:
                    understanding, ranked = typed, as_typed
        if ranked is None or not ranked.hits:
            return SearchResults(understanding.text, understanding.truncated, (), 0, 1, per_page, kind, category,
                                 understanding.suggestion, ready=generation is not None,
                                 language=understanding.language, matched_well=False)
        hits = ranked.hits
        if (page - 1) * per_page >= len(hits):  # past the last page: show the last one
            page = max(1, math.ceil(len(hits) / per_page))
        shown = hits[(page - 1) * per_page: page * per_page]
        return SearchResults(understanding.text, understanding.truncated, tuple(shown), ranked.total, page, per_page,
                             kind, category, understanding.suggestion, at_least=ranked.at_least,
                             language=understanding.language, matched_well=ranked.matched_well)

    def _ranked(self, generation: _Generation, understanding: Understanding, kind: str | None,
                category: str | None, depth: int, lang: str) -> _Ranked:
        key = (understanding.key, kind, category, depth, lang)
        cached = generation.cached(key)
        if cached is None:
            cached = self._run(generation, understanding, kind, category, depth, lang)
            generation.remember(key, cached)
        return cached

    def _run(self, generation: _Generation, understanding: Understanding, kind: str | None,
             category: str | None, depth: int, lang: str):
        """(total, total is a lower bound?, hits down to ``depth``).

        Scored over the champion lists first (see champions.py). When every word
        is in CHAMPIONS documents or fewer, those lists are complete and the
        answer is exact. Otherwise, if they give at least ``depth`` results,
        those are the best ones and the total is a lower bound; if not, whoosh
        searches the full field (exact, and slower). Either way a page's
        versions (English and Welsh) count once, and pages named in full by the
        query come first (see `_named_first`).
        """
        pairs = tuple((name, value) for name, value in (("kind", kind), ("category", category)) if value)
        concepts = scoring_groups(understanding)
        reader = generation.reader
        wanted = depth + NAMED_CANDIDATES
        complete = all(reader.doc_frequency("text", term) <= CHAMPIONS for term in query_terms(understanding))
        champions = generation.champions
        matched, best = champions.search(concepts, wanted, champions.allowed(pairs), generation.original)
        at_least = not complete
        if not complete and len(best) < depth:
            query = to_whoosh(understanding)
            if query is None:
                return _Ranked(0, False, [], False, 0.0)
            allow = wq.And([wq.Term(name, value) for name, value in pairs]) if pairs else None
            results = generation.searcher.search(query, limit=wanted, filter=allow)
            scores = {hit.docnum: (hit.score or 0.0) * RANK_WEIGHTS.get(hit.get("rank", "-"), 1.0) for hit in results}
            _pages, best = collapse(scores, wanted, generation.original)
            matched, at_least = len(results), False
            if generation.original:
                docs = results.docs()
                matched -= sum(1 for welsh_doc, english in generation.original.items()
                               if welsh_doc in docs and english in docs)
        best = self._named_first(generation, understanding, best)[:depth]
        # Shown in Welsh on the Welsh site, or for a Welsh query, where the page has a Welsh version.
        shown = "cy" if "cy" in (lang, understanding.language) else "en"
        matched_well, found = generation.matching.judge(understanding, [docnum for _score, docnum in best])
        return _Ranked(matched, at_least, [self._hit(generation, docnum, score, shown) for score, docnum in best],
                       matched_well, found)

    def _named_first(self, generation: _Generation, understanding: Understanding,
                     best: list[tuple[float, int]]) -> list[tuple[float, int]]:
        """Pages whose whole title is in the query come first: a resident who names a place
        ("brackenford library opening times") or a page ("report a pothole") means that one.

        A title of one word only counts when it is the whole query, so "catchment area"
        does not put "Your area" first.

        Then the council's own pages whose title has every word typed ("council tax", "tax":
        "Pay your Council Tax"): when the words name a council service, residents on the
        council's site mean it before another organisation's page that uses the same words (the
        Valuation Office Agency, HMRC). Other organisations follow, labelled as not the council's.
        """
        typed = understanding.typed_terms()
        if not best or not typed:
            return best
        by_language = {
            "en": frozenset(term for concept in understanding.concepts if concept.alternatives
                            for term in analysed(concept.alternatives[0][0])),
            "cy": frozenset(term for concept in understanding.concepts for term in concept.welsh),
        }
        named, others = [], []
        for score, docnum in best:
            title = self._title_terms(generation, docnum)
            if title and title <= typed and (len(title) > 1 or title == typed):
                named.append((score, docnum))
            else:
                others.append((score, docnum))
        if named:
            lift = best[0][0]
            named = [(round(score + lift, 4), docnum) for score, docnum in named]
        return named + self._council_before_others(generation, others, by_language)

    def _council_before_others(self, generation: _Generation, ranked: list[tuple[float, int]],
                               by_language: dict[str, frozenset[str]]) -> list[tuple[float, int]]:
        """Other organisations' pages that rank above a council page named by the query move to just
        after it (the order among the council's own pages, and among the others, stays)."""
        last_named = -1
        for position, (_score, docnum) in enumerate(ranked):
            if self._names_a_council_page(generation, docnum, self._title_terms(generation, docnum), by_language):
                last_named = position
        if last_named < 0:
            return ranked
        head = ranked[:last_named + 1]
        council = [item for item in head if self._is_council(generation, item[1])]
        held = [item for item in head if not self._is_council(generation, item[1])]
        if not held:
            return ranked
        floor = council[-1][0]
        # Scores stay in order with the list: a held page scores just under the council page it follows.
        held = [(round(min(score, floor) - 0.0001 * (number + 1), 4), docnum)
                for number, (score, docnum) in enumerate(held)]
        return council + held + ranked[last_named + 1:]

    @staticmethod
    def _is_council(generation: _Generation, docnum: int) -> bool:
        return generation.fact(docnum)[0]

    @staticmethod
    def _names_a_council_page(generation: _Generation, docnum: int, title: frozenset[str],
                              by_language: dict[str, frozenset[str]]) -> bool:
        """Whether a page is the council's own and its title has every word typed (in its language)."""
        council, kind, lang = generation.fact(docnum)
        wanted = by_language.get(lang, frozenset())
        return bool(wanted) and council and kind != "organisation" and wanted <= title

    @staticmethod
    def _title_terms(generation: _Generation, docnum: int) -> frozenset[str]:
        with generation.lock:
            found = generation.titles.get(docnum)
        if found is None:
            fields = generation.searcher.stored_fields(docnum)
            title = fields.get("title", "")
            if fields.get("lang") == "cy":
                found = frozenset(welsh.terms(title))
            else:
                found = frozenset(token.text for token in ANALYZER(title))
            with generation.lock:
                generation.titles[docnum] = found
        return found

    def _hit(self, generation: _Generation, docnum: int, score: float, lang: str) -> Hit:
        """A result, in ``lang`` where the page has that version (whichever version matched)."""
        if docnum in generation.words_only:
            docnum = generation.original[docnum]
        elif lang == "cy" and docnum in generation.translation:
            docnum = generation.translation[docnum]
        elif lang == "en" and docnum in generation.original:
            docnum = generation.original[docnum]
        fields = generation.searcher.stored_fields(docnum)
        return Hit(fields["id"], fields["kind"], fields["title"], fields["url"], fields.get("summary", ""),
                   "" if fields["category"] == "-" else fields["category"], fields.get("category_title", ""),
                   bool(fields.get("council", True)), fields.get("organisation", ""), fields.get("phone", ""),
                   fields.get("emergency", ""), round(score or 0.0, 4), lang=fields.get("lang", "en"),
                   ref=fields.get("ref", fields["id"]), address=fields.get("address", ""))


@dataclass(frozen=True)
class _Ranked:
    """One ranking, as cached: results down to a depth, and how well the first of them match."""

    total: int
    at_least: bool
    hits: list[Hit]
    matched_well: bool  # one of the first results is about what was typed
    found: float  # the largest share of the query's ideas one of the first results has


def _swaps(word: str) -> set[str]:
    """The word with each pair of neighbouring letters swapped."""
    return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)} - {word}


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
