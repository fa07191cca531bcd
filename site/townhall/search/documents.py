"""What the index holds: one `SearchDocument` per page a result can point to.

Sources are plain functions returning iterables of documents, so a new kind
(facilities from the places capability, for example) plugs in without
touching the index code: `build_index(folder, [*site_documents(site), *facility_documents(...)])`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from ..content.models import Site

# Kinds of result. "organisation" is another organisation's job; everything else is the council's.
KINDS = ("service", "organisation", "page", "facility")
LANGUAGES = ("en", "cy")  # languages the index can analyse


@dataclass(frozen=True)
class SearchDocument:
    """One thing a resident can find, flattened to text for the index."""

    id: str  # unique across kinds, e.g. "service:missed-bin"
    kind: str  # one of KINDS
    title: str
    url: str  # a path on this site
    summary: str = ""
    keywords: tuple[str, ...] = ()
    body: str = ""  # plain text
    category: str = ""  # category slug, for filtering
    category_title: str = ""
    council: bool = True  # False when it is another organisation's job
    organisation: str = ""  # who is responsible, when it is not the council
    phone: str = ""  # the number to call, shown in the result
    emergency: str = ""  # the emergency number, where there is one
    address: str = ""  # where it is (facilities), shown on its own line
    lang: str = "en"  # the language the text is written in ("en" or "cy")
    ref: str = ""  # the page this is a version of; the same for every language's version (default: id)
    listed: bool = False  # one of many similar records (facilities, wards): counts a little less
    # Only search words for the page `ref`, in `lang` (Welsh words for a page written only in English):
    # it ranks like a version of that page, and a result for it shows the page itself.
    words_only: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if self.lang not in LANGUAGES:
            raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {self.lang!r}")


def version_id(ref: str, lang: str) -> str:
    """The id of one language's version of a page: "service:x" in English, "service:x@cy" in Welsh."""
    return ref if lang == "en" else f"{ref}@{lang}"


def welsh_words(document: SearchDocument, words: tuple[str, ...]) -> SearchDocument | None:
    """Welsh search words (the content team's `keywords_cy`) for a document written in English.

    A Welsh "words only" document: it is scored like a Welsh version of the page (so the page counts
    once, at its best, and an English search is not helped by Welsh words that look English, such as
    "bin"), and shows the English page as the result, marked as English on the Welsh site.
    """
    if not words or document.lang == "cy":
        return None
    return replace(document, id=f"{document.id}@cy-words", title="", summary="", keywords=tuple(words), body="",
                   address="", lang="cy", ref=document.ref or document.id, words_only=True)


@lru_cache(maxsize=65_536)
def html_to_text(markup: str) -> str:
    """Page bodies are our own rendered Markdown: dropping tags is enough to get the words."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def site_documents(site: Site) -> Iterator[SearchDocument]:
    """Service pages and general pages in every language they are written in, and the directory."""
    translations = sorted(site.translations.items())
    welsh_versions = {key for key, lang in site.translations if lang == "cy"}
    for service in [*site.services.values(), *(item for (key, _), item in translations if key.startswith("service:"))]:
        category = site.category(service.category, service.lang)
        ref = f"service:{service.slug}"
        # Welsh words go with the Welsh version where there is one (as more of its keywords), else in a
        # Welsh words-only document for the English page.
        keywords, welsh = service.keywords, service.keywords_cy
        if service.lang == "cy":
            keywords, welsh = (*keywords, *welsh), ()
        elif ref in welsh_versions:
            welsh = ()
        document = SearchDocument(
            id=version_id(ref, service.lang),
            kind="service",
            title=service.title,
            url=service.url_path,
            summary=service.summary,
            keywords=tuple(dict.fromkeys(keywords)),
            body=" ".join((service.responsible, html_to_text(service.body_html))),
            category=service.category,
            category_title=category.title if category else "",
            phone=(service.contact.phone or "") if service.contact else "",
            lang=service.lang,
            ref=ref,
        )
        yield document
        if extra := welsh_words(document, welsh):
            yield extra
    for page in [*site.pages.values(), *(item for (key, _), item in translations if key.startswith("page:"))]:
        ref = f"page:{page.slug}"
        # A general page that shows a team's contact details (contact us) is found by them, as the page
        # shows them: "council offices address".
        shown = " ".join(_contact_text(site.contacts.get(include.split(":", 1)[1]), page.lang)
                         for include in page.includes if include.startswith("contact:"))
        yield SearchDocument(
            id=version_id(ref, page.lang), kind="page", title=page.title, url=f"/{page.slug}",
            summary=page.summary, body=" ".join(filter(None, (html_to_text(page.body_html), shown))),
            lang=page.lang, ref=ref,
        )
    if site.directory:
        for org in site.directory.organisations.values():
            category = site.directory.categories.get(org.category)
            document = SearchDocument(
                id=f"organisation:{org.slug}",
                kind="organisation",
                title=org.name,
                url=org.url_path,
                summary=org.responsible_for,
                keywords=org.keywords,
                # Not `not_for`: it names what the organisation does NOT do ("Council Tax is a council
                # service"), so indexing it sent residents to the wrong organisation.
                body=" ".join(filter(None, (org.contact_when, html_to_text(org.body_html)))),
                category=org.category,
                category_title=category.title if category else "",
                council=False,
                organisation=org.name,
                phone=org.contact.phone or "",
                emergency=org.contact.emergency or "",
            )
            yield document
            if extra := welsh_words(document, org.keywords_cy):
                yield extra


# The labels the contact details block shows (templates/components/contact.html), in each language.
CONTACT_LABELS = {
    "en": {"phone": "Phone", "email": "Email", "address": "Address", "hours": "Opening hours"},
    "cy": {"phone": "Ffôn", "email": "E-bost", "address": "Cyfeiriad", "hours": "Oriau agor"},
}


def _contact_text(contact, lang: str) -> str:
    if contact is None:
        return ""
    labels = CONTACT_LABELS.get(lang, CONTACT_LABELS["en"])
    parts = [contact.team or ""]
    for name in ("phone", "email", "address"):
        if getattr(contact, name, None):
            parts.append(f"{labels[name]}: {' '.join(str(getattr(contact, name)).split())}.")
    if contact.hours:
        parts.append(labels["hours"])
    return " ".join(part for part in parts if part)


def facility_documents(facilities: Iterable[Mapping[str, Any] | Any]) -> Iterator[SearchDocument]:
    """Facilities (libraries, recycling centres...) as documents.

    Takes simple records, mappings or objects, with ``id``/``slug``, ``name``,
    ``url`` and optionally ``type`` (used as the category), ``type_title``,
    ``address``, ``summary``, ``keywords``, ``phone``, ``hours`` (opening hours, as
    text) and ``operator`` (set when
    someone other than the council runs it). The places capability can hand its
    facilities straight in. The address is kept apart from the summary, so a
    result shows them as two sentences rather than one run-on line.
    """
    for item in facilities:
        get = item.get if isinstance(item, Mapping) else (lambda key, default=None, item=item: getattr(item, key, default))
        ident = get("id") or get("slug")
        operator = get("operator") or ""
        yield SearchDocument(
            id=f"facility:{ident}",
            kind="facility",
            title=str(get("name") or ""),
            url=str(get("url") or ""),
            summary=str(get("summary") or ""),
            address=str(get("address") or ""),
            keywords=tuple(get("keywords") or ()),
            # What a result for a place answers, in the words residents ask with: "library address",
            # "tip opening times", "leisure centre phone number".
            body=" ".join(part for part in (
                f"Address: {get('address')}." if get("address") else "",
                f"Opening hours and opening times: {get('hours')}." if get("hours") else "",
                "Phone number." if get("phone") else "",
                str(get("type_title") or ""),
            ) if part),
            category=str(get("type") or ""),
            category_title=str(get("type_title") or ""),
            council=not operator,
            organisation=str(operator),
            phone=str(get("phone") or ""),
            listed=True,
        )
