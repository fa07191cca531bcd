"""Search and directory routes through the test client, with and without htmx."""

from __future__ import annotations

import pytest

from townhall import create_app, engines

HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    return create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(instance),
                       "TOWNHALL_SEARCH_INDEX": str(instance / "search-index")})


@pytest.fixture()
def client(app):
    return app.test_client()


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_index_is_built_at_start_up(app):
    from townhall.search import current_index

    info = current_index(app.config["TOWNHALL_SEARCH_INDEX"])
    assert info is not None and info.documents >= 80


def test_search_page_without_javascript(client):
    response = client.get("/search?q=i+smell+gas")
    page = text(response)
    assert response.status_code == 200
    assert "<html" in page and 'role="search"' in page and 'method="get"' in page
    assert "National Gas Emergency Service" in page and "Not a council service" in page
    assert 'href="tel:+44800111999"' in page
    assert 'data-announce="' in page and 'hx-trigger="input changed delay:500ms' in page


def test_htmx_request_gets_only_the_results_block(client):
    response = client.get("/search?q=missed+bin", headers=HX)
    page = text(response)
    assert response.status_code == 200
    assert "<html" not in page and 'role="search"' not in page
    # A <title> first (htmx moves it into the page's title), then the results block.
    title, rest = page.lstrip().split("\n", 1)
    assert title == "<title>Search results for ‘missed bin’ – Brackenford District Council</title>"
    assert rest.lstrip().startswith("<h2 id=\"results-heading\" data-announce=")
    assert "Report a missed bin" in page and "Council service" in page


def test_the_htmx_title_is_escaped_once(client):
    page = text(client.get("/search?q=%3Cb%3E+%26+bins", headers=HX))
    assert page.startswith("<title>Search results for ‘&lt;b&gt; &amp; bins’ – ")
    assert "<b>" not in page


def test_empty_query_shows_the_form_and_no_results(client):
    for headers in ({}, HX):
        response = client.get("/search", headers=headers)
        assert response.status_code == 200
        assert "results for" not in text(response)


@pytest.mark.parametrize("query", [
    '"council tax', "(((", "bins AND OR NOT", "*", "bin*", "🙂🙂", "x" * 10_000, "%00", "<script>alert(1)</script>",
    "[a TO z]", "title:bin", "\\",
])
def test_nasty_queries_get_a_sensible_page(client, query):
    for headers in ({}, HX):
        response = client.get("/search", query_string={"q": query}, headers=headers)
        assert response.status_code == 200
        assert "<script>alert" not in text(response)


def test_long_queries_are_cut_and_say_so(client):
    page = text(client.get("/search", query_string={"q": "bin " * 100}))
    assert "first 200 characters" in page


def test_did_you_mean(client):
    page = text(client.get("/search?q=counsil+tax"))
    assert "Did you mean" in page and "council tax</a>" in page
    assert "Pay your Council Tax" in page


def test_filters_and_bad_parameters(client):
    page = text(client.get("/search?q=bin&kind=organisation"))
    assert "Not a council service" in page and "Report a missed bin" not in page
    page = text(client.get("/search?q=tax&category=council-tax"))
    assert "Council Tax" in page and "HMRC" not in page
    for query in ("q=bin&page=abc", "q=bin&page=-4", "q=bin&page=99999", "q=bin&kind=<b>", "q=bin&category=%00"):
        assert client.get(f"/search?{query}").status_code == 200


def test_pagination_links_work_without_javascript(client):
    first = text(client.get("/search?q=council"))
    assert 'rel="next"' in first
    second = client.get("/search?q=council&page=2")
    assert second.status_code == 200 and 'rel="prev"' in text(second)


def test_welsh_search_page(client):
    response = client.get("/cy/search?q=bin")
    assert response.status_code == 200 and 'lang="cy"' in text(response)


def test_home_page_search_box_leads_here(client):
    page = text(client.get("/"))
    assert 'action="/search"' in page


@pytest.mark.parametrize("path", ["/directory", "/directory/a-to-z", "/directory/not-sure", "/directory/nhs-111",
                                  "/directory/gas-emergency", "/directory/hm-passport-office"])
def test_directory_pages(client, path):
    for headers in ({}, HX):
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        assert "<h1" in text(response)


def test_organisation_page_contents(client):
    page = text(client.get("/directory/gas-emergency"))
    assert "This is not a council service" in page
    assert "0800 111 999" in page and 'href="tel:999"' in page
    assert "When to contact them" in page
    page = text(client.get("/directory/hm-passport-office"))
    assert "<table" in page and "When you can phone" in page and 'rel="external"' in page


def test_unknown_organisation_is_a_kind_404(client):
    response = client.get("/directory/no-such-organisation")
    assert response.status_code == 404


def test_directory_lists_every_organisation(client, app):
    organisations = engines.site(app).directory.organisations
    index, a_to_z = text(client.get("/directory")), text(client.get("/directory/a-to-z"))
    for slug in organisations:
        assert f'/directory/{slug}"' in index and f'/directory/{slug}"' in a_to_z


def test_api_directory_redirects_to_open_referral(client, app):
    response = client.get("/api/directory?per_page=5&page=2")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/api/openreferral/services?per_page=5&page=2&full=true")
    body = client.get("/api/directory?per_page=5&page=2", follow_redirects=True).get_json()
    assert body["page_number"] == 2 and body["size"] == 5
    assert body["total_items"] == len(engines.site(app).directory.organisations)
    assert {"id", "organization_id", "name", "status", "organization", "schedules"} <= set(body["contents"][0])
    response = client.get("/api/directory?page=abc", follow_redirects=True)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_parameter" and "whole number" in response.json["error"]["message"]


def test_facilities_plug_in_as_a_search_source(tmp_path):
    from townhall.engines.search_index import add_search_source
    from townhall.engines.search_index import init_app as start_search
    from townhall.search import facility_documents

    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path)})
    before = engines.search(app).info.generation
    facilities = [{"id": "ashcombe-library", "name": "Ashcombe Library", "url": "/your-area",
                   "type": "library", "type_title": "Libraries", "address": "High Street, Ashcombe BK4 2LT",
                   "phone": "01632 960410"},
                  {"id": "hartley-cross-surgery", "name": "Hartley Cross Surgery", "url": "/your-area",
                   "type": "gp", "type_title": "GP surgeries", "operator": "NHS", "phone": "01632 960999"}]
    add_search_source(app, "facilities", lambda: facility_documents(facilities), lambda: "v1")
    start_search(app)
    assert engines.search(app).info.generation != before  # the new source made the index stale
    client = app.test_client()
    page = text(client.get("/search?q=ashcombe+library"))
    assert "Ashcombe Library" in page and 'value="facility"' in page
    page = text(client.get("/search?q=hartley+cross+surgery&kind=facility"))
    assert "Hartley Cross Surgery" in page and "NHS is responsible for this" in page


def test_content_check_reports_directory_mistakes(make_app, content_copy):
    path = content_copy / "directory" / "nhs-111.md"
    path.write_text(path.read_text(encoding="utf-8").replace("phone: '111'", "phone: one-one-one"), encoding="utf-8")
    result = make_app(TOWNHALL_CONTENT=str(content_copy)).test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code != 0
    assert "directory/nhs-111.md" in result.output and "contact.phone" in result.output


def test_search_build_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "build", "--if-stale"])
    assert result.exit_code == 0 and "up to date" in result.output
    result = runner.invoke(args=["search", "status"])
    assert result.exit_code == 0 and "up to date" in result.output
    result = runner.invoke(args=["search", "query", "i", "smell", "gas"])
    assert "National Gas Emergency Service" in result.output


def test_demo_facilities_are_searchable(client):
    page = text(client.get("/search?q=ashcombe+library"))
    assert "Ashcombe Library" in page and "/find-my-nearest?category=libraries" in page and ">Place<" in page
    page = text(client.get("/search?q=library&kind=facility"))
    assert 'value="facility"' in page and "Join the library" not in page
