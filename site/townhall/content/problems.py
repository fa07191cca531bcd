"""Problems found in the content team's files, worded for the person who will fix them.

A problem names the file, the field (and line where known), what is wrong and
what is expected, so `flask content check` can be read by someone who is not
a programmer.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong in one file."""

    path: str  # relative to the content folder, e.g. "services/missed-bin.md"
    message: str  # what is wrong and what is expected, in plain English
    field: str | None = None  # e.g. "contact.phone"
    line: int | None = None
    hides_file: bool = True  # False for problems (such as a broken link) that leave the page on the site

    def __str__(self) -> str:
        where = self.path + (f", line {self.line}" if self.line else "")
        what = f'the field "{self.field}": ' if self.field else ""
        return f"{where}: {what}{self.message}"


class ContentInvalid(Exception):
    """Raised when content has problems and the app must not start (development)."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in the content folder:\n{listing}")


@dataclass
class ProblemLog:
    """Collects problems while loading so one run reports all of them, not just the first."""

    problems: list[ContentProblem] = field(default_factory=list)

    def add(
        self, path: str, message: str, field: str | None = None, line: int | None = None, hides_file: bool = True
    ) -> None:
        self.problems.append(ContentProblem(path, message, field, line, hides_file))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def for_file(self, path: str) -> list[ContentProblem]:
        return [problem for problem in self.problems if problem.path == path]
