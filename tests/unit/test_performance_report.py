"""What the page is built from: the 12 months shown, met or not met per month, the team's explanations (and
the months with none), the demo's history, and the rows of the downloads."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from townhall.content.models import Standard, Timescale
from townhall.performance import (
    ExplanationLibrary,
    MonthlyFigure,
    all_rows,
    build_report,
    demo_figures,
    misses,
    unexplained,
    window,
)
from townhall.performance.explanations import Explanations

TODAY = date(2026, 12, 4)
PHONE = Standard(promise="answer your call", within=Timescale(20, "seconds"), id="phone-answer", target=80,
                 target_wording="calls answered within 20 seconds")
VISIT = Standard(promise="see you", within=Timescale(5, "minutes"), id="office-visit")  # no target


def figure(measure: str, month: date, counted: int, met: int) -> MonthlyFigure:
    return MonthlyFigure(measure=measure, month=month, counted=counted, met=met, source="import",
                         updated_at=datetime(2026, 12, 1, tzinfo=UTC))


def test_the_window_is_the_last_12_complete_months():
    months = window(TODAY)
    assert months[0] == date(2025, 12, 1) and months[-1] == date(2026, 11, 1) and len(months) == 12
    assert window(date(2026, 1, 1))[-1] == date(2025, 12, 1)


def test_met_and_missed_months_and_the_latest_figure():
    figures = {"phone-answer": {date(2026, 10, 1): figure("phone-answer", date(2026, 10, 1), 1000, 794),
                                date(2026, 11, 1): figure("phone-answer", date(2026, 11, 1), 8, 7)}}
    report = build_report([PHONE, VISIT], figures, Explanations(), TODAY)
    phone, visit = report.standards
    assert phone.latest.month == date(2026, 11, 1) and phone.latest.percent == 88 and phone.latest.target_met
    assert [p.month for p in phone.misses] == [date(2026, 10, 1)]  # 79.4% is shown as 79%: below 80%
    assert visit.latest is None and visit.path == ""
    assert phone.target_y is not None and phone.path.startswith("M ")
    assert [explanation for _, explanation in phone.explanations] == [None]  # nothing written yet


def test_a_share_that_rounds_up_to_the_target_meets_it():
    # 79.95% rounds to 80%: the page says 80% and "met", never 80% and "not met".
    figures = {"phone-answer": {date(2026, 11, 1): figure("phone-answer", date(2026, 11, 1), 2000, 1599)}}
    point = build_report([PHONE], figures, Explanations(), TODAY).standards[0].latest
    assert point.percent == 80 and point.target_met is True


def test_explanations_are_found_by_month_and_language_and_misses_without_one_are_listed(tmp_path):
    folder = tmp_path / "performance"
    folder.mkdir()
    (folder / "2026-10.md").write_text("---\nstandards: [phone-answer]\n---\nThe storm.\n")
    (folder / "2026-10.cy.md").write_text("---\nstandards: [phone-answer]\n---\nY storm.\n")
    (folder / "you-said-we-did.md").write_text("**You said:** more.\n")
    (folder / "2026-13.md").write_text("---\nstandards: [phone-answer]\n---\nNo such month.\n")
    (folder / "2026-09.md").write_text("---\nstandards: [nope]\n---\nUnknown standard.\n")
    (folder / "2026-08.md").write_text("No settings.\n")
    library = ExplanationLibrary(tmp_path)
    found = library.current(["phone-answer"])
    assert "The storm." in found.for_standard("phone-answer", date(2026, 10, 1), "en").html
    assert "Y storm." in found.for_standard("phone-answer", date(2026, 10, 1), "cy").html
    assert found.for_standard("office-visit", date(2026, 10, 1), "en") is None
    assert "more" in found.you_said_html("cy")  # no Welsh version: the English one
    assert sorted(problem.path for problem in found.problems) == [
        "performance/2026-08.md", "performance/2026-09.md", "performance/2026-13.md"]
    figures = {"phone-answer": {m: figure("phone-answer", m, 10, 5) for m in (date(2026, 10, 1), date(2026, 11, 1))}}
    assert unexplained(misses([PHONE], figures, TODAY), found) == [("phone-answer", date(2026, 11, 1))]
    # Edited: read again (the file's time and size changed)
    path = folder / "2026-10.md"
    path.write_text("---\nstandards: [phone-answer]\n---\nThe storm, and the floods.\n")
    os.utime(path, ns=(1, 1))
    assert "floods" in library.current(["phone-answer"]).for_standard("phone-answer", date(2026, 10, 1), "en").html


def test_the_demo_is_deterministic_and_dips_where_the_explanations_say():
    standards = [PHONE]
    first, second = demo_figures(standards, TODAY), demo_figures(standards, TODAY)
    assert first == second
    assert len(first["phone-answer"]) == 18
    phone = first["phone-answer"]
    below = sorted(month for month, count in phone.items() if 100 * count.met / count.counted < PHONE.target)
    assert below == [date(2026, 3, 1), date(2026, 10, 1)]  # Council Tax bills, and the storm
    assert phone[date(2026, 3, 1)].counted > phone[date(2026, 4, 1)].counted * 1.4  # the calls doubled


def test_download_rows_say_the_target_and_whether_it_was_met():
    figures = {"phone-answer": {date(2026, 11, 1): figure("phone-answer", date(2026, 11, 1), 10, 7)},
               "satisfaction": {date(2026, 11, 1): figure("satisfaction", date(2026, 11, 1), 0, 0)}}
    rows = all_rows([PHONE], figures)
    assert rows[0] == {"measure": "phone-answer", "month": "2026-11", "counted": 10, "met": 7, "percent": 70,
                       "target_percent": 80, "target_met": False, "source": "import"}
    assert rows[1]["percent"] is None and rows[1]["target_met"] is None
