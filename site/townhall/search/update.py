"""Updating the index in place when a few documents change: an edited page is searchable in a second.

A full build analyses every document (1.3 s for the demo, minutes at 20,000
documents). When the content team edits one page, only its documents change:
`update_index` finds them by comparing each document's digest with the one the
index holds, and writes a new generation that differs only by them:

1. the current generation's files are hard-linked into a build folder (whoosh
   never rewrites a file once written, so the old generation is untouched and
   keeps answering searches meanwhile);
2. the changed and removed documents are deleted and the changed ones added
   again (whoosh deletes and adds single documents);
3. the champion lists (see index.py) of every word the old or new versions
   contain are put right: each such word's list is worked out again from its
   postings (all its documents when it has CHAMPIONS or fewer, else the best
   CHAMPIONS by the same BM25 formula), and every other document whose
   membership changed is indexed again with its corrected champion words;
4. the "did you mean" vocabulary gains the new words;
5. the generation is published like a full build (CURRENT replaced atomically).

When too much changed (more than `MAX_SHARE` of the documents), a full build is
quicker and is done instead. No Flask here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from .documents import SearchDocument
from .index import (
    BM25_B,
    BM25_K1,
    CHAMPION_FIELD,
    CHAMPIONS,
    KEEP_GENERATIONS,
    SCHEMA_VERSION,
    VOCABULARY_ID,
    WELSH_VOCABULARY,
    IndexInfo,
    _build,
    _fields,
    _folder,
    analyse_documents,
    current_index,
    document_digest,
    write_manifest,
)

MAX_SHARE = 0.2  # more changed documents than this share: rebuild everything instead
MIN_INCREMENTAL = 50  # ...unless there are at most this many


@dataclass(frozen=True)
class UpdateReport:
    info: IndexInfo
    changed: int  # documents added or changed
    removed: int
    reindexed: int  # unchanged documents indexed again because their champion words changed
    full_build: bool
    seconds: float


def update_index(root: Path | str, documents: Iterable[SearchDocument], fingerprint: str) -> UpdateReport:
    """Make the index match `documents`, changing only what differs (or rebuilding when that is quicker)."""
    started = time.perf_counter()
    folder = _folder(root)
    documents = list(documents)
    with folder.lock():
        info = current_index(root)
        if info is not None and info.fingerprint == fingerprint:
            return UpdateReport(info, 0, 0, 0, False, time.perf_counter() - started)
        plan = _plan(info, documents) if info is not None else None
        if plan is None:
            built = _build(folder, documents, fingerprint)
            return UpdateReport(built, len(documents), 0, 0, True, time.perf_counter() - started)
        changed, removed, lengths = plan
        if not changed and not removed:
            return UpdateReport(_republish(folder, info, fingerprint, started), 0, 0, 0, False,
                                time.perf_counter() - started)
        with folder.building() as temporary:
            for path in info.path.iterdir():
                if path.is_file():
                    os.link(path, temporary / path.name)
            reindexed = _apply(temporary, documents, changed, removed, lengths)
            write_manifest(temporary)  # the files changed: record them afresh, so the copy opens verified
            folder.publish(temporary, f"gen-{fingerprint}-{time.time_ns()}", keep=KEEP_GENERATIONS,
                           fingerprint=fingerprint, documents=len(documents), built_at=time.time(),
                           seconds=round(time.perf_counter() - started, 3), schema=SCHEMA_VERSION,
                           updated_from=info.generation)
    return UpdateReport(current_index(root), len(changed), len(removed), reindexed, False,  # type: ignore[arg-type]
                        time.perf_counter() - started)


def _republish(folder, info: IndexInfo, fingerprint: str, started: float) -> IndexInfo:
    """Nothing indexed changed (only what the fingerprint covers): name the same files afresh."""
    with folder.building() as temporary:
        for path in info.path.iterdir():
            if path.is_file():
                os.link(path, temporary / path.name)
        write_manifest(temporary)
        folder.publish(temporary, f"gen-{fingerprint}-{time.time_ns()}", keep=KEEP_GENERATIONS,
                       fingerprint=fingerprint, documents=info.documents, built_at=time.time(),
                       seconds=round(time.perf_counter() - started, 3), schema=SCHEMA_VERSION,
                       updated_from=info.generation)
    return current_index(folder.root)  # type: ignore[return-value]


def _plan(info: IndexInfo, documents: list[SearchDocument]
          ) -> tuple[list[SearchDocument], list[str], dict[int, int]] | None:
    """(documents to add or replace, ids to remove, each document number's length), or None when a full build
    is needed. The stored fields are read once, here (the build folder's copy has the same numbers)."""
    try:
        ix = whoosh_index.open_dir(str(info.path))
    except Exception:  # noqa: BLE001 - an unreadable index is simply rebuilt
        return None
    with ix.searcher() as searcher:
        if "digest" not in ix.schema:
            return None
        held, lengths = {}, {}
        for docnum, fields in searcher.reader().iter_docs():
            if not fields.get("id", "").startswith(VOCABULARY_ID):
                held[fields["id"]] = fields.get("digest")
                lengths[docnum] = fields.get("length") or 1
    by_id = {document.id: document for document in documents}
    if len(by_id) != len(documents):
        return None  # two documents share an id: let the full build say so
    changed = [document for document in documents if held.get(document.id) != document_digest(document)]
    removed = [ident for ident in held if ident not in by_id]
    if len(changed) + len(removed) > max(MIN_INCREMENTAL, MAX_SHARE * max(len(documents), 1)):
        return None
    # A page and its Welsh words-only document are analysed together (the second is padded to the first).
    ids = {document.id for document in changed}
    for document in documents:
        if document.words_only and (document.ref in ids or document.id in ids):
            ids.update((document.id, document.ref))
    return [document for document in documents if document.id in ids], removed, lengths


def _apply(folder: Path, documents: list[SearchDocument], changed: list[SearchDocument], removed: list[str],
           lengths: dict[int, int]) -> int:
    """Delete, re-add and put the champion lists right, in the index in `folder`. Returns documents re-indexed."""
    ix = whoosh_index.open_dir(str(folder))
    by_id = {document.id: document for document in documents}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        gone = {ident: searcher.document_number(id=ident) for ident in [*removed, *(d.id for d in changed)]}
        gone = {ident: number for ident, number in gone.items() if number is not None}
        touched: set[str] = set()
        for number in gone.values():
            touched.update((searcher.stored_fields(number).get("terms") or "").split())
        fields = [_fields(document) for document in changed]
        numbers = {document.id: number for number, document in enumerate(changed)}
        same_length_as = [numbers.get(document.ref) if document.words_only else None for document in changed]
        analysed = analyse_documents([f.pop("parts") for f in fields], [f["lang"] for f in fields], same_length_as)
        new_texts = [analysed.document(number)[0] for number in range(len(changed))]
        for text in new_texts:
            touched.update(term for term, _count, _weight in text)
        lengths = {docnum: length for docnum, length in lengths.items() if docnum not in gone.values()}
        decisions = _champion_decisions(reader, set(gone.values()), touched, new_texts, lengths)
        # New words go in a small extra vocabulary document: rewriting the whole vocabulary (every word
        # of the site) would cost more than the rest of the update. Words no page has any more stay, harmless:
        # "did you mean" only suggests words whose stem is in the index.
        vocabulary = {word for word in analysed.vocabulary if ("vocabulary", word) not in reader}
        welsh = {word for word in analysed.welsh_vocabulary if (WELSH_VOCABULARY, word) not in reader}
        redo_fields = []
        for number in _documents_to_reindex(decisions, set(gone.values())):
            document = by_id.get(searcher.stored_fields(number).get("id"))
            if document is not None:
                outside = set((searcher.stored_fields(number).get("outside") or "").split())
                redo_fields.append((document, *_reanalysed(document, by_id, decisions, number, outside)))
    writer = ix.writer(limitmb=128)
    try:
        for ident in {*removed, *(d.id for d in changed), *(d.id for d, _f, _t, _c in redo_fields)}:
            writer.delete_by_term("id", ident)
        for number, document in enumerate(changed):
            text = new_texts[number]
            chosen = decisions.new_champions[number]
            document_fields = fields[number]
            document_fields["digest"] = document_digest(document)
            writer.add_document(**document_fields, text=text, champions=[(t, w) for t, _c, w in text if t in chosen],
                                terms=" ".join(term for term, _c, _w in text), length=sum(c for _t, c, _w in text),
                                outside=" ".join(term for term, _c, _w in text if term not in chosen))
        for _document, document_fields, text, chosen in redo_fields:
            writer.add_document(**document_fields, text=text, champions=[(t, w) for t, _c, w in text if t in chosen],
                                terms=" ".join(term for term, _c, _w in text), length=sum(c for _t, c, _w in text),
                                outside=" ".join(term for term, _c, _w in text if term not in chosen))
        if vocabulary or welsh:
            ident = f"{VOCABULARY_ID}:{time.time_ns()}"
            writer.add_document(id=ident, kind="-", category="-", lang="-", ref=ident,
                                vocabulary=" ".join(sorted(vocabulary)), vocabulary_cy=" ".join(sorted(welsh)))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return len(redo_fields)


@dataclass
class _Decisions:
    """For each word touched: which remaining documents should (not) hold it in their champion field."""

    add: dict[int, set[str]]  # docnum -> words to add to its champions
    drop: dict[int, set[str]]  # docnum -> words to remove
    new_champions: list[set[str]]  # per changed document: the words it is a champion for
    common: dict[str, frozenset[int]]  # word -> its current champions (for words with more than CHAMPIONS documents)


def _champion_decisions(reader, deleted: set[int], touched: set[str], new_texts: list[list[tuple[str, int, float]]],
                        lengths: dict[int, int]) -> _Decisions:
    """``lengths``: every remaining document's length (words), for BM25 as the full build computes it.

    A common word's postings are scored with numpy: a word in most of 2,000 documents takes a millisecond.
    """
    new_lengths = [sum(count for _term, count, _weight in text) or 1 for text in new_texts]
    average = (sum(lengths.values()) + sum(new_lengths)) / max(1, len(lengths) + len(new_lengths))
    new_weights: dict[str, list[tuple[int, float, int]]] = {}  # word -> (changed doc number, weight, length)
    for number, text in enumerate(new_texts):
        length = new_lengths[number]
        for term, _count, weight in text:
            new_weights.setdefault(term, []).append((number, weight, length))
    alive = _alive(reader, deleted)
    length_of = np.ones(len(alive), dtype=np.float64)
    for docnum, length in lengths.items():
        length_of[docnum] = length
    add: dict[int, set[str]] = {}
    drop: dict[int, set[str]] = {}
    new_champions = [set() for _ in new_texts]
    common: dict[str, frozenset[int]] = {}
    for term in touched:
        held = reader.doc_frequency("text", term) if (("text", term) in reader) else 0
        newcomers = new_weights.get(term, [])
        if held + len(newcomers) <= CHAMPIONS:
            # Every document with the word holds it (as a full build does): nothing else to put right.
            for number, _weight, _length in newcomers:
                new_champions[number].add(term)
            continue
        ids, weights = _posting_arrays(reader, "text", term, alive)
        current_ids, _ = _posting_arrays(reader, CHAMPION_FIELD, term, alive)
        current = frozenset(current_ids.tolist())
        common[term] = current
        if len(ids) + len(newcomers) <= CHAMPIONS:
            chosen_old = set(ids.tolist())
            chosen_new = {number for number, _w, _l in newcomers}
        else:
            chosen_old, chosen_new = _best(ids, weights, length_of[ids], np.isin(ids, current_ids), newcomers, average)
        for docnum in chosen_old - current:
            add.setdefault(docnum, set()).add(term)
        for docnum in current - chosen_old:
            drop.setdefault(docnum, set()).add(term)
        for number in chosen_new:
            new_champions[number].add(term)
    return _Decisions(add, drop, new_champions, common)


def _best(ids: np.ndarray, weights: np.ndarray, lengths: np.ndarray, held: np.ndarray,
          newcomers: list[tuple[int, float, int]], average: float) -> tuple[set[int], set[int]]:
    """The CHAMPIONS best (remaining documents, changed documents) by BM25's term-frequency part.

    Ties (many documents hold a word once and are about as long) go to the documents already chosen, so an
    edit elsewhere never swaps equal documents in and out of the list.
    """
    new_weights = np.array([weight for _n, weight, _l in newcomers], dtype=np.float64)
    new_lengths = np.array([length for _n, _w, length in newcomers], dtype=np.float64)
    all_weights = np.concatenate([weights.astype(np.float64), new_weights])
    all_lengths = np.concatenate([lengths, new_lengths])
    scores = np.round(all_weights * (BM25_K1 + 1) / (
        all_weights + BM25_K1 * (1 - BM25_B + BM25_B * all_lengths / average)), 9)
    already = np.concatenate([held, np.zeros(len(newcomers), dtype=bool)])
    order = np.lexsort((~already, -scores))[:CHAMPIONS]
    old_count = len(ids)
    chosen_old = {int(ids[index]) for index in order if index < old_count}
    chosen_new = {newcomers[index - old_count][0] for index in order if index >= old_count}
    return chosen_old, chosen_new


def _alive(reader, deleted: set[int]) -> np.ndarray:
    """True for each document number still in the index and not being replaced now."""
    alive = np.ones(reader.doc_count_all(), dtype=bool)
    for leaf, offset in reader.leaf_readers():
        if leaf.has_deletions():
            alive[[offset + local for local in leaf.deleted_docs_set]] = False
    if deleted:
        alive[list(deleted)] = False
    return alive


def _posting_arrays(reader, field: str, term: str, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of a word's postings among the `alive` documents, a block at a time."""
    id_parts, weight_parts = [], []
    try:
        for leaf, offset in reader.leaf_readers():
            if (field, term) not in leaf:
                continue
            matcher = leaf._terms.matcher(field, leaf._text_to_bytes(field, term), leaf.schema[field].format)
            while not matcher._atend and matcher._i < matcher._blocklength:
                if matcher._ids is None:
                    matcher._read_ids()
                if matcher._weights is None:
                    matcher._read_weights()
                id_parts.append(np.asarray(matcher._ids, dtype=np.int64) + offset)
                weight_parts.append(np.asarray(matcher._weights, dtype=np.float64))
                matcher._next_block()
    except AttributeError:  # another whoosh: read it the slow, public way
        found = _postings(reader, field, term, set())
        id_parts = [np.fromiter(found.keys(), dtype=np.int64, count=len(found))]
        weight_parts = [np.fromiter(found.values(), dtype=np.float64, count=len(found))]
    if not id_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    ids, weights = np.concatenate(id_parts), np.concatenate(weight_parts)
    keep = alive[ids]
    return ids[keep], weights[keep]


def _postings(reader, field: str, term: str, deleted: set[int]) -> dict[int, float]:
    """{document number: weight} of a word's postings, without the documents in `deleted` (or deleted before).

    Read a block at a time from each segment (whoosh's own matchers cost microseconds per posting,
    and a common word has a posting in most documents); whoosh's matcher is the fallback.
    """
    found: dict[int, float] = {}
    try:
        for leaf, offset in reader.leaf_readers():
            if (field, term) not in leaf:
                continue
            matcher = leaf._terms.matcher(field, leaf._text_to_bytes(field, term), leaf.schema[field].format)
            gone = leaf.deleted_docs_set if leaf.has_deletions() else frozenset()
            while not matcher._atend and matcher._i < matcher._blocklength:
                if matcher._ids is None:
                    matcher._read_ids()
                if matcher._weights is None:
                    matcher._read_weights()
                for local, weight in zip(matcher._ids, matcher._weights, strict=False):
                    docnum = local + offset
                    if local not in gone and docnum not in deleted:
                        found[docnum] = weight
                matcher._next_block()
        return found
    except AttributeError:  # another whoosh: read it the slow, public way
        found.clear()
    if (field, term) not in reader:
        return found
    matcher = reader.postings(field, term)
    while matcher.is_active():
        docnum = matcher.id()
        if docnum not in deleted:
            found[docnum] = matcher.weight()
        matcher.next()
    return found


def _docnums(reader, field: str, term: str, deleted: set[int]) -> list[int]:
    return list(_postings(reader, field, term, deleted))


def _documents_to_reindex(decisions: _Decisions, deleted: set[int]) -> list[int]:
    return sorted((set(decisions.add) | set(decisions.drop)) - deleted)


def _reanalysed(document: SearchDocument, by_id: dict[str, SearchDocument], decisions: _Decisions,
                docnum: int, outside: set[str]) -> tuple[dict, list[tuple[str, int, float]], set[str]]:
    """(fields, text, champion words) to index an unchanged document again with its champion words corrected."""
    fields = _fields(document)
    parts = [fields.pop("parts")]
    languages = [fields["lang"]]
    same_length_as: list[int | None] = [None]
    page = by_id.get(document.ref) if document.words_only else None
    if page is not None:  # a words-only document is as long as its page: analyse them together
        page_fields = _fields(page)
        parts.append(page_fields["parts"])
        languages.append(page_fields["lang"])
        same_length_as = [1, None]
    text = analyse_documents(parts, languages, same_length_as).document(0)[0]
    chosen = {term for term, _count, _weight in text if term not in outside}  # as it is in the index now
    chosen |= decisions.add.get(docnum, set())
    chosen -= decisions.drop.get(docnum, set())
    fields["digest"] = document_digest(document)
    return fields, text, chosen


