"""What a guided answer is made of: questions with options, outcomes with links, examples.

A guided answer (GOV.UK's "smart answer") asks a few questions, one at a time,
each answer leading to the next question or to an outcome. Every string is
English with an optional Welsh version (`Text`), so a Welsh reader gets Welsh
where the team has written it and English (marked as English) where not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

LANGUAGES = ("en", "cy")
URL_PREFIX = "/ask/guides"


@dataclass(frozen=True)
class Text:
    """English, with Welsh when the team has written it."""

    en: str
    cy: str = ""

    def __call__(self, lang: str = "en") -> str:
        return self.cy if lang == "cy" and self.cy else self.en

    def lang_of(self, lang: str) -> str:
        """The language the reader actually gets: 'en' when asked for Welsh that is not written yet."""
        return "cy" if lang == "cy" and self.cy else "en"

    def __bool__(self) -> bool:
        return bool(self.en)


@dataclass(frozen=True)
class Option:
    """One radio button: the value sent in the address, the words, and where it leads."""

    value: str
    label: Text
    next: str  # the id of a question or an outcome


@dataclass(frozen=True)
class Question:
    id: str
    text: Text
    options: tuple[Option, ...]
    hint: Text = Text("")
    line: int | None = None

    def option(self, value: str) -> Option | None:
        return next((option for option in self.options if option.value == value), None)


@dataclass(frozen=True)
class Link:
    label: Text
    url: str  # a page of this site ("/services/...") or another website (https://...)

    @property
    def on_this_site(self) -> bool:
        return self.url.startswith("/")


@dataclass(frozen=True)
class Outcome:
    """Where a path of answers ends: a heading, a short text (Markdown, rendered), and links to pages."""

    id: str
    title: Text
    html: Text  # the text rendered to safe HTML, in each language
    links: tuple[Link, ...] = ()
    line: int | None = None
    body_links: tuple[str, ...] = ()  # links written in the text itself, checked like `links`


@dataclass(frozen=True)
class Example:
    """A path of answers (option values, in order) and the outcome it must reach: checked on every check."""

    answers: tuple[str, ...]
    outcome: str
    line: int | None = None


@dataclass(frozen=True)
class Guide:
    slug: str
    title_text: Text
    intro: Text
    phrasings: dict[str, tuple[str, ...]]  # residents' own words, by language
    start: str
    steps: dict[str, Question]
    outcomes: dict[str, Outcome]
    examples: tuple[Example, ...] = ()
    reviewed: date | None = None
    source: str = ""  # the file, relative to the content folder
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def title(self, lang: str = "en") -> str:
        return self.title_text(lang)

    def questions(self, lang: str = "en") -> tuple[str, ...]:
        """Residents' phrasings of what this guide answers, in `lang` (English when none are written in it)."""
        return self.phrasings.get(lang) or self.phrasings.get("en", ())

    def url(self, lang: str = "en") -> str:
        """The guide's address on this site, in `lang` (Welsh pages live under /cy)."""
        prefix = "" if lang == "en" else f"/{lang}"
        return f"{prefix}{URL_PREFIX}/{self.slug}"

    def node(self, name: str) -> Question | Outcome | None:
        return self.steps.get(name) or self.outcomes.get(name)

    @property
    def welsh(self) -> bool:
        """Whether the guide's title has been put into Welsh (its other strings may still fall back)."""
        return bool(self.title_text.cy)


@dataclass
class GuideSet:
    """The guides that are good to publish, and the problems found in the others."""

    guides: dict[str, Guide] = field(default_factory=dict)
    problems: list = field(default_factory=list)  # ContentProblem
    fingerprint: str = "-"  # changes when any guide file does: cached pages made from guides key on it

    def all(self) -> list[Guide]:
        return sorted(self.guides.values(), key=lambda guide: guide.title().lower())

    def get(self, slug: str) -> Guide | None:
        return self.guides.get(slug)

    def __len__(self) -> int:
        return len(self.guides)

    def __iter__(self):
        return iter(self.all())
