"""The service pages' at-a-glance sentences read one way only (issue 16: "…calendar if you ask for one within
5 working days" could mean either). The promise finishes "We will … within <time>.", so a promise that ends
in a clause of its own ("if you ask for one", "once we have everything", "after we start", "that someone is
keeping safe") lets the time attach to that clause instead of to what we will do."""

from __future__ import annotations

import re

import pytest

from townhall.config import PROJECT_ROOT
from townhall.content import load_site

# Words that open a clause the timescale could attach to, in English and in Welsh.
CLAUSE_WORDS = {
    "en": re.compile(r"\b(if|once|after|when|whenever|that|until|before|unless|whether)\b", re.I),
    "cy": re.compile(r"\b(os|pe|unwaith|ar ôl|wedi i|pan|a allwch|a ydych|nes|cyn|oni bai)\b", re.I),
}


@pytest.fixture(scope="module")
def site():
    return load_site(PROJECT_ROOT / "content")


def outside_brackets(text: str) -> str:
    """A promise may explain itself in brackets ("(counting from when we have all the evidence)")."""
    return re.sub(r"\([^)]*\)", "", text)


def test_no_promise_ends_in_a_clause_the_timescale_could_attach_to(site):
    loose = []
    for slug in site.services:
        for lang in ("en", "cy"):
            service = site.service(slug, lang)
            if service.lang != lang or not service.standard.within:
                continue
            found = CLAUSE_WORDS[lang].search(outside_brackets(service.standard.promise))
            if found:
                loose.append(f"{slug} ({lang}): “{service.standard.promise}” ({found.group(0)})")
    assert loose == []


def test_the_clause_words_would_have_caught_the_sentences_the_resident_test_found():
    for promise in ("post you a printed collection calendar if you ask for one",
                    "decide on your claim once we have everything we need",
                    "finish gritting all our priority routes after we start",
                    "collect a stray dog that someone is keeping safe"):
        assert CLAUSE_WORDS["en"].search(outside_brackets(promise))
    assert CLAUSE_WORDS["cy"].search("postio calendr casglu wedi'i argraffu atoch os byddwch yn gofyn am un")
