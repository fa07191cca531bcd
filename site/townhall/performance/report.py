"""What "How we're doing" shows, worked out from the stored figures (never from the cases themselves).

`build_report` turns the rows of `performance_figures` for the last 12 months into
one `StandardReport` per standard: each month's percentage, whether the target was
met (a word, never only a colour), the latest month's figure for the opening
sentence, the explanations of the months that missed, and the chart's geometry.
`all_rows` gives every stored figure for the CSV and JSON downloads.

Met means the percentage shown (a whole number, rounded half up) is at least the
target, so the words never contradict the number beside them ("80%. We did not
meet it" cannot happen for a target of 80%).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..content.models import Standard
from .explanations import Explanation, Explanations
from .figures import month_start, months_between
from .models import PAGE_FEEDBACK, SATISFACTION, MonthlyFigure, percent

MONTHS_SHOWN = 12

# The chart's drawing area, in SVG user units (the SVG scales to its container).
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 56, 44


@dataclass(frozen=True)
class MonthPoint:
    month: date
    counted: int
    met: int
    percent: int | None
    target_met: bool | None  # None: no target, or nothing counted
    x: float = 0.0
    y: float | None = None


@dataclass(frozen=True)
class StandardReport:
    standard: Standard
    points: tuple[MonthPoint, ...]  # oldest first; months with no figure have counted 0 and percent None
    latest: MonthPoint | None  # the newest month with a figure
    misses: tuple[MonthPoint, ...]
    explanations: tuple[tuple[MonthPoint, Explanation | None], ...]  # each miss, newest first, with its words
    target_y: float | None
    path: str  # the line through the months with a figure ("M x y L x y ...")

    @property
    def ident(self) -> str:
        return self.standard.id or ""


@dataclass(frozen=True)
class Report:
    months: tuple[date, ...]
    standards: tuple[StandardReport, ...]
    satisfaction: tuple[MonthPoint, ...]
    page_feedback: tuple[MonthPoint, ...]
    you_said_html: str | None
    gridlines: tuple[tuple[int, float], ...]  # (percent, y) for the chart's horizontal lines

    @property
    def has_figures(self) -> bool:
        return any(report.latest for report in self.standards)


def y_for(value: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 100), 1)


def x_for(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return round(LEFT + (span * (index + 0.5) / max(count, 1)), 1)


def window(today: date, months: int = MONTHS_SHOWN) -> list[date]:
    """The last `months` complete months before today's month, oldest first."""
    last = month_start(month_start(today) - timedelta(days=1))
    first = last
    for _ in range(months - 1):
        first = month_start(first - timedelta(days=1))
    return months_between(first, last)


def points(figures: Mapping[date, MonthlyFigure], months: Sequence[date], target: int | None) -> list[MonthPoint]:
    found = []
    for index, month in enumerate(months):
        figure = figures.get(month)
        counted, met = (figure.counted, figure.met) if figure else (0, 0)
        share = percent(met, counted)
        target_met = None if share is None or target is None else share >= target
        found.append(MonthPoint(month, counted, met, share, target_met, x_for(index, len(months)),
                                None if share is None else y_for(share)))
    return found


def build_report(standards: Iterable[Standard], figures: Mapping[str, Mapping[date, MonthlyFigure]],
                 explanations: Explanations, today: date, language: str = "en") -> Report:
    months = window(today)
    reports = []
    for standard in standards:
        ident = standard.id or ""
        shown = points(figures.get(ident, {}), months, standard.target)
        with_figures = [point for point in shown if point.percent is not None]
        misses = tuple(point for point in shown if point.target_met is False)
        reports.append(StandardReport(
            standard=standard, points=tuple(shown), latest=with_figures[-1] if with_figures else None,
            misses=misses,
            explanations=tuple((miss, explanations.for_standard(ident, miss.month, language))
                               for miss in reversed(misses)),
            target_y=y_for(standard.target) if standard.target else None,
            path=_path(with_figures)))
    return Report(
        months=tuple(months), standards=tuple(reports),
        satisfaction=tuple(points(figures.get(SATISFACTION, {}), months, None)),
        page_feedback=tuple(points(figures.get(PAGE_FEEDBACK, {}), months, None)),
        you_said_html=explanations.you_said_html(language),
        gridlines=tuple((value, y_for(value)) for value in (0, 25, 50, 75, 100)),
    )


def _path(shown: Sequence[MonthPoint]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'} {p.x} {p.y}" for i, p in enumerate(shown))


def misses(standards: Iterable[Standard], figures: Mapping[str, Mapping[date, MonthlyFigure]],
           today: date) -> dict[str, list[date]]:
    """Each standard's months (in the window the page shows) below its target: these need an explanation."""
    months = window(today)
    found: dict[str, list[date]] = {}
    for standard in standards:
        if not standard.id or not standard.target:
            continue
        missed = [p.month for p in points(figures.get(standard.id, {}), months, standard.target)
                  if p.target_met is False]
        if missed:
            found[standard.id] = missed
    return found


FIELDS = ("measure", "month", "counted", "met", "percent", "target_percent", "target_met", "source")


def all_rows(standards: Iterable[Standard], figures: Mapping[str, Mapping[date, MonthlyFigure]]) -> list[dict]:
    """Every stored figure, oldest first per measure, for the CSV and JSON downloads."""
    targets = {s.id: s.target for s in standards if s.id}
    rows = []
    for measure in sorted(figures):
        target = targets.get(measure)
        for month, figure in sorted(figures[measure].items()):
            share = figure.percent
            rows.append({
                "measure": measure, "month": f"{month:%Y-%m}", "counted": figure.counted, "met": figure.met,
                "percent": share, "target_percent": target,
                "target_met": None if share is None or target is None else share >= target,
                "source": figure.source,
            })
    return rows
