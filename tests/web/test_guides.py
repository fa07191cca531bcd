"""Guided answers on the web: every route with and without htmx, in English and Welsh, and addresses
someone has edited by hand (a kind 400, never a 500). Also: a broken guide fails `flask content check`."""

from __future__ import annotations

import re

import pytest

from townhall.guides import follow_path

BADGE = "/ask/guides/can-i-get-a-blue-badge"


def text_of(response) -> str:
    return response.get_data(as_text=True)


def guides_of(app):
    from townhall import engines

    with app.app_context():
        return engines.guides(app)


@pytest.mark.parametrize("prefix", ["", "/cy"])
@pytest.mark.parametrize("htmx", [False, True])
def test_the_list_links_every_guide(app, client, prefix, htmx, htmx_headers):
    response = client.get(f"{prefix}/ask/guides", headers=htmx_headers if htmx else {})
    assert response.status_code == 200
    page = text_of(response)
    for guide in guides_of(app).all():
        assert f'href="{prefix}/ask/guides/{guide.slug}"' in page
        assert guide.title("cy" if prefix else "en").replace("'", "&#39;") in page
    assert page.count("<h1") == 1


def test_the_first_question_is_a_get_form_with_radios_in_a_fieldset(client):
    page = text_of(client.get(BADGE))
    assert "<h1>Can I get a Blue Badge?</h1>" in page
    form = re.search(r'<form class="th-guide__form" method="get" action="([^"]+)".*?</form>', page, re.S)
    assert form and form[1] == BADGE
    assert "<fieldset" in form[0] and "<legend" in form[0]
    assert form[0].count('type="radio" ') == 3 and 'name="where-you-live"' in form[0]
    assert 'name="asked" value="where-you-live"' in form[0]
    assert 'hx-get="' + BADGE + '"' in form[0] and 'hx-push-url="true"' in form[0]
    assert "Your answers" not in page


def test_each_answer_leads_to_the_next_question_with_a_change_link(client):
    response = client.get(f"{BADGE}?where-you-live=yes&asked=where-you-live")
    page = text_of(response)
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>Which of these applies to the person who needs the badge\?</h1>", page)
    assert 'type="hidden" name="where-you-live" value="yes"' in page
    assert f'href="{BADGE}?was=yes"' in page  # Change: back to the question, the answer still chosen
    assert "Change<span class=\"th-visually-hidden\"> your answer to: Does the person" in page
    assert "Back to the previous question" in page


def test_the_outcome_has_its_text_links_and_a_summary(client):
    page = text_of(client.get(f"{BADGE}?where-you-live=yes&benefits=none&getting-about=hidden"))
    assert re.search(r"<h1[^>]*>You may get a Blue Badge</h1>", page)
    assert 'href="https://www.gov.uk/apply-blue-badge"' in page and 'href="/services/apply-for-a-blue-badge"' in page
    assert page.count('class="th-summary-list__row"') == 3
    assert f'href="{BADGE}?where-you-live=yes&amp;benefits=none&amp;was=hidden"' in page
    assert 'type="radio"' not in page


def test_change_link_chooses_the_earlier_answer(client):
    page = text_of(client.get(f"{BADGE}?where-you-live=yes&was=none"))
    assert 'id="benefits-none" name="benefits" value="none" checked' in page
    assert page.count(" checked") == 1


def test_nothing_chosen_shows_the_gov_uk_error_pattern(client):
    response = client.get(f"{BADGE}?where-you-live=yes&asked=benefits")
    page = text_of(response)
    assert response.status_code == 200
    assert "<title>Error: " in page
    summary = re.search(r'<div class="th-error-summary"[^>]*>.*?</div>', page, re.S)[0]
    assert "data-focus-here" in summary and 'href="#benefits-pip-moving"' in summary and "Select an answer" in summary
    assert 'id="benefits-error"' in page and 'aria-describedby="benefits-hint benefits-error"' in page
    assert 'id="benefits-pip-moving"' in page


@pytest.mark.parametrize("query", [
    "where-you-live=maybe",
    "where-you-live=yes&benefits=%3Cscript%3E",
    "where-you-live=yes&where-you-live=no",
    "where-you-live=" + "y" * 500,
    "&".join(f"q{number}=x" for number in range(60)),
    "where-you-live=yes&benefits=pip-moving&was=%00",
])
@pytest.mark.parametrize("htmx", [False, True])
def test_tampered_addresses_get_a_kind_message(client, query, htmx, htmx_headers):
    response = client.get(f"{BADGE}?{query}", headers=htmx_headers if htmx else {})
    page = text_of(response)
    if "benefits=pip-moving" in query:  # a stray value for a reserved name is just ignored: the outcome shows
        assert response.status_code == 200 and "You should get a Blue Badge" in page
        return
    assert response.status_code == 400
    assert "We could not follow those answers" in page and f'href="{BADGE}"' in page
    assert "<script>" not in page


def test_answers_off_the_path_are_ignored(client):
    response = client.get(f"{BADGE}?where-you-live=no&benefits=dla&unknown=1")
    assert response.status_code == 200 and "Apply to the council where you live" in text_of(response)


def test_an_unknown_guide_is_a_404(client):
    assert client.get("/ask/guides/no-such-guide").status_code == 404
    assert client.get("/cy/ask/guides/no-such-guide").status_code == 404


@pytest.mark.parametrize("query", ["", "where-you-live=yes", "where-you-live=yes&asked=benefits",
                                   "where-you-live=yes&benefits=dla"])
def test_htmx_gets_only_the_step_of_the_same_template(client, htmx_headers, query):
    whole = text_of(client.get(f"{BADGE}?{query}"))
    part = text_of(client.get(f"{BADGE}?{query}", headers=htmx_headers))
    assert "<html" not in part and "<html" in whole
    assert part.strip().startswith('<div class="th-guide__step"') and "data-announce=" in part
    assert "data-page-title=" in part and "data-focus-here" in part
    assert part.strip() in whole


def test_welsh_pages_use_welsh_where_written_and_mark_english(client, make_app, content_copy):
    page = text_of(client.get(f"/cy{BADGE}?where-you-live=yes&benefits=none&getting-about=child"))
    assert 'lang="cy"' in page
    assert "Efallai y caiff eich plentyn Fathodyn Glas" in page
    assert 'href="/cy/ask/guides/can-i-get-a-blue-badge?' in page
    path = content_copy / "guides" / "do-i-need-planning-permission.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    cy:\n", text.index("  flat:\n"))
    end = text.index("\n  listed:\n")
    path.write_text(text[:start] + text[end + 1:], encoding="utf-8")  # the outcome "flat" only in English
    english = text_of(make_app(TOWNHALL_CONTENT=str(content_copy)).test_client().get(
        "/cy/ask/guides/do-i-need-planning-permission?building=flat"))
    assert re.search(r'<h1 data-focus-here tabindex="-1" lang="en">You are likely to need planning permission</h1>',
                     english)
    assert 'href="/cy/services/apply-for-planning-permission"' in english
    assert "Oes angen caniatâd cynllunio arnaf?" in english  # the title is in Welsh
    assert "Fflat neu fflat deulawr" in english and 'lang="en">Fflat' not in english  # the answers too


def test_every_example_of_every_guide_works_through_the_pages(app, client):
    for guide in guides_of(app).all():
        for example in guide.examples:
            walk, _used = follow_path(guide, example.answers)
            query = "&".join(f"{question.id}={option.value}" for question, option in walk.answered)
            response = client.get(f"{guide.url('en')}?{query}")
            assert response.status_code == 200
            title = guide.outcomes[example.outcome].title("en").replace("'", "&#39;")
            assert title in text_of(response), (guide.slug, example)


def test_guides_are_in_the_sitemap(app, client):
    sitemap = text_of(client.get("/sitemap.xml"))
    assert "/ask/guides</loc>" in sitemap
    for guide in guides_of(app).all():
        assert f"/ask/guides/{guide.slug}</loc>" in sitemap and f"/cy/ask/guides/{guide.slug}</loc>" in sitemap


def test_robots_keep_answers_out_of_search_engines(client):
    text = text_of(client.get("/robots.txt"))
    assert "Disallow: /ask/guides/*?" in text and "Disallow: /cy/ask/guides/*?" in text
    page = text_of(client.get(f"{BADGE}?where-you-live=yes"))
    assert '<link rel="canonical" href="http://localhost/ask/guides/can-i-get-a-blue-badge">' in page


def test_an_edited_guide_is_live_when_the_content_reloads(make_app, content_copy):
    app = make_app(TOWNHALL_CONTENT=str(content_copy))
    client = app.test_client()
    assert "You should get a Blue Badge" in text_of(client.get(f"{BADGE}?where-you-live=yes&benefits=dla"))
    path = content_copy / "guides" / "can-i-get-a-blue-badge.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: You should get a Blue Badge",
                                                             "title: You will almost certainly get a Blue Badge"),
                    encoding="utf-8")
    with app.app_context():
        from townhall import engines

        engines.content_engine(app).reload()
    assert "You will almost certainly get" in text_of(client.get(f"{BADGE}?where-you-live=yes&benefits=dla"))


def test_a_broken_guide_fails_the_content_check(make_app, content_copy):
    path = content_copy / "guides" / "can-i-get-a-blue-badge.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("next: unlikely", "next: unlikley", 1), encoding="utf-8")
    app = make_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_ENV="check")
    result = app.test_cli_runner().invoke(args=["content", "check", "--today", "2026-12-03"])
    assert result.exit_code == 1
    assert "guides/can-i-get-a-blue-badge.yaml\n  - ERROR, line " in result.output
    assert '"unlikley", which is not a question' in result.output and "[guide-missing-step]" in result.output
    with app.app_context():
        from townhall import engines

        assert engines.guides(app).get("can-i-get-a-blue-badge") is None  # not published with a dead end


def test_preview_lists_what_stops_a_guide_being_published(make_app, content_copy):
    path = content_copy / "guides" / "can-i-get-a-blue-badge.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("next: unlikely", "next: unlikley", 1), encoding="utf-8")
    page = text_of(make_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_ENV="preview").test_client()
                   .get("/ask/guides"))
    assert "guides/can-i-get-a-blue-badge.yaml, line" in page and "unlikley" in page
    live = make_app(TOWNHALL_CONTENT=str(content_copy), TOWNHALL_ENV="production").test_client()
    assert "unlikley" not in text_of(live.get("/ask/guides"))  # never on the live site


def test_the_demo_guides_pass_the_content_check(make_app):
    app = make_app(TOWNHALL_ENV="check")
    result = app.test_cli_runner().invoke(args=["content", "check", "--today", "2026-12-03"])
    assert result.exit_code == 0, result.output
    assert "6 guided answers with" in result.output
