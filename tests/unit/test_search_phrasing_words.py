"""How queries are understood: phrasing words are not searched for, nor "corrected"."""

from __future__ import annotations

import pytest

from townhall import engines


@pytest.fixture(scope="module")
def search(app):
    return engines.search(app)


@pytest.mark.parametrize("query, kept", [
    ("my bin wasnt collected", {"bin", "collected"}),
    ("i cant pay my rent", {"pay", "rent"}),
    ("my landlord won't fix the boiler", {"landlord", "fix", "boiler"}),
    ("speak to someone about my council tax", {"council tax"}),
    ("who do i talk to about rats", {"rats"}),
])
def test_contractions_and_contact_verbs_only_phrase_the_question(search, query, kept):
    understanding = search.understand(query)
    assert {" ".join(concept.words) for concept in understanding.concepts} == kept
    assert understanding.suggestion is None  # "wasnt" is not "did you mean want"


def test_a_rare_contact_verb_does_not_outrank_the_subject(search):
    top = [hit.ref for hit in search.search("speak to someone about my council tax").hits[:3]]
    assert "service:pay-your-council-tax" in top
    assert "service:older-and-disabled-persons-bus-pass" not in top


def test_paving_is_a_pavement_word_not_a_typo_for_paying(search):
    results = search.search("broken paving slab")
    assert results.suggestion is None
    assert "service:report-a-pothole" in [hit.ref for hit in results.hits[:3]]
