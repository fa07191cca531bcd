"""The directory of other organisations: who to contact when it is not the council's job.

One Markdown file per organisation in ``content/directory/<slug>.md`` (front
matter for the facts, the body for anything more to say), and the directory's
own categories in ``content/directory/categories.yaml``. Files are read and
checked by the same readers as service pages, so a phone number or opening
hours are checked the same way everywhere, and problems name the file and field.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import frontmatter

from ..hours import OpeningHours
from .fields import FieldReader
from .markdown import render_markdown
from .models import Category, Heading
from .problems import ProblemLog

FOLDER = "directory"
CATEGORIES_FILE = f"{FOLDER}/categories.yaml"
RESERVED_SLUGS = {"a-to-z", "not-sure"}  # /directory/a-to-z and /directory/not-sure are pages, not organisations
ORGANISATION_FIELDS = {
    "name", "category", "responsible_for", "contact_when", "not_for", "keywords", "keywords_cy", "contact", "reviewed",
}
CONTACT_FIELDS = {
    "phone", "textphone", "emergency", "website", "email", "address", "hours", "hours_note", "other_numbers",
}


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


def load_directory(root: Path, log: ProblemLog) -> Directory:
    """Read ``content/directory/``. A content folder without one simply has an empty directory."""
    from . import loader  # loader imports this module inside load_site, so import it lazily here

    if not (root / FOLDER).is_dir():
        return Directory({}, {})
    categories = loader._load_categories(root, log, CATEGORIES_FILE)

    def build(slug: str, path: str, post: frontmatter.Post, log: ProblemLog) -> Organisation | None:
        if slug in RESERVED_SLUGS:
            log.add(path, f'The file name "{slug}" is taken by a page of the directory itself. Rename the file')
            return None
        return _organisation(categories, slug, path, post, log)

    organisations = loader._load_collection(root, FOLDER, log, build)
    return Directory(categories, organisations)


def _organisation(
    categories: dict[str, Category], slug: str, path: str, post: frontmatter.Post, log: ProblemLog
) -> Organisation | None:
    from .loader import _body

    reader = FieldReader(post.metadata, path, log)
    reader.unknown(ORGANISATION_FIELDS)
    # The front matter says everything a resident needs, so the text below it is optional.
    body = _body(post.content, path, log) if post.content.strip() else render_markdown("")
    keywords = tuple(reader.text_list("keywords", required=True))
    return Organisation(
        slug=slug,
        name=reader.text("name", max_length=80) or "",
        category=reader.slug("category", categories.keys()) or "",
        responsible_for=reader.text("responsible_for", max_length=300) or "",
        contact_when=reader.text("contact_when", max_length=300) or "",
        not_for=reader.text("not_for", required=False, max_length=300),
        keywords=keywords,
        keywords_cy=tuple(reader.welsh_keywords("keywords_cy")),
        contact=_contact(reader),
        reviewed=reader.date("reviewed"),  # type: ignore[arg-type]
        body_html=body.html,
        headings=body.headings,
        source=path,
    )


def _contact(reader: FieldReader) -> OrganisationContact:
    if not isinstance(reader.data.get("contact"), dict):
        reader.problem("contact", "is missing. Add at least a phone number, website, email or postal address")
        return OrganisationContact()
    nested = reader.nested("contact")
    nested.unknown(CONTACT_FIELDS)
    contact = OrganisationContact(
        phone=nested.phone("phone"),
        textphone=nested.phone("textphone"),
        emergency=nested.phone("emergency"),
        website=nested.url("website", allow_site_path=False),
        email=nested.email("email"),
        address=nested.text("address", required=False),
        hours=nested.hours("hours"),
        hours_note=nested.text("hours_note", required=False, max_length=200),
        other_numbers=_other_numbers(nested),
    )
    if not (contact.phone or contact.website or contact.email or contact.address):
        nested.problem(None, "needs at least a phone number, a website, an email address or a postal address")
    return contact


def _other_numbers(reader: FieldReader) -> tuple[OtherNumber, ...]:
    value = reader.data.get("other_numbers")
    if value in (None, []):
        return ()
    if not isinstance(value, list):
        reader.problem("other_numbers", "should be a list, each with a label and a phone, "
                       "like - {label: Welsh language line, phone: 0800 328 1744}")
        return ()
    numbers = []
    for number, entry in enumerate(value, start=1):
        item = FieldReader(entry, reader.path, reader.log, prefix=f"{reader.prefix}other_numbers.{number}.")
        item.unknown({"label", "phone"})
        label, phone = item.text("label", max_length=80), item.phone("phone", required=True)
        if label and phone:
            numbers.append(OtherNumber(label, phone))
    return tuple(numbers)
