"""The search page with Welsh results, the places tools, facilities, postcodes and live-search history."""

from __future__ import annotations

import re
from pathlib import Path

HX = {"HX-Request": "true"}


def text(response) -> str:
    """The page, without the speech-echo wrappers around what the reader typed (see test_places_pages)."""
    return re.sub(r'<span data-speech-echo="[^"]*">(.*?)</span>', r"\1", response.get_data(as_text=True))


def result_links(page: str) -> list[str]:
    return re.findall(r'<h3 class="th-result__title"><a href="([^"]+)"', page)


def test_welsh_search_finds_welsh_pages_without_english_spelling_correction(client):
    page = text(client.get("/cy/search?q=treth+gyngor"))
    assert "Did you mean" not in page and "Oeddech chi’n golygu" not in page and "teeth" not in page
    assert result_links(page)[0] == "/cy/services/pay-your-council-tax"
    assert "Talu eich Treth Gyngor" in page
    first = page.split('<li class="th-result">')[1]
    assert 'lang="en"' not in first.split("</h3>")[0]  # Welsh text on the Welsh page: not marked


def test_welsh_site_falls_back_to_english_pages_marked_as_english(client):
    page = text(client.get("/cy/search?q=bulky+waste"))
    first = page.split('<li class="th-result">')[1].split("</li>")[0]
    assert 'href="/cy/services/bulky-waste-collection" hreflang="en" lang="en"' in first


def test_welsh_words_on_the_english_site_lead_to_the_welsh_page(client):
    page = text(client.get("/search?q=twll+yn+y+ffordd"))
    assert "Did you mean" not in page
    first = page.split('<li class="th-result">')[1].split("</li>")[0]
    assert 'href="/cy/services/report-a-pothole" hreflang="cy" lang="cy"' in first


def test_a_postcode_leads_to_your_area_first(client):
    for typed in ("BK1+1AA", "bk11aa", "library+bk1+1aa"):
        for headers in ({}, HX):
            page = text(client.get(f"/search?q={typed}", headers=headers))
            assert "BK1 1AA is a postcode" in page, typed
            links = re.findall(r'href="([^"]+)"', page.split('id="results-heading"')[1])
            assert links[0] == "/your-area?postcode=BK1+1AA", typed
            assert "result. Your area for BK1 1AA is the first link." in page or "results. Your area for BK1 1AA is the first link." in page
    assert "is a postcode" not in text(client.get("/search?q=missed+bin"))
    assert "is a postcode" not in text(client.get("/search?q=m25+pothole"))


def test_a_postcode_on_the_welsh_site(client):
    page = text(client.get("/cy/search?q=BK1+1AA"))
    assert "Cod post yw BK1 1AA" in page and 'href="/cy/your-area?postcode=BK1+1AA"' in page


def test_places_tools_and_ward_pages_are_found(client):
    assert result_links(text(client.get("/search?q=catchment+area")))[0] == "/school-catchment-areas"
    assert result_links(text(client.get("/search?q=find+my+nearest")))[0] == "/find-my-nearest"
    ward = text(client.get("/search?q=ward"))
    assert "Did you mean" not in ward
    links = result_links(ward)
    assert links[0] == "/your-area" and any(link.startswith("/wards/") for link in links)
    for link in {link for link in links if link.startswith("/wards/")}:
        assert client.get(link).status_code == 200
    assert result_links(text(client.get("/cy/search?q=dalgylch")))[0] == "/cy/school-catchment-areas"


def test_facility_results_link_to_a_page_that_lists_them_first(client):
    page = text(client.get("/search?q=brackenford+library+opening+times"))
    first = page.split('<li class="th-result">')[1].split("</li>")[0]
    assert 'href="/find-my-nearest?category=libraries&amp;postcode=BK1+1BD"' in first
    # The address and what is there are separate sentences, not one run-on line.
    assert "<p class=\"th-result__address\">Address: <span>109 High Street, Brackenford, BK1 1BD</span></p>" in first
    assert "BK1 1BD Books" not in first
    nearest = text(client.get("/find-my-nearest?category=libraries&postcode=BK1+1BD"))
    names = re.findall(r'<h3 class="th-places-result__name">.*?</span>\s*([^<]+)</h3>', nearest)
    assert names[0].strip() == "Brackenford Library"


def test_live_search_replaces_the_address_while_typing_and_pushes_on_submit(client):
    page = text(client.get("/search?q=bins"))
    form = page.split('<form class="th-search-form th-search-page"')[1].split(">", 1)[0]
    assert 'hx-push-url="true"' in form and 'hx-trigger="submit"' in form and 'hx-disinherit="hx-push-url"' in form
    field = page.split('id="search-input"')[1].split(">", 1)[0]
    assert 'hx-replace-url="true"' in field and 'hx-trigger="input changed delay:500ms"' in field
    assert "hx-push-url" not in field
    assert page.count('hx-replace-url="true"') == 3  # the box and both filters


def test_htmx_results_bring_their_title(client):
    page = text(client.get("/cy/search?q=biniau", headers=HX))
    assert page.startswith("<title>") and "biniau" in page.split("</title>")[0]


def test_web_search_asks_the_places_package_through_its_public_listing():
    source = (Path(__file__).resolve().parents[2] / "site" / "townhall" / "web" / "search.py").read_text()
    assert "places.store" not in source and "StoredGeodata" not in source


def test_places_listing(app):
    from townhall.places.listing import current_generation, listing

    found = listing(app.config["TOWNHALL_GEODATA"])
    assert found.generation == current_generation(app.config["TOWNHALL_GEODATA"])
    assert found.facilities and found.categories and found.wards
    library = next(f for f in found.facilities if f.id == "brackenford-library")
    assert found.postcodes[library.id] == library.postcode
    assert listing(Path("/nonexistent/geodata")) is None and current_generation("/nonexistent/geodata") is None


def test_searching_for_the_address_already_shown_adds_no_history_entry(client):
    same = client.get("/search?q=bin&kind=&category=",
                      headers={**HX, "HX-Current-URL": "http://localhost/search?q=bin&kind=&category="})
    assert same.headers.get("HX-Push-Url") == "false"
    other = client.get("/search?q=bins&kind=&category=",
                       headers={**HX, "HX-Current-URL": "http://localhost/search?q=bin&kind=&category="})
    assert "HX-Push-Url" not in other.headers
    # A browser keeps htmx answers too: without this it hands the live answer for "bin" (typed
    # while the address said "bi") to the Search press at "bin", which then adds a history entry.
    assert "HX-Current-URL" in same.headers["Vary"] and "HX-Current-URL" in other.headers["Vary"]
    welsh = client.get("/cy/search?q=bin", headers={**HX, "HX-Current-URL": "http://localhost/cy/search?q=bin"})
    assert welsh.headers.get("HX-Push-Url") == "false"


def test_a_place_result_names_its_kind_in_welsh_on_the_welsh_site(client):
    page = text(client.get("/cy/search?q=library&kind=facility"))
    first = page.split('<li class="th-result">')[1].split("</li>")[0]
    assert '<span class="th-meta">Llyfrgelloedd</span>' in first
