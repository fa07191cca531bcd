"""Query understanding: cleaning, question words, synonyms and the nasty inputs residents can type."""

from __future__ import annotations

import pytest

from townhall.search.query import (
    MAX_QUERY_CHARS,
    clean_query,
    stem_word,
    to_whoosh,
    understand,
)
from townhall.search.synonyms import parse_synonyms

SYNONYMS = parse_synonyms("""
# a comment
bin = rubbish = refuse
pothole = pot hole
street light = lamp post
""", key=stem_word)


def test_clean_query_caps_length_at_a_word_boundary():
    text, truncated = clean_query("council tax " * 2000)
    assert truncated and len(text) <= MAX_QUERY_CHARS and not text.endswith(" ")


def test_clean_query_removes_control_characters_and_handles_non_text():
    assert clean_query("bin\x00\x1b[31m day\u200b") == ("bin [31m day", False)
    assert clean_query(None) == ("", False)
    assert clean_query(["bin"]) == ("", False)


def test_question_words_are_dropped_but_a_lone_one_still_searches():
    assert [c.words for c in understand("how do I get a blue badge", SYNONYMS).concepts] == [("blue",), ("badge",)]
    assert [c.words for c in understand("who", SYNONYMS).concepts] == [("who",)]


def test_synonyms_match_phrases_longest_first_and_plurals():
    concepts = understand("pot hole on my road", SYNONYMS).concepts
    assert concepts[0].words == ("pot", "hole")
    assert (("pothole",), 0.5) in concepts[0].alternatives
    bins = understand("bins", SYNONYMS).concepts[0]  # a plural finds the group through its stem
    assert {phrase for phrase, _ in bins.alternatives} >= {("bins",), ("rubbish",), ("refuse",)}


def test_unknown_words_are_corrected_from_the_vocabulary():
    result = understand("counsil tax", SYNONYMS, known=lambda w: w != "counsil",
                        correct=lambda w: "council" if w == "counsil" else None)
    assert result.suggestion == "council tax"
    assert result.concepts[0].alternatives[0] == (("council",), 0.9)


def test_synonym_file_problems_are_reported_with_line_numbers():
    synonyms = parse_synonyms("bin = rubbish\njust words\n= orphan\n")
    assert synonyms.problems[0].startswith("line 2:")
    assert synonyms.problems[1].startswith("line 3:")


@pytest.mark.parametrize("raw", [
    '"council tax', "(((bins)", "bins AND OR NOT", "NOT", "*", "bin*", "?in", "te?t~2", "field:value",
    "🙂🙂🙂", "🗑️ bin", "x" * 10_000, "", "   ", "\x00", "a" * 201, "<script>alert(1)</script>",
    "'; DROP TABLE docs; --", "\\", "[a TO z]", "^2", "council tax^100", "ß ç ŵ ŷ", "日本語",
])
def test_nasty_input_never_raises_and_builds_a_safe_query(raw):
    understanding = understand(raw, SYNONYMS)
    query = to_whoosh(understanding)
    assert query is None or "text" in {field for field, _ in query.all_terms()}
    assert len(understanding.text) <= MAX_QUERY_CHARS


def test_words_in_the_synonym_list_are_never_corrected():
    synonyms = parse_synonyms("wifi = wi fi = internet", key=stem_word)
    result = understand("library wifi", synonyms, known=lambda w: w == "library", correct=lambda w: "wife")
    assert result.suggestion is None
    assert {phrase for phrase, _ in result.concepts[1].alternatives} == {("wifi",), ("wi", "fi"), ("internet",)}


def test_several_concepts_add_an_all_words_group():
    from townhall.search.query import ALL_WORDS_BONUS, scoring_groups

    groups = scoring_groups(understand("child benefit", SYNONYMS))
    assert groups[-1][0] == (("child", "benefit"), ALL_WORDS_BONUS)
    assert len(scoring_groups(understand("benefit", SYNONYMS))) == 1
