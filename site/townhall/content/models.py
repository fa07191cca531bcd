"""The content the site shows, as plain data: services, categories, contacts, standards, pages.

These are what the views hand to templates. They hold English and, where the
content team has written one, a translation; `Site.service(slug, lang)` picks
the right one so views never need to know how translations are stored.
"""

from __future__ import annotations

import hashlib
import string
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, datetime
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
    # What "How we're doing" measures against: the share of contacts we aim to handle within the promise,
    # and the words for what is counted ("calls answered within 20 seconds"), so the page can say
    # "Our target is 80% of calls answered within 20 seconds" in the team's own words.
    target: int | None = None
    target_wording: str | None = None


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


# --- doing things online: start-now links and the websites we link to ---------------------

# Who runs a website we link to: the council's own systems, GOV.UK, or another organisation.
RUNS_BY = ("council", "gov.uk", "other")


@dataclass(frozen=True)
class LinkedSite:
    """A website the content team trusts links to go to (content/trusted-hosts.yaml).

    Its name says where a link goes in words ("GOV.UK", "our payments website"),
    so the link makes sense out of context and the reader knows they are leaving.
    """

    host: str
    name: str
    by: str = "other"  # one of RUNS_BY
    translations: dict[str, str] = field(default_factory=dict)  # lang -> name

    def name_in(self, lang: str) -> str:
        return self.translations.get(lang) or self.name


@dataclass(frozen=True)
class OnlineService:
    """Something a resident can do online from a service page: the "Start now" button."""

    label: str  # what it does, making sense on its own: "Pay your Council Tax online"
    url: str  # https, on a host in trusted-hosts.yaml
    site: LinkedSite  # where it goes
    ready: tuple[str, ...] = ()  # what to have ready: "your Council Tax account number"

    @property
    def by(self) -> str:
        return self.site.by


# --- service status and site-wide alerts ----------------------------------------------------------

# How a service is running, from "as usual" to "not running at all".
STATUS_LEVELS = ("normal", "changed", "limited", "suspended")


@dataclass(frozen=True)
class ServiceStatus:
    """A notice at the top of a service page ("Garden waste collections are paused"), for a while.

    It shows from `start` until `end` (or until the content team removes it) and then
    disappears by itself: nobody has to remember to take it down at midnight.
    """

    level: str  # one of STATUS_LEVELS
    message: str
    start: datetime  # timezone-aware
    end: datetime | None = None
    translations: dict[str, str] = field(default_factory=dict)  # lang -> message

    def is_active(self, now: datetime) -> bool:
        return self.start <= now and (self.end is None or now < self.end)

    def is_over(self, now: datetime) -> bool:
        return self.end is not None and self.end <= now

    def message_in(self, lang: str) -> str:
        return self.translations.get(lang) or self.message

    def message_lang(self, lang: str) -> str:
        """The language the message is shown in on a page in `lang`."""
        return lang if lang == "en" or lang in self.translations else "en"

    @property
    def is_disruption(self) -> bool:
        return self.level != "normal"


ALERT_SEVERITIES = ("notice", "warning", "emergency")


@dataclass(frozen=True)
class AlertLink:
    label: str
    url: str  # a path on this site, or https on a trusted host
    label_cy: str | None = None

    def label_in(self, lang: str) -> str:
        return (self.label_cy if lang == "cy" else None) or self.label


@dataclass(frozen=True)
class Alert:
    """A site-wide alert shown under the header of every page (content/alerts.yaml)."""

    id: str
    severity: str  # one of ALERT_SEVERITIES
    title: str
    message: str
    start: datetime
    end: datetime | None = None
    link: AlertLink | None = None
    translations: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> {title, message}
    keep: bool = False  # kept in the file after it ends (for the feed's history), not an oversight
    source: str = ""

    def is_active(self, now: datetime) -> bool:
        return self.start <= now and (self.end is None or now < self.end)

    def is_over(self, now: datetime) -> bool:
        return self.end is not None and self.end <= now

    @property
    def dismissable(self) -> bool:
        """Emergencies stay on every page; other alerts can be hidden for the rest of the day."""
        return self.severity != "emergency"

    @property
    def key(self) -> str:
        """The alert's id and a short fingerprint of what it says: hiding an alert hides this
        version of it, so when the text changes residents see it again."""
        text = "|".join((self.severity, self.title, self.message, self.start.isoformat(),
                         self.end.isoformat() if self.end else ""))
        return f"{self.id[:40]}.{hashlib.sha256(text.encode()).hexdigest()[:6]}"

    def text_in(self, lang: str) -> dict[str, str]:
        """{"title", "message", "lang"}: the alert's words in `lang`, or English (then lang "en")."""
        text = self.translations.get(lang, {})
        if lang != "en" and text.get("title") and text.get("message"):
            return {"title": text["title"], "message": text["message"], "lang": lang}
        return {"title": self.title, "message": self.message, "lang": "en"}


# --- step-by-step journeys (content/steps/) ---------------------------------------------------------

STEP_LOGIC = ("", "and", "or")  # a numbered step, or one done as well as / instead of the one before


@dataclass(frozen=True)
class Step:
    """One step of a journey: a heading and what to do, with links to services and other sites."""

    number: int  # the number shown, shared with the step before when `logic` is "and" or "or"
    title: str
    id: str
    body_html: str
    logic: str = ""  # one of STEP_LOGIC
    services: tuple[str, ...] = ()  # slugs of the service pages this step links to


@dataclass(frozen=True)
class Journey:
    """A task that crosses services ("When someone dies"), as GOV.UK's step-by-step navigation."""

    slug: str
    title: str
    summary: str
    reviewed: date
    intro_html: str
    steps: tuple[Step, ...]
    lang: str = "en"
    source: str = ""

    @property
    def url_path(self) -> str:
        return f"/step-by-step/{self.slug}"

    def step_for(self, service_slug: str) -> Step | None:
        """The first step that links to a service page."""
        return next((step for step in self.steps if service_slug in step.services), None)


# --- bin collections: bank holidays and one-off changes (content/bin-collections.yaml) -------------

# How a round's collections move in a week with a bank holiday:
#   one-day-later  every collection on or after the bank holiday that week comes one day later
#                  (two days after two bank holidays), and never on a bank holiday
#   same-day       collections carry on as usual, bank holidays included
BANK_HOLIDAY_RULES = ("one-day-later", "same-day")
BIN_KINDS = ("rubbish", "recycling")  # the kinds of bin a round's data can describe, in the order shown


@dataclass(frozen=True)
class BinChange:
    """A one-off change: the collection due on `usual` comes on `moved_to` (the Christmas schedule)."""

    usual: date
    moved_to: date
    reason: str  # finishes "Moved because of ...": "Christmas", "the Queen's funeral"
    reason_cy: str = ""
    rounds: tuple[str, ...] = ()  # round codes; empty means every round
    bins: tuple[str, ...] = ()  # kinds of bin; empty means every bin

    def applies_to(self, code: str, bin_kind: str) -> bool:
        return (not self.rounds or code in self.rounds) and (not self.bins or bin_kind in self.bins)

    def reason_in(self, lang: str) -> str:
        return (self.reason_cy if lang == "cy" else "") or self.reason


@dataclass(frozen=True)
class BinRules:
    """The rules every round follows in bank-holiday weeks, the rounds that differ, and one-off changes."""

    rule: str = "one-day-later"
    rounds: dict[str, str] = field(default_factory=dict)  # round code -> rule
    changes: tuple[BinChange, ...] = ()

    def rule_for(self, code: str) -> str:
        return self.rounds.get(code, self.rule)


@dataclass(frozen=True)
class AtoZEntry:
    """One line of the A to Z: a service's title, or a subject ("Bins") with its services."""

    name: str
    services: tuple[Any, ...]  # Service
    is_subject: bool = False
    lang: str = "en"  # the language `name` is written in


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
    online: tuple[OnlineService, ...] = ()  # "Start now" links to do it online
    status: ServiceStatus | None = None  # disruption or change, for a while
    a_to_z: tuple[str, ...] = ()  # subjects it is listed under in the A to Z besides its title: "Bins"
    tool: str | None = None  # a postcode tool shown on the page ("bin-collections")
    owner: str | None = None  # the team (in owners.yaml) that keeps this page true
    # Questions the page answers, in residents' own words (front matter `questions:`): the assistant
    # (Ask Townhall) matches what a resident asks against them.
    questions: tuple[str, ...] = ()

    @property
    def is_free(self) -> bool:
        return not self.charges

    def status_at(self, now: datetime) -> ServiceStatus | None:
        """The status to show now, if any (a "normal" one only when it has something to say)."""
        if self.status is not None and self.status.is_active(now):
            return self.status
        return None

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
    owner: str | None = None
    questions: tuple[str, ...] = ()  # questions the page answers, as residents ask them (Ask Townhall)

    @property
    def url_path(self) -> str:
        return f"/{self.slug}"


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
    owner: str | None = None
    lang: str = "en"

    @property
    def title(self) -> str:
        return self.name

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
    area: str = ""  # the place the council looks after, as residents say it ("Brackenford"); default short_name
    # Two capital letters in front of every case reference ("BK-7KQ4-M9XR"); council.yaml's
    # reference_prefix, else made from the short name (see `prefix_from_name`).
    reference_prefix: str = ""

    @property
    def prefix(self) -> str:
        """The references' prefix: the one council.yaml gives, else one made from the short name."""
        return self.reference_prefix or prefix_from_name(self.short_name)

    def name_in(self, lang: str) -> str:
        return self.translations.get(lang, {}).get("name") or self.name

    def area_in(self, lang: str) -> str:
        """The council's area in `lang`, for "Moving to or within ..." (content writes `{area}`)."""
        return self.translations.get(lang, {}).get("area") or self.area or self.short_name

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


@dataclass(frozen=True)
class SecurityContact:
    """Where to report a security problem (published as /.well-known/security.txt, RFC 9116)."""

    contacts: tuple[str, ...]  # mailto: or https: addresses
    expires: date
    preferred_languages: str | None = None
    policy: str | None = None


@dataclass(frozen=True)
class Owner:
    """A team that owns pages: it checks them when they are due for review."""

    id: str  # its name in owners.yaml, as pages write it: "waste"
    team: str
    email: str
    review_months: int = 6  # how long after a check a page is due again


@dataclass
class FileStatus:
    """What the site does with one content file, and the problems its current version has.

    state: "published" (as it is now), "partial" (a shared file: its good entries), "last-good" (its last
    version without errors is served until it is fixed), "left-out" (it never had a good version), or
    "draft" (preview: shown with its problems).
    """

    path: str
    state: str
    problems: list = field(default_factory=list)
    saved_at: float | None = None  # when the last good version served was saved

    @property
    def errors(self) -> list:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list:
        return [problem for problem in self.problems if not problem.is_error]


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
    security: SecurityContact | None = None  # content/security.yaml, when the council publishes one
    linked_sites: dict[str, LinkedSite] = field(default_factory=dict)  # host -> site (trusted-hosts.yaml)
    alerts: tuple[Alert, ...] = ()  # content/alerts.yaml, in the file's order
    journeys: dict[str, Journey] = field(default_factory=dict)  # content/steps/
    bin_rules: BinRules = field(default_factory=BinRules)  # content/bin-collections.yaml
    problems: list = field(default_factory=list)
    fingerprint: str = ""  # changes whenever any content file changes
    root: Path = Path(".")  # the content folder this was loaded from
    owners: dict[str, Owner] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)  # old address -> new address
    files: dict[str, FileStatus] = field(default_factory=dict)  # every content file, by path
    bodies: dict[str, Any] = field(default_factory=dict)  # path -> RenderedMarkdown of the version served
    texts: dict[str, str] = field(default_factory=dict)  # path -> the text served (for the linter's lines)
    words: tuple = ()  # the team's list of words to avoid (style/words.yaml)
    drafts: bool = False  # preview: pages with errors are shown with their problems
    languages: tuple[str, ...] = ("en",)

    @property
    def errors(self) -> list:
        return [problem for problem in self.problems if problem.is_error]

    def problems_for(self, *paths: str) -> list:
        return [problem for problem in self.problems if problem.path in paths]

    def item_at(self, path: str) -> Any:
        """The page, translation or organisation a content file gives, if it is on the site."""
        for item in (*self.services.values(), *self.pages.values(), *self.translations.values(),
                     *(self.directory.organisations.values() if self.directory else ())):
            if item.source == path:
                return item
        return None

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

    def journey(self, slug: str, lang: str = "en") -> Journey | None:
        return self.translations.get((f"journey:{slug}", lang)) or self.journeys.get(slug)

    def all_journeys(self, lang: str = "en") -> list[Journey]:
        return sorted((self.journey(slug, lang) for slug in self.journeys), key=lambda j: j.title.lower())

    def journeys_with(self, service_slug: str, lang: str = "en") -> list[tuple[Journey, Step]]:
        """The journeys a service page is part of, each with the step it is in ("Part of: ...").

        Worked out from the English journey's links (a translation may not link every service),
        then shown in the reader's language where the journey has a version in it.
        """
        found = []
        for slug, journey in sorted(self.journeys.items()):
            english = journey.step_for(service_slug)
            if english is None:
                continue
            localised = self.journey(slug, lang)
            step = localised.step_for(service_slug) if localised is not journey else english
            if step is None:  # the translation has no link to it: the same step by position
                index = journey.steps.index(english)
                step = localised.steps[index] if index < len(localised.steps) else english
            found.append((localised, step))
        return found

    def alerts_at(self, now: datetime) -> list[Alert]:
        """The alerts showing now: emergencies first, then warnings, then notices; newest first within each."""
        active = [alert for alert in self.alerts if alert.is_active(now)]
        return sorted(active, key=lambda a: (-ALERT_SEVERITIES.index(a.severity), -a.start.timestamp()))

    def upcoming_alerts(self, now: datetime) -> list[Alert]:
        return sorted((alert for alert in self.alerts if alert.start > now), key=lambda a: a.start)

    def services_with_status(self, now: datetime, lang: str = "en") -> list[Service]:
        """Services with a disruption or change showing now, worst first."""
        chosen = [s for s in self.all_services(lang) if (status := s.status_at(now)) and status.is_disruption]
        return sorted(chosen, key=lambda s: -STATUS_LEVELS.index(s.status.level))  # type: ignore[union-attr]

    def a_to_z(self, lang: str = "en") -> list[tuple[str, list[AtoZEntry]]]:
        """Every service under its title's first letter, and again under each of its A to Z subjects
        ("Bins", "Noise", "Council Tax"), so residents find it by subject as well as by verb."""
        entries = [AtoZEntry(service.title, (service,), lang=service.lang) for service in self.all_services(lang)]
        subjects: dict[str, list[Service]] = {}
        names: dict[str, tuple[str, str]] = {}
        for service in self.all_services(lang):
            for subject in service.a_to_z:
                key = subject.casefold()
                subjects.setdefault(key, []).append(service)
                names.setdefault(key, (subject, service.lang))
        entries += [AtoZEntry(names[key][0], tuple(found), is_subject=True, lang=names[key][1])
                    for key, found in subjects.items()]
        groups: dict[str, list[AtoZEntry]] = {}
        for entry in sorted(entries, key=lambda e: (_sort_name(e.name), not e.is_subject)):
            first = _sort_name(entry.name)[:1].upper()
            letter = first if first in string.ascii_uppercase else "0-9"
            groups.setdefault(letter, []).append(entry)
        return sorted(groups.items(), key=lambda item: (item[0] == "0-9", item[0]))

    def standards_in(self, lang: str = "en") -> list[Standard]:
        localised = []
        for standard in self.standards:
            text = self.standard_translations.get(standard.id or "", {}).get(lang, {})
            localised.append(replace(standard, **{k: v for k, v in text.items() if k in ("promise", "channel", "target_wording")}))
        return localised


def _sort_name(name: str) -> str:
    """How the A to Z sorts a name: letters only, accents folded, case ignored."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    return "".join(char for char in folded if char.isalnum() or char == " ").strip()
