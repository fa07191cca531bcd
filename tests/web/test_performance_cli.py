"""`flask performance import|refresh|demo` and what `flask content check` says about targets and dips."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from townhall import engines
from townhall.content import load_site
from townhall.performance import MonthlyFigure

HEADER = "month,standard,contacts,within_promise\n"
TODAY = "2026-12-04"


def count(app, **where) -> int:
    with app.app_context():
        with engines.database().read_session() as session:
            query = select(func.count(MonthlyFigure.id))
            for name, value in where.items():
                query = query.where(getattr(MonthlyFigure, name) == value)
            return session.scalar(query)


def test_import_stores_a_good_file(make_quick_app, tmp_path):
    app = make_quick_app(TOWNHALL_TODAY=TODAY)
    file = tmp_path / "figures.csv"
    file.write_text(HEADER + "2026-10,phone-answer,10234,8412\n2026-10,first-contact,15020,10980\n")
    result = app.test_cli_runner().invoke(args=["performance", "import", str(file)])
    assert result.exit_code == 0, result.output
    assert "Imported 2 figure(s) for 2026-10." in result.output
    assert count(app, source="import") == 2


def test_import_stores_nothing_when_any_row_is_bad(make_quick_app, tmp_path):
    app = make_quick_app(TOWNHALL_TODAY=TODAY)
    file = tmp_path / "figures.csv"
    file.write_text(HEADER + "2026-10,phone-answer,10,8\n2026-10,voicemail,5,6\n2026-1O,office-visit,3,3\n")
    result = app.test_cli_runner().invoke(args=["performance", "import", str(file)])
    assert result.exit_code == 1
    assert "Nothing was imported: 2 row(s) of figures.csv need fixing." in result.output
    assert "Line 3: within_promise (6) is more than contacts (5)" in result.output
    assert 'Line 4: month "2026-1O" is not a month' in result.output
    assert count(app) == 0


def test_demo_makes_18_months_once_and_refresh_counts_a_month(make_quick_app):
    app = make_quick_app(TOWNHALL_TODAY=TODAY)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["performance", "demo", "--if-empty"])
    assert first.exit_code == 0 and "Stored 198 demo figure(s)" in first.output  # 11 measures x 18 months
    again = runner.invoke(args=["performance", "demo", "--if-empty"])
    assert "was not added" in again.output and count(app) == 198
    assert count(app, month=date(2025, 6, 1)) == 11 and count(app, month=date(2025, 5, 1)) == 0
    refreshed = runner.invoke(args=["performance", "refresh", "--month", "2026-10"])
    assert refreshed.exit_code == 0 and "2026-10: counted 0" in refreshed.output
    assert count(app) == 198  # nothing to count: the demo's history stays
    wrong = runner.invoke(args=["performance", "refresh", "--month", "October"])
    assert wrong.exit_code == 2 and "like 2026-10" in wrong.output


def test_content_check_reports_a_missed_month_without_an_explanation(make_quick_app, content_copy):
    (content_copy / "performance" / "2026-10.md").unlink()
    app = make_quick_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_TODAY=TODAY, TOWNHALL_ENV="check")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["performance", "demo"]).exit_code == 0
    result = runner.invoke(args=["content", "check", "--today", TODAY])
    assert result.exit_code == 0, result.output  # warnings: the figures are published all the same
    assert "phone-answer missed its target in October 2026 and there is no explanation" in result.output
    assert "office-visit missed its target in October 2026" in result.output
    assert "March 2026" not in result.output  # explained in 2026-03.md
    (content_copy / "performance" / "notes.md").write_text("Something\n")
    result = runner.invoke(args=["content", "check", "--today", TODAY])
    assert result.exit_code == 1
    assert "performance/notes.md" in result.output and "should be named after its month" in result.output


def test_each_standard_has_a_target_and_its_words_in_both_languages(content_copy):
    site = load_site(content_copy)
    assert all(standard.target and standard.target_wording for standard in site.standards)
    welsh = {standard.id: standard for standard in site.standards_in("cy")}
    assert welsh["phone-answer"].target_wording == "galwadau wedi'u hateb o fewn 20 eiliad"


def test_a_missing_or_wrong_target_is_reported(make_quick_app, content_copy):
    path = content_copy / "standards.yaml"
    text = path.read_text()
    text = text.replace("  target: 80\n  target_wording: calls answered within 20 seconds\n", "", 1)
    text = text.replace("  target: 95\n", "  target: 150\n", 1)
    text = text.replace("  target_wording: letters, emails and forms acknowledged within 3 working days\n", "", 1)
    path.write_text(text)
    problems = {(problem.field, problem.code, problem.severity): problem.message
                for problem in load_site(content_copy).problems if problem.path == "standards.yaml"}
    assert any("whole number of percent from 1 to 100" in message for message in problems.values())
    assert any(field and field.endswith("target_wording") for field, _, _ in problems)
    app = make_quick_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_ENV="check")
    result = app.test_cli_runner().invoke(args=["content", "check", "--today", TODAY])
    assert '"phone-answer" has no target' in result.output and "[missing-target]" in result.output
