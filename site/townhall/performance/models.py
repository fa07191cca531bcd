"""The stored monthly figures "How we're doing" publishes: one row per measure per month.

Figures are aggregated, never recounted while a page is drawn: `figures.refresh_month`
counts a month's cases (and survey answers and page feedback) into these rows, and
`imports.store` writes the channels the website cannot see (calls, visits, voicemail,
first contact) from the customer service team's monthly CSV. The public page reads
at most a few hundred small rows, whatever the number of cases.

A row is (measure, month) -> `counted` and `met`: for a standard, how many contacts
it covered and how many were handled within the promise; for "satisfaction", how
many answered the survey and how many were satisfied or very satisfied; for
"page-feedback", how many answered "Is this page useful?" and how many said yes.
`source` says where the numbers came from (cases, import, demo), so a refresh of
case figures never overwrites the team's imported ones.

The tables live on the cases package's `Base` (one database, one migration history);
migration 0003 creates them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..cases.models import Base

SOURCES = ("cases", "import", "demo")
SATISFACTION = "satisfaction"
PAGE_FEEDBACK = "page-feedback"
MEASURE_SIZE = 60


class MonthlyFigure(Base):
    """One measure's count for one calendar month (`month` is the month's first day)."""

    __tablename__ = "performance_figures"
    __table_args__ = (
        CheckConstraint("source IN ('cases', 'import', 'demo')", name="source"),
        CheckConstraint("counted >= 0 AND met >= 0 AND met <= counted", name="counts"),
        Index("ix_performance_figures_measure_month", "measure", "month", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure: Mapped[str] = mapped_column(String(MEASURE_SIZE))  # a standard's id, or SATISFACTION / PAGE_FEEDBACK
    month: Mapped[date] = mapped_column(Date)
    counted: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime]

    @property
    def percent(self) -> int | None:
        return percent(self.met, self.counted)

    def __repr__(self) -> str:
        return f"<MonthlyFigure {self.measure} {self.month:%Y-%m} {self.met}/{self.counted}>"


def percent(met: int, counted: int) -> int | None:
    """Whole percent, rounded half up (87.5% -> 88%), or None when nothing was counted.

    Rounded in integers so 0.5 never rounds to even: the page and the CSV agree with a calculator.
    """
    if counted <= 0:
        return None
    return (200 * met + counted) // (2 * counted)
