"""Broken content: development refuses to start and says why; production keeps serving; the check command explains."""

from __future__ import annotations

import pytest

from townhall.content import ContentInvalid


def break_a_page(folder, slug="report-a-missed-bin"):
    path = folder / "services" / f"{slug}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("reviewed: ", "reviewd: "), encoding="utf-8")
    return slug


def test_development_refuses_to_start_and_says_why(make_app, content_copy):
    break_a_page(content_copy)
    with pytest.raises(ContentInvalid) as error:
        make_app(TOWNHALL_ENV="development", TOWNHALL_CONTENT=str(content_copy))
    message = str(error.value)
    assert "services/report-a-missed-bin.md" in message and '"reviewd": is not a field we know' in message
    assert '"reviewed": is missing' in message


def test_production_leaves_the_broken_page_out_and_keeps_serving(make_app, content_copy):
    slug = break_a_page(content_copy)
    app = make_app(TOWNHALL_ENV="production", TOWNHALL_CONTENT=str(content_copy))
    client = app.test_client()
    assert client.get(f"/services/{slug}").status_code == 404
    assert client.get("/").status_code == 200
    assert client.get("/a-to-z").status_code == 200
    assert client.get("/healthz").get_json()["content_problems"] >= 2


def test_check_command_lists_problems_and_fails(make_app, content_copy):
    break_a_page(content_copy)
    app = make_app(TOWNHALL_CONTENT=str(content_copy))
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "Found 3 problem(s)" in result.output  # the page, its missing field, and its Welsh version
    assert "services/report-a-missed-bin.cy.md: is a translation of" in result.output
    assert 'services/report-a-missed-bin.md: the field "reviewd": is not a field we know' in result.output


def test_check_command_passes_on_the_demo_content(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("All good.")


def test_a_yaml_mistake_is_reported_with_its_line(make_app, content_copy):
    path = content_copy / "services" / "report-a-pothole.md"
    text = path.read_text(encoding="utf-8").replace("summary: ", "summary: [unclosed ", 1)
    path.write_text(text, encoding="utf-8")
    result = make_app(TOWNHALL_CONTENT=str(content_copy)).test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "services/report-a-pothole.md, line" in result.output
