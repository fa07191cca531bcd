"""Which links in a guide go somewhere real: this site's pages, or a website the team trusts.

Without the running site, pages are known from the content folder itself
(services, general pages, the directory, step-by-step journeys, the guides);
the site adds its fixed addresses (/contact, /search...) when it loads guides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ..content.links import TRUSTED_HOSTS_FILE, where_it_goes
from ..content.models import LinkedSite

FOLDERS = {"services": "/services/", "pages": "/", "directory": "/directory/", "steps": "/step-by-step/"}


def content_pages(root: Path, fixed: Iterable[str] = (), prefixes: Iterable[str] = ()) -> Callable[[str], str | None]:
    """A link checker: `check(url)` is None for a link that works, else what is wrong, in plain words."""
    known = {path.rstrip("/") or "/" for path in fixed}
    for folder, start in FOLDERS.items():
        for path in (root / folder).glob("*.md") if (root / folder).is_dir() else ():
            if path.name.count(".") == 1:  # not a translation (<slug>.cy.md)
                known.add(f"{start}{path.stem}")
    for path in (root / "guides").glob("*.y*ml") if (root / "guides").is_dir() else ():
        known.add(f"/ask/guides/{path.stem}")
    known.add("/ask/guides")
    starts = tuple(prefixes)
    sites = _trusted(root)

    def check(url: str) -> str | None:
        if url.startswith("/"):
            path = urlsplit(url).path.rstrip("/") or "/"
            if path == "/cy" or path.startswith("/cy/"):
                return f'"{url}" starts with /cy. Write the English address: the Welsh site adds /cy by itself'
            if path in known or any(path.startswith(start) and len(path) > len(start) for start in starts):
                return None
            return (f'"{url}" is not a page of this site. Check the address: a service is /services/<its file '
                    "name>, like /services/apply-for-a-blue-badge")
        if url.startswith(("mailto:", "tel:")):
            return None
        return where_it_goes(url, sites)[1]

    return check


def _trusted(root: Path) -> dict[str, LinkedSite]:
    """The trusted hosts, read plainly (their own mistakes are reported by the content check)."""
    try:
        data = yaml.safe_load((root / TRUSTED_HOSTS_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    sites = {}
    for entry in data if isinstance(data, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("host"), str):
            host = entry["host"].lower()
            sites[host] = LinkedSite(host, str(entry.get("name") or host), str(entry.get("by") or "other"), {})
    return sites
