"""The few words the speech script adds to what a page says, per language, and the
language rules for reading numbers, times and money aloud.

These are spoken, not shown, and they must be identical wherever a script is
built (a web request and `flask speech pregenerate` have to produce the same
text, so that they share cached audio). They therefore live here, in the domain
layer, rather than in the Babel catalogues used for what the page shows.
A language without an entry is read with the English words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    lang: str
    heading: str  # said before a heading: "Heading: How to pay."
    table: str  # said before a table's caption: "Table: Opening hours."
    image: str  # said before an image's text alternative
    free: str  # a charge of £0
    pound: str
    pounds: str
    pence: str
    plus: str  # the + in +44
    and_: str  # for "&"
    to: str  # in a range of times: "9am to 5pm"
    too_long: str  # said where a very long page is cut short
    morning: str  # after a time before midday
    afternoon: str  # after a time from midday to 6pm
    evening: str  # after a time from 6pm
    midday: str
    midnight: str
    for_example: str  # for "e.g."
    that_is: str  # for "i.e."
    # Words just before a short number that make it a phone number ("call 101", "Phone: 111").
    phone_words: frozenset[str] = frozenset()


ENGLISH = Words(
    lang="en",
    heading="Heading",
    table="Table",
    image="Image",
    free="free",
    pound="pound",
    pounds="pounds",
    pence="pence",
    plus="plus",
    and_="and",
    to="to",
    too_long="This page is too long to read out in full. The rest is on the page.",
    morning="am",
    afternoon="pm",
    evening="pm",
    midday="midday",
    midnight="midnight",
    for_example="for example",
    that_is="that is",
    phone_words=frozenset({
        "call", "calls", "called", "calling", "phone", "phoned", "phoning", "telephone", "tel", "ring", "ringing",
        "dial", "dialling", "text", "texting", "textphone", "minicom", "sms", "freephone", "helpline", "hotline",
        "nhs", "non-emergency",
    }),
)

WELSH = Words(
    lang="cy",
    heading="Pennawd",
    table="Tabl",
    image="Llun",
    free="am ddim",
    pound="punt",
    pounds="punt",
    pence="ceiniog",
    plus="plws",
    and_="a",
    to="tan",
    too_long="Mae'r dudalen hon yn rhy hir i'w darllen i gyd. Mae'r gweddill ar y dudalen.",
    morning="y bore",
    afternoon="y prynhawn",
    evening="yr hwyr",
    midday="hanner dydd",
    midnight="hanner nos",
    for_example="er enghraifft",
    that_is="hynny yw",
    phone_words=frozenset({
        "ffoniwch", "ffonio", "ffôn", "ffon", "galwch", "galw", "deialwch", "deialu", "tecstiwch", "tecstio",
        "testun", "rhadffôn", "gig",
        # English words too: Welsh pages quote English contact details and English text.
        "call", "phone", "telephone", "text", "textphone", "nhs", "non-emergency",
    }),
)

WORDS = {"en": ENGLISH, "cy": WELSH}


def words_for(lang: str) -> Words:
    """The words for a language tag such as "cy" or "en-GB"; English when we have none."""
    return WORDS.get((lang or "en").split("-")[0].lower(), ENGLISH)
