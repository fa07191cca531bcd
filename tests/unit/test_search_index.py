"""The index on disk: atomic generations, staleness, sharing between processes, and searching it."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from townhall.search import (
    SearchDocument,
    SearchEngine,
    build_index,
    current_index,
    ensure_index,
)
from townhall.search.index import CHAMPIONS, KEEP_GENERATIONS
from townhall.search.query import stem_word
from townhall.search.synonyms import parse_synonyms


def documents(extra: str = ""):
    return [
        SearchDocument("service:missed-bin", "service", "Report a missed bin", "/services/missed-bin",
                       summary="Tell us if we did not empty your bin.", keywords=("bin not emptied",),
                       body="We collect bins every week. " + extra, category="bins"),
        SearchDocument("service:council-tax", "service", "Pay your Council Tax", "/services/pay-council-tax",
                       summary="Pay online or by direct debit.", body="Council Tax pays for local services.",
                       category="council-tax"),
        SearchDocument("organisation:gas", "organisation", "National Gas Emergency Service", "/directory/gas",
                       summary="Gas leaks and the smell of gas.", keywords=("smell of gas", "gas leak"),
                       category="emergencies", council=False, organisation="National Gas Emergency Service",
                       phone="0800 111 999", emergency="999"),
        SearchDocument("page:contact-us", "page", "Contact us", "/contact-us",
                       body="Council offices are open Monday to Friday."),
    ]


@pytest.fixture()
def index(tmp_path):
    build_index(tmp_path, documents(), "one")
    return tmp_path


def test_build_writes_a_generation_and_points_current_at_it(index):
    info = current_index(index)
    assert info.documents == 4 and info.fingerprint == "one" and info.path.is_dir()
    assert json.loads((index / "CURRENT").read_text())["generation"] == info.generation
    assert not list(index.glob(".tmp-*")) and not list(index.glob(".CURRENT*"))


def test_rebuilds_swap_in_a_new_generation_and_keep_only_the_newest(index):
    first = current_index(index).generation
    for number in range(4):
        build_index(index, documents(f"build {number}"), f"fp{number}")
    generations = sorted(path.name for path in index.glob("gen-*"))
    assert len(generations) == KEEP_GENERATIONS and first not in generations
    assert current_index(index).generation in generations


def test_ensure_index_builds_only_when_missing_or_stale(tmp_path):
    calls = []

    def docs():
        calls.append(1)
        return documents()

    info, built = ensure_index(tmp_path, "a", docs)
    assert built and calls == [1]
    assert ensure_index(tmp_path, "a", docs) == (info, False) and calls == [1]
    _, built = ensure_index(tmp_path, "b", docs)
    assert built and calls == [1, 1]


def test_a_failed_build_leaves_the_current_index_alone(index):
    before = current_index(index)
    duplicate = documents() + [documents()[0]]
    with pytest.raises(ValueError, match="share the id"):
        build_index(index, duplicate, "broken")
    assert current_index(index) == before
    assert not list(index.glob(".tmp-*"))


def _ensure_in_process(folder, queue):
    info, built = ensure_index(folder, "shared", documents)
    queue.put((info.generation, built))


def test_several_processes_starting_at_once_build_once(tmp_path):
    queue = multiprocessing.get_context("fork").Queue()
    workers = [multiprocessing.get_context("fork").Process(target=_ensure_in_process, args=(tmp_path, queue))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    answers = [queue.get(timeout=5) for _ in workers]
    assert len({generation for generation, _ in answers}) == 1
    assert sum(built for _, built in answers) == 1


def test_searching_never_writes_to_the_index(index):
    info = current_index(index)
    before = {path.name: (path.stat().st_mtime_ns, path.stat().st_size) for path in info.path.iterdir()}
    engine = SearchEngine(index)
    for text in ("bin", "gas", "counsil tax", "x" * 10_000):
        engine.search(text)
    after = {path.name: (path.stat().st_mtime_ns, path.stat().st_size) for path in info.path.iterdir()}
    assert before == after


def test_results_say_whose_job_it_is_with_the_phone_number(index):
    results = SearchEngine(index).search("i smell gas")
    top = results.hits[0]
    assert top.id == "organisation:gas" and not top.council
    assert top.phone == "0800 111 999" and top.emergency == "999"
    assert SearchEngine(index).search("missed bin").hits[0].council


def test_did_you_mean_comes_from_the_index_vocabulary(index):
    results = SearchEngine(index).search("counsil tax")
    assert results.suggestion == "council tax"
    assert results.hits[0].id == "service:council-tax"
    assert SearchEngine(index).search("zzqqxx").suggestion is None


def test_filters_and_pagination(index):
    engine = SearchEngine(index)
    assert [hit.kind for hit in engine.search("council", kind="page").hits] == ["page"]
    assert [hit.id for hit in engine.search("bin", category="bins").hits] == ["service:missed-bin"]
    assert engine.search("bin", kind="nonsense").kind is None
    page = engine.search("council", per_page=1, page=2)
    assert page.page == 2 and page.total >= 2 and len(page.hits) == 1 and page.first == 2
    beyond = engine.search("council", per_page=1, page=999)
    assert beyond.page == beyond.pages


def test_engine_picks_up_a_new_generation(index, monkeypatch):
    import townhall.search.engine as engine_module

    monkeypatch.setattr(engine_module, "RECHECK_SECONDS", 0)
    engine = SearchEngine(index, parse_synonyms("", key=stem_word))
    assert engine.search("zebra").total == 0
    build_index(index, documents("zebra crossing"), "two")
    assert engine.search("zebra").total == 1


def test_no_index_yet_says_so(tmp_path):
    results = SearchEngine(tmp_path / "missing").search("bin")
    assert not results.ready and results.total == 0


def test_common_words_search_their_champions_and_say_at_least(tmp_path):
    many = [SearchDocument(f"page:{n}", "page", f"Page {n}", f"/p{n}", body="bin " * (1 + n % 5) + f"word{n}")
            for n in range(CHAMPIONS + 50)]
    build_index(tmp_path, many, "many")
    engine = SearchEngine(tmp_path)
    common = engine.search("bin")
    assert common.at_least and common.total >= 10 and len(common.hits) == 10
    rare = engine.search("word7")
    assert not rare.at_least and rare.total == 1
    assert os.path.isdir(current_index(tmp_path).path)
