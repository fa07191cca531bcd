"""Problems found in the content team's files, worded for the person who will fix them.

A problem names the file, the field (and line where known), what is wrong and
what to do, so `flask content check` can be read by someone who is not a
programmer. Each has a `code` (stable, for machines: `--format json`) and a
`severity`:

- "error": the page is not published until it is fixed (on the live site its
  last good version keeps being served, see `lastgood.py`);
- "warning": the page is published, and the problem is reported.

A few errors depend on other files rather than on the page's own text (a link
to a page that has since been removed, a title another page now uses). They
never take down a version of a page that was published before: `CROSS_FILE`
lists them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ERROR, WARNING = "error", "warning"

# Errors caused by another file changing, not by the page's own text.
CROSS_FILE = frozenset({"broken-link", "broken-anchor", "duplicate-title", "translation-of-missing"})


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong in one file."""

    path: str  # relative to the content folder, e.g. "services/missed-bin.md"
    message: str  # what is wrong and what to do, in plain English
    field: str | None = None  # e.g. "contact.phone"
    line: int | None = None
    severity: str = ERROR
    code: str = "field"

    @property
    def hides_file(self) -> bool:
        """Whether the file is left out of the site (or its last good version served) because of this."""
        return self.severity == ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    @property
    def where(self) -> str:
        return self.path + (f", line {self.line}" if self.line else "")

    @property
    def text(self) -> str:
        """The message with the field it is about, without the file and line."""
        what = f'the setting "{self.field}": ' if self.field else ""
        return f"{what}{self.message}"

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"

    def as_json(self) -> dict:
        """{file, line, code, severity, message}: what `flask content check --format json` prints."""
        found = asdict(self)
        return {"file": found["path"], "line": found["line"], "code": self.code, "severity": self.severity,
                "message": self.text}


class ContentInvalid(Exception):
    """Content has errors (kept for callers that want to stop on them; the app itself never does)."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in the content folder:\n{listing}")


@dataclass
class ProblemLog:
    """Collects problems while loading so one run reports all of them, not just the first."""

    problems: list[ContentProblem] = field(default_factory=list)

    def add(
        self, path: str, message: str, field: str | None = None, line: int | None = None,
        severity: str = ERROR, code: str = "field",
    ) -> None:
        self.problems.append(ContentProblem(path, message, field, line, severity, code))

    def extend(self, problems: list[ContentProblem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def for_file(self, path: str) -> list[ContentProblem]:
        return [problem for problem in self.problems if problem.path == path]

    def mark(self) -> int:
        """Where the log is now, to ask later what was added since (`since`)."""
        return len(self.problems)

    def since(self, mark: int) -> list[ContentProblem]:
        return self.problems[mark:]


def has_errors(problems: list[ContentProblem], ignore_cross_file: bool = False) -> bool:
    return any(p.is_error and not (ignore_cross_file and p.code in CROSS_FILE) for p in problems)
