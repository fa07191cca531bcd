"""The content the site shows, as plain data: services, categories, contacts, standards, pages.

These are what the views hand to templates. They hold English and, where the
content team has written one, a translation; `Site.service(slug, lang)` picks
the right one so views never need to know how translations are stored.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from ..hours import OpeningHours
from ..text import slugify


@dataclass(frozen=True)
class Timescale:
    """How fast we promise to act: "within 2 working days"."""

    amount: int
    unit: str  # plural: "working days", "seconds"...

    @property
    def singular(self) -> bool:
        return self.amount == 1


@dataclass(frozen=True)
class Standard:
    """A promise with a timescale or a target: "We will answer your call within 20 seconds"."""

    promise: str  # completes "We will ..."
    within: Timescale | None = None
    target_percent: int | None = None
    channel: str | None = None  # for the council-wide standards table
    id: str | None = None


@dataclass(frozen=True)
class Contact:
    """How and when to get in touch with a team."""

    name: str | None  # the shared contact's key in contacts.yaml, if any
    team: str | None = None
    phone: str | None = None
    textphone: str | None = None
    bsl: str | None = None
    email: str | None = None
    address: str | None = None
    hours: OpeningHours | None = None
    out_of_hours: str | None = None


@dataclass(frozen=True)
class Charge:
    item: str
    amount: str  # "£52" or "free"
    per: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Category:
    slug: str
    title: str
    summary: str
    translations: dict[str, dict[str, str]] = field(default_factory=dict)

    def localised(self, lang: str) -> Category:
        text = self.translations.get(lang)
        if not text:
            return self
        return replace(self, title=text.get("title", self.title), summary=text.get("summary", self.summary))


@dataclass(frozen=True)
class Heading:
    """A section heading in a page body: its level, text and anchor id."""

    level: int
    text: str
    id: str


@dataclass(frozen=True)
class Service:
    """One council service page."""

    slug: str
    title: str
    summary: str
    category: str
    keywords: tuple[str, ...]
    responsible: str
    contact: Contact
    charges: tuple[Charge, ...]  # empty means free
    standard: Standard
    reviewed: date
    body_html: str
    headings: tuple[Heading, ...]
    top_task: bool = False
    lang: str = "en"  # the language this text is written in
    source: str = ""  # path relative to the content folder
    # Welsh words residents search with, for a page that has no Welsh version yet (front matter
    # `keywords_cy`): search indexes them as Welsh, so /cy/search finds the English page.
    keywords_cy: tuple[str, ...] = ()

    @property
    def is_free(self) -> bool:
        return not self.charges

    @property
    def url_path(self) -> str:
        return f"/services/{self.slug}"


@dataclass(frozen=True)
class Page:
    """A general page: contact us, customer promise, accessibility statement..."""

    slug: str
    title: str
    summary: str
    reviewed: date
    body_html: str
    headings: tuple[Heading, ...]
    includes: tuple[str, ...] = ()
    lang: str = "en"
    source: str = ""


# --- the directory of other organisations (content/directory/) ---------------------


@dataclass(frozen=True)
class OtherNumber:
    """A second line worth knowing, such as a Welsh-language or textphone line."""

    label: str
    phone: str


@dataclass(frozen=True)
class OrganisationContact:
    """How to reach an organisation. Websites are shown as links and never fetched."""

    phone: str | None = None
    textphone: str | None = None  # a textphone number or Relay UK (18001 + number)
    emergency: str | None = None  # the number to ring in an emergency, where there is one
    website: str | None = None
    email: str | None = None
    address: str | None = None
    hours: OpeningHours | None = None
    hours_note: str | None = None  # what the hours mean, e.g. "Phone lines are busiest on Mondays"
    other_numbers: tuple[OtherNumber, ...] = ()


@dataclass(frozen=True)
class Organisation:
    """Another organisation residents often confuse with the council."""

    slug: str
    name: str
    category: str
    responsible_for: str  # plain words: what they look after
    contact_when: str  # plain words: when to get in touch with them
    keywords: tuple[str, ...]  # the words people use: "smell of gas", "power cut"
    contact: OrganisationContact
    reviewed: date
    body_html: str
    headings: tuple[Heading, ...]
    not_for: str | None = None  # what they do not do, and who does
    source: str = ""
    keywords_cy: tuple[str, ...] = ()  # Welsh words residents search with (the directory is in English)

    @property
    def url_path(self) -> str:
        return f"/directory/{self.slug}"

    @property
    def sort_key(self) -> str:
        """Alphabetical order ignoring a leading "The" or "Your"."""
        name = self.name.lower()
        for article in ("the ", "your "):
            name = name.removeprefix(article)
        return name


@dataclass
class Directory:
    """Every organisation in the directory, with its categories."""

    categories: dict[str, Category]
    organisations: dict[str, Organisation]

    def organisation(self, slug: str) -> Organisation | None:
        return self.organisations.get(slug)

    def in_category(self, slug: str) -> list[Organisation]:
        chosen = (org for org in self.organisations.values() if org.category == slug)
        return sorted(chosen, key=lambda org: org.sort_key)

    def by_category(self, lang: str = "en") -> list[tuple[Category, list[Organisation]]]:
        """Categories in the order the content team listed them, each with its organisations."""
        return [(category.localised(lang), self.in_category(slug))
                for slug, category in self.categories.items() if self.in_category(slug)]

    def a_to_z(self) -> list[tuple[str, list[Organisation]]]:
        """Organisations grouped under their first letter (digits under "0-9")."""
        groups: dict[str, list[Organisation]] = {}
        for org in sorted(self.organisations.values(), key=lambda org: org.sort_key):
            first = org.sort_key[:1].upper()
            letter = first if first in string.ascii_uppercase else "0-9"
            groups.setdefault(letter, []).append(org)
        return list(groups.items())


@dataclass(frozen=True)
class Council:
    """Who the council is: its name in each language, a short name for file names, its main contact."""

    name: str
    short_name: str
    main_contact: Contact | None = None
    website: str | None = None
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    example_postcode: str = "SW1A 1AA"  # a postcode of the council's area, for hints ("For example, ...")
    # Two capital letters in front of every case reference ("BK-7KQ4-M9XR"); council.yaml's
    # reference_prefix, else made from the short name (see `prefix_from_name`).
    reference_prefix: str = ""

    @property
    def prefix(self) -> str:
        """The references' prefix: the one council.yaml gives, else one made from the short name."""
        return self.reference_prefix or prefix_from_name(self.short_name)

    def name_in(self, lang: str) -> str:
        return self.translations.get(lang, {}).get("name") or self.name

    @property
    def slug(self) -> str:
        """The short name as it can go in a file name: "Brackenford" -> "brackenford"."""
        return slugify(self.short_name, fallback="council")


def prefix_from_name(short_name: str) -> str:
    """Two capital letters from a council's short name: its first two initials ("Vale Royal" -> "VR"),
    or for one word its first two letters ("Ashby" -> "AS"); accents dropped, "TH" when nothing is left."""
    words = ["".join(c for c in unicodedata.normalize("NFKD", word) if c.isascii() and c.isalpha()).upper()
             for word in short_name.split()]
    words = [word for word in words if word]
    letters = "".join(word[0] for word in words) if len(words) >= 2 else "".join(words)
    return (letters[:2] if len(letters) >= 2 else (letters + "TH")[:2]) or "TH"


@dataclass
class Site:
    """Everything loaded from the content folder, plus the problems found on the way."""

    council: Council = field(default_factory=lambda: Council("The council", "council"))
    categories: dict[str, Category] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    standards: tuple[Standard, ...] = ()
    standard_translations: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    home: dict[str, Any] = field(default_factory=dict)
    translations: dict[tuple[str, str], Any] = field(default_factory=dict)  # (kind:slug, lang) -> item
    directory: Directory | None = None  # other organisations (content/directory/)
    problems: list = field(default_factory=list)
    fingerprint: str = ""  # changes whenever any content file changes
    root: Path = Path(".")  # the content folder this was loaded from

    def service(self, slug: str, lang: str = "en") -> Service | None:
        return self.translations.get((f"service:{slug}", lang)) or self.services.get(slug)

    def page(self, slug: str, lang: str = "en") -> Page | None:
        return self.translations.get((f"page:{slug}", lang)) or self.pages.get(slug)

    def category(self, slug: str, lang: str = "en") -> Category | None:
        category = self.categories.get(slug)
        return category.localised(lang) if category else None

    def services_in(self, category_slug: str, lang: str = "en") -> list[Service]:
        chosen = [self.service(slug, lang) for slug, item in self.services.items() if item.category == category_slug]
        return sorted(chosen, key=lambda service: service.title.lower())

    def all_services(self, lang: str = "en") -> list[Service]:
        return sorted((self.service(slug, lang) for slug in self.services), key=lambda s: s.title.lower())

    def top_tasks(self, lang: str = "en") -> list[Service]:
        return [service for service in self.all_services(lang) if service.top_task]

    def standards_in(self, lang: str = "en") -> list[Standard]:
        localised = []
        for standard in self.standards:
            text = self.standard_translations.get(standard.id or "", {}).get(lang, {})
            localised.append(replace(standard, **{k: v for k, v in text.items() if k in ("promise", "channel")}))
        return localised
