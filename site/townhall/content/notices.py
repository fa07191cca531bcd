"""Service status (front matter `status:`) and site-wide alerts (content/alerts.yaml).

Both run for a while and end by themselves: the site compares their times with
the time it is given (never the clock directly), so tests pin it and nobody has
to remember to take a notice down at midnight. Loading checks what can be
checked without knowing the time (dates in order, a message, Welsh words);
`timely_problems(site, now)` adds what depends on it (an alert that has ended
but is still in the file), for `flask content check`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from .fields import FieldReader
from .files import ContentSource, yaml_file
from .links import check_external
from .models import ALERT_SEVERITIES, STATUS_LEVELS, Alert, AlertLink, LinkedSite, ServiceStatus, Site
from .problems import WARNING, ContentProblem, ProblemLog

ALERTS_FILE = "alerts.yaml"
MAX_MESSAGE = 300
MAX_ALERT_TITLE = 80


def read_status(reader: FieldReader) -> ServiceStatus | None:
    """A service page's `status:` block: level, message, start, optional end, optional Welsh message."""
    if not reader.has("status"):
        return None
    if not isinstance(reader.data.get("status"), dict):
        reader.problem("status", "should have a level, a message and a start, each on its own line")
        return None
    nested = reader.nested("status")
    nested.unknown({"level", "message", "start", "end", "cy"})
    level = nested.text("level")
    if level is not None and level not in STATUS_LEVELS:
        nested.problem("level", f'"{level}" is not one we know. Choose one of: {", ".join(STATUS_LEVELS)}')
        level = None
    message = nested.text("message", max_length=MAX_MESSAGE)
    welsh = nested.text("cy", required=False, max_length=MAX_MESSAGE)
    start = nested.moment("start")
    end = nested.moment("end", end=True, required=False)
    if start and end and end <= start:
        nested.problem("end", f"is before the start ({start:%Y-%m-%d %H:%M}). Check the dates")
        return None
    if not (level and message and start):
        return None
    return ServiceStatus(level, message, start, end, {"cy": welsh} if welsh else {})


def load_alerts(source: ContentSource, sites: dict[str, LinkedSite], known_path: Callable[[str], bool]
                ) -> tuple[Alert, ...]:
    """content/alerts.yaml: the alerts shown under the header of every page while they run."""

    def build(data: Any, lines: dict[str, int], log: ProblemLog) -> tuple[Alert, ...]:
        return _alerts(data, lines, log, sites, known_path)

    return yaml_file(source, ALERTS_FILE, build, (), required=False)


def _alerts(data: Any, lines: dict[str, int], log: ProblemLog, sites: dict[str, LinkedSite],
            known_path: Callable[[str], bool]) -> tuple[Alert, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        log.add(ALERTS_FILE, "should be a list, each alert starting with '- id:'", line=1)
        return ()
    alerts: list[Alert] = []
    seen: set[str] = set()
    for number, entry in enumerate(data, start=1):
        reader = FieldReader(entry, ALERTS_FILE, log, prefix=f"{number}.", lines=lines)
        before = len(log.problems)
        alert = _read_alert(reader, sites, known_path)
        if alert is not None and alert.id in seen:
            reader.problem("id", f'"{alert.id}" is used by two alerts. Give each its own')
            continue
        if alert is not None and not [p for p in log.problems[before:] if p.is_error]:
            seen.add(alert.id)
            alerts.append(alert)
    return tuple(alerts)


def _read_alert(reader: FieldReader, sites: dict[str, LinkedSite], known_path: Callable[[str], bool]) -> Alert | None:
    reader.unknown({"id", "severity", "title", "message", "start", "end", "link", "cy", "keep"})
    ident = reader.slug("id")
    severity = reader.text("severity")
    if severity is not None and severity not in ALERT_SEVERITIES:
        reader.problem("severity", f'"{severity}" is not one we know. Choose one of: {", ".join(ALERT_SEVERITIES)}')
        severity = None
    title = reader.text("title", max_length=MAX_ALERT_TITLE)
    message = reader.text("message", max_length=MAX_MESSAGE)
    start = reader.moment("start")
    end = reader.moment("end", end=True, required=False)
    keep = reader.boolean("keep")
    if start and end and end <= start:
        reader.problem("end", f"is before the start ({start:%Y-%m-%d %H:%M}). Check the dates")
        return None
    link = _read_link(reader, sites, known_path)
    welsh = _read_welsh(reader, link is not None)
    if not (ident and severity and title and message and start):
        return None
    if link is not None and welsh.get("link"):
        link = AlertLink(link.label, link.url, welsh["link"])
    text = {key: welsh[key] for key in ("title", "message") if welsh.get(key)}
    return Alert(ident, severity, title, message, start, end, link, {"cy": text} if text else {}, keep,
                 source=reader.path)


def _read_link(reader: FieldReader, sites: dict[str, LinkedSite], known_path: Callable[[str], bool]) -> AlertLink | None:
    if not reader.has("link"):
        return None
    nested = reader.nested("link")
    nested.unknown({"label", "url"})
    label = nested.text("label", max_length=80)
    url = nested.text("url")
    if url and url.startswith("/") and not url.startswith("//"):
        if not known_path(url):
            nested.problem("url", f'"{url}" is not a page on this site. Check the spelling of the link')
            return None
    elif url and check_external(url, sites, nested, "url") is None:
        return None
    return AlertLink(label, url) if label and url else None


def _read_welsh(reader: FieldReader, has_link: bool) -> dict[str, str]:
    """The Welsh words (`cy:` title, message and link). Missing Welsh is a problem to fix, but the
    alert still shows (in English on the Welsh site): an emergency must never wait for a translation."""
    wanted = ("title", "message", "link") if has_link else ("title", "message")
    nested = reader.nested("cy")
    nested.unknown(wanted)
    found = {key: value for key in wanted
             if (value := nested.text(key, required=False, max_length=MAX_MESSAGE if key == "message" else 80))}
    missing = [key for key in wanted if key not in found]
    if missing:
        reader.log.add(reader.path, f"has no Welsh {' or '.join(missing)}. Add them under 'cy:'; until then the "
                       "Welsh site shows the English words", field=reader.name("cy"), severity=WARNING, code="no-welsh")
    return found


def timely_problems(site: Site, now: datetime) -> list[ContentProblem]:
    """What is wrong only because of the time: alerts and statuses that have ended but are still there."""
    problems = []
    for alert in site.alerts:
        if alert.is_over(now) and not alert.keep:
            problems.append(ContentProblem(
                alert.source or ALERTS_FILE, f"{_ended(alert.end)}. Remove it, or add 'keep: true' "
                "if it should stay in the alerts feed's history", f"{alert.id}.end", code="ended"))
    for service in site.services.values():
        if service.status is not None and service.status.is_over(now):
            problems.append(ContentProblem(
                service.source, f"{_ended(service.status.end)} and is no longer shown. Remove it",
                "status.end", code="ended"))
    return problems


def _ended(end: datetime | None) -> str:
    """"ended at the end of 2026-12-23" for a date written alone, "ended at 2026-12-23 18:00" otherwise."""
    if end is None:
        return "has not ended"
    if (end.hour, end.minute) == (0, 0):
        return f"ended at the end of {end - timedelta(days=1):%Y-%m-%d}"
    return f"ended at {end:%Y-%m-%d %H:%M}"
