"""What the index holds: one `SearchDocument` per page a result can point to.

Sources are plain functions returning iterables of documents, so a new kind
(facilities from the places capability, for example) plugs in without
touching the index code: `build_index(folder, [*site_documents(site), *facility_documents(...)])`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

from ..content.models import Site

# Kinds of result. "organisation" is another organisation's job; everything else is the council's.
KINDS = ("service", "organisation", "page", "facility")


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
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")


def html_to_text(markup: str) -> str:
    """Page bodies are our own rendered Markdown: dropping tags is enough to get the words."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", markup))).strip()


def site_documents(site: Site) -> Iterator[SearchDocument]:
    """Service pages, general pages and the directory of other organisations (English text)."""
    for service in site.services.values():
        category = site.categories.get(service.category)
        yield SearchDocument(
            id=f"service:{service.slug}",
            kind="service",
            title=service.title,
            url=service.url_path,
            summary=service.summary,
            keywords=service.keywords,
            body=" ".join((service.responsible, html_to_text(service.body_html))),
            category=service.category,
            category_title=category.title if category else "",
            phone=(service.contact.phone or "") if service.contact else "",
        )
    for page in site.pages.values():
        yield SearchDocument(
            id=f"page:{page.slug}", kind="page", title=page.title, url=f"/{page.slug}",
            summary=page.summary, body=html_to_text(page.body_html),
        )
    if site.directory:
        for org in site.directory.organisations.values():
            category = site.directory.categories.get(org.category)
            yield SearchDocument(
                id=f"organisation:{org.slug}",
                kind="organisation",
                title=org.name,
                url=org.url_path,
                summary=org.responsible_for,
                keywords=org.keywords,
                body=" ".join(filter(None, (org.contact_when, org.not_for, html_to_text(org.body_html)))),
                category=org.category,
                category_title=category.title if category else "",
                council=False,
                organisation=org.name,
                phone=org.contact.phone or "",
                emergency=org.contact.emergency or "",
            )


def facility_documents(facilities: Iterable[Mapping[str, Any] | Any]) -> Iterator[SearchDocument]:
    """Facilities (libraries, recycling centres...) as documents.

    Takes simple records, mappings or objects, with ``id``/``slug``, ``name``,
    ``url`` and optionally ``type`` (used as the category), ``type_title``,
    ``address``, ``summary``, ``keywords``, ``phone`` and ``operator`` (set when
    someone other than the council runs it). The places capability can hand its
    facilities straight in.
    """
    for item in facilities:
        get = item.get if isinstance(item, Mapping) else (lambda key, default=None: getattr(item, key, default))
        ident = get("id") or get("slug")
        operator = get("operator") or ""
        yield SearchDocument(
            id=f"facility:{ident}",
            kind="facility",
            title=str(get("name") or ""),
            url=str(get("url") or ""),
            summary=" ".join(str(part) for part in (get("address"), get("summary")) if part),
            keywords=tuple(get("keywords") or ()),
            body=" ".join(str(part) for part in (get("address"), get("type_title")) if part),
            category=str(get("type") or ""),
            category_title=str(get("type_title") or ""),
            council=not operator,
            organisation=str(operator),
            phone=str(get("phone") or ""),
        )
