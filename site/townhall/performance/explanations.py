"""The team's words: why a month missed its target and what they are doing, and "You said, we did".

Written in Markdown in ``content/performance/``, a file per month (choose the month,
not the standard: one storm explains every dip it caused)::

    content/performance/2026-03.md       (and 2026-03.cy.md in Welsh)
    ---
    standards: [phone-answer, written-answer]
    ---
    Council Tax bills went out on 1 March and calls doubled ...

    content/performance/you-said-we-did.md   (and you-said-we-did.cy.md)

Files are read again only when they change (their time and size), so the public
page costs nothing here once warm. Problems are values (`ExplanationProblem`) for
`flask content check`, with the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from threading import Lock

import frontmatter
import yaml

from ..content.markdown import render_markdown

FOLDER = "performance"
YOU_SAID = "you-said-we-did"
_MONTH_FILE = re.compile(r"^(\d{4})-(\d{2})(?:\.(cy))?\.md$")
_YOU_SAID_FILE = re.compile(rf"^{YOU_SAID}(?:\.(cy))?\.md$")


@dataclass(frozen=True)
class Explanation:
    month: date
    standards: tuple[str, ...]
    html: str
    language: str
    path: str


@dataclass(frozen=True)
class ExplanationProblem:
    path: str
    line: int | None
    message: str


@dataclass
class Explanations:
    """Every explanation by (month, language), "You said, we did" by language, and what was wrong."""

    by_month: dict[tuple[date, str], Explanation] = field(default_factory=dict)
    you_said: dict[str, str] = field(default_factory=dict)
    problems: list[ExplanationProblem] = field(default_factory=list)

    def for_standard(self, ident: str, month: date, language: str) -> Explanation | None:
        """The explanation of `ident`'s figure for `month`, in the language asked for, else in English."""
        for lang in dict.fromkeys((language, "en")):
            found = self.by_month.get((month, lang))
            if found and ident in found.standards:
                return found
        return None

    def you_said_html(self, language: str) -> str | None:
        return self.you_said.get(language) or self.you_said.get("en")


class ExplanationLibrary:
    """Reads ``content/performance`` when a file in it changed since the last read (thread-safe)."""

    def __init__(self, content_root: Path | str):
        self.folder = Path(content_root) / FOLDER
        self._stamp: tuple | None = None
        self._loaded = Explanations()
        self._lock = Lock()

    def _signature(self) -> tuple:
        if not self.folder.is_dir():
            return ()
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in self.folder.glob("*.md")))

    def current(self, known_standards: Iterable[str] = ()) -> Explanations:
        stamp = (self._signature(), tuple(known_standards))
        with self._lock:
            if stamp != self._stamp:
                self._loaded = load_explanations(self.folder, stamp[1])
                self._stamp = stamp
            return self._loaded


def load_explanations(folder: Path, known_standards: Iterable[str] = ()) -> Explanations:
    known = set(known_standards)
    found = Explanations()
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.md")):
        shown = f"{FOLDER}/{path.name}"
        try:
            post = frontmatter.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
            found.problems.append(ExplanationProblem(shown, 1, f"cannot be read ({error}). Check the settings "
                                                               "between the --- lines"))
            continue
        html = render_markdown(post.content).html
        if match := _YOU_SAID_FILE.match(path.name):
            found.you_said[match[1] or "en"] = html
            continue
        match = _MONTH_FILE.match(path.name)
        if not match or not 1 <= int(match[2]) <= 12:
            found.problems.append(ExplanationProblem(shown, None, "should be named after its month, like "
                                                                  "2026-03.md (or 2026-03.cy.md in Welsh), or be "
                                                                  f"{YOU_SAID}.md"))
            continue
        standards = post.metadata.get("standards")
        if isinstance(standards, str):
            standards = [standards]
        if not isinstance(standards, list) or not standards or not all(isinstance(s, str) for s in standards):
            found.problems.append(ExplanationProblem(shown, 2, "needs the standards it explains, like "
                                                               "\"standards: [phone-answer, written-answer]\""))
            continue
        unknown = [s for s in standards if known and s not in known]
        if unknown:
            found.problems.append(ExplanationProblem(shown, 2, f"{', '.join(unknown)} is not a standard in "
                                                               f"standards.yaml. Use one of: {', '.join(sorted(known))}"))
        if not post.content.strip():
            found.problems.append(ExplanationProblem(shown, None, "has no explanation below its settings. Say "
                                                                  "why the month missed and what we are doing"))
            continue
        month = date(int(match[1]), int(match[2]), 1)
        language = match[3] or "en"
        found.by_month[(month, language)] = Explanation(month, tuple(standards), html, language, shown)
    return found


def unexplained(misses: Mapping[str, Iterable[date]], explanations: Explanations) -> list[tuple[str, date]]:
    """(standard, month) of every missed target with no explanation in English: for `flask content check`."""
    return [(ident, month) for ident, months in sorted(misses.items()) for month in sorted(months)
            if explanations.for_standard(ident, month, "en") is None]
