"""The index on disk: its schema, and building it so readers never see half an index.

Layout of the index folder (``TOWNHALL_SEARCH_INDEX``)::

    CURRENT                 {"generation": "gen-...", "fingerprint": ..., ...}  (replaced atomically)
    gen-<fingerprint>-<n>/  a complete whoosh index, never written to once named
        MANIFEST.json       every file of the generation with its size and SHA-256, written by the build
    .lock                   held while building, so two workers never build at once

A build writes a new ``.building-*`` folder, renames it to its generation name and
only then replaces ``CURRENT`` (``os.replace``): the versioned folder of
``generations.py``, shared with the geodata. Readers open whatever
``CURRENT`` names, so several gunicorn workers share one index and pick up a
new one on their next search. The previous generation is kept for readers
still using it; older ones are removed.

Integrity: a generation is only ever opened after every file has been checked
against its manifest (``open_verified``), and it is opened as a copy in memory,
not memory-mapped. A file truncated or overwritten on disk while the site runs
(a full disk, a careless copy) once crashed every worker with SIGBUS from the
mmap and left every search a 500, while ``search status`` said "up to date".
Now the copy being served cannot change under a search, a damaged generation
is noticed (``damage``: a full check for the command line and at start-up,
``quick_damage``: sizes only, for the running site every few seconds), and the
site falls back to the previous generation while it builds a new one
(engine.py, engines/search_index.py). The copy costs each worker the index's
size in memory (about 2 MB for the demo) and one read and hash of it per new
generation: a fair price for never crashing. (whoosh can also be told not to
memory-map, but then its threads share one file position per file: unsafe
with gthread's threads searching at once.)

Boosts: a resident's words matter most in a title, then in the keywords, the
summary and the body. All four are indexed into one positional field
(``text``) with each word weighted by where it came from, so a query term is
one posting list rather than four: the speed of one field with the ranking of
four.

Speed at scale: whoosh scores in Python, so a query for common words ("bin",
"council") would score most of the index. Each word's best documents (its
"champions": the CHAMPIONS documents where it weighs most, by the same BM25
formula) are indexed again in a small field, ``champions``, and queries are
scored there first (see champions.py, with the full field's statistics, so
scores are the same). Only when that finds too few results does whoosh search
the full field.
A word found in CHAMPIONS documents or fewer keeps all of them, so for a
corpus the size of the demo both fields hold the same postings.

Languages: each document says which language it is written in (``lang``) and
which page it is a version of (``ref``). English text is stemmed (Porter);
Welsh text gets Welsh terms (welsh.py: no English stemming, mutations and
plurals folded, every term starting with "~"), so both share the one field
without matching each other. ``vocabulary`` holds the English words as
written, ``vocabulary_cy`` the Welsh ones, for "did you mean" in each language.
A page written only in English can still be found with Welsh words (the
content team's ``keywords_cy``): they are indexed as a Welsh "words only"
document for that page (``words_only``), which ranks like a Welsh version but
whose results show the English page.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import shutil
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.lang.porter import stem
from whoosh.system import pack_uint
from whoosh.util.text import utf8encode

from ..generations import VersionedFolder
from . import welsh
from .documents import SearchDocument

SCHEMA_VERSION = 13
CHAMPIONS = 300  # documents kept per word in the champions field
CHAMPION_FIELD = "champions"
BM25_B, BM25_K1 = 0.75, 1.2
VOCABULARY_ID = "__vocabulary__"
PAD_TERM = "~~length"  # pads a words-only document to its page's length; queries never contain "~~"
WELSH_VOCABULARY = "vocabulary_cy"
# How much a word counts, by where it appears.
WEIGHTS = {"title": 6.0, "keywords": 4.0, "summary": 2.0, "body": 1.0}
KEEP_GENERATIONS = 2
# Facilities and wards are many short, similar records ("Ashcombe Recycling Centre", "Oakhurst Recycling
# Centre"...): they count a little less, so one of them does not push the service page that explains it (or
# the page that finds the one for your postcode) out of sight. Documents say so with `listed`.
RANK_WEIGHTS = {"listed": 0.6}

ANALYZER = StemmingAnalyzer(minsize=2, cachesize=-1)


class WeightedText(TEXT):
    """The searchable text of a document, already analysed: (term, count, weight) triples.

    A word's weight is the sum of the weights of the parts (title, keywords,
    summary, body) it appears in; see `analyse_documents`. No positions: a
    phrase matches when all its words are there (title-weighted ranking does
    the rest), which keeps the index small and quick to build.
    """

    def __init__(self) -> None:
        super().__init__(analyzer=ANALYZER, phrase=False)

    def index(self, value, **kwargs):  # type: ignore[override]
        for term, count, weight in value:
            yield utf8encode(term)[0], count, weight, pack_uint(count)


class ChampionTerms(TEXT):
    """Already-analysed (term, weight) pairs: the words this document is a champion for."""

    def __init__(self) -> None:
        super().__init__(analyzer=ANALYZER, phrase=False)

    def index(self, value, **kwargs):  # type: ignore[override]
        for term, weight in value:
            yield utf8encode(term)[0], 1, weight, pack_uint(1)


def schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        category=ID(stored=True),
        lang=ID(stored=True),  # the language the document is written in: "en" or "cy"
        ref=ID(stored=True),  # the page it is a version of: the same for a page's English and Welsh versions
        rank=ID(stored=True),  # "listed" for one of many similar records (see RANK_WEIGHTS), else "-"
        text=WeightedText(),
        champions=ChampionTerms(),
        # Every word as written, held by one extra document: "did you mean" suggests only words the
        # index really has. (One document rather than whoosh's per-document spelling postings,
        # which made a 20,000-document build take minutes.)
        vocabulary=KEYWORD(scorable=False),
        vocabulary_cy=KEYWORD(scorable=False),  # Welsh words, folded: Welsh queries are corrected from these only
        # Shown in results, never searched.
        title=STORED(), url=STORED(), summary=STORED(), category_title=STORED(), council=STORED(),
        organisation=STORED(), phone=STORED(), emergency=STORED(), address=STORED(),
        words_only=STORED(),  # True: only search words for the page `ref`; results show that page instead
        # For updating one document in place (update.py): a hash of what the document was made from, and
        # its analysed terms (to put right the champion lists of words it no longer has).
        # `outside`: the words of `terms` this document is NOT a champion for (few: only common words).
        digest=STORED(), terms=STORED(), length=STORED(), outside=STORED(),
    )


def document_digest(document: SearchDocument) -> str:
    """Changes whenever anything indexed or shown about the document changes."""
    fields = _fields(document)
    fields.pop("digest", None)
    return hashlib.sha256(repr(sorted(fields.items())).encode()).hexdigest()[:20]


def _fields(document: SearchDocument) -> dict:
    parts = [
        (document.title, WEIGHTS["title"]),
        (" . ".join(document.keywords), WEIGHTS["keywords"]),
        (document.summary, WEIGHTS["summary"]),
        (document.body, WEIGHTS["body"]),
    ]
    return {
        "id": document.id, "kind": document.kind, "category": document.category or "-",
        "lang": document.lang, "ref": document.ref or document.id, "rank": "listed" if document.listed else "-",
        "parts": [(text, weight) for text, weight in parts if text],
        "title": document.title, "url": document.url, "summary": document.summary,
        "category_title": document.category_title, "council": document.council,
        "organisation": document.organisation, "phone": document.phone, "emergency": document.emergency,
        "address": document.address, "words_only": document.words_only,
        "digest": "",
    }


# --- analysis and champions -------------------------------------------------------


@dataclass
class AnalysedDocuments:
    """Every document's words, analysed once, compactly: the index and the champion lists both use it."""

    terms: list[str]  # term id -> stemmed term
    doc_terms: list[array]  # per document: term ids
    doc_counts: list[array]  # per document: how many times each term occurs
    doc_weights: list[array]  # per document: each term's weight (summed over the parts it is in)
    champions: set[tuple[int, int]]  # (term id, document number) pairs kept in the champion lists
    frequency: array  # term id -> number of documents
    vocabulary: set[str]  # every English word as written
    welsh_vocabulary: set[str]  # every Welsh word, folded

    def document(self, number: int) -> tuple[list[tuple[str, int, float]], list[tuple[str, float]]]:
        """(text triples, champion pairs) for one document."""
        terms, frequency, chosen = self.terms, self.frequency, self.champions
        text, champions = [], []
        for ident, count, weight in zip(self.doc_terms[number], self.doc_counts[number], self.doc_weights[number], strict=True):
            text.append((terms[ident], count, float(weight)))
            if frequency[ident] <= CHAMPIONS or (ident, number) in chosen:
                champions.append((terms[ident], float(weight)))
        return text, champions


def _english_terms(text: str, stems: dict[str, str], vocabulary: set[str]) -> Iterator[str]:
    for token in ANALYZER(text, no_morph=True):
        word = token.text
        root = stems.get(word)
        if root is None:
            root = stems[word] = stem(word)
            vocabulary.add(word)
        yield root


def _welsh_terms(text: str, vocabulary: set[str]) -> Iterator[str]:
    for found, word in welsh.tokens(text):
        vocabulary.add(word)
        yield found


def analyse_documents(texts: list[list[tuple[str, float]]], languages: list[str] | None = None,
                      same_length_as: list[int | None] | None = None) -> AnalysedDocuments:
    """Analyse each document's weighted parts once, and choose each common word's champions.

    English documents get English stems; Welsh ones ("cy") Welsh terms (see welsh.py).
    ``same_length_as`` gives, for a words-only document, the number of the document it stands
    for: it is made as long as that one (with PAD_TERM, which no query can contain), so its few
    words rank like keywords of that page rather than like a tiny page where every word is rare.
    """
    term_ids: dict[str, int] = {}
    terms: list[str] = []
    stems: dict[str, str] = {}
    vocabulary: set[str] = set()
    welsh_vocabulary: set[str] = set()
    doc_terms, doc_counts, doc_weights = [], [], []
    lengths = array("I")
    for number, parts in enumerate(texts):
        is_welsh = bool(languages) and languages[number] == "cy"
        counts: dict[int, int] = {}
        weights: dict[int, float] = {}
        for text, weight in parts:
            found = _welsh_terms(text, welsh_vocabulary) if is_welsh else _english_terms(text, stems, vocabulary)
            for root in found:
                ident = term_ids.get(root)
                if ident is None:
                    ident = term_ids[root] = len(terms)
                    terms.append(root)
                counts[ident] = counts.get(ident, 0) + 1
                weights[ident] = weights.get(ident, 0.0) + weight
        doc_terms.append(array("I", counts.keys()))
        doc_counts.append(array("I", counts.values()))
        doc_weights.append(array("f", weights.values()))
        lengths.append(sum(counts.values()))
    for number, target in enumerate(same_length_as or ()):
        missing = lengths[target] - lengths[number] if target is not None else 0
        if missing > 0:
            ident = term_ids.get(PAD_TERM)
            if ident is None:
                ident = term_ids[PAD_TERM] = len(terms)
                terms.append(PAD_TERM)
            doc_terms[number].append(ident)
            doc_counts[number].append(missing)
            doc_weights[number].append(float(missing))
            lengths[number] += missing
    frequency = array("I", bytes(4 * len(terms)))
    for ids in doc_terms:
        for ident in ids:
            frequency[ident] += 1
    average = (sum(lengths) / len(lengths)) if lengths else 1.0
    heaps: dict[int, list[tuple[float, int]]] = {}
    for number, (ids, weights) in enumerate(zip(doc_terms, doc_weights, strict=True)):
        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths[number] / average)
        for ident, weight in zip(ids, weights, strict=True):
            if frequency[ident] <= CHAMPIONS:
                continue
            score = weight * (BM25_K1 + 1) / (weight + norm)  # BM25's term-frequency part: idf is the same
            heap = heaps.setdefault(ident, [])
            if len(heap) < CHAMPIONS:
                heapq.heappush(heap, (score, number))
            elif score > heap[0][0]:
                heapq.heapreplace(heap, (score, number))
    chosen = {(ident, number) for ident, heap in heaps.items() for _score, number in heap}
    return AnalysedDocuments(terms, doc_terms, doc_counts, doc_weights, chosen, frequency, vocabulary,
                             welsh_vocabulary)


# --- generations ----------------------------------------------------------------


@dataclass(frozen=True)
class IndexInfo:
    """What CURRENT says: which generation to open, and what it was built from."""

    path: Path  # the generation folder
    generation: str
    fingerprint: str
    documents: int
    built_at: float
    seconds: float  # how long the build took


def index_fingerprint(content_fingerprint: str, *others: str) -> str:
    """What an index is built from: the content, any other sources, and this schema."""
    digest = hashlib.sha256(f"schema:{SCHEMA_VERSION}".encode())
    for part in (content_fingerprint, *others):
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()[:16]


MANIFEST = "MANIFEST.json"


class IndexDamaged(Exception):
    """A generation's files do not match its manifest (or it has none): it must not be opened."""


def write_manifest(folder: Path) -> None:
    """Record every file of a finished generation with its size and SHA-256 (before it is published)."""
    files = {}
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name != MANIFEST:
            data = path.read_bytes()
            files[path.name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    temporary = folder / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps({"files": files}, indent=1), encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)


def _manifest(path: Path) -> dict[str, dict]:
    try:
        files = json.loads((path / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise IndexDamaged(f"{path.name} has no readable manifest ({type(error).__name__})") from None
    if not isinstance(files, dict) or not files:
        raise IndexDamaged(f"{path.name}'s manifest lists no files")
    return files


def _checked_bytes(path: Path, name: str, expected: dict) -> bytes:
    try:
        data = (path / name).read_bytes()
    except OSError as error:
        raise IndexDamaged(f"{path.name}/{name} cannot be read ({error.strerror or error})") from None
    if len(data) != expected.get("size") or hashlib.sha256(data).hexdigest() != expected.get("sha256"):
        raise IndexDamaged(f"{path.name}/{name} is damaged: {len(data)} bytes, {expected.get('size')} expected "
                           "or a different checksum")
    return data


def damage(path: Path) -> str | None:
    """What is wrong with a generation (every file read and checked), or None when it is whole."""
    try:
        for name, expected in _manifest(path).items():
            _checked_bytes(path, name, expected)
    except IndexDamaged as error:
        return str(error)
    return None


def quick_damage(path: Path) -> str | None:
    """Like `damage`, but sizes only: cheap enough for the running site to ask every few seconds."""
    try:
        for name, expected in _manifest(path).items():
            size = (path / name).stat().st_size
            if size != expected.get("size"):
                return f"{path.name}/{name} is {size} bytes, {expected.get('size')} expected"
    except IndexDamaged as error:
        return str(error)
    except OSError as error:
        return f"{path.name}: {error.strerror or error}"
    return None


def open_verified(path: Path):
    """Open a generation as a checked copy in memory; IndexDamaged when any file differs from its manifest.

    In memory rather than memory-mapped: a file changed on disk later can
    neither crash the process (SIGBUS) nor change what a search reads.
    """
    storage = RamStorage()
    for name, expected in _manifest(path).items():
        data = _checked_bytes(path, name, expected)
        handle = storage.create_file(name)
        handle.write(data)
        handle.close()
    return storage.open_index()


def _folder(root: Path | str) -> VersionedFolder:
    return VersionedFolder(root, prefix="gen-")


def previous_generations(root: Path | str) -> list[Path]:
    """Other whole-looking generations kept beside the current one, newest first (to fall back on)."""
    folder = _folder(root)
    current = folder.stamp()
    found = [path for path in folder.root.glob("gen-*") if path.is_dir() and path.name != current]
    return sorted(found, key=lambda path: path.stat().st_mtime, reverse=True)


def current_index(root: Path | str) -> IndexInfo | None:
    """The generation CURRENT names, or None when there is no usable index."""
    folder = _folder(root)
    record = folder.pointer()
    if record is None:
        return None
    try:
        return IndexInfo(folder.root / record["generation"], record["generation"], record["fingerprint"],
                         int(record["documents"]), float(record["built_at"]), float(record.get("seconds", 0)))
    except (ValueError, KeyError, TypeError):
        return None


def build_index(root: Path | str, documents: Iterable[SearchDocument], fingerprint: str) -> IndexInfo:
    """Build a complete index from the documents and make it the current one."""
    folder = _folder(root)
    with folder.lock():
        return _build(folder, documents, fingerprint)


def ensure_index(root: Path | str, fingerprint: str, documents: Callable[[], Iterable[SearchDocument]],
                 seed: Path | str | None = None) -> tuple[IndexInfo, bool]:
    """Build the index if it is missing, damaged or was built from other content: (info, built?).

    ``documents`` is only called when a build is needed. Safe to call from
    several processes at once: the first builds, the others wait and reuse it.
    When ``seed`` (another index folder, built ahead of time) holds an index of
    exactly this content, it is copied in instead of building.
    """
    info = current_index(root)
    if info and info.fingerprint == fingerprint and damage(info.path) is None:
        return info, False
    folder = _folder(root)
    with folder.lock():
        info = current_index(root)  # another worker may have built it while we waited
        if info and info.fingerprint == fingerprint and damage(info.path) is None:
            return info, False
        seeded = current_index(seed) if seed else None
        if seeded is not None and seeded.fingerprint == fingerprint and damage(seeded.path) is None:
            return _copy(folder, seeded), False
        return _build(folder, documents(), fingerprint), True


def _copy(folder: VersionedFolder, source: IndexInfo) -> IndexInfo:
    """Publish a copy of another folder's generation (an index is never written to once built)."""
    with folder.building() as temporary:
        for path in source.path.iterdir():
            if path.is_file():
                shutil.copy2(path, temporary / path.name)
        name = source.generation
        if (folder.root / name).exists():  # a damaged copy of it is being replaced: the new one needs its own name
            name = f"gen-{source.fingerprint}-{time.time_ns()}"
        folder.publish(temporary, name, keep=KEEP_GENERATIONS, fingerprint=source.fingerprint,
                       documents=source.documents, built_at=source.built_at, seconds=source.seconds,
                       schema=SCHEMA_VERSION, copied=True)
    return current_index(folder.root)  # type: ignore[return-value]


def _build(folder: VersionedFolder, documents: Iterable[SearchDocument], fingerprint: str) -> IndexInfo:
    started = time.perf_counter()
    with folder.building() as temporary:
        ix = whoosh_index.create_in(str(temporary), schema())
        documents = list(documents)
        ids = [document.id for document in documents]
        if len(set(ids)) != len(ids):
            duplicate = next(i for i in ids if ids.count(i) > 1)
            raise ValueError(f"two search documents share the id {duplicate!r}")
        fields = [_fields(document) for document in documents]
        for document_fields, document in zip(fields, documents, strict=True):
            document_fields["digest"] = document_digest(document)
        numbers = {document.id: number for number, document in enumerate(documents)}
        same_length_as = [numbers.get(document.ref) if document.words_only else None for document in documents]
        analysed = analyse_documents([f.pop("parts") for f in fields], [f["lang"] for f in fields], same_length_as)
        writer = ix.writer(limitmb=256)
        for number, document_fields in enumerate(fields):
            text, champions = analysed.document(number)
            chosen = {term for term, _weight in champions}
            writer.add_document(**document_fields, text=text, champions=champions,
                                terms=" ".join(term for term, _count, _weight in text),
                                length=sum(count for _term, count, _weight in text),
                                outside=" ".join(term for term, _count, _weight in text if term not in chosen))
        writer.add_document(id=VOCABULARY_ID, kind="-", category="-", lang="-", ref=VOCABULARY_ID,
                            vocabulary=" ".join(sorted(analysed.vocabulary)),
                            vocabulary_cy=" ".join(sorted(analysed.welsh_vocabulary)))
        writer.commit(optimize=True)
        write_manifest(temporary)
        folder.publish(temporary, f"gen-{fingerprint}-{time.time_ns()}", keep=KEEP_GENERATIONS,
                       fingerprint=fingerprint, documents=len(fields), built_at=time.time(),
                       seconds=round(time.perf_counter() - started, 3), schema=SCHEMA_VERSION)
    return current_index(folder.root)  # type: ignore[return-value]
