"""Broken content: development and preview start and show the problems on the page; production keeps serving;
the check command explains, in words and as JSON."""

from __future__ import annotations

import json

from townhall import engines


def break_a_page(folder, slug="report-a-missed-bin"):
    path = folder / "services" / f"{slug}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("reviewed: ", "reviewd: "), encoding="utf-8")
    return slug


def test_development_starts_and_shows_the_problem_on_the_page(make_app, content_copy):
    slug = break_a_page(content_copy)
    app = make_app(TOWNHALL_ENV="development", TOWNHALL_CONTENT=str(content_copy))
    html = app.test_client().get(f"/services/{slug}").get_data(as_text=True)
    assert "This page has 2 problems to fix before it can be published" in html
    assert f"services/{slug}.md, line" in html and "is not a setting we know" in html
    assert "Traceback" not in html


def test_production_leaves_a_never_good_page_out_and_keeps_serving(make_app, content_copy, tmp_path):
    slug = break_a_page(content_copy)
    app = make_app(TOWNHALL_ENV="production", TOWNHALL_CONTENT=str(content_copy))
    client = app.test_client()
    assert client.get(f"/services/{slug}").status_code == 404
    assert client.get("/").status_code == 200
    assert client.get("/a-to-z").status_code == 200
    assert client.get("/healthz").get_json()["content_problems"] >= 2


def test_check_command_lists_problems_and_fails(make_app, content_copy):
    break_a_page(content_copy)
    app = make_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_ENV="check")
    result = app.test_cli_runner().invoke(args=["content", "check", "--today", "2026-12-03"])
    assert result.exit_code == 1
    assert "Found 3 error(s)" in result.output  # the page, its missing setting, and its Welsh version
    assert "services/report-a-missed-bin.cy.md\n  - ERROR, the file: is a translation of" in result.output
    line = reviewd_line(content_copy)
    assert f'ERROR, line {line}: the setting "reviewd": is not a setting we know' in result.output


def test_check_command_passes_on_the_demo_content(make_app):
    app = make_app(TOWNHALL_ENV="check")
    result = app.test_cli_runner().invoke(args=["content", "check", "--today", "2026-12-03"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("All good: no errors")


def test_check_command_speaks_json(make_app, content_copy):
    break_a_page(content_copy)
    app = make_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_ENV="check")
    result = app.test_cli_runner().invoke(args=["content", "check", "--format", "json", "--today", "2026-12-03"])
    assert result.exit_code == 1
    problems = json.loads(result.output)
    assert all(set(problem) == {"file", "line", "code", "severity", "message"} for problem in problems)
    unknown = next(p for p in problems if p["code"] == "unknown-setting")
    assert unknown == {"file": "services/report-a-missed-bin.md", "line": reviewd_line(content_copy), "code": "unknown-setting",
                       "severity": "error", "message": unknown["message"]}
    assert {p["severity"] for p in problems} <= {"error", "warning"}


def test_a_yaml_mistake_is_reported_with_its_line(make_app, content_copy):
    path = content_copy / "services" / "report-a-pothole.md"
    text = path.read_text(encoding="utf-8").replace("summary: ", "summary: [unclosed ", 1)
    path.write_text(text, encoding="utf-8")
    app = make_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_ENV="check")
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "services/report-a-pothole.md\n  - ERROR, line" in result.output
    assert "a list in square brackets [ ] is not closed" in result.output or "The settings could not be read" in result.output


def test_reload_command_loads_changes_and_updates_the_index(make_app, content_copy):
    app = make_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_CONTENT_POLL_MS=0)
    path = content_copy / "services" / "report-a-pothole.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Tell us about potholes", "Tell us about quagmires"),
                    encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["content", "reload"])
    assert result.exit_code == 0, result.output
    assert "Content loaded:" in result.output and "published" in result.output

    assert [hit.url for hit in engines.search(app).search("quagmires").hits] == ["/services/report-a-pothole"]


def reviewd_line(content) -> int:
    """The line of the misspelt setting in the broken page (the page's settings grow as features arrive)."""
    lines = (content / "services" / "report-a-missed-bin.md").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.startswith("reviewd:"))
