"""Another council runs Townhall from its own content and geodata: nothing of the demo council shows.

The council's name, short name, main contact and example postcode come from
content (council.yaml, contacts.yaml); the geodata is the council's own,
imported as the geodata commands do. Every page reachable from the English and
Welsh home pages, the JSON API, error pages and audio file names are read for
the demo council's name and number.
"""

from __future__ import annotations

import csv
import json
import re
import textwrap
from collections import deque
from pathlib import Path

import pytest

from townhall import create_app, engines
from townhall.addresses import is_page
from townhall.places.importers import import_areas, import_facilities, import_postcodes
from townhall.places.store import GeodataFolder

DEMO_TRACES = re.compile(r"brackenford|01632 960000|\bBK\d", re.IGNORECASE)

FILES = {
    "council.yaml": """
        name: Ashby Borough Council
        short_name: Ashby
        main_contact: customer-services
        example_postcode: AB1 2DE
        website: https://www.ashby.example
        cy:
          name: Cyngor Bwrdeistref Ashby
    """,
    "contacts.yaml": """
        customer-services:
          team: Customer Services
          phone: 01632 961234
          email: hello@ashby.example
          hours:
            - days: Monday to Friday
              times: 9am to 5pm
    """,
    "categories.yaml": """
        - slug: waste
          title: Waste
          summary: Bins and recycling.
          cy:
            title: Gwastraff
            summary: Biniau ac ailgylchu.
    """,
    "standards.yaml": """
        - id: written-answer
          channel: Letters and emails
          promise: give you a full answer
          within: 10 working days
    """,
    "home.yaml": """
        welcome: Welcome to Ashby Borough Council.
    """,
    "services/report-a-missed-bin.md": """
        ---
        title: Report a missed bin
        summary: Tell us if we did not collect your bin.
        category: waste
        keywords: [missed bin]
        responsible: Waste team
        top_task: true
        contact: customer-services
        charges: free
        standard:
          promise: collect your missed bin
          within: 2 working days
        reviewed: 2026-11-01
        ---
        ## When to report

        Report it by the end of the next working day.
    """,
    "steps/moving-home.md": """
        ---
        title: Moving to or within {area}
        summary: What to do when you move home in {area}.
        reviewed: 2026-11-01
        ---
        ## Find your bin day

        - [Report a missed bin](/services/report-a-missed-bin)
    """,
}


def write_council(root: Path) -> Path:
    content = root / "content"
    for name, text in FILES.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return content


def import_geodata(root: Path) -> Path:
    """Three postcodes, the borough's boundary and one library, imported as `flask geodata` does."""
    folder = root / "geodata"
    store = GeodataFolder(folder)
    postcodes = root / "postcodes.csv"
    with open(postcodes, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["postcode", "latitude", "longitude"])
        writer.writerows([("AB1 2DE", 52.10, -1.10), ("AB1 2DF", 52.11, -1.11), ("AB2 3EF", 52.12, -1.09)])
    import_postcodes(store, postcodes)
    boundary = root / "boundary.geojson"
    ring = [[-1.2, 52.0], [-1.0, 52.0], [-1.0, 52.2], [-1.2, 52.2], [-1.2, 52.0]]
    boundary.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": "E07000001", "name": "Ashby"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    import_areas(store, "boundary", boundary)
    facilities = root / "facilities.csv"
    with open(facilities, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "category", "latitude", "longitude"])
        writer.writerow(["ashby-library", "Ashby Library", "Libraries", 52.105, -1.105])
    import_facilities(store, facilities)
    return folder


@pytest.fixture(scope="module")
def ashby(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("ashby")
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(root / "instance"),
                      "TOWNHALL_CONTENT": str(write_council(root)), "TOWNHALL_GEODATA": str(import_geodata(root))})
    assert not engines.site(app).problems
    yield app
    speaker = engines.of(app).made("speaker")
    if speaker is not None:
        speaker.synthesiser.close()


def reachable_pages(client) -> dict[str, str]:
    """Every page linked from the English and Welsh home pages, with its HTML."""
    found: dict[str, str] = {}
    queue = deque(["/", "/cy/"])
    while queue and len(found) < 300:
        path = queue.popleft()
        if path in found:
            continue
        response = client.get(path)
        found[path] = response.get_data(as_text=True)
        for href in re.findall(r'href="(/[^"#]*)"', found[path]):
            href = href.replace("&amp;", "&")
            if is_page(href.split("?")[0], ["cy"]) and href not in found:
                queue.append(href)
    return found


def test_no_page_names_the_demo_council(ashby):
    pages = reachable_pages(ashby.test_client())
    assert len(pages) > 20
    for path, html in pages.items():
        assert not DEMO_TRACES.search(html), (path, DEMO_TRACES.search(html).group(0))
    assert "Ashby Borough Council" in pages["/"] and "Cyngor Bwrdeistref Ashby" in pages["/cy/"]
    assert "Moving to or within Ashby" in pages["/step-by-step"]  # the journey's {area} is this council's
    assert "/alerts" in pages and "/step-by-step/moving-home" in pages


@pytest.mark.parametrize("path", [
    "/your-area?postcode=AB1+2DE", "/your-area?postcode=nonsense", "/your-area?postcode=",
    "/find-my-nearest?category=libraries&postcode=AB2+3EF", "/search?q=missed+bin", "/search?q=",
    "/no-such-page", "/cy/no-such-page", "/directory/not-sure", "/bin-collections?postcode=AB1+2DE",
    "/services/report-a-missed-bin", "/step-by-step/moving-home", "/alerts",
])
def test_answers_and_error_pages_name_this_council(ashby, path):
    html = ashby.test_client().get(path).get_data(as_text=True)
    assert not DEMO_TRACES.search(html), DEMO_TRACES.search(html).group(0)


@pytest.mark.parametrize("path", [
    "/api/openapi.json", "/api/areas", "/api/categories", "/api/postcodes/AB1%202DE",
    "/api/postcodes/nonsense", "/api/nearest?category=libraries&postcode=AB1+2DE", "/api/areas/boundary.geojson",
    "/api/openreferral/", "/api/openreferral/services", "/api/nowhere", "/api/alerts", "/api/alerts.atom",
])
def test_the_api_names_this_council(ashby, path):
    body = ashby.test_client().get(path).get_data(as_text=True)
    assert not DEMO_TRACES.search(body), DEMO_TRACES.search(body).group(0)


def test_the_api_is_titled_with_this_council(ashby):
    assert ashby.test_client().get("/api/openapi.json").get_json()["info"]["title"].startswith("Ashby Borough Council")


def test_postcode_hints_use_a_postcode_of_this_council(ashby):
    html = ashby.test_client().get("/your-area?postcode=").get_data(as_text=True)
    assert "AB1 2DE" in html


def test_audio_files_are_named_for_this_council(ashby):
    with ashby.test_client().get("/listen/audio", query_string={
        "page": "/services/report-a-missed-bin", "section": "all", "format": "mp3", "download": "1"}) as response:
        assert response.status_code == 200
        disposition = response.headers["Content-Disposition"]
    assert "ashby-services-report-a-missed-bin" in disposition and "brackenford" not in disposition.lower()
