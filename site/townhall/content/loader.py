"""Load the content folder into a `Site`, checking every file as it goes.

The folder the content team edits:

    categories.yaml   contacts.yaml   standards.yaml   home.yaml
    services/<slug>.md     services/<slug>.<lang>.md (a translation)
    pages/<slug>.md        pages/<slug>.<lang>.md

Loading never stops at the first mistake: every problem is collected with its
file, field and line, and files with problems are left out. The app decides
what to do with the problems (refuse to start in development, log and carry
on in production) and `flask content check` prints them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import frontmatter

from .contacts import has_a_way_to_reach, read_contact
from .directory import load_directory
from .fields import FieldReader
from .files import (
    TRANSLATION_NAME,
    fingerprint,
    load_categories,
    load_collection,
    read_body,
    read_markdown,
    read_yaml,
    relative_path,
    translations_of,
)
from .models import Charge, Contact, Council, Page, Service, Site, Standard, Timescale
from .problems import ProblemLog

SERVICE_FIELDS = {
    "title", "summary", "category", "keywords", "responsible", "top_task",
    "contact", "charges", "standard", "reviewed", "keywords_cy",
}
TRANSLATED_SERVICE_FIELDS = {"title", "summary", "keywords", "responsible", "standard"}
PAGE_FIELDS = {"title", "summary", "reviewed", "includes"}
TRANSLATED_PAGE_FIELDS = {"title", "summary"}
KNOWN_INCLUDES = ("service-standards", "preferences-cookie")

# Content paths whose last part must name something in the content folder.
CONTENT_PREFIXES = ("/services/", "/categories/")


def load_site(
    root: Path | str,
    languages: tuple[str, ...] = ("en", "cy"),
    app_paths: Iterable[str] = (),
    app_prefixes: Iterable[str] = (),
) -> Site:
    """Read and check everything in the content folder.

    `app_paths` (fixed addresses such as /search) and `app_prefixes` (the fixed
    start of addresses such as /directory/<slug>) come from the app's routes, so
    links in page bodies can be checked against every page the site really has.
    """
    root = Path(root)
    log = ProblemLog()
    site = Site()
    if not root.is_dir():
        log.add(str(root), "The content folder does not exist. Set TOWNHALL_CONTENT to the folder's path")
        site.problems = log.problems
        return site
    site.categories = load_categories(root, log)
    site.contacts = _load_contacts(root, log)
    site.council = _load_council(root, site.contacts, log) or site.council
    site.standards, site.standard_translations = _load_standards(root, log)
    site.home = read_yaml(root, "home.yaml", log, required=False) or {}
    site.services = load_collection(root, "services", log, lambda *args: _service(site, *args))
    site.pages = load_collection(root, "pages", log, lambda *args: _page(site, *args))
    _load_translations(root, site, log, languages)
    site.root = root
    site.directory = load_directory(root, log)
    _check_links(site, log, set(app_paths), tuple(app_prefixes))
    site.problems = log.problems
    site.fingerprint = fingerprint(root)
    return site


# --- shared data files -------------------------------------------------------


def _load_contacts(root: Path, log: ProblemLog) -> dict[str, Contact]:
    data = read_yaml(root, "contacts.yaml", log)
    if data is None:
        return {}
    if not isinstance(data, dict):
        log.add("contacts.yaml", "should list contacts by name, like 'customer-services:' followed by their details")
        return {}
    contacts = {}
    for name, details in data.items():
        reader = FieldReader(details, "contacts.yaml", log, prefix=f"{name}.")
        contact = read_contact(reader, Contact, name=str(name))
        if has_a_way_to_reach(contact):
            contacts[str(name)] = contact
    return contacts


COUNCIL_FILE = "council.yaml"


def _load_council(root: Path, contacts: dict[str, Contact], log: ProblemLog) -> Council | None:
    """The council's name and main contact (content/council.yaml)."""
    data = read_yaml(root, COUNCIL_FILE, log)
    if data is None:
        return None
    reader = FieldReader(data, COUNCIL_FILE, log)
    reader.unknown({"name", "short_name", "main_contact", "website", "example_postcode", "reference_prefix", "cy"})
    name, short_name = reader.text("name", max_length=100), reader.text("short_name", max_length=40)
    contact_name = reader.text("main_contact")
    if contact_name and contact_name not in contacts:
        names = ", ".join(sorted(contacts)) or "(none yet)"
        reader.problem("main_contact", f'"{contact_name}" is not a contact in contacts.yaml. Use one of: {names}')
    website = reader.url("website", allow_site_path=False)
    example = reader.text("example_postcode", max_length=8)
    prefix = reader.text("reference_prefix", required=False) or ""
    if prefix and not (len(prefix) == 2 and prefix.isascii() and prefix.isalpha() and prefix.isupper()):
        reader.problem("reference_prefix", f'"{prefix}" should be two capital letters, like AB')
        prefix = ""
    if not (name and short_name and example):
        return None
    return Council(name, short_name, contacts.get(contact_name or ""), website, translations_of(reader, ("name",)),
                   example_postcode=example, reference_prefix=prefix)


def _load_standards(root: Path, log: ProblemLog) -> tuple[tuple[Standard, ...], dict]:
    data = read_yaml(root, "standards.yaml", log)
    if data is None:
        return (), {}
    if not isinstance(data, list):
        log.add("standards.yaml", "should be a list, with each standard starting with '- id:'")
        return (), {}
    standards, translations = [], {}
    for number, entry in enumerate(data, start=1):
        reader = FieldReader(entry, "standards.yaml", log, prefix=f"standard {number}.")
        reader.unknown({"id", "channel", "promise", "within", "target_percent", "cy"})
        standard = _read_standard(reader, with_channel=True)
        if standard:
            standards.append(standard)
            translations[standard.id] = translations_of(reader, ("channel", "promise"))
    return tuple(standards), translations


def _read_standard(reader: FieldReader, with_channel: bool = False) -> Standard | None:
    promise = reader.text("promise", max_length=160)
    within = reader.within("within", required=False)
    target = reader.data.get("target_percent")
    if target is not None and (not isinstance(target, int) or not 0 < target <= 100):
        reader.problem("target_percent", "should be a whole number from 1 to 100, like 70")
        target = None
    if within is None and target is None:
        reader.problem("within", 'is missing. Say how fast, like "within: 2 working days"')
        return None
    ident = reader.slug("id") if with_channel else None
    channel = reader.text("channel") if with_channel else None
    if not promise:
        return None
    timescale = Timescale(*within) if within else None
    return Standard(promise=promise, within=timescale, target_percent=target, channel=channel, id=ident)


# --- services and pages ------------------------------------------------------


def _service(site: Site, slug: str, path: str, post: frontmatter.Post, log: ProblemLog) -> Service | None:
    reader = FieldReader(post.metadata, path, log)
    reader.unknown(SERVICE_FIELDS)
    body = read_body(post.content, path, log)
    service = Service(
        slug=slug,
        title=reader.text("title", max_length=70) or "",
        summary=reader.text("summary", max_length=200) or "",
        category=reader.slug("category", site.categories.keys()) or "",
        keywords=tuple(reader.text_list("keywords")),
        keywords_cy=tuple(reader.welsh_keywords("keywords_cy")),
        responsible=reader.text("responsible", max_length=100) or "",
        contact=_service_contact(site, reader),  # type: ignore[arg-type]
        charges=_charges(reader),
        standard=_standard_field(reader),  # type: ignore[arg-type]
        reviewed=reader.date("reviewed"),  # type: ignore[arg-type]
        body_html=body.html,
        headings=body.headings,
        top_task=reader.boolean("top_task"),
        source=path,
    )
    return service


def _service_contact(site: Site, reader: FieldReader) -> Contact | None:
    value = reader.data.get("contact")
    if isinstance(value, str):
        if value not in site.contacts:
            names = ", ".join(sorted(site.contacts)) or "(none yet)"
            reader.problem("contact", f'"{value}" is not a contact in contacts.yaml. Use one of: {names}')
            return None
        return site.contacts[value]
    if value is None:
        reader.problem("contact", "is missing. Give a contact name from contacts.yaml, like customer-services")
        return None
    contact = read_contact(reader.nested("contact"), Contact, name=None)
    return contact if has_a_way_to_reach(contact) else None


def _charges(reader: FieldReader) -> tuple[Charge, ...]:
    value = reader.data.get("charges")
    if isinstance(value, str) and value.strip().lower() == "free":
        return ()
    if not isinstance(value, list) or not value:
        reader.problem("charges", 'is missing. Write "charges: free", or list each charge with item and amount')
        return ()
    charges = []
    for number, entry in enumerate(value, start=1):
        item = FieldReader(entry, reader.path, reader.log, prefix=f"charges.{number}.")
        item.unknown({"item", "amount", "per", "note"})
        name, amount = item.text("item"), item.text("amount")
        if amount and amount.lower() != "free" and not re.fullmatch(r"£\d+(?:,\d{3})*(?:\.\d{2})?", amount):
            item.problem("amount", f'"{amount}" should be an amount in pounds, like £52 or £7.50, or the word free')
            amount = None
        if name and amount:
            charges.append(Charge(name, amount.lower() if amount.lower() == "free" else amount,
                                  item.text("per", required=False), item.text("note", required=False)))
    return tuple(charges)


def _standard_field(reader: FieldReader) -> Standard | None:
    if not isinstance(reader.data.get("standard"), dict):
        reader.problem("standard", "is missing. Add 'promise' (what we will do) and 'within' (how fast)")
        return None
    nested = reader.nested("standard")
    nested.unknown({"promise", "within"})
    return _read_standard(nested)


def _page(site: Site, slug: str, path: str, post: frontmatter.Post, log: ProblemLog) -> Page | None:
    reader = FieldReader(post.metadata, path, log)
    reader.unknown(PAGE_FIELDS)
    body = read_body(post.content, path, log)
    includes = tuple(reader.text_list("includes"))
    for include in includes:
        if include.startswith("contact:"):
            if include.removeprefix("contact:") not in site.contacts:
                reader.problem("includes", f'"{include}" names a contact that is not in contacts.yaml')
        elif include not in KNOWN_INCLUDES:
            choices = ", ".join((*KNOWN_INCLUDES, "contact:<name>"))
            reader.problem("includes", f'"{include}" is not a block we can include. Choose from: {choices}')
    return Page(
        slug=slug,
        title=reader.text("title", max_length=70) or "",
        summary=reader.text("summary", max_length=200) or "",
        reviewed=reader.date("reviewed"),  # type: ignore[arg-type]
        body_html=body.html,
        headings=body.headings,
        includes=includes,
        source=path,
    )


# --- translations ------------------------------------------------------------


def _load_translations(root: Path, site: Site, log: ProblemLog, languages: tuple[str, ...]) -> None:
    for folder, originals, kind in (("services", site.services, "service"), ("pages", site.pages, "page")):
        for path in sorted((root / folder).glob("*.*.md")):
            match = TRANSLATION_NAME.match(path.name)
            if not match:
                continue
            relative, slug, lang = relative_path(root, path), match["slug"], match["lang"]
            if lang not in languages or lang == "en":
                log.add(relative, f'"{lang}" is not one of the site\'s languages ({", ".join(languages)})')
                continue
            original = originals.get(slug)
            if original is None:
                log.add(relative, f"is a translation of {folder}/{slug}.md, which does not exist or has problems")
                continue
            post = read_markdown(root, path, log)
            if post is None:
                continue
            before = len(log.problems)
            translated = _translated(original, relative, post, log, kind, lang)
            if len(log.problems) == before:
                site.translations[(f"{kind}:{slug}", lang)] = translated


def _translated(original: Any, path: str, post: frontmatter.Post, log: ProblemLog, kind: str, lang: str) -> Any:
    reader = FieldReader(post.metadata, path, log)
    allowed = TRANSLATED_SERVICE_FIELDS if kind == "service" else TRANSLATED_PAGE_FIELDS
    reader.unknown(allowed)
    body = read_body(post.content, path, log)
    changes: dict[str, Any] = {
        "title": reader.text("title", max_length=70) or original.title,
        "summary": reader.text("summary", max_length=200) or original.summary,
        "body_html": body.html,
        "headings": body.headings,
        "lang": lang,
        "source": path,
    }
    if kind == "service":
        changes["keywords"] = tuple(reader.text_list("keywords")) or original.keywords
        changes["responsible"] = reader.text("responsible", required=False) or original.responsible
        if reader.has("standard"):
            changes["standard"] = _standard_field(reader) or original.standard
    return replace(original, **changes)


def site_files(site: Site, folder: str) -> list[Path]:
    """The untranslated Markdown files in a content folder, whether or not they loaded."""
    return [path for path in (site.root / folder).glob("*.md") if not TRANSLATION_NAME.match(path.name)]


def _check_links(site: Site, log: ProblemLog, app_paths: set[str], app_prefixes: tuple[str, ...]) -> None:
    """Report links in page bodies to addresses on this site that do not exist."""
    # A page whose own file has problems still counts as existing: its problems are reported on their own.
    known = app_paths | {"/"} | {f"/categories/{slug}" for slug in site.categories}
    known |= {f"/services/{path.stem}" for path in site_files(site, "services")}
    known |= {f"/{path.stem}" for path in site_files(site, "pages")}
    other_prefixes = tuple(p for p in app_prefixes if p not in ("/", *CONTENT_PREFIXES))
    items = [*site.services.values(), *site.pages.values(), *site.translations.values()]
    if site.directory:
        items.extend(site.directory.organisations.values())
    for item in items:
        for href in re.findall(r'href="([^"]+)"', item.body_html):
            if not href.startswith("/") or href.startswith("//"):
                continue
            target = href.split("#")[0].split("?")[0].rstrip("/") or "/"
            if target in known or (other_prefixes and target.startswith(other_prefixes)):
                continue
            if not app_paths and not target.startswith(CONTENT_PREFIXES):
                continue  # without the app's routes we can only check content addresses
            log.add(item.source, f'links to "{href}", which is not a page on this site. '
                    "Check the spelling of the link", hides_file=False)
