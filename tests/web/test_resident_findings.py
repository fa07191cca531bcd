"""What a resident test of the site found (issue 16, section 5), each through the test client, in English
and Welsh, as a whole page (no JavaScript) and as the htmx answer block. The browser half of these
checks (reflow, axe, the header at 320 px, focus) is tests/browser/test_answer_pages.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import shapely

from townhall import create_app, engines
from townhall.places.svgmap import draw
from townhall.preferences import COOKIE_NAME

HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def resident_app(tmp_path_factory):
    return create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("instance")),
                       "TOWNHALL_TODAY": "2026-11-25"})


@pytest.fixture
def client(resident_app):
    return resident_app.test_client()


def text(response) -> str:
    return response.get_data(as_text=True)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def live_postcodes(app) -> list[str]:
    places = engines.places(app)
    return [key.decode() for row, key in enumerate(places.data.keys) if not places.data.withdrawn[row]]


# --- postcodes: Z for 2, 8 for B, and ZZ99 -------------------------------------------------------------


def typo_of(postcode: str) -> str | None:
    """The postcode typed with a Z for its first 2 or an 8 for its first B where a letter must stand."""
    outward, inward = postcode.split()
    if "2" in outward[1:]:
        return outward[0] + outward[1:].replace("2", "Z", 1) + " " + inward
    if inward[0] == "2":
        return f"{outward} Z{inward[1:]}"
    if "B" in inward[1:]:
        return f"{outward} {inward[0]}{inward[1:].replace('B', '8', 1)}"
    return None


@pytest.mark.parametrize("prefix, said", [("", "We searched for"), ("/cy", "Fe wnaethom chwilio am")])
@pytest.mark.parametrize("htmx", [False, True])
def test_z_for_2_and_8_for_b_are_read_and_said(client, resident_app, prefix, said, htmx):
    postcodes = live_postcodes(resident_app)
    with_two = next(p for p in postcodes if "2" in p.split()[0][1:])
    with_b = next(p for p in postcodes if p.endswith("B") and "2" not in p and "Z" not in p)
    for postcode in (with_two, with_b):
        typed = typo_of(postcode)
        response = client.get(f"{prefix}/your-area", query_string={"postcode": typed}, headers=HTMX if htmx else {})
        html = words(text(response))
        assert response.status_code == 200, html[:300]
        assert f"{said} {postcode}" in html and typed in html


@pytest.mark.parametrize("prefix, message", [
    ("", "ZZ99 9ZZ is not the postcode of a real address"),
    ("/cy", "Nid yw ZZ99 9ZZ yn god post ar gyfer cyfeiriad go iawn"),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_zz99_is_said_plainly_not_to_be_a_real_address(client, prefix, message, htmx):
    response = client.get(f"{prefix}/your-area?postcode=zz99+9zz", headers=HTMX if htmx else {})
    html = words(text(response))
    assert response.status_code == 400
    assert message in html
    assert "is not a postcode" not in html and "Mae gan god post lythrennau" not in html


def test_the_api_names_the_zz99_answer_by_its_own_code(client):
    response = client.get("/api/postcodes/ZZ99%209ZZ")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "not_a_real_address"


# --- the error summary's ARIA ------------------------------------------------------------------------

NAMEABLE = {"a", "button", "input", "select", "textarea", "nav", "section", "form", "aside", "main", "table",
            "fieldset", "img", "svg", "audio", "video", "iframe", "dialog", "ul", "ol", "figure", "details"}
GENERIC_ROLES_THAT_TAKE_NAMES = {"region", "group", "alert", "status", "navigation", "img", "list", "dialog",
                                 "search", "form", "note", "complementary"}


class NamingCheck(HTMLParser):
    """Elements named with aria-label(ledby) whose role may not be named (ARIA 1.2: generic, paragraph...)."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []
        self.ids: set[str] = set()
        self.references: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if "aria-labelledby" in values:
            self.references += values["aria-labelledby"].split()
        if "aria-label" in values or "aria-labelledby" in values:
            role = values.get("role")
            if (role and role not in GENERIC_ROLES_THAT_TAKE_NAMES) or (not role and tag not in NAMEABLE):
                self.bad.append(self.get_starttag_text())


@pytest.mark.parametrize("url", [
    "/your-area?postcode=not+a+postcode", "/cy/your-area?postcode=not+a+postcode",
    "/school-catchment-areas?postcode=", "/find-my-nearest?category=nothing-like-this&postcode=BK1+1AA",
])
@pytest.mark.parametrize("htmx", [False, True])
def test_the_error_summary_is_a_region_named_by_its_heading(client, url, htmx):
    html = text(client.get(url, headers=HTMX if htmx else {}))
    summary = re.search(r'<div class="th-error-summary"[^>]*>', html)
    assert summary is not None
    assert 'role="region"' in summary.group(0) and 'aria-labelledby="error-summary-title"' in summary.group(0)
    check = NamingCheck()
    check.feed(html)
    assert check.bad == []
    assert set(check.references) <= check.ids


def test_settings_errors_use_the_same_summary(client, token):
    response = client.post("/settings", data={"csrf_token": token, "text": "enormous"})
    check = NamingCheck()
    check.feed(text(response))
    assert response.status_code == 400 and 'role="region"' in text(response) and check.bad == []


# --- the Listen bar inside <main> ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/services/report-a-missed-bin", "/cy/your-area?postcode=BK1+1AA", "/search?q=bins"])
def test_the_listen_bar_opens_main(resident_app, path):
    listener = resident_app.test_client()
    listener.set_cookie(COOKIE_NAME, "speech:on")
    html = text(listener.get(path))
    main = html.index('<main id="main-content"')
    bar = html.index('class="th-speech-bar"')
    header_end = html.index("</header>")
    assert header_end < main < bar < html.index("</main>")
    # Nothing of the page comes between the start of <main> and the bar (a section's Listen comes after it).
    between = html[html.index(">", main) + 1:bar]
    assert re.sub(r"<!--.*?-->|<div\s*$", "", between, flags=re.S).strip() == ""


# --- maps ---------------------------------------------------------------------------------------------


def square(x: float, y: float, size: float) -> shapely.Geometry:
    """A square in degrees, near the demo council (so the National Grid is the right projection)."""
    return shapely.box(x, y, x + size, y + size)


def test_a_map_zoomed_inside_the_district_does_not_claim_to_show_its_edge():
    district = square(-1.3, 52.1, 0.3)
    inside = square(-1.16, 52.24, 0.01)
    near_edge = square(-1.301, 52.24, 0.02)
    middle = draw([(district, "context", "district"), (inside, "highlight", "ward")], [], focus=[inside])
    edge = draw([(district, "context", "district"), (near_edge, "highlight", "ward")], [], focus=[near_edge])
    assert "context" not in middle.drawn and "highlight" in middle.drawn
    assert "context" in edge.drawn


def map_key(html: str) -> str:
    return words(re.search(r'<figcaption class="th-small" id="[^"]+-key">(.*?)</figcaption>', html, re.S)[1])


@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_the_catchment_map_shows_the_school_and_its_key_says_so(client, resident_app, prefix):
    postcode = live_postcodes(resident_app)[0]
    html = text(client.get(f"{prefix}/school-catchment-areas", query_string={"postcode": postcode}))
    figures = re.findall(r'<figure class="th-places-map">.*?</figure>', html, re.S)
    assert figures
    for figure in figures:
        assert 'class="th-places-map__school"' in figure
        key = map_key(figure)
        assert ("The square is" if not prefix else "Y sgwâr yw") in key
        assert 'aria-describedby="' in figure


def test_no_map_key_names_an_edge_the_map_does_not_draw(client):
    inner = map_key(text(client.get("/wards/BKWD01")))  # a ward in the middle of the district
    outer = map_key(text(client.get("/wards/BKWD16")))  # a ward on its edge
    assert "The shaded shape is" in inner and "edge of the district" not in inner and "outline" not in inner
    assert "The dashed line is the edge of the district." in outer


# --- the header: a menu that folds without JavaScript, and links that keep the answer -------------------


@pytest.mark.parametrize("path, menu", [("/services/report-a-missed-bin", "Menu"), ("/cy/contact-us", "Dewislen"),
                                        ("/search?q=bins", "Menu")])
def test_the_header_links_are_in_a_menu_that_opens_without_javascript(client, path, menu):
    html = text(client.get(path))
    header = html[html.index('<header class="th-header">'):html.index("</header>")]
    details = header[header.index('<details class="th-menu">'):header.index("</details>")]
    assert re.search(r'<summary class="th-menu__toggle">.*?' + menu + r"</summary>", details, re.S)
    for part in ('class="th-header__tools"', 'class="th-nav"'):
        assert part in details
    if not path.startswith("/search"):  # the search page has its own search box
        assert 'id="header-search-input"' in details
    assert "<script" not in header


@pytest.mark.parametrize("prefix, other", [("", "/cy"), ("/cy", "")])
@pytest.mark.parametrize("path, query", [("/search", "q=council+tax"), ("/your-area", "postcode=BK1+1AA"),
                                         ("/school-catchment-areas", "postcode=BK1+1AA")])
def test_the_settings_and_language_links_keep_the_answer(client, prefix, other, path, query):
    def links(html: str) -> tuple[str, str]:
        tools = re.search(r'<nav class="th-header__tools"[^>]*>.*?</nav>', html, re.S).group(0)
        settings = re.search(r'href="([^"]*/settings\?return_to=[^"]*)"', tools).group(1)
        language = re.search(r'<a href="([^"]*)" hreflang=', tools).group(1)
        return settings.replace("&amp;", "&"), language.replace("&amp;", "&")

    from urllib.parse import parse_qs, urlsplit

    for headers in ({}, HTMX):
        html = text(client.get(f"{prefix}{path}?{query}", headers=headers))
        if headers:  # after an htmx answer, the header's links come again, out of band
            assert re.search(r'<nav class="th-header__tools" id="th-header-tools"[^>]*hx-swap-oob="true"', html)
        settings, language = links(html)
        assert language == f"{other}{path}?{query}"
        assert parse_qs(urlsplit(settings).query)["return_to"] == [f"{prefix}{path}?{query.replace('+', ' ')}"] or \
            parse_qs(urlsplit(settings).query)["return_to"] == [f"{prefix}{path}?{query}"]


def test_htmx_answers_that_do_not_change_the_address_leave_the_header_alone(client, token):
    html = text(client.post("/settings", data={"csrf_token": token, "text": "large"}, headers=HTMX))
    assert "th-header-tools" not in html


# --- settings: "saved" where the reader is -----------------------------------------------------------


@pytest.mark.parametrize("prefix, saved", [("", "Saved. Speech: On"), ("/cy", "Wedi cadw. Lleferydd: Ymlaen")])
def test_with_htmx_saved_is_said_under_the_setting_that_changed(client, prefix, saved, token):
    response = client.post(f"{prefix}/settings", data={"csrf_token": token, "text": "standard", "colours": "auto", "spacing": "standard",
                                                       "speech": "on"}, headers=HTMX)
    html = text(response)
    near = re.search(r'<div id="speech-status" hx-swap-oob="innerHTML">(.*?)</div>\s*<div id="save-status"', html, re.S)
    assert near and "data-keep-in-view" in near.group(1)
    for other in ("text", "colours", "spacing", "save"):
        assert re.search(rf'<div id="{other}-status" hx-swap-oob="innerHTML"></div>', html)
    assert saved in words(near.group(1))
    page = text(client.get(f"{prefix}/settings"))
    for place in ("text", "colours", "spacing", "speech", "save"):
        assert f'id="{place}-status" role="status"' in page


def test_saving_with_no_change_is_said_under_the_save_button(client, token):
    html = text(client.post("/settings", data={"csrf_token": token, "text": "standard", "colours": "auto", "spacing": "standard",
                                               "speech": "off"}, headers=HTMX))
    assert re.search(r'<div id="save-status" hx-swap-oob="innerHTML"><div data-keep-in-view>', html)


def test_without_javascript_saved_is_said_at_the_top_of_the_page_it_loads(client, token):
    response = client.post("/settings", data={"csrf_token": token, "text": "large"})
    page = text(client.get(response.headers["Location"]))
    status = page[page.index('id="preferences-status"'):page.index('<form id="preferences-form"')]
    assert "Your settings have been saved." in status


# --- search: no good match, council first, emergency numbers first ----------------------------------------


@pytest.mark.parametrize("prefix, said, ask", [
    ("", "No page matches ‘food hygiene rating’ well", "Ask us instead"),
    ("/cy", "Does dim tudalen sy’n cyfateb yn dda i ‘food hygiene rating’", "Gofynnwch i ni yn lle hynny"),
])
@pytest.mark.parametrize("htmx", [False, True])
def test_a_search_with_no_good_match_says_so_then_offers_pages_contact_and_directory(client, prefix, said, ask, htmx):
    html = text(client.get(f"{prefix}/search?q=food+hygiene+rating", headers=HTMX if htmx else {}))
    plain = words(html)
    assert said in plain
    order = [html.index('id="results-heading"'), html.index('class="th-results"'), html.index('id="ask-us-heading"'),
             html.index('href="' + prefix + '/directory/not-sure"')]
    assert order == sorted(order)
    assert ask in plain and 'href="tel:' in html[order[2]:]


def test_a_good_match_gets_no_such_notice(client):
    html = text(client.get("/search?q=missed+bin"))
    assert "matches ‘missed bin’ well" not in html and "ask-us-heading" not in html


def test_council_tax_shows_the_councils_pages_first_and_labels_the_others(client):
    html = text(client.get("/search?q=tax"))
    results = re.findall(r'<li class="th-result[^"]*">(.*?)</li>\s*(?=<li class="th-result|</ol>)', html, re.S)
    council = [("Council service" in result) for result in results]
    first_other = council.index(False)
    assert all(council[:first_other]) and first_other >= 3
    assert "Pay your Council Tax" in "".join(results[:first_other])
    assert all("Not a council service" in result for result, ours in zip(results, council, strict=True) if not ours)


@pytest.mark.parametrize("path, call", [("/search?q=i+smell+gas", "Call National Gas Emergency Service now:"),
                                        ("/cy/search?q=arogl+nwy", "Ffoniwch National Gas Emergency Service nawr:")])
@pytest.mark.parametrize("htmx", [False, True])
def test_an_emergency_result_shows_its_number_first(client, path, call, htmx):
    html = text(client.get(path, headers=HTMX if htmx else {}))
    callout = html.index('id="emergency-call"')
    assert call in words(html[callout:callout + 400]) and "0800 111 999" in html[callout:callout + 400]
    assert callout < html.index('id="results-heading"')
    result = html[html.index('<li class="th-result th-result--emergency">'):]
    assert result.index('class="th-result__emergency"') < result.index('class="th-result__owner"')
    html = text(client.get("/search?q=missed+bin"))
    assert "emergency-call" not in html and "th-result--emergency" not in html


# --- content: what "Cost" says ----------------------------------------------------------------------


def glance_cost(html: str) -> str:
    panel = re.search(r'<section class="th-panel th-facts-panel".*?</section>', html, re.S).group(0)
    return words(re.search(r"<dd>(.*?)</dd>", panel, re.S).group(1))


def test_pay_your_council_tax_no_longer_says_it_is_free(client):
    cost = glance_cost(text(client.get("/services/pay-your-council-tax")))
    assert cost != "Free" and cost == "Fee for paying your bill: Free"
    welsh = text(client.get("/cy/services/pay-your-council-tax"))
    assert glance_cost(welsh).replace(" :", ":") == "Fee for paying your bill: Am ddim"
    assert '<span lang="en">Fee for paying your bill</span>' in welsh


def test_every_services_cost_agrees_with_its_charges(client, resident_app):
    site = engines.site(resident_app)
    for slug, service in site.services.items():
        cost = glance_cost(text(client.get(f"/services/{slug}")))
        paid = [charge for charge in service.charges if charge.amount != "free"]
        if len(service.charges) == 1:
            assert cost.startswith(service.charges[0].item + ":"), slug
        elif not paid:
            assert cost == "Free", slug
        else:
            assert cost != "Free", slug
            assert ("Some things are free" in cost) == (len(paid) < len(service.charges)), slug
