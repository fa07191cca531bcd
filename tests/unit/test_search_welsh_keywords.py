"""Welsh search words (`keywords_cy`) for pages and directory entries written only in English:
checked like other fields, and indexed as Welsh so a Welsh search finds the English page."""

from __future__ import annotations

from pathlib import Path

import pytest

from townhall.content import load_site
from townhall.search import SearchEngine, build_index
from townhall.search.documents import site_documents, welsh_words
from townhall.search.query import stem_word
from townhall.search.synonyms import load_synonyms

CONTENT = Path(__file__).resolve().parents[2] / "content"


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def site():
    loaded = load_site(CONTENT)
    assert not loaded.problems
    return loaded


@pytest.fixture(scope="module")
def engine(site, tmp_path_factory):
    folder = tmp_path_factory.mktemp("welsh-keywords-index")
    build_index(folder, site_documents(site), "welsh-keywords")
    return SearchEngine(folder, load_synonyms(CONTENT / "search" / "synonyms.txt", key=stem_word))


def test_keywords_cy_are_read_from_service_pages_and_directory_entries(site):
    assert "cofrestru genedigaeth" in site.services["register-a-birth"].keywords_cy
    assert "toriad pŵer" in site.directory.organisations["power-cut-105"].keywords_cy
    assert site.services["report-a-pothole"].keywords_cy == ()


def test_mistakes_in_keywords_cy_are_explained_by_file_and_field(content_copy):
    replace_in(content_copy / "services" / "register-a-birth.md", "keywords_cy: [",
               "keywords_cy: ['1234', " + "'" + "gair " * 20 + "', ")
    replace_in(content_copy / "directory" / "power-cut-105.md", "keywords_cy: [toriad pŵer, ",
               "keywords_cy: [{toriad: pŵer}, ")
    site = load_site(content_copy)
    messages = {(p.path, p.field): p.message for p in site.problems}
    birth = messages[("services/register-a-birth.md", "keywords_cy")]
    assert "has no words" in birth or "characters long" in birth
    assert sum(1 for p in site.problems if p.path == "services/register-a-birth.md") == 2
    assert "list of words" in messages[("directory/power-cut-105.md", "keywords_cy")]


def test_a_welsh_version_may_not_have_its_own_keywords_cy(content_copy):
    replace_in(content_copy / "services" / "report-a-pothole.cy.md", "keywords:", "keywords_cy: [twll]\nkeywords:")
    site = load_site(content_copy)
    assert any(p.path == "services/report-a-pothole.cy.md" and p.field == "keywords_cy" for p in site.problems)


def test_welsh_words_become_a_words_only_welsh_document_for_english_only_pages(site):
    documents = {document.id: document for document in site_documents(site)}
    words = documents["service:register-a-birth@cy-words"]
    assert words.lang == "cy" and words.words_only and words.ref == "service:register-a-birth"
    assert "cofrestru genedigaeth" in words.keywords and not words.title and not words.body
    assert documents["organisation:power-cut-105@cy-words"].kind == "organisation"
    # A page with a Welsh version needs no words-only document.
    assert "service:check-your-bin-collection-day@cy-words" not in documents
    assert welsh_words(documents["service:check-your-bin-collection-day@cy"], ("bin",)) is None


def test_keywords_cy_on_a_page_with_a_welsh_version_join_that_version(content_copy):
    replace_in(content_copy / "services" / "report-a-pothole.md", "keywords:", "keywords_cy: [ffordd wedi torri]\nkeywords:")
    documents = {document.id: document for document in site_documents(load_site(content_copy))}
    assert "ffordd wedi torri" in documents["service:report-a-pothole@cy"].keywords
    assert "service:report-a-pothole@cy-words" not in documents


@pytest.mark.parametrize("query, wanted", [
    ("cofrestru genedigaeth", "service:register-a-birth"),
    ("talu dirwy parcio", "service:pay-or-challenge-a-parking-fine"),
    ("toriad pŵer", "organisation:power-cut-105"),
    ("toriad pwer", "organisation:power-cut-105"),
    ("treth cyngor band", "organisation:valuation-office-agency"),
])
def test_welsh_searches_find_english_only_pages_shown_in_english(engine, query, wanted):
    results = engine.search(query, lang="cy")
    first = results.hits[0]
    assert first.id == wanted and first.lang == "en"  # the English page itself, never the words-only document
    assert first.title and not first.id.endswith("@cy-words")
    assert len({hit.ref for hit in results.hits}) == len(results.hits)  # each page once


def test_welsh_words_that_look_english_do_not_lift_english_searches(engine):
    """"bin" is Welsh too: the Welsh words of a page must not count twice for an English search."""
    plain = engine.search("bin day").hits
    assert all(not hit.id.endswith("@cy-words") for hit in plain)
    assert len({hit.ref for hit in plain}) == len(plain)
