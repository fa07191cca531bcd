"""The pieces an answer quotes: each heading's paragraphs, from every page and directory entry.

An answer is a sentence or a short paragraph, never a whole page, so pages are cut where their
writers cut them: at headings and paragraphs. A paragraph that introduces a list ("Check these
things first:") keeps the list with it, as one passage; a table row is a passage of its own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..content.models import Site

_BLOCK = re.compile(r"<(h[2-4]|p|ul|ol|tr)\b([^>]*)>(.*?)</\1>", re.S | re.I)
_ID = re.compile(r'\bid="([^"]*)"')
_ITEM = re.compile(r"<li\b[^>]*>(.*?)</li>", re.S | re.I)
_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
MAX_PASSAGE = 600  # characters: longer passages are cut at a sentence


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", markup))).strip()


@dataclass(frozen=True)
class Passage:
    """A heading's paragraph (or list) on one page, in one language."""

    ref: str  # the page: "service:report-a-missed-bin", "organisation:gas-emergency", "page:contact-us"
    kind: str  # "service", "page" or "organisation"
    title: str  # the page's title
    url: str  # the page's address on the site (without the language prefix)
    lang: str
    heading: str  # the heading it sits under ("" for the opening paragraphs)
    anchor: str  # the heading's id, for a link to the section
    text: str
    position: int  # 0 for the page's first passage: earlier passages are usually the general answer


def body_passages(ref: str, kind: str, title: str, url: str, lang: str, body_html: str,
                  lead: tuple[str, ...] = ()) -> list[Passage]:
    """A rendered page body as passages; `lead` are paragraphs that come before the body (a summary)."""
    found: list[Passage] = []
    heading, anchor = "", ""
    pending: str | None = None  # a paragraph ending in ":" waits for its list

    def add(text: str) -> None:
        text = text.strip()
        if not text:
            return
        if len(text) > MAX_PASSAGE:
            cut = text[:MAX_PASSAGE]
            text = cut[: cut.rfind(". ") + 1] if ". " in cut else cut.rsplit(" ", 1)[0] + "…"
        found.append(Passage(ref, kind, title, url, lang, heading, anchor, text, len(found)))

    for paragraph in lead:
        add(paragraph)
    for match in _BLOCK.finditer(body_html):
        tag, inner = match.group(1).lower(), match.group(3)
        ident = found_id.group(1) if (found_id := _ID.search(match.group(2))) else ""
        if tag.startswith("h"):
            if pending:
                add(pending)
                pending = None
            heading, anchor = _text(inner), ident
            continue
        if tag in ("ul", "ol"):
            items = "; ".join(_text(item) for item in _ITEM.findall(inner))
            add(f"{pending} {items}." if pending else f"{items}.")
            pending = None
            continue
        if pending:
            add(pending)
            pending = None
        if tag == "tr":
            cells = [_text(cell) for cell in _CELL.findall(inner)]
            if cells and "<th" not in inner[:5].lower():
                add(": ".join(cell for cell in cells if cell))
            continue
        text = _text(inner)
        if text.endswith(":"):
            pending = text
        else:
            add(text)
    if pending:
        add(pending)
    return found


def site_passages(site: Site) -> Iterator[Passage]:
    """Every service page and general page in each language it is written in, and the directory."""
    translations = sorted(site.translations.items())
    for service in [*site.services.values(),
                    *(item for (key, _lang), item in translations if key.startswith("service:"))]:
        yield from body_passages(f"service:{service.slug}", "service", service.title, service.url_path,
                                 service.lang, service.body_html)
    for page in [*site.pages.values(), *(item for (key, _lang), item in translations if key.startswith("page:"))]:
        yield from body_passages(f"page:{page.slug}", "page", page.title, page.url_path, page.lang, page.body_html)
    if site.directory:
        for org in site.directory.organisations.values():
            # What they look after and when to get in touch come first: they are the answer to "who do I call".
            lead = tuple(filter(None, (org.contact_when, org.responsible_for)))
            yield from body_passages(f"organisation:{org.slug}", "organisation", org.name, org.url_path, "en",
                                     org.body_html, lead)


def page_words(site: Site) -> Iterator[tuple[str, str]]:
    """(page, words) a page is known by besides its text: its summary, keywords and questions."""
    translated = [item for (key, _lang), item in sorted(site.translations.items()) if key.startswith("service:")]
    for service in [*site.services.values(), *translated]:
        yield f"service:{service.slug}", " ".join((service.title, service.summary, *service.keywords,
                                                    *service.keywords_cy, *service.a_to_z, *service.questions))
    for page in site.pages.values():
        yield f"page:{page.slug}", " ".join((page.title, page.summary, *page.questions))
    if site.directory:
        for org in site.directory.organisations.values():
            yield f"organisation:{org.slug}", " ".join((org.name, *org.keywords, *org.keywords_cy))
