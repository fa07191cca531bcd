"""The content linter: plain English and accessibility checks that leave a page published.

The loader refuses what would break a page (see markdown.py and loader.py);
this module reports what makes a page harder to use, for the content team to
put right: long sentences, a reading age above 9 (with the sentences that pull
it up), words from the team's list of words to avoid (`style/words.yaml`), link
text that makes no sense out of context, text in capitals, review dates that
have passed, pages with no owner and top tasks with no Welsh version.

Every message says what is wrong, where (file and line) and what to do. Time is
a parameter (`today`) so checks of review dates can be tested. No Flask here.

Reading age uses textstat's Flesch-Kincaid grade (a US school grade; a UK
reading age is the grade plus 5). textstat is pinned to 0.7.3: later versions
need NLTK or CMU dictionary data, which is large or must be downloaded.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from .files import parse_markdown
from .models import Site
from .problems import ERROR, WARNING, ContentProblem

MAX_SENTENCE_WORDS = 25
TARGET_READING_AGE = 9
MIN_WORDS_FOR_READING_AGE = 40  # shorter pages give meaningless scores
REVIEW_ERROR_MONTHS = 12
VAGUE_LINK_TEXT = {
    "click here", "click", "here", "read more", "more", "more info", "more information", "find out more",
    "learn more", "this page", "this link", "link", "go", "see more", "details", "info", "this", "page",
    "click this link", "follow this link", "continue reading",
}
DOCUMENT_LINK = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|odt)(?:$|[?#])", re.IGNORECASE)
URL_TEXT = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z0-9\"“‘(£])")
CAPITALS = re.compile(r"\b[A-Z][A-Z'’-]{5,}\b|\b(?:[A-Z]{3,}[\s,]+){2,}[A-Z]{3,}\b")


@dataclass(frozen=True)
class PageCheck:
    """What the linter found in one file, and its reading age (None when too short to score)."""

    path: str
    problems: tuple[ContentProblem, ...]
    reading_age: int | None
    words: int


def lint_site(site: Site, today: date, paths: Iterable[str] | None = None) -> list[ContentProblem]:
    """The linter's findings for every published (or, in preview, draft) file, or only for `paths`."""
    wanted = set(paths) if paths is not None else None
    found: list[ContentProblem] = []
    for item in content_items(site):
        if wanted is None or item.source in wanted:
            found.extend(check_page(site, item.source, today, item).problems)
    return found


def check_page(site: Site, path: str, today: date, item: Any = None) -> PageCheck:
    """Every linter finding for one content file (`path`, as in `site.files`; `item`: what it gives, if known)."""
    item = item if item is not None else site.item_at(path)
    rendered = site.bodies.get(path)
    if item is None:
        return PageCheck(path, (), None, 0)
    prose = list(rendered.prose) if rendered is not None else []
    links = list(rendered.links) if rendered is not None else []
    problems: list[ContentProblem] = []
    problems.extend(_long_sentences(path, prose))
    age, words = None, sum(_words(text) for _line, text in prose)
    if getattr(item, "lang", "en") == "en":  # the reading age formula and the word list are for English
        age, words, age_problems = _reading_age(path, prose)
        problems.extend(age_problems)
        problems.extend(_avoid_words(path, prose, site.words))
    problems.extend(_link_text(path, links))
    problems.extend(_capitals(path, prose))
    problems.extend(_bare_addresses(path, prose, links))
    problems.extend(_settings_checks(site, item, path, today))
    return PageCheck(path, tuple(problems), age, words)


def content_items(site: Site) -> list[Any]:
    items = [*site.services.values(), *site.pages.values(), *site.translations.values()]
    if site.directory:
        items.extend(site.directory.organisations.values())
    return items


# --- sentences and reading age ---------------------------------------------------------------


def sentences(prose: Iterable[tuple[int | None, str]]) -> list[tuple[int | None, str]]:
    """(line, sentence) for every sentence in the page's paragraphs, list items, headings and cells."""
    found = []
    for line, text in prose:
        for sentence in SENTENCE_END.split(text):
            if sentence.strip():
                found.append((line, sentence.strip()))
    return found


def _words(text: str) -> int:
    return sum(1 for part in text.split() if any(character.isalnum() for character in part))


def _quote(sentence: str, words: int = 8) -> str:
    parts = sentence.split()
    return " ".join(parts[:words]) + ("..." if len(parts) > words else "")


def _long_sentences(path: str, prose: list[tuple[int | None, str]]) -> list[ContentProblem]:
    problems = []
    for line, sentence in sentences(prose):
        count = _words(sentence)
        if count > MAX_SENTENCE_WORDS:
            problems.append(ContentProblem(
                path, f'The sentence starting "{_quote(sentence)}" has {count} words. Keep sentences to '
                f"{MAX_SENTENCE_WORDS} words or fewer (most under 15): split it into two or more, or make a list",
                line=line, severity=WARNING, code="long-sentence"))
    return problems


@lru_cache(maxsize=1)
def _textstat() -> Any:
    with warnings.catch_warnings():
        # textstat 0.7.3 imports setuptools' pkg_resources, which warns that it is deprecated.
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import textstat
    textstat.set_lang("en_GB")
    return textstat


@lru_cache(maxsize=50_000)
def grade(text: str) -> float:
    """Flesch-Kincaid grade of a text (remembered: pages are checked again after every edit)."""
    return float(_textstat().flesch_kincaid_grade(text))


def reading_age_of(text: str) -> int:
    """The UK reading age of a text: its Flesch-Kincaid grade plus 5, never below 5."""
    return max(5, round(grade(text) + 5))


def _reading_age(path: str, prose: list[tuple[int | None, str]]) -> tuple[int | None, int, list[ContentProblem]]:
    all_sentences = sentences(prose)
    text = " ".join(sentence if sentence.endswith((".", "!", "?")) else f"{sentence}." for _l, sentence in all_sentences)
    words = _words(text)
    if words < MIN_WORDS_FOR_READING_AGE:
        return None, words, []
    age = reading_age_of(text)
    if age <= TARGET_READING_AGE:
        return age, words, []
    hardest = sorted(((reading_age_of(s), line, s) for line, s in all_sentences if _words(s) >= 6),
                     key=lambda found: (-found[0], found[1] or 0))[:3]
    named = "; ".join(f'line {line}: "{_quote(sentence)}" (reading age {sentence_age})'
                      for sentence_age, line, sentence in hardest if sentence_age > TARGET_READING_AGE)
    advice = f" The sentences that pull it up most: {named}." if named else ""
    return age, words, [ContentProblem(
        path, f"The page has a reading age of {age}; aim for {TARGET_READING_AGE} or lower, so most residents can "
        f"read it easily. Use shorter sentences and everyday words.{advice}", line=hardest[0][1] if hardest else None,
        severity=WARNING, code="reading-age")]


# --- words to avoid, link text, capitals ---------------------------------------------------------


@lru_cache(maxsize=8)
def _word_patterns(words: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern], ...]:
    """For each word to avoid: a quick substring to look for first, and the pattern that finds its forms
    ("utilise" also finds "utilises", "utilised" and "utilising")."""
    patterns = []
    for avoid, _instead in words:
        forms = [re.escape(avoid)]
        stem = avoid[:-1] if avoid.endswith("e") else avoid
        if " " not in avoid and avoid[-1].isalpha():
            forms.append(rf"{re.escape(avoid)}(?:s|d|es)|{re.escape(stem)}(?:ed|ing|es)")
        end = r"\b" if avoid[-1].isalnum() else ""
        patterns.append((stem, re.compile(rf"\b(?:{'|'.join(forms)}){end}", re.IGNORECASE)))
    return tuple(patterns)


def _avoid_words(path: str, prose: list[tuple[int | None, str]], words: tuple) -> list[ContentProblem]:
    patterns = _word_patterns(tuple(words))
    found: dict[int, list[int | None]] = {}
    for line, text in prose:
        lowered = text.lower()
        for number, (stem, pattern) in enumerate(patterns):
            if stem in lowered:
                found.setdefault(number, []).extend(line for _match in pattern.finditer(text))
    problems = []
    for number, lines in sorted(found.items()):
        avoid, instead = words[number]
        if lines:
            more = f" (and {len(lines) - 1} more time{'s' if len(lines) > 2 else ''})" if len(lines) > 1 else ""
            problems.append(ContentProblem(
                path, f'"{avoid}" is on the list of words to avoid{more}. Write "{instead}" instead',
                line=lines[0], severity=WARNING, code="avoid-word"))
    return problems


def _link_text(path: str, links: list[Any]) -> list[ContentProblem]:
    problems = []
    targets: dict[str, set[str]] = {}
    for link in links:
        text = " ".join(link.text.split())
        plain = text.lower().strip(" .:!>»→")
        if plain in VAGUE_LINK_TEXT:
            problems.append(ContentProblem(
                path, f'The link text "{text}" makes no sense on its own (people using screen readers often hear '
                "links by themselves). Say where the link goes, like \"Check your bin collection day\"",
                line=link.line, severity=WARNING, code="link-text"))
        elif URL_TEXT.match(text):
            problems.append(ContentProblem(
                path, f'The link text is a web address ("{_quote(text, 3)}"). Write what the page is instead, like '
                '"Apply for a passport on GOV.UK"', line=link.line, severity=WARNING, code="link-text"))
        if link.href.lower().startswith("http://"):
            problems.append(ContentProblem(
                path, f'The link to "{link.href}" starts with http://, which is not secure. Use https:// if the '
                "site offers it", line=link.line, severity=WARNING, code="insecure-link"))
        if DOCUMENT_LINK.search(link.href):
            problems.append(ContentProblem(
                path, f'The link to "{link.href}" opens a document, not a web page. Say so in the link text, with '
                'its type and size, like "Parking permit form (PDF, 120 KB)", or better, put its content in a page',
                line=link.line, severity=WARNING, code="document-link"))
        if plain:
            targets.setdefault(plain, set()).add(link.href.split("#")[0])
    for text, hrefs in targets.items():
        if len(hrefs) > 1 and text not in VAGUE_LINK_TEXT:
            problems.append(ContentProblem(
                path, f'Two or more links say "{text}" but go to different places. Give each link its own '
                "words, so people know which is which", severity=WARNING, code="same-link-text"))
    return problems


BARE_ADDRESS = re.compile(r"(?<![\w/@.])(?:https?://|www\.)[^\s)]+?(?=[.,;:!?]?(?:\s|$))", re.IGNORECASE)


def _bare_addresses(path: str, prose: list[tuple[int | None, str]], links: list[Any]) -> list[ContentProblem]:
    """A web address typed in the text, not as a link: residents cannot click it, screen readers spell it out."""
    linked = {link.text for link in links}
    problems = []
    for line, text in prose:
        for match in BARE_ADDRESS.finditer(text):
            if match[0] in linked:
                continue
            problems.append(ContentProblem(
                path, f'The web address "{match[0][:60]}" is written in the text but is not a link. Make it a link '
                "with words that say where it goes, like [Apply for a passport on GOV.UK](https://www.gov.uk/...)",
                line=line, severity=WARNING, code="bare-address"))
            break
    return problems


def _capitals(path: str, prose: list[tuple[int | None, str]]) -> list[ContentProblem]:
    problems = []
    for line, text in prose:
        match = CAPITALS.search(text)
        if match:
            problems.append(ContentProblem(
                path, f'"{_quote(match[0], 5)}" is written in capital letters, which is harder to read and sounds '
                "like shouting. Write it in sentence case; use bold (**like this**) for something important",
                line=line, severity=WARNING, code="capitals"))
    return problems


# --- settings: reviews, owners, Welsh versions ---------------------------------------------


def months_between(earlier: date, later: date) -> int:
    """Whole months from `earlier` to `later` (0 when less than a month)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (1 if later.day < earlier.day else 0)


def review_due(reviewed: date, months: int) -> date:
    """The date a page checked on `reviewed` is due for its next check."""
    month = reviewed.month - 1 + months
    year, month = reviewed.year + month // 12, month % 12 + 1
    for day in (reviewed.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, 28)


def _settings_checks(site: Site, item: Any, path: str, today: date) -> list[ContentProblem]:
    if getattr(item, "lang", "en") != "en":
        return []  # a translation's settings (owner, review date) are its English page's
    problems = []
    lines = _LazyLines(site, path)
    owner = site.owners.get(item.owner or "")
    reviewed = getattr(item, "reviewed", None)
    if isinstance(reviewed, date):
        months = owner.review_months if owner else 6
        due = review_due(reviewed, months)
        if reviewed > today:
            problems.append(ContentProblem(
                path, f"The review date {reviewed.isoformat()} is in the future. Write the date the page was "
                f"last checked, like {today.isoformat()} for today", field="reviewed", line=lines.get("reviewed"),
                severity=ERROR, code="review-date-future"))
        elif months_between(reviewed, today) >= REVIEW_ERROR_MONTHS:
            problems.append(ContentProblem(
                path, f"The page was last checked on {reviewed.isoformat()}, more than {REVIEW_ERROR_MONTHS} months "
                "ago. Check that everything on it is still true, then change the date to the day you checked it",
                field="reviewed", line=lines.get("reviewed"), severity=ERROR, code="review-overdue"))
        elif due <= today:
            problems.append(ContentProblem(
                path, f"The page was due for review on {due.isoformat()}. Check that everything on it is still "
                "true, then change the date to the day you checked it", field="reviewed",
                line=lines.get("reviewed"), severity=WARNING, code="review-due"))
    if not item.owner:
        names = ", ".join(sorted(site.owners)) or "a team you add to owners.yaml"
        problems.append(ContentProblem(
            path, f"The page has no owner, so nobody is reminded to check it. Add a line 'owner:' with one of the "
            f"teams in owners.yaml: {names}", line=2, severity=WARNING, code="no-owner"))
    if getattr(item, "top_task", False):
        welsh = [lang for (key, lang) in site.translations if key == f"service:{item.slug}"]
        if not welsh and "cy" in site.languages:
            problems.append(ContentProblem(
                path, f"The page is a top task (on the home page), but has no Welsh version. Add "
                f"services/{item.slug}.cy.md", field="top_task", line=lines.get("top_task"), severity=WARNING,
                code="top-task-no-welsh"))
    return problems


class _LazyLines:
    """The line of each setting, read only when a problem needs one."""

    def __init__(self, site: Site, path: str):
        self.site, self.path, self._lines = site, path, None

    def get(self, name: str) -> int | None:
        if self._lines is None:
            text = self.site.texts.get(self.path)
            parsed = parse_markdown(text).value if text is not None else None
            self._lines = parsed.lines if parsed is not None else {}
        return self._lines.get(name)
