"""Load the content folder into a `Site`, checking every file as it goes.

The folder the content team edits:

    council.yaml  categories.yaml  contacts.yaml  standards.yaml  home.yaml
    owners.yaml (the teams that own pages)   redirects.yaml (old address: new address)
    style/words.yaml (words to avoid)        images/ (pictures)
    services/<slug>.md     services/<slug>.<lang>.md (a translation)
    pages/<slug>.md        pages/<slug>.<lang>.md
    directory/...          (other organisations, see directory.py)

Loading never stops at the first mistake: every problem is collected with its
file, line and setting. Files are read in the order they depend on each other
(shared files, then pages, then translations, then the checks across the whole
site such as links), and for each the version to serve is chosen there and
then (`files.ContentSource.choose`): the current one, its last good one, or
none (in preview, a draft shown with its problems).

`ContentLoader` keeps what it parsed between loads, so reloading after an edit
only parses the files that changed. `load_site(folder)` is the one-off form.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from .bins import load_bin_rules
from .contacts import has_a_way_to_reach, read_contact
from .directory import load_directory
from .fields import FieldReader
from .files import (
    TRANSLATION_NAME,
    ContentSource,
    MarkdownFile,
    ParseCache,
    load_categories,
    load_collection,
    parse_page,
    read_body,
    reader_for,
    translations_of,
    yaml_file,
)
from .images import ImageLibrary
from .links import check_body_links, load_linked_sites, read_online
from .models import Charge, Contact, Council, Owner, Page, SecurityContact, Service, Site, Standard, Timescale
from .notices import load_alerts, read_status
from .problems import ERROR, WARNING, ContentProblem, ProblemLog
from .steps import load_journey_translations, load_journeys

SERVICE_FIELDS = {
    "title", "summary", "category", "keywords", "responsible", "top_task",
    "contact", "charges", "standard", "reviewed", "keywords_cy", "owner", "online", "status", "a_to_z", "tool",
    "questions",
}
TRANSLATED_SERVICE_FIELDS = {"title", "summary", "keywords", "responsible", "standard", "online", "a_to_z", "questions"}
MAX_QUESTION = 150  # characters in one of a page's `questions:`
# Postcode tools a service page can show (front matter `tool:`): the box goes to the tool's answer page.
KNOWN_TOOLS = ("bin-collections", "your-area", "school-catchment-areas")
MAX_A_TO_Z_TERM = 40
PAGE_FIELDS = {"title", "summary", "reviewed", "includes", "owner", "questions"}
TRANSLATED_PAGE_FIELDS = {"title", "summary", "questions"}
KNOWN_INCLUDES = ("service-standards", "preferences-cookie")
OWNERS_FILE, REDIRECTS_FILE, WORDS_FILE = "owners.yaml", "redirects.yaml", "style/words.yaml"

# Content paths whose last part must name something in the content folder.
CONTENT_PREFIXES = ("/services/", "/categories/", "/directory/", "/step-by-step/")
# Sections every page of a kind has, which links may point at (#contact on a service page).
TEMPLATE_IDS = frozenset({"main-content", "contact", "at-a-glance", "contact-heading", "costs", "costs-heading",
                          "promise-heading", "related-heading", "other-formats", "contents-heading"})


def load_site(
    root: Path | str,
    languages: tuple[str, ...] = ("en", "cy"),
    app_paths: Iterable[str] = (),
    app_prefixes: Iterable[str] = (),
    **options: Any,
) -> Site:
    """Read and check everything in the content folder (see `ContentLoader` for the options)."""
    return ContentLoader(root, languages, app_paths, app_prefixes, **options).load()


class ContentLoader:
    """Loads the content folder again and again, parsing only what changed since the last time.

    `app_paths` (fixed addresses such as /search) and `app_prefixes` (the fixed
    start of addresses such as /directory/<slug>) come from the app's routes, so
    links in page bodies can be checked against every page the site really has.
    `last_good` (a `LastGood`): serve each file's last good version while the
    current one has errors, and remember good versions. `drafts` (preview): keep
    pages with errors, to show them with their problems. `images`: where pictures
    are found and resized (None: `content/images`, checked but never resized). `cache`: parsing to share
    (by text), as between loads of copies of one folder.
    """

    def __init__(self, root: Path | str, languages: tuple[str, ...] = ("en", "cy"), app_paths: Iterable[str] = (),
                 app_prefixes: Iterable[str] = (), *, last_good: Any = None, drafts: bool = False,
                 images: ImageLibrary | None = None, cache: ParseCache | None = None,
                 today: Callable[[], date] | None = None):
        self.root = Path(root)
        self.languages = tuple(languages)
        self.app_paths = set(app_paths)
        self.app_prefixes = tuple(app_prefixes)
        self.last_good = last_good
        self.drafts = drafts
        self.images = images if images is not None else ImageLibrary(self.root / "images", None)
        self.cache = cache if cache is not None else ParseCache()
        self.texts: dict = {}  # the files' texts, read again only when their time or size changes
        self.today = today  # what "today" is when a date in the content is checked (security.txt's expiry)

    def load(self) -> Site:
        site = Site(drafts=self.drafts, languages=self.languages)
        source = ContentSource(self.root, last_good=self.last_good, drafts=self.drafts, images=self.images,
                               cache=self.cache, texts=self.texts)
        if not self.root.is_dir():
            source.log.add(str(self.root), "The content folder does not exist. Set TOWNHALL_CONTENT to the "
                           "folder's path", code="no-content-folder")
            site.problems = source.log.problems
            return site
        site.root = self.root
        site.categories = load_categories(source)
        site.contacts = yaml_file(source, "contacts.yaml", _contacts, {})
        site.council = yaml_file(source, COUNCIL_FILE, lambda *args: _council(site.contacts, *args), None) \
            or site.council
        today = self.today() if self.today is not None else None
        site.security = yaml_file(source, SECURITY_FILE, lambda *args: _security(today, *args), None, required=False)
        site.standards, site.standard_translations = yaml_file(source, "standards.yaml", _standards, ((), {}))
        site.home = yaml_file(source, "home.yaml", lambda data, lines, log: data or {}, {}, required=False)
        site.owners = yaml_file(source, OWNERS_FILE, _owners, {}, required=False)
        site.words = yaml_file(source, WORDS_FILE, _words, (), required=False)
        site.linked_sites = load_linked_sites(source)
        load_collection(source, "services", lambda *args: _service(site, *args, source=source), into=site.services)
        load_collection(source, "pages", lambda *args: _page(site, *args, source=source), into=site.pages)
        site.directory = load_directory(source, owners=site.owners)
        _load_translations(source, site, self.languages)
        site.journeys = load_journeys(source, site.council)
        site.translations.update(load_journey_translations(source, site.journeys, site.council, self.languages))
        site.redirects = yaml_file(source, REDIRECTS_FILE, _redirects_reader(source, site, self.app_paths,
                                                                              self.app_prefixes), {}, required=False)
        live = _live_addresses(source, site, self.app_paths)
        site.alerts = load_alerts(source, site.linked_sites, lambda href: _is_live(
            href, live, self.app_prefixes) or (not self.app_paths and not href.startswith(CONTENT_PREFIXES)))
        site.bin_rules = load_bin_rules(source)
        _check_site(source, site, self.app_paths, self.app_prefixes)
        self._remember(source)
        site.problems = source.log.problems
        site.files = source.statuses
        site.bodies = source.bodies
        site.texts = dict(source.used)
        site.fingerprint = source.fingerprint()
        return site

    def _remember(self, source: ContentSource) -> None:
        """Keep each file that is good now as its last good version; forget files that were removed."""
        if self.last_good is None:
            return
        for path, status in source.statuses.items():
            if status.state == "published" and not status.errors:
                self.last_good.remember(path, source.used[path])
        for path in self.last_good.known():
            if path not in source.statuses and not source.exists(path):
                self.last_good.forget(path)


def _placeholder_title(slug: str) -> str:
    """A title for a draft whose own cannot be read (preview only: such a page is never published)."""
    return slug.replace("-", " ").capitalize()


# --- shared data files -------------------------------------------------------


def _contacts(data: Any, lines: dict[str, int], log: ProblemLog) -> dict[str, Contact]:
    if not isinstance(data, dict):
        log.add("contacts.yaml", "should list contacts by name, like 'customer-services:' followed by their "
                "details", line=1)
        return {}
    contacts = {}
    for name, details in data.items():
        reader = FieldReader(details, "contacts.yaml", log, prefix=f"{name}.", lines=lines)
        contact = read_contact(reader, Contact, name=str(name))
        if has_a_way_to_reach(contact):
            contacts[str(name)] = contact
    return contacts


COUNCIL_FILE = "council.yaml"


def _council(contacts: dict[str, Contact], data: Any, lines: dict[str, int], log: ProblemLog) -> Council | None:
    """The council's name and main contact (content/council.yaml)."""
    reader = FieldReader(data, COUNCIL_FILE, log, lines=lines)
    reader.unknown({"name", "short_name", "main_contact", "website", "example_postcode", "area", "reference_prefix",
                    "cy"})
    name, short_name = reader.text("name", max_length=100), reader.text("short_name", max_length=40)
    contact_name = reader.text("main_contact")
    if contact_name and contact_name not in contacts:
        names = ", ".join(sorted(contacts)) or "(none yet)"
        reader.problem("main_contact", f'"{contact_name}" is not a contact in contacts.yaml. Use one of: {names}')
    website = reader.url("website", allow_site_path=False)
    example = reader.text("example_postcode", max_length=8)
    area = reader.text("area", required=False, max_length=60) or ""
    prefix = reader.text("reference_prefix", required=False) or ""
    if prefix and not (len(prefix) == 2 and prefix.isascii() and prefix.isalpha() and prefix.isupper()):
        reader.problem("reference_prefix", f'"{prefix}" should be two capital letters, like AB')
        prefix = ""
    if not (name and short_name and example):
        return None
    return Council(name, short_name, contacts.get(contact_name or ""), website,
                   translations_of(reader, ("name", "area")), example_postcode=example, area=area,
                   reference_prefix=prefix)


SECURITY_FILE = "security.yaml"


def _security(today: date | None, data: Any, lines: dict[str, int], log: ProblemLog) -> SecurityContact | None:
    """content/security.yaml (optional): an expired one is a problem, as RFC 9116 says readers must ignore it."""
    reader = FieldReader(data, SECURITY_FILE, log, lines=lines)
    reader.unknown({"contact", "expires", "preferred_languages", "policy"})
    contacts = tuple(reader.text_list("contact", required=True))
    for contact in contacts:
        if not contact.startswith(("mailto:", "https://", "tel:")):
            reader.problem("contact", f'"{contact}" should start with mailto:, https:// or tel:, '
                           "like mailto:security@example.org")
    expires = reader.date("expires")
    if expires and today and expires <= today:
        reader.problem("expires", f"passed on {expires.isoformat()}. Set a new date, within the next year",
                       code="expired")
        return None  # readers must ignore an expired security.txt (RFC 9116 2.5.5), so we do not publish it
    if expires and today and (expires - today).days <= 30:
        reader.problem("expires", f"passes on {expires.isoformat()}, within a month. Set a new date, within the "
                       "next year", code="expires-soon", severity=WARNING)
    if not contacts or expires is None:
        return None
    return SecurityContact(contacts, expires, reader.text("preferred_languages", required=False),
                           reader.url("policy"))


def _standards(data: Any, lines: dict[str, int], log: ProblemLog) -> tuple[tuple[Standard, ...], dict]:
    if not isinstance(data, list):
        log.add("standards.yaml", "should be a list, with each standard starting with '- id:'", line=1)
        return (), {}
    standards, translations = [], {}
    for number, entry in enumerate(data, start=1):
        reader = FieldReader(entry, "standards.yaml", log, prefix=f"{number}.", lines=lines)
        reader.unknown({"id", "channel", "promise", "within", "target_percent", "target", "target_wording", "cy"})
        standard = _read_standard(reader, with_channel=True)
        if standard:
            standard = replace(standard, **_read_target(reader))
            standards.append(standard)
            translations[standard.id] = translations_of(reader, ("channel", "promise", "target_wording"))
    return tuple(standards), translations


def _read_target(reader: FieldReader) -> dict[str, Any]:
    """A standard's target for "How we're doing": a whole percent and the words for what is counted.

    Both or neither: a percent without words cannot be said in a sentence, and words without a percent
    cannot be met. A standard without a target is published without "met" or "not met".
    """
    target = reader.data.get("target")
    wording = reader.text("target_wording", required=False, max_length=120)
    if target is None and wording is None:
        return {}  # `flask content check` asks for one (cli/performance.py): a standard is valid without
    if not isinstance(target, int) or isinstance(target, bool) or not 0 < target <= 100:
        reader.problem("target", "should be a whole number of percent from 1 to 100, like 90")
        return {}
    if wording is None:
        reader.problem("target_wording", 'is missing. Say what is counted, like "letters answered within 10 '
                       'working days"', code="missing-setting")
        return {}
    return {"target": target, "target_wording": wording}


def _owners(data: Any, lines: dict[str, int], log: ProblemLog) -> dict[str, Owner]:
    """owners.yaml: each team that owns pages, its contact address and how often its pages are checked."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        log.add(OWNERS_FILE, "should list teams by name, like 'waste:' followed by team and email", line=1)
        return {}
    owners = {}
    for name, details in data.items():
        reader = FieldReader(details, OWNERS_FILE, log, prefix=f"{name}.", lines=lines)
        reader.unknown({"team", "email", "review_months"})
        team, email = reader.text("team", max_length=100), reader.email("email", required=True)
        months = reader.data.get("review_months", 6)
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 12:
            reader.problem("review_months", "should be a whole number of months from 1 to 12, like 6")
            months = 6
        if team and email:
            owners[str(name)] = Owner(str(name), team, email, months)
    return owners


def _words(data: Any, lines: dict[str, int], log: ProblemLog) -> tuple[tuple[str, str], ...]:
    """style/words.yaml: words to avoid, each with what to write instead (`utilise: use`)."""
    if data is None:
        return ()
    if not isinstance(data, dict):
        log.add(WORDS_FILE, "should list words to avoid, one a line, like 'utilise: use'", line=1)
        return ()
    words = []
    for avoid, instead in data.items():
        if not isinstance(avoid, str) or not isinstance(instead, str) or not avoid.strip() or not instead.strip():
            log.add(WORDS_FILE, f'"{avoid}" needs what to write instead after the colon, like "utilise: use"',
                    line=lines.get(str(avoid)), code="field")
            continue
        words.append((avoid.strip().lower(), instead.strip()))
    return tuple(words)


def _read_standard(reader: FieldReader, with_channel: bool = False) -> Standard | None:
    promise = reader.text("promise", max_length=160)
    within = reader.within("within", required=False)
    target = reader.data.get("target_percent")
    if target is not None and (not isinstance(target, int) or not 0 < target <= 100):
        reader.problem("target_percent", "should be a whole number from 1 to 100, like 70")
        target = None
    if within is None and target is None:
        reader.problem("within", 'is missing. Say how fast, like "within: 2 working days"', code="missing-setting")
        return None
    ident = reader.slug("id") if with_channel else None
    channel = reader.text("channel") if with_channel else None
    if not promise:
        return None
    timescale = Timescale(*within) if within else None
    return Standard(promise=promise, within=timescale, target_percent=target, channel=channel, id=ident)


# --- services and pages ------------------------------------------------------


def read_owner(reader: FieldReader, owners: dict[str, Owner]) -> str | None:
    """The page's owner, which must be a team in owners.yaml (a page with none is reported by the linter)."""
    owner = reader.text("owner", required=False)
    if owner and owner not in owners:
        names = ", ".join(sorted(owners)) or "(none yet: add your team to owners.yaml)"
        reader.problem("owner", f'"{owner}" is not a team in owners.yaml. Use one of: {names}', code="unknown-owner")
        return None
    return owner


def _service(site: Site, slug: str, path: str, post: MarkdownFile, log: ProblemLog, source: Any = None
             ) -> Service | None:
    reader = reader_for(post, path, log)
    reader.unknown(SERVICE_FIELDS)
    body = read_body(source, post, path, log)
    return Service(
        slug=slug,
        title=reader.text("title", max_length=70) or _placeholder_title(slug),
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
        owner=read_owner(reader, site.owners),
        online=read_online(reader, site.linked_sites),
        status=read_status(reader),
        a_to_z=_a_to_z_terms(reader),
        tool=reader.slug("tool", KNOWN_TOOLS, required=False),
        questions=_questions(reader),
    )


def _questions(reader: FieldReader) -> tuple[str, ...]:
    """The questions a page answers (`questions:`), as residents ask them. One that is too long or not a
    question is left out with a warning: the page itself is still published."""
    found = []

    def warn(message: str) -> None:
        name = reader.name("questions")
        reader.log.add(reader.path, message, name, line=reader.line(name), severity=WARNING, code="question")

    for question in reader.text_list("questions") if reader.has("questions") else ():
        if len(question) > MAX_QUESTION:
            warn(f'"{question[:40]}..." is {len(question)} characters long. Keep each question '
                 f"to {MAX_QUESTION} characters or fewer, as a resident would type it")
        elif len(re.findall(r"[^\W\d_]+", question)) < 2:
            warn(f'"{question}" is not a question. Write it as a resident would ask it, like "when is my bin collected"')
        else:
            found.append(question)
    return tuple(dict.fromkeys(found))


def _a_to_z_terms(reader: FieldReader) -> tuple[str, ...]:
    """The subjects a service is listed under in the A to Z besides its title: [Bins, Recycling]."""
    terms = []
    for term in reader.text_list("a_to_z"):
        if len(term) > MAX_A_TO_Z_TERM:
            reader.problem("a_to_z", f'"{term[:30]}..." is {len(term)} characters long. A subject is a word or two, '
                           "like Bins or Council Tax")
        elif not term[:1].isalnum():
            reader.problem("a_to_z", f'"{term}" should start with a letter or number, like Bins or Council Tax')
        else:
            terms.append(term)
    return tuple(dict.fromkeys(terms))


def _service_contact(site: Site, reader: FieldReader) -> Contact | None:
    value = reader.data.get("contact")
    if isinstance(value, str):
        if value not in site.contacts:
            names = ", ".join(sorted(site.contacts)) or "(none yet)"
            reader.problem("contact", f'"{value}" is not a contact in contacts.yaml. Use one of: {names}')
            return None
        return site.contacts[value]
    if value is None:
        reader.problem("contact", "is missing. Give a contact name from contacts.yaml, like customer-services",
                       code="missing-setting")
        return None
    contact = read_contact(reader.nested("contact"), Contact, name=None)
    return contact if has_a_way_to_reach(contact) else None


def _charges(reader: FieldReader) -> tuple[Charge, ...]:
    value = reader.data.get("charges")
    if isinstance(value, str) and value.strip().lower() == "free":
        return ()
    if not isinstance(value, list) or not value:
        reader.problem("charges", 'is missing. Write "charges: free", or list each charge with item and amount',
                       code="missing-setting")
        return ()
    charges = []
    for number, entry in enumerate(value, start=1):
        item = FieldReader(entry, reader.path, reader.log, prefix=f"charges.{number}.", lines=reader.lines)
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
        reader.problem("standard", "is missing. Add 'promise' (what we will do) and 'within' (how fast)",
                       code="missing-setting")
        return None
    nested = reader.nested("standard")
    nested.unknown({"promise", "within"})
    return _read_standard(nested)


def _page(site: Site, slug: str, path: str, post: MarkdownFile, log: ProblemLog, source: Any = None) -> Page | None:
    reader = reader_for(post, path, log)
    reader.unknown(PAGE_FIELDS)
    body = read_body(source, post, path, log)
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
        title=reader.text("title", max_length=70) or _placeholder_title(slug),
        summary=reader.text("summary", max_length=200) or "",
        reviewed=reader.date("reviewed"),  # type: ignore[arg-type]
        body_html=body.html,
        headings=body.headings,
        includes=includes,
        source=path,
        owner=read_owner(reader, site.owners),
        questions=_questions(reader),
    )


# --- translations ------------------------------------------------------------


def _load_translations(source: ContentSource, site: Site, languages: tuple[str, ...]) -> None:
    for folder, originals, kind in (("services", site.services, "service"), ("pages", site.pages, "page")):
        for relative in source.markdown_files(folder):
            match = TRANSLATION_NAME.match(relative.rsplit("/", 1)[-1])
            if not match:
                continue
            slug, lang = match["slug"], match["lang"]
            if lang not in languages or lang == "en":
                source.log.add(relative, f'"{lang}" is not one of the site\'s languages ({", ".join(languages)}). '
                               f"Name the file like {slug}.cy.md", code="file-name")
                continue
            key = (f"{kind}:{slug}", lang)

            def parse(text: str, log: ProblemLog, relative: str = relative, slug: str = slug, lang: str = lang,
                      kind: str = kind, originals: dict = originals, folder: str = folder) -> Any:
                original = originals.get(slug)
                if original is None:
                    log.add(relative, f"is a translation of {folder}/{slug}.md, which does not exist or is not "
                            "published because of its own problems. Fix that page first", code="translation-of-missing")
                    return None
                return parse_page(source, relative, text, log,
                                  lambda post, log: _translated(original, relative, post, log, kind, lang,
                                                                 site.linked_sites, source))

            def place(item: Any, key: tuple = key) -> None:
                if item is None:
                    site.translations.pop(key, None)
                else:
                    site.translations[key] = item

            source.choose(relative, parse, place)


def _translated(original: Any, path: str, post: MarkdownFile, log: ProblemLog, kind: str, lang: str,
                linked_sites: dict, source: ContentSource) -> Any:
    reader = reader_for(post, path, log)
    allowed = TRANSLATED_SERVICE_FIELDS if kind == "service" else TRANSLATED_PAGE_FIELDS
    reader.unknown(allowed)
    body = read_body(source, post, path, log)
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
        if reader.has("online"):
            changes["online"] = read_online(reader, linked_sites) or original.online
        if reader.has("a_to_z"):
            changes["a_to_z"] = _a_to_z_terms(reader)
    # A translation's questions are its own language's: the English ones never stand in for them.
    changes["questions"] = _questions(reader)
    return replace(original, **changes)


# --- redirects ------------------------------------------------------------------


def _redirects_reader(source: ContentSource, site: Site, app_paths: set[str], app_prefixes: tuple[str, ...]):
    """redirects.yaml: `old address: new address`, checked against the pages the site has now."""

    def build(data: Any, lines: dict[str, int], log: ProblemLog) -> dict[str, str]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            log.add(REDIRECTS_FILE, "should list old addresses and new ones, one a line, like "
                    "'/services/old-name: /services/new-name'", line=1)
            return {}
        live = _live_addresses(source, site, app_paths)
        redirects: dict[str, str] = {}
        for old, new in data.items():
            line = lines.get(str(old))
            old, new = str(old).strip(), str(new or "").strip()
            if not old.startswith("/") or not new.startswith("/"):
                log.add(REDIRECTS_FILE, f'"{old}: {new}" should have two addresses on this site, each starting '
                        "with /, like '/services/old-name: /services/new-name'", line=line, code="bad-redirect")
            elif old.rstrip("/") in live:
                log.add(REDIRECTS_FILE, f'"{old}" is still a page on this site, so it cannot also lead somewhere '
                        "else. Remove this line, or remove or rename the page", line=line, code="bad-redirect")
            elif not _is_live(new, live, app_prefixes) and new.split("#")[0].rstrip("/") not in data:
                log.add(REDIRECTS_FILE, f'"{old}" leads to "{new}", which is not a page on this site. Check the '
                        "new address", line=line, code="bad-redirect")
            else:
                redirects[old.rstrip("/") or "/"] = new
        return _follow_chains(redirects, lines, log)

    return build


def _follow_chains(redirects: dict[str, str], lines: dict[str, int], log: ProblemLog) -> dict[str, str]:
    """Point every old address straight at where its chain ends; a loop is a problem."""
    final = {}
    for old, new in redirects.items():
        seen, target = {old}, new
        while target.split("#")[0].rstrip("/") in redirects:
            target_key = target.split("#")[0].rstrip("/")
            if target_key in seen:
                log.add(REDIRECTS_FILE, f'"{old}" is part of a loop of addresses that lead to each other. Make the '
                        "last one lead to a real page", line=lines.get(old), code="bad-redirect")
                target = ""
                break
            seen.add(target_key)
            target = redirects[target_key]
        if target:
            final[old] = target
    return final


def _live_addresses(source: ContentSource, site: Site, app_paths: set[str]) -> set[str]:
    """Every address a page of the content folder has (whether or not it loaded), and the app's own."""
    known = set(app_paths) | {"/"} | {f"/categories/{slug}" for slug in site.categories}
    for folder, prefix in (("services", "/services/"), ("pages", "/"), ("directory", "/directory/")):
        for relative in source.markdown_files(folder):
            name = relative.rsplit("/", 1)[-1]
            if not TRANSLATION_NAME.match(name):
                known.add(prefix + name[:-3])
    return known


def _is_live(href: str, live: set[str], app_prefixes: tuple[str, ...]) -> bool:
    target = href.split("#")[0].split("?")[0].rstrip("/") or "/"
    others = tuple(prefix for prefix in app_prefixes if prefix not in ("/", *CONTENT_PREFIXES))
    return target in live or bool(others and target.startswith(others))


# --- checks across the whole site -------------------------------------------------


def _check_site(source: ContentSource, site: Site, app_paths: set[str], app_prefixes: tuple[str, ...]) -> None:
    """Links and anchors, titles used twice, pages whose address the site already uses.

    A published file with such an error falls back to its last good version (see `ContentSource.fall_back`).
    """
    live = _live_addresses(source, site, app_paths)
    found: list[ContentProblem] = []
    items = [*site.services.values(), *site.pages.values(), *site.translations.values()]
    if site.directory:
        items.extend(site.directory.organisations.values())
    for item in items:
        rendered = source.bodies.get(item.source)
        if rendered is not None:
            found.extend(_link_problems(site, item, rendered.links, live, app_paths, app_prefixes))
            found.extend(_outside_link_problems(site, item.source, rendered.html))
    for journey in site.journeys.values():
        found.extend(_journey_link_problems(site, journey, live, app_paths, app_prefixes))
    found.extend(_duplicate_titles(site))
    for slug, page in site.pages.items():
        if f"/{slug}" in app_paths:
            found.append(ContentProblem(page.source, f'The address /{slug} is already used by the site itself, so '
                                        "this page could never be seen. Rename the file", code="address-taken"))
    for problem in found:
        source.note(problem)
    for path in dict.fromkeys(problem.path for problem in found if problem.is_error):
        source.fall_back(path)


def _target_item(site: Site, path: str, lang: str) -> Any:
    if path.startswith("/services/"):
        return site.service(path.removeprefix("/services/"), lang)
    if path.startswith("/directory/") and site.directory:
        return site.directory.organisation(path.removeprefix("/directory/"))
    return site.page(path.lstrip("/"), lang) if path.count("/") == 1 else None


def _link_problems(site: Site, item: Any, links: Iterable, live: set[str], app_paths: set[str],
                   app_prefixes: tuple[str, ...]) -> list[ContentProblem]:
    problems = []
    path_of = item.source
    for link in links:
        href = link.href
        if href.startswith("#"):
            anchor = href[1:]
            if anchor and anchor not in {h.id for h in item.headings} | TEMPLATE_IDS:
                problems.append(ContentProblem(
                    path_of, f'The link "{href}" points at a section this page does not have. Sections on this page: '
                    f'{_sections(item)}', line=link.line, code="broken-anchor"))
            continue
        if not href.startswith("/") or href.startswith("//"):
            continue
        target, _, anchor = href.partition("#")
        target = target.split("?")[0].rstrip("/") or "/"
        if target in site.redirects:
            problems.append(ContentProblem(
                path_of, f'The link to "{href}" leads to an old address that now moves on to '
                f'"{site.redirects[target]}". Link to the new address instead', line=link.line, severity=WARNING,
                code="old-address"))
            continue
        if target == "/cy" or target.startswith("/cy/"):
            problems.append(ContentProblem(
                path_of, f'The link "{href}" starts with /cy. Write the address without it, like '
                f'"{target.removeprefix("/cy") or "/"}": Welsh pages add /cy by themselves', line=link.line,
                code="broken-link"))
            continue
        if not _is_live(target, live, app_prefixes):
            if not app_paths and not target.startswith(CONTENT_PREFIXES):
                continue  # without the app's routes we can only check content addresses
            problems.append(ContentProblem(
                path_of, f'The link to "{href}" leads to a page that does not exist. Check the spelling of the '
                "address; if the page was renamed or removed, link to its new address or remove the link",
                line=link.line, code="broken-link"))
            continue
        if anchor:
            linked = _target_item(site, target, getattr(item, "lang", "en"))
            if linked is not None and anchor not in {h.id for h in linked.headings} | TEMPLATE_IDS:
                problems.append(ContentProblem(
                    path_of, f'The link "{href}" points at a section that page does not have. Its sections are: '
                    f"{_sections(linked)}", line=link.line, code="broken-anchor"))
    return problems


def _sections(item: Any) -> str:
    return ", ".join(f"#{heading.id}" for heading in item.headings) or "none"


def _duplicate_titles(site: Site) -> list[ContentProblem]:
    problems = []
    groups: list[list[Any]] = [list(site.services.values()), list(site.pages.values())]
    for lang in {lang for _key, lang in site.translations}:
        groups.append([item for (key, item_lang), item in site.translations.items()
                       if item_lang == lang and key.startswith("service:")])
    if site.directory:
        groups.append(list(site.directory.organisations.values()))
    for items in groups:
        by_title: dict[str, list[Any]] = {}
        for item in items:
            by_title.setdefault(item.title.strip().lower(), []).append(item)
        for same in by_title.values():
            if len(same) < 2:
                continue
            for item in same:
                others = ", ".join(other.source for other in same if other is not item)
                problems.append(ContentProblem(
                    item.source, f'The title "{item.title}" is also the title of {others}. Give each page its own '
                    "title, so residents can tell them apart in lists and search results",
                    field="title", code="duplicate-title", severity=ERROR))
    return problems


def _outside_link_problems(site: Site, path: str, html: str) -> list[ContentProblem]:
    """Links to other websites that are not https, or go to a host not in trusted-hosts.yaml."""
    log = ProblemLog()
    check_body_links(html, path, site.linked_sites, log)
    return log.problems


def _journey_link_problems(site: Site, journey: Any, live: set[str], app_paths: set[str],
                           app_prefixes: tuple[str, ...]) -> list[ContentProblem]:
    """A step-by-step journey's links: to pages of this site that exist, and to trusted websites."""
    html = journey.intro_html + "".join(step.body_html for step in journey.steps)
    problems = _outside_link_problems(site, journey.source, html)
    for href in re.findall(r'href="([^"]+)"', html):
        if not href.startswith("/") or href.startswith("//"):
            continue
        target = href.split("#")[0].split("?")[0].rstrip("/") or "/"
        if _is_live(target, live, app_prefixes) or (not app_paths and not target.startswith(CONTENT_PREFIXES)):
            continue
        problems.append(ContentProblem(
            journey.source, f'The link to "{href}" leads to a page that does not exist. Check the spelling of the '
            "address; if the page was renamed or removed, link to its new address or remove the link",
            code="broken-link"))
    return problems
