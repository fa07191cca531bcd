"""How we're doing (/how-we-are-doing): our figures against the service standards, explained.

The page reads the stored monthly figures (one indexed query, a few hundred rows)
and the team's explanations; nothing is counted while it is drawn (see
`townhall.performance`). Each standard says its latest month in a sentence first,
met or not met in words; then a chart (SVG drawn here, no script) with the same
figures in a table beside it; then the explanation of every month that missed.
`?standard=<id>` shows one standard (a plain GET form; htmx swaps the results in
place). Every stored figure can be downloaded as CSV or JSON.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import lru_cache

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Blueprint, Response, jsonify, request

from .. import engines
from ..performance import PAGE_FEEDBACK, SATISFACTION, all_rows, build_report, stored
from ..performance.report import FIELDS, HEIGHT, LEFT, RIGHT, TOP, WIDTH
from .common import content_site, language, render, today

bp = Blueprint("performance", __name__)


@lru_cache(maxsize=1024)
def _date_words(value: date, pattern: str, lang: str) -> str:
    return format_date(value, format=pattern, locale=lang)


@lru_cache(maxsize=8192)
def _number_words(value: int, lang: str) -> str:
    return format_decimal(value, locale=lang)


# The page says a few hundred months and counts; Babel's formatting, cached, keeps it well inside its budget.
@bp.app_template_filter("month_year")
def month_year(value: date | None) -> str:
    """October 2026 (Welsh: Hydref 2026)."""
    return _date_words(value, "MMMM y", language()) if value else ""


@bp.app_template_filter("month_short")
def month_short(value: date | None) -> str:
    """Oct 26 on the chart's axis (Welsh: Hyd 26)."""
    return _date_words(value, "MMM yy", language()) if value else ""


@bp.app_template_filter("count")
def count_words(value: int) -> str:
    """1,310 in the reader's language."""
    return _number_words(value, language())


def _figures(measures: list[str]):
    with engines.database().read_session() as session:
        return stored(session, measures)


@bp.get("/how-we-are-doing")
def page():
    site, lang = content_site(), language()
    standards = [standard for standard in site.standards_in(lang) if standard.id]
    chosen = request.args.get("standard", "")
    known = [standard.id for standard in standards]
    if chosen not in known:
        chosen = ""
    report = build_report(standards, _figures([*known, SATISFACTION, PAGE_FEEDBACK]),
                          engines.explanations().current(known), today(), lang)
    shown = [item for item in report.standards if not chosen or item.ident == chosen]
    return render("performance/page.html", block="results", report=report, shown=shown, chosen=chosen,
                  options=[(standard.id, standard.target_wording or standard.promise) for standard in standards],
                  chart={"width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT, "top": TOP})


def _rows() -> list[dict]:
    site = content_site()
    known = [standard.id for standard in site.standards if standard.id]
    return all_rows(site.standards, _figures([*known, SATISFACTION, PAGE_FEEDBACK]))


@bp.get("/how-we-are-doing/figures.csv")
def figures_csv():
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in _rows():
        writer.writerow({key: ("" if value is None else str(value).lower() if isinstance(value, bool) else value)
                         for key, value in row.items()})
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="how-we-are-doing.csv"'})


@bp.get("/how-we-are-doing/figures.json")
def figures_json():
    response = jsonify({"fields": list(FIELDS), "figures": _rows()})
    response.headers["Content-Disposition"] = 'inline; filename="how-we-are-doing.json"'
    return response
