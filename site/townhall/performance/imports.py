"""The customer service team's monthly CSV: the channels the website cannot see.

Calls answered within 20 seconds, voicemails returned next working day, visitors
seen within 5 minutes, queries sorted out at first contact: the phone and queue
systems count these, and the team exports one row per standard per month::

    month,standard,contacts,within_promise
    2026-10,phone-answer,10234,8412
    2026-10,first-contact,15020,10980

Checked row by row like every import: every bad row is reported with its line
number and what to fix, and nothing is stored unless every row is good (the
caller stores `ParsedImport.rows` in one transaction). Importing a month again
replaces that month's figures for the standards in the file, so a corrected
export is simply imported again.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from ..cases.audit import audit
from ..content.models import Standard
from .figures import CASE_STANDARDS, Count, month_start, save

COLUMNS = ("month", "standard", "contacts", "within_promise")
MAX_ROWS = 5000  # 18 standards x 12 months x years of history fits many times over; more is the wrong file
MAX_COUNT = 10_000_000
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True)
class ImportProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass(frozen=True)
class ImportedRow:
    line: int
    month: date
    standard: str
    contacts: int
    within_promise: int


@dataclass
class ParsedImport:
    rows: list[ImportedRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def importable(standards: Iterable[Standard]) -> list[str]:
    """The standards the CSV may give: every standard not counted from the case records."""
    return [s.id for s in standards if s.id and s.id not in CASE_STANDARDS]


def decode(data: bytes) -> str | None:
    """The file's text (UTF-8, with or without the byte order mark spreadsheets add), or None."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def parse_figures(text: str | None, standards: Iterable[Standard], today: date) -> ParsedImport:
    """Check every row; the rows are usable only when `problems` is empty."""
    result = ParsedImport()
    if text is None:
        result.problems.append(ImportProblem(1, "The file is not plain text in UTF-8. In your spreadsheet, "
                                                "save it as \"CSV UTF-8\" and try again"))
        return result
    allowed = importable(standards)
    counted_here = {s.id for s in standards if s.id and s.id in CASE_STANDARDS}
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        result.problems.append(ImportProblem(1, f"The first line cannot be read as CSV ({error})"))
        return result
    if header is None or not any(cell.strip() for cell in header):
        result.problems.append(ImportProblem(1, "The file is empty. The first line must be the column names: "
                                                + ",".join(COLUMNS)))
        return result
    if tuple(cell.strip().lower() for cell in header) != COLUMNS:
        result.problems.append(ImportProblem(1, "The first line must be the column names, in this order: "
                                                f"{','.join(COLUMNS)} (it is: {','.join(header)[:200]})"))
        return result
    seen: dict[tuple[date, str], int] = {}
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            result.problems.append(ImportProblem(reader.line_num, f"This line cannot be read as CSV ({error}). "
                                                                  "Check its quotation marks"))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, often at the end: harmless
        if len(result.rows) + len(result.problems) >= MAX_ROWS:
            result.problems.append(ImportProblem(line, f"The file has more than {MAX_ROWS} rows. Import one "
                                                       "month or one year at a time"))
            break
        row = _row(line, cells, allowed, counted_here, today, result.problems)
        if row is None:
            continue
        key = (row.month, row.standard)
        if key in seen:
            result.problems.append(ImportProblem(line, f"{row.standard} for {row.month:%Y-%m} is already on line "
                                                       f"{seen[key]}. Keep one of the two rows"))
            continue
        seen[key] = line
        result.rows.append(row)
    if not result.rows and not result.problems:
        result.problems.append(ImportProblem(2, "The file has the column names but no figures. Add one row per "
                                                "standard per month, like 2026-10,phone-answer,10234,8412"))
    return result


def _row(line: int, cells: list[str], allowed: list[str], counted_here: set[str], today: date,
         problems: list[ImportProblem]) -> ImportedRow | None:
    if len(cells) != len(COLUMNS):
        problems.append(ImportProblem(line, f"has {len(cells)} values; it needs {len(COLUMNS)} "
                                            f"({', '.join(COLUMNS)}), separated by commas. A number written "
                                            "with a comma, like 1,250, must be written 1250"))
        return None
    month_text, standard, contacts_text, within_text = (cell.strip() for cell in cells)
    found: list[str] = []
    month = _month(month_text, today, found)
    if standard in counted_here:
        found.append(f'"{standard}" is counted from our own case records and cannot be imported. Remove this row')
    elif standard not in allowed:
        found.append(f'"{standard[:60]}" is not a standard that can be imported. Use one of: '
                     + ", ".join(allowed))
    contacts = _whole(contacts_text, "contacts", found)
    within = _whole(within_text, "within_promise", found)
    if contacts is not None and within is not None and within > contacts:
        found.append(f"within_promise ({within}) is more than contacts ({contacts}). Check the two numbers are "
                     "in the right columns")
    if found:
        problems.append(ImportProblem(line, "; ".join(found)))
        return None
    assert month is not None and contacts is not None and within is not None
    return ImportedRow(line, month, standard, contacts, within)


def _month(text: str, today: date, found: list[str]) -> date | None:
    match = _MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        found.append(f'month "{text[:20]}" is not a month. Write it as year-month, like 2026-10')
        return None
    month = date(int(match[1]), int(match[2]), 1)
    if month > month_start(today):
        found.append(f"month {month:%Y-%m} has not happened yet. Check the year")
        return None
    if month.year < 2000:
        found.append(f"month {month:%Y-%m} is too long ago. Check the year")
        return None
    return month


def _whole(text: str, column: str, found: list[str]) -> int | None:
    if not text:
        found.append(f"{column} is empty. Write a whole number, like 1250 (0 if there were none)")
        return None
    if not (text.isascii() and text.isdigit()):  # '²' is a digit to Python, not to int()
        found.append(f'{column} "{text[:20]}" is not a whole number. Write it with digits only, like 1250')
        return None
    value = int(text)
    if value > MAX_COUNT:
        found.append(f"{column} {value} is too big to be one month's figure. Check the number")
        return None
    return value


def store(session: Session, rows: Iterable[ImportedRow], now: datetime) -> int:
    """Write every row (the caller commits all or nothing); a month imported again replaces the last import."""
    written = 0
    for row in rows:
        save(session, row.standard, row.month, Count(row.contacts, row.within_promise), "import", now)
        written += 1
    return written


def import_figures(session: Session, parsed: ParsedImport, *, staff_id: int | None, now: datetime,
                   detail: str = "") -> int:
    """Store a checked import and say so in the audit log, in one transaction (the command line and the staff
    area's upload do the same import); returns how many figures were written."""
    written = store(session, parsed.rows, now)
    audit(session, staff_id=staff_id, action="performance_import", now=now, target="performance",
          detail=f"{written} figures{detail}")
    return written


def months_of(parsed: ParsedImport) -> list[str]:
    """The months an import covers, as YYYY-MM, in order (for the message that says what was imported)."""
    return sorted({f"{row.month:%Y-%m}" for row in parsed.rows})
