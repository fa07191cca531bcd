"""How we're doing: monthly figures against the service standards, aggregated and published.

No Flask here. The public API:

Stored figures (`models`)
    `MonthlyFigure` (measure, month, counted, met, source), `percent(met, counted)`,
    the measures `SATISFACTION` and `PAGE_FEEDBACK` beside the standards' ids.
Counting (`figures`)
    `refresh_month(session, month, today=, now=)` counts a month's cases (with the
    deadlines' own rules) and page feedback into stored figures; `count_cases`,
    `kept(done_at, due, today)`; `stored(session, ...)` reads them back; `CASE_STANDARDS`.
Imports (`imports`)
    `parse_figures(text, standards, today) -> ParsedImport(rows, problems)`, `store(session, rows, now)`,
    `decode(bytes)`, `COLUMNS`.
The page (`report`, `explanations`)
    `build_report(standards, figures, explanations, today, language) -> Report`, `all_rows`, `misses`;
    `ExplanationLibrary(content_root).current(known)`, `unexplained(misses, explanations)`.
Demo (`demo`)
    `store_demo(session, standards, today, now)`, `demo_figures`, `has_figures`.
"""

from .demo import demo_figures, has_figures, store_demo
from .explanations import Explanation, ExplanationLibrary, Explanations, load_explanations, unexplained
from .figures import CASE_STANDARDS, Count, count_cases, kept, month_start, refresh_month, stored
from .imports import COLUMNS, ImportProblem, ParsedImport, decode, import_figures, months_of, parse_figures, store
from .models import PAGE_FEEDBACK, SATISFACTION, MonthlyFigure, percent
from .report import MonthPoint, Report, StandardReport, all_rows, build_report, misses, window

__all__ = [
    "CASE_STANDARDS", "COLUMNS", "PAGE_FEEDBACK", "SATISFACTION", "Count", "Explanation", "ExplanationLibrary",
    "Explanations", "ImportProblem", "MonthPoint", "MonthlyFigure", "ParsedImport", "Report", "StandardReport",
    "all_rows", "build_report", "count_cases", "decode", "demo_figures", "has_figures", "import_figures", "kept",
    "load_explanations", "misses", "month_start", "months_of", "parse_figures", "percent", "refresh_month", "store",
    "store_demo", "stored", "unexplained", "window",
]
