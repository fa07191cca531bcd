"""Links to other websites: the hosts the team trusts, "Start now" links, and links in page text.

Linking out is expected (paying, applying and reporting often happen on another
system, the council's own or GOV.UK's); what a page *loads* never comes from
another host. So that a typing mistake cannot send residents somewhere else,
every link to another website must use https and go to a host listed in
``content/trusted-hosts.yaml``, which also names the site in words ("GOV.UK",
"our payments website") so the link can say where it goes.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .fields import FieldReader
from .files import ContentSource, yaml_file
from .models import RUNS_BY, LinkedSite, OnlineService
from .problems import ProblemLog

TRUSTED_HOSTS_FILE = "trusted-hosts.yaml"
HOST = re.compile(r"^(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
MAX_ONLINE = 4  # start-now links on one page: more would bury the one the reader came for


def load_linked_sites(source: ContentSource) -> dict[str, LinkedSite]:
    """content/trusted-hosts.yaml: each host residents may be sent to, with its name and who runs it."""
    return yaml_file(source, TRUSTED_HOSTS_FILE, _linked_sites, {}, required=False)


def _linked_sites(data: Any, lines: dict[str, int], log: ProblemLog) -> dict[str, LinkedSite]:
    if data is None:
        return {}
    if not isinstance(data, list):
        log.add(TRUSTED_HOSTS_FILE, "should be a list, each website starting with '- host:'", line=1)
        return {}
    sites: dict[str, LinkedSite] = {}
    for number, entry in enumerate(data, start=1):
        reader = FieldReader(entry, TRUSTED_HOSTS_FILE, log, prefix=f"{number}.", lines=lines)
        reader.unknown({"host", "name", "by", "cy"})
        host = (reader.text("host") or "").lower()
        name = reader.text("name", max_length=60)
        by = reader.text("by") or "other"
        welsh = reader.text("cy", required=False, max_length=60)
        if host and not HOST.match(host):
            reader.problem("host", f'"{host}" is not a host name. Write the part between https:// and the next /, '
                           "like www.gov.uk")
            continue
        if by not in RUNS_BY:
            reader.problem("by", f'"{by}" is not one we know. Choose one of: {", ".join(RUNS_BY)}')
            continue
        if host in sites:
            reader.problem("host", f'"{host}" is listed twice')
            continue
        if host and name:
            sites[host] = LinkedSite(host, name, by, {"cy": welsh} if welsh else {})
    return sites


def where_it_goes(url: str, sites: dict[str, LinkedSite]) -> tuple[LinkedSite | None, str | None]:
    """(the trusted site `url` goes to, None) or (None, what is wrong with it, in plain words)."""
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError:
        return None, f'"{url}" is not a web address. Write it like https://www.gov.uk/apply-blue-badge'
    if parts.scheme not in ("http", "https") or not hostname:
        return None, f'"{url}" is not a web address. Write it like https://www.gov.uk/apply-blue-badge'
    if parts.scheme != "https":
        return None, f'"{url}" starts with http://. Use https:// so the connection is private'
    if parts.username or parts.password or port:
        return None, f'"{url}" has a user name or port in it. Link to the address residents would type'
    site = sites.get(hostname.lower())
    if site is None:
        return None, (f'"{hostname}" is not a website in {TRUSTED_HOSTS_FILE}. Check the address; if it is right, '
                      "add the website to that file with its name")
    return site, None


def check_external(url: str, sites: dict[str, LinkedSite], reader: FieldReader, key: str) -> LinkedSite | None:
    """The trusted site `url` goes to, or None after recording why it cannot be used."""
    site, problem = where_it_goes(url, sites)
    if problem:
        reader.problem(key, problem)
    return site


def read_online(reader: FieldReader, sites: dict[str, LinkedSite]) -> tuple[OnlineService, ...]:
    """A service page's `online:` list: label, url, what to have ready, and (optionally) who runs it."""
    value = reader.data.get("online")
    if value in (None, "", []):
        return ()
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        reader.problem("online", "should be a list of things to do online, each with a label and a url")
        return ()
    if len(value) > MAX_ONLINE:
        reader.problem("online", f"lists {len(value)} things. Keep it to {MAX_ONLINE} or fewer: link the rest "
                       "from the page's text")
    found = []
    for number, entry in enumerate(value, start=1):
        item = FieldReader(entry, reader.path, reader.log, prefix=f"{reader.prefix}online.{number}.")
        item.unknown({"label", "url", "ready", "by"})
        label = item.text("label", max_length=80)
        url = item.text("url")
        ready = tuple(item.text_list("ready"))
        by = item.text("by", required=False)
        if by is not None and by not in RUNS_BY:
            item.problem("by", f'"{by}" is not one we know. Choose one of: {", ".join(RUNS_BY)}')
            continue
        site = check_external(url, sites, item, "url") if url else None
        if site is not None and by is not None and by != site.by:
            item.problem("by", f'says "{by}", but {TRUSTED_HOSTS_FILE} says {site.host} is run by "{site.by}". '
                         "Check the address")
            continue
        if label and site is not None:
            found.append(OnlineService(label, url, site, ready))  # type: ignore[arg-type]
    return tuple(found)


def external_links(hrefs: list[str]) -> list[str]:
    """The links in a page's text that go to another website (not mail, phone or this site)."""
    return [href for href in hrefs if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.I)
            and not href.lower().startswith(("mailto:", "tel:"))]


def check_body_links(html: str, path: str, sites: dict[str, LinkedSite], log: ProblemLog) -> None:
    """Links to other websites in page text: https, to a trusted host. The page is still shown."""
    for href in external_links(re.findall(r'href="([^"]+)"', html)):
        _site, problem = where_it_goes(href.replace("&amp;", "&"), sites)
        if problem:
            log.add(path, f"has a link to another website that cannot be used: {problem}", code="untrusted-link")
