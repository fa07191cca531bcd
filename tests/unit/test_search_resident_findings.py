"""Search as the resident test found it (issue 16), on the site's own index: the council's pages first when
the words name a council service, a plain "nothing matched well", and spellings suggested only when they
find more than the words typed."""

from __future__ import annotations

import pytest

from townhall import engines


@pytest.fixture(scope="module")
def search(app):
    return engines.search(app)


@pytest.mark.parametrize("query, lang", [("council tax", "en"), ("tax", "en"), ("counsil tax", "en"),
                                         ("council tax", "cy"), ("treth gyngor", "cy")])
def test_council_pages_named_by_the_words_come_before_other_organisations(search, query, lang):
    hits = search.search(query, lang=lang).hits
    refs = [hit.ref for hit in hits]
    first_other = next(number for number, hit in enumerate(hits) if not hit.council)
    assert "service:pay-your-council-tax" in refs[:first_other]
    assert refs.index("service:pay-your-council-tax") < 3
    # The others follow, and say whose they are (the page labels them "Not a council service").
    assert all(hit.organisation for hit in hits if not hit.council)


def test_the_valuation_office_agency_stays_first_for_what_it_does(search):
    assert search.search("council tax band").hits[0].ref == "organisation:valuation-office-agency"
    assert search.search("income tax").hits[0].ref == "organisation:hmrc"
    assert search.search("car tax").hits[0].ref == "organisation:dvla"


@pytest.mark.parametrize("query", ["food hygiene rating", "council jobs", "meeting minutes"])
def test_searches_with_no_good_match_say_so(search, query):
    results = search.search(query)
    assert results.hits and not results.matched_well


@pytest.mark.parametrize("query", ["missed bin", "council tax", "i smell gas", "nosie", "pay council tax"])
def test_good_matches_are_not_doubted(search, query):
    assert search.search(query).matched_well


@pytest.mark.parametrize("query", ["skip permit", "skip on the road", "burial plot"])
def test_no_spelling_is_suggested_that_finds_nothing_better(search, query):
    results = search.search(query)
    assert results.suggestion is None
    # The words as typed were searched: nothing about skin or pots.
    assert "service:report-a-dead-animal" not in [hit.ref for hit in results.hits[:1]]


def test_a_swapped_pair_of_letters_is_corrected_when_it_finds_the_page(search):
    results = search.search("nosie")
    assert results.suggestion == "noise"
    assert results.hits[0].ref == "service:report-noise-nuisance"
    assert search.search("nosiy neighbours").suggestion == "noisy neighbours"


def test_corrections_that_find_more_are_still_suggested(search):
    for typed, suggested in (("counsil tax", "council tax"), ("recyling", "recycling"), ("pasport", "passport")):
        assert search.search(typed).suggestion == suggested


def test_swaps():
    from townhall.search.engine import _swaps

    assert _swaps("nosie") >= {"onsie", "nsoie", "noise", "nosei"}
    assert "nosie" not in _swaps("nosie")
