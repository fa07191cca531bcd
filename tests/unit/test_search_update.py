"""Updating the search index in place: only changed documents are rewritten, the old generation is never
touched, and the champion lists of the words touched are what a full build would give."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from townhall.search import SearchEngine, build_index, current_index
from townhall.search import index as search_index
from townhall.search import update as search_update
from townhall.search.documents import SearchDocument
from townhall.search.update import update_index

WORDS = ["bin", "council", "tax", "road", "pothole", "library", "school", "waste", "garden", "parking", "permit",
         "housing"] + [f"word{n}" for n in range(40)]


@pytest.fixture(autouse=True)
def few_champions(monkeypatch):
    """Five champions per word, so 60 documents exercise words above and below the limit."""
    monkeypatch.setattr(search_index, "CHAMPIONS", 5)
    monkeypatch.setattr(search_update, "CHAMPIONS", 5)


def document(number: int, extra: str = "", seed: int = 0) -> SearchDocument:
    pick = random.Random(number * 1000 + seed)
    body = " ".join(pick.choice(WORDS) for _ in range(pick.randint(5, 40)))
    return SearchDocument(id=f"service:page-{number}", kind="service", title=f"Page {number} {pick.choice(WORDS)}",
                          url=f"/services/page-{number}", body=f"{body} {extra}".strip())


def corpus() -> list[SearchDocument]:
    return [document(number) for number in range(60)]


def files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


def champion_scores(folder: Path) -> dict[str, list[float]]:
    """Each word's champions, as their BM25 term-frequency scores (ties may pick either document)."""
    ix = whoosh_index.open_dir(str(folder))
    found: dict[str, list[float]] = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        lengths = {number: fields["length"] for number, fields in reader.iter_docs() if "length" in fields}
        average = sum(lengths.values()) / len(lengths)
        for raw in reader.lexicon("champions"):
            term = raw.decode()
            weights = dict(search_update._postings(reader, "text", term, set()))
            scores = []
            for docnum in search_update._docnums(reader, "champions", term, set()):
                weight = weights[docnum]
                norm = search_index.BM25_K1 * (1 - search_index.BM25_B + search_index.BM25_B * lengths[docnum] / average)
                scores.append(round(weight * (search_index.BM25_K1 + 1) / (weight + norm), 6))
            found[term] = sorted(scores)
    return found


def test_an_update_matches_a_full_build_and_leaves_the_old_generation_alone(tmp_path):
    documents = corpus()
    root = tmp_path / "index"
    build_index(root, documents, "first")
    old = current_index(root)
    before = files(old.path)

    changed = list(documents)
    changed[3] = document(3, "bin bin bin bin bin council council pothole", seed=1)
    removed = changed.pop(7)
    changed.append(document(99, "zebra pothole pothole pothole"))
    report = update_index(root, changed, "second")

    assert not report.full_build and (report.changed, report.removed) == (2, 1)
    assert files(old.path) == before  # hard links: the old generation is exactly as it was
    new = current_index(root)
    assert new.fingerprint == "second" and new.path != old.path

    full = tmp_path / "full"
    build_index(full, changed, "second")
    assert champion_scores(new.path) == champion_scores(current_index(full).path)

    engine = SearchEngine(root)
    assert [hit.id for hit in engine.search("zebra").hits] == ["service:page-99"]
    assert removed.id not in {hit.id for hit in engine.search(removed.title).hits}
    assert engine.search("bin").total == SearchEngine(full).search("bin").total
    engine.close()


def test_updating_to_the_same_documents_changes_nothing(tmp_path):
    documents = corpus()
    build_index(tmp_path, documents, "first")
    report = update_index(tmp_path, documents, "first")
    assert (report.changed, report.removed, report.full_build) == (0, 0, False)


def test_many_changes_make_a_full_build(tmp_path):
    documents = corpus()
    build_index(tmp_path, documents, "first")
    report = update_index(tmp_path, [replace(d, summary="new words for every page") for d in documents], "second")
    assert report.full_build and current_index(tmp_path).fingerprint == "second"


def test_searches_keep_being_answered_while_an_update_is_written(tmp_path):
    documents = corpus()
    build_index(tmp_path, documents, "first")
    engine = SearchEngine(tmp_path)
    assert engine.search("pothole").hits
    update_index(tmp_path, [*documents, document(100, "giraffe")], "second")
    assert engine.search("pothole").hits  # the generation it holds is still readable
    engine.refresh()
    assert [hit.id for hit in engine.search("giraffe").hits] == ["service:page-100"]
    engine.close()


def test_the_update_can_run_in_a_worker_process(tmp_path, monkeypatch):
    from townhall.engines.search_index import IndexUpdater

    documents = corpus()
    build_index(tmp_path, documents, "first")
    updater = IndexUpdater(separate_process=True)
    try:
        report = updater.update(tmp_path, [*documents, document(101, "okapi")], "second")
    finally:
        updater.close()
    # (The worker process has its own CHAMPIONS, so this checks only that the update happened there.)
    assert report.changed == 1 and not report.full_build
    engine = SearchEngine(tmp_path)
    assert [hit.id for hit in engine.search("okapi").hits] == ["service:page-101"]
    engine.close()
