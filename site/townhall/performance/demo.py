"""The demo council's history: 18 months of believable figures, the same every time.

A real council's figures are steady most months and dip for reasons residents
recognise, which is what the page must show well. Each standard runs a few points
above its target (with small, seeded month-to-month noise) and dips below it when:

* December: the offices close between Christmas and New Year, so letters and
  complaints wait (acknowledgements, answers, voicemail);
* March: the Council Tax bills go out and calls double (phone, voicemail, first contact);
* October of the latest year shown: a storm (fallen trees, flooding) floods the phones and the
  offices.

The explanations for those months are in ``content/performance/`` like the team's
own. The numbers come from `random.Random(SEED)`, so the demo, the tests and the
benchmark see the same history for the same `today`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..content.models import Standard
from .figures import Count, month_start, save
from .models import PAGE_FEEDBACK, SATISFACTION, MonthlyFigure
from .report import window

SEED = 20261204
DEMO_MONTHS = 18

# measure -> contacts in an ordinary month
VOLUMES = {
    "phone-answer": 9200, "voicemail": 640, "written-acknowledge": 1420, "written-answer": 1310,
    "complaint-stage-1": 64, "complaint-stage-2-acknowledge": 12, "complaint-stage-2-answer": 11,
    "office-visit": 1150, "first-contact": 14300,
}
# (month number) -> {measure: (percentage points lost, volume multiplier)}
SEASONS: dict[int, dict[str, tuple[int, float]]] = {
    12: {"written-acknowledge": (7, 0.8), "written-answer": (10, 0.8), "complaint-stage-1": (12, 0.8),
         "voicemail": (8, 0.9)},
    3: {"phone-answer": (23, 1.7), "voicemail": (14, 1.5), "first-contact": (8, 1.4), "written-answer": (5, 1.3)},
}
STORM_MONTH = 10
STORM = {"phone-answer": (16, 1.4), "office-visit": (12, 1.3), "written-answer": (7, 1.2)}


def demo_months(today: date, months: int = DEMO_MONTHS) -> list[date]:
    return window(today, months)


def demo_figures(standards: Iterable[Standard], today: date,
                 months: int = DEMO_MONTHS) -> dict[str, dict[date, Count]]:
    """measure -> month -> Count for the `months` complete months before today (no database)."""
    chosen = demo_months(today, months)
    storm = max((m for m in chosen if m.month == STORM_MONTH), default=None)
    rng = random.Random(SEED)
    found: dict[str, dict[date, Count]] = {}
    for standard in standards:
        ident = standard.id or ""
        target = standard.target or 80
        base = VOLUMES.get(ident, 500)
        series: dict[date, Count] = {}
        for month in chosen:
            lost, more = SEASONS.get(month.month, {}).get(ident, (0, 1.0))
            if month == storm and ident in STORM:
                lost, more = STORM[ident]
            counted = max(1, round(base * more * (1 + rng.uniform(-0.06, 0.06))))
            share = min(100.0, target + 4 + rng.uniform(-2, 2)) - lost
            met = round(counted * share / 100)
            if not lost:  # an ordinary month meets its target even when rounding a small count
                met = max(met, math.ceil(counted * target / 100))
            series[month] = Count(counted, min(met, counted))
        found[ident] = series
    found[SATISFACTION] = {m: _share(rng, 150, 0.78, 0.12 if m.month == 3 or m == storm else 0) for m in chosen}
    found[PAGE_FEEDBACK] = {m: _share(rng, 900, 0.71, 0) for m in chosen}
    return found


def _share(rng: random.Random, volume: int, share: float, lost: float) -> Count:
    counted = round(volume * (1 + rng.uniform(-0.15, 0.15)))
    return Count(counted, round(counted * (share - lost + rng.uniform(-0.03, 0.03))))


def has_figures(session: Session) -> bool:
    return session.scalar(select(MonthlyFigure.id).limit(1)) is not None


def store_demo(session: Session, standards: Iterable[Standard], today: date, now: datetime,
               months: int = DEMO_MONTHS) -> int:
    """Replace the demo months' figures with the demo history (the caller commits); how many rows."""
    figures = demo_figures(standards, today, months)
    chosen = demo_months(today, months)
    session.execute(delete(MonthlyFigure).where(MonthlyFigure.month >= month_start(chosen[0]),
                                                MonthlyFigure.month <= chosen[-1]))
    session.flush()
    written = 0
    for measure, series in figures.items():
        for month, count in series.items():
            save(session, measure, month, count, "demo", now)
            written += 1
    return written
