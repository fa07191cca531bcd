"""Is this app ready to serve? Each part says so, with a reason a person can act on.

`/readyz` (web/health.py) asks every check registered here. Each engine adds
its own when it is built (`add_check`), so a new part (the database, the mail
outbox) is checked from the moment it exists. A check returns None when all is
well, or the reason it is not, in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from ..places.errors import PlacesError

Check = Callable[[], "str | None"]


@dataclass(frozen=True)
class Finding:
    name: str
    ready: bool
    reason: str


def checks(app: Flask) -> dict[str, Check]:
    from . import of

    return of(app).once("readiness-checks", lambda made_for: _built_in(made_for))


def add_check(app: Flask, name: str, check: Check) -> None:
    checks(app)[name] = check


def readiness(app: Flask) -> list[Finding]:
    findings = []
    for name, check in checks(app).items():
        try:
            reason = check()
        except Exception as error:  # noqa: BLE001 - a check that fails says so; readiness must always answer
            reason = f"the check failed: {type(error).__name__}"
        findings.append(Finding(name, reason is None, reason or "ok"))
    return findings


def _built_in(app: Flask) -> dict[str, Check]:
    from . import of, places

    engines = of(app)

    def content() -> str | None:
        return None if engines.site is not None and engines.site.services else "no content is loaded"

    def search_index() -> str | None:
        engine = engines.search_engine
        if engine is None or engine.info is None:
            return "the search index is not open: run `flask search build`"
        return None

    def geodata() -> str | None:
        try:
            places(app)
        except PlacesError as error:
            return error.detail
        return None

    return {"content": content, "search": search_index, "geodata": geodata}
