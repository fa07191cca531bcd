"""The places pages through the test client: whole pages without htmx, answer blocks with it."""

from __future__ import annotations

import re

import pytest

from townhall import create_app
from townhall.places.errors import PlacesError

HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def places_client(tmp_path_factory):
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("instance")),
                      "TOWNHALL_TODAY": "2026-11-25"})  # a Wednesday: bin dates are fixed
    return app.test_client()


def text(response) -> str:
    """The page, with the speech-echo wrappers around what the reader typed taken off (they only tell speech
    to read neutral words), so assertions read what the page shows."""
    return re.sub(r'<span data-speech-echo="[^"]*">(.*?)</span>', r"\1", response.get_data(as_text=True))


PAGES = ["/your-area", "/find-my-nearest", "/school-catchment-areas", "/wards/BKWD01"]
ANSWERS = [
    "/your-area?postcode=BK1+1AA",
    "/find-my-nearest?category=libraries&postcode=BK1+1AA",
    "/school-catchment-areas?postcode=BK1+1AA",
]


@pytest.mark.parametrize("url", PAGES + ANSWERS)
@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_whole_pages_without_htmx(places_client, url, prefix):
    response = places_client.get(prefix + url)
    assert response.status_code == 200
    html = text(response)
    assert html.startswith("<!doctype html>")
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert 'id="main-content"' in html


@pytest.mark.parametrize("url", ANSWERS)
def test_htmx_gets_only_the_answer_block(places_client, url):
    response = places_client.get(url, headers=HTMX)
    assert response.status_code == 200
    html = text(response)
    assert "<html" not in html and "<h1" not in html
    assert 'id="answer-heading"' in html and "data-focus-here" in html
    assert 'hx-get="' in html  # the form comes back too, ready for the next question
    assert "HX-Request" in response.headers.get("Vary", "")


def test_your_area_has_every_layer_with_its_edition(places_client):
    html = text(places_client.get("/your-area?postcode=bk1 1aa"))
    for title in ("Council wards", "Primary school catchment areas", "Secondary school catchment areas",
                  "Bin collection rounds", "Parish and town councils"):
        assert title in html
    assert "catchment areas for 2026/27 entry" in html
    assert "Information for BK1 1AA" in html
    assert 'href="/wards/BKWD' in html  # the ward and its councillors' page
    assert "Your bins are collected on" in html
    assert "week A" not in html and "week B" not in html


def test_find_my_nearest_is_a_real_list_with_hours_and_open_now_in_words(places_client):
    html = text(places_client.get("/find-my-nearest?category=libraries&postcode=BK1 1AA"))
    assert html.count('class="th-places-result"') == 5
    assert "<ol" in html and "<table" in html and '<th scope="row">' in html
    assert re.search(r"(Open now|Closed now)</span>", html)
    assert re.search(r"\d+\.\d miles \(\d+\.\d km\)", html)
    assert 'href="tel:+44163296' in html


def test_the_map_is_an_accessible_image(places_client):
    html = text(places_client.get("/find-my-nearest?category=libraries&postcode=BK1 1AA"))
    svg = re.search(r"<svg[^>]*>", html)[0]
    assert 'role="img"' in svg and "aria-labelledby" in svg
    # Described by its key (the figure's caption), which says only what is drawn.
    described = re.search(r'aria-describedby="([^"]+)"', svg)[1]
    assert "<title id=" in html and f'<figcaption class="th-small" id="{described}">Map key:' in html
    assert "fill=\"#" not in html and "style=" not in html.split("<svg", 1)[1].split("</svg>")[0]


def test_school_catchment_answer(places_client):
    html = text(places_client.get("/school-catchment-areas?postcode=BK1 1AA"))
    assert "is in the catchment area of" in html
    assert html.count("These are the catchment areas for 2026/27 entry.") == 2


def test_a_corrected_postcode_is_shown_back(places_client):
    html = text(places_client.get("/your-area?postcode=bk1 iaa"))
    assert "You typed “bk1 iaa”. We searched for BK1 1AA." in html


def test_near_a_boundary_the_page_says_how_to_check(places_client, tmp_path):
    from townhall.config import PROJECT_ROOT
    from townhall.places.engine import Places

    places = Places.open(PROJECT_ROOT / "geodata", council="x")
    near = next(key.decode() for key in places.data.keys
                if _near(places, key.decode(), "primary-catchments"))
    html = text(places_client.get(f"/school-catchment-areas?postcode={near}"))
    assert "Your address may be in a different area" in html
    assert "contact School Admissions on" in html
    # The area is named as a school's catchment area in the reader's language, not by the
    # data's English name ("... School catchment area").
    assert "from the edge of the catchment area of " in html
    welsh = text(places_client.get(f"/cy/school-catchment-areas?postcode={near}"))
    assert re.search(r'o ymyl dalgylch <span lang="en">[^<]+</span>\.', welsh)
    assert "catchment area" not in welsh_main(welsh)


def _near(places, postcode, layer):
    try:
        return places.lookup(postcode).area(layer).near_boundary
    except PlacesError:  # not a postcode we hold, outside the area...
        return False


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/your-area?postcode=hello", 400, "is not a postcode"),
        ("/your-area?postcode=", 400, "Enter a postcode"),
        ("/your-area?postcode=BK1+9ZZ", 404, "We cannot find the postcode BK1 9ZZ"),
        ("/your-area?postcode=BK01+1AA", 404, "We cannot find the postcode BK01 1AA"),  # a slip, not elsewhere
        ("/your-area?postcode=BK1O+1AA", 404, "We cannot find the postcode BK10 1AA"),
        ("/your-area?postcode=SW1A+1AA", 404, "outside Brackenford District Council"),
        ("/school-catchment-areas?postcode=hello", 400, "is not a postcode"),
        ("/find-my-nearest?postcode=BK1+1AA", 400, "Choose the type of place"),
        ("/find-my-nearest?postcode=BK1+1AA&category=zoos", 400, "Choose a type of place from the list."),
        ("/your-area?lat=north&lon=1", 400, "We could not read that location"),
        ("/your-area?lat=51.5&lon=-0.1", 404, "outside Brackenford District Council"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_kind_answers_with_the_right_status(places_client, url, status, message, htmx):
    response = places_client.get(url, headers=HTMX if htmx else {})
    assert response.status_code == status
    html = text(response)
    assert message in html
    assert "data-focus-here" in html  # the error summary or notice takes focus after a swap
    assert ("<html" in html) != htmx


def test_withdrawn_postcode(places_client):
    from townhall.config import PROJECT_ROOT
    from townhall.places.store import GeodataFolder, StoredGeodata

    data = StoredGeodata(GeodataFolder(PROJECT_ROOT / "geodata").current)
    withdrawn = data.keys[data.withdrawn.nonzero()[0][0]].decode()
    response = places_client.get(f"/your-area?postcode={withdrawn}")
    assert response.status_code == 410
    assert "is no longer in use" in text(response)


def test_use_my_location_gives_the_same_answer_as_the_postcode(places_client):
    from townhall.config import PROJECT_ROOT
    from townhall.places.engine import Places

    location = Places.open(PROJECT_ROOT / "geodata", council="x").locate("BK1 1AA")
    by_point = text(places_client.get(f"/your-area?lat={location.lat}&lon={location.lon}", headers=HTMX))
    assert "Information for your location" in by_point
    assert "Brackenford Central" in by_point
    assert 'data-use-location' in by_point and "hidden" in by_point  # shown only by the script


def test_ward_page_lists_councillors(places_client):
    html = text(places_client.get("/wards/BKWD01"))
    assert "Councillor " in html and "mailto:cllr01" in html
    assert places_client.get("/wards/NOT-A-WARD").status_code == 404


def test_welsh_pages_keep_the_language_prefix(places_client):
    html = text(places_client.get("/cy/your-area?postcode=BK1 1AA"))
    assert 'hx-get="/cy/your-area"' in html
    assert 'lang="cy"' in html


def test_find_my_nearest_says_how_current_its_list_is(places_client):
    html = text(places_client.get("/find-my-nearest?category=parks-and-play-areas&postcode=BK1 1AA"))
    assert "Our list of places was last updated on 1 April 2026." in html


def test_the_site_picks_up_a_new_import_without_a_restart(tmp_path):
    import shutil

    from townhall.config import PROJECT_ROOT
    from townhall.places.importers import import_facilities
    from townhall.places.store import GeodataFolder

    shutil.copytree(PROJECT_ROOT / "geodata", tmp_path / "geodata")
    app = create_app({"TESTING": True, "TOWNHALL_GEODATA": str(tmp_path / "geodata"),
                      "TOWNHALL_INSTANCE": str(tmp_path / "instance")})
    client = app.test_client()
    assert "Pop-up Library" not in text(client.get("/find-my-nearest?category=libraries&postcode=BK1 1AA"))
    (tmp_path / "f.csv").write_text("name,category,postcode,opening_hours\nPop-up Library,Libraries,BK1 1AA,24/7\n")
    import_facilities(GeodataFolder(tmp_path / "geodata"), tmp_path / "f.csv")
    html = text(client.get("/find-my-nearest?category=libraries&postcode=BK1 1AA"))
    assert "Pop-up Library" in html and "open all day, every day" in html


def test_no_geodata_is_a_kind_503(tmp_path):
    app = create_app({"TESTING": True, "TOWNHALL_GEODATA": str(tmp_path / "nothing"),
                      "TOWNHALL_INSTANCE": str(tmp_path / "instance")})
    client = app.test_client()
    response = client.get("/your-area?postcode=BK1 1AA")
    assert response.status_code == 503
    assert "Postcode search is not available at the moment" in text(response)
    assert client.get("/api/postcodes/BK1 1AA").get_json()["error"]["code"] == "geodata_missing"


def heading_line(html: str) -> str:
    return re.search(r'<h2 id="answer-heading"[^>]*>', html)[0]


@pytest.mark.parametrize("url", ANSWERS + ["/your-area?postcode=SW1A+1AA"])
def test_after_a_swap_the_answer_is_focused_and_only_the_count_announced(places_client, url):
    # Focus on the heading makes a screen reader say it; the live region says only what it does not.
    html = text(places_client.get(url, headers=HTMX))
    assert html.count("data-focus-here") == 1
    announced = re.findall(r'data-announce="([^"]*)"', html)
    if "SW1A" in url:
        assert announced == []  # the focused message is the whole answer
    else:
        [said] = announced
        assert re.fullmatch(r"\d+ (places?|catchment areas?|areas?) found", said), said
        assert said not in heading_line(html)


def test_the_outside_answer_links_to_find_your_local_council(places_client):
    for prefix in ("", "/cy"):
        html = text(places_client.get(prefix + "/your-area?postcode=SW1A+1AA", headers=HTMX))
        assert re.search(r'<a href="https://www\.gov\.uk/find-local-council">[^<]+</a>', html)


def map_key(html: str) -> str:
    return re.search(r'<figcaption class="th-small"[^>]*>(.*?)</figcaption>', html, re.S)[1]


def test_the_map_key_lists_only_what_the_map_shows(places_client):
    ward = map_key(text(places_client.get("/wards/BKWD01")))
    assert "star" not in ward and "Numbered" not in ward  # no place asked about, no list
    assert "The shaded shape is Brackenford Central ward." in ward
    area = map_key(text(places_client.get("/your-area?postcode=BK1+1AA")))
    assert "The star is BK1 1AA." in area and "Numbered" not in area and "shaded" in area
    nearest = map_key(text(places_client.get("/find-my-nearest?category=libraries&postcode=BK1+1AA")))
    assert "Numbered circles" in nearest and "shaded" not in nearest


def test_bin_collections_are_the_next_real_dates(places_client):
    html = text(places_client.get("/your-area?postcode=BK1+1AA"))
    assert "Your bins are collected on Wednesday. The next collections are:" in html
    assert "Wednesday 25 November (today): Recycling" in html  # today counts, and says so
    assert "Wednesday 2 December: Rubbish" in html and "Wednesday 9 December: Recycling" in html
    assert "Wednesday 16 December: Rubbish" in html
    assert "your bin calendar to print or add to your phone" in html
    welsh = text(places_client.get("/cy/your-area?postcode=BK1+1AA"))
    assert "Dydd Mercher 2 Rhagfyr" in welsh and "December" not in welsh


def test_full_width_and_lower_case_l_reach_the_answer(places_client):
    assert "Information for BK1 1AA" in text(places_client.get("/your-area?postcode=ＢＫ１ １ＡＡ"))
    assert "We searched for BK1 1AA" in text(places_client.get("/your-area?postcode=bkl+1aa"))


ENGLISH_LEFTOVERS = re.compile(
    r"\b(miles?|metres|January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|week|North|star|shaded|Libraries|Council offices"
    r"|District Council|Map key|outside|Rubbish|Nearest|Councillor|catchment)\b"
)


def welsh_main(html: str) -> str:
    main = html.split('id="main-content"', 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


@pytest.mark.parametrize("url", PAGES + ANSWERS + ["/your-area?postcode=SW1A+1AA",
                                                   "/find-my-nearest?category=council-offices&postcode=BK1+1AA"])
def test_welsh_places_pages_have_no_english_words_of_ours(places_client, url):
    # Facility names, addresses and accessibility notes are the data's own (in English in
    # the demo); the words the site puts round them must be Welsh.
    found = ENGLISH_LEFTOVERS.findall(welsh_main(text(places_client.get("/cy" + url))))
    assert not found


def test_a_withdrawn_month_is_in_welsh(places_client):
    from townhall.config import PROJECT_ROOT
    from townhall.places.store import GeodataFolder, StoredGeodata

    data = StoredGeodata(GeodataFolder(PROJECT_ROOT / "geodata").current)
    row = data.withdrawn.nonzero()[0][0]
    withdrawn = data.keys[row].decode()
    html = welsh_main(text(places_client.get(f"/cy/your-area?postcode={withdrawn}")))
    assert not ENGLISH_LEFTOVERS.findall(html)
    welsh_months = ("Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst", "Medi",
                    "Hydref", "Tachwedd", "Rhagfyr")
    assert f"{welsh_months[int(data.withdrawn[row]) % 100 - 1]} {int(data.withdrawn[row]) // 100}" in html


def test_one_postcode_form_serves_the_home_page_and_the_places_pages(places_client):
    from townhall.config import PROJECT_ROOT

    templates = PROJECT_ROOT / "site" / "townhall" / "templates"
    # The residents' forms ask for a postcode as part of an address (forms/you.html): not a postcode lookup.
    defining = [path.relative_to(templates).as_posix() for path in templates.rglob("*.html")
                if 'autocomplete="postal-code"' in path.read_text(encoding="utf-8")
                and not path.relative_to(templates).as_posix().startswith("forms/")]
    assert defining == ["components/forms.html"]
    home = text(places_client.get("/"))
    places = text(places_client.get("/your-area"))
    assert 'id="home-postcode"' in home and 'autocomplete="postal-code"' in home
    assert 'class="th-places-form"' in places and 'hx-get="/your-area"' in places


def test_councillors_are_titled_in_the_readers_language_never_twice(places_client):
    assert "<h3>Y Cynghorydd " in text(places_client.get("/cy/wards/BKWD01"))
    assert "<h3>Councillor " in text(places_client.get("/wards/BKWD01"))
    from townhall.web.wording import councillor_name

    with places_client.application.test_request_context("/"):
        assert councillor_name("Cllr Ann Jones") == councillor_name("Councillor Ann Jones") == "Councillor Ann Jones"
        assert councillor_name("Ann Jones") == "Councillor Ann Jones"


# --- Welsh pages: the data's own English is marked, kinds of place in Welsh, odd categories ---------


DATA_ENGLISH = re.compile(r"\b(Street|Road|Lane|Library|Hub|School|Academy|Offices|toilet|step-free|Stay and play)\b")


def without_english_parts(html: str) -> str:
    """The page with every element marked lang="en" taken out (none of them nest in these pages),
    and the maps' titles and descriptions (SVG text cannot be marked; the page says it all in words)."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r'<(\w+)[^>]*\slang="en"[^>]*>.*?</\1>', " ", html, flags=re.S)


@pytest.mark.parametrize("url", ["/find-my-nearest?category=childrens-centres-and-family-hubs&postcode=BK1+1AA",
                                 "/your-area?postcode=BK1+1AA", "/school-catchment-areas?postcode=BK1+1AA"])
def test_welsh_places_pages_mark_the_datas_english(places_client, url):
    # Facility names, addresses, descriptions and accessibility notes are written in English:
    # on a Welsh page they are marked lang="en" so a screen reader uses an English voice.
    html = text(places_client.get("/cy" + url))
    assert DATA_ENGLISH.findall(welsh_main(html))  # the data is there...
    assert not DATA_ENGLISH.findall(welsh_main(without_english_parts(html)))  # ...and all of it marked
    assert not ENGLISH_LEFTOVERS.findall(welsh_main(without_english_parts(html)))
    assert 'lang="en"' not in text(places_client.get(url)).split('id="main-content"', 1)[1]


def test_welsh_find_my_nearest_names_the_kind_of_place_in_welsh_at_the_start(places_client):
    html = text(places_client.get("/cy/find-my-nearest?category=childrens-centres-and-family-hubs&postcode=BK1+1AA"))
    assert "<title>Canolfannau plant a hybiau teulu agosaf at BK1 1AA –" in html
    assert ">Canolfannau plant a hybiau teulu agosaf at BK1 1AA</h2>" in html
    assert "Map o&#39;r canolfannau plant a hybiau teulu agosaf at BK1 1AA</title>" in html or \
        "Map o'r canolfannau plant a hybiau teulu agosaf at BK1 1AA</title>" in html
    assert "children" not in welsh_main(without_english_parts(html)).lower()
    english = text(places_client.get("/find-my-nearest?category=childrens-centres-and-family-hubs&postcode=BK1+1AA"))
    assert "<title>Nearest children&#39;s centres and family hubs to BK1 1AA" in english
    # "Gweld y ysgolion" would need "yr": the link is worded so no article has to agree
    area = text(places_client.get("/cy/your-area?postcode=BK1+1AA"))
    assert "Gweld rhestr o&#39;r ysgolion cynradd agosaf" in area or "Gweld rhestr o'r ysgolion cynradd agosaf" in area
    assert "Gweld y " not in area


@pytest.fixture(scope="module")
def imported_client(tmp_path_factory):
    """The demo with a facilities file that brings a kind of place the catalogue has no Welsh for."""
    import shutil

    from townhall.config import PROJECT_ROOT
    from townhall.places.importers import import_facilities
    from townhall.places.store import GeodataFolder

    folder = tmp_path_factory.mktemp("imported")
    shutil.copytree(PROJECT_ROOT / "geodata", folder / "geodata")
    (folder / "f.csv").write_text("name,category,postcode,opening_hours\n"
                                  "Pop-up Library,Libraries,BK1 1AA,24/7\n"
                                  "Market Hall Warm Space,Warm spaces,BK1 1AA,Mo-Fr 10:00-16:00\n"
                                  "Chapel Street NHS Clinic,NHS clinics,BK1 1AA,Mo-Fr 09:00-17:00\n")
    import_facilities(GeodataFolder(folder / "geodata"), folder / "f.csv")
    app = create_app({"TESTING": True, "TOWNHALL_GEODATA": str(folder / "geodata"),
                      "TOWNHALL_INSTANCE": str(folder / "instance")})
    return app.test_client()


def test_an_imported_kind_of_place_without_welsh_is_marked_english_in_welsh_text(imported_client):
    html = text(imported_client.get("/cy/find-my-nearest?category=warm-spaces&postcode=BK1+1AA"))
    assert '<option value="warm-spaces" lang="en" selected>Warm spaces</option>' in html
    assert '<option value="libraries">Llyfrgelloedd</option>' in html
    assert '<h2 id="answer-heading" tabindex="-1" data-focus-here><span lang="en">Warm spaces</span> agosaf at BK1 1AA</h2>' in html
    assert "<title>Warm spaces agosaf at BK1 1AA –" in html  # a title holds no markup
    area = text(imported_client.get("/cy/your-area?postcode=BK1+1AA"))
    assert '<strong><span lang="en">Warm spaces</span>:</strong>' in area
    assert 'o&#39;r <span lang="en">warm spaces</span> agosaf' in area or "o'r <span lang=\"en\">warm spaces</span> agosaf" in area
    assert 'o&#39;r <span lang="en">NHS clinics</span> agosaf' in area or "o'r <span lang=\"en\">NHS clinics</span> agosaf" in area
    english = text(imported_client.get("/find-my-nearest?category=warm-spaces&postcode=BK1+1AA"))
    assert ">Nearest warm spaces to BK1 1AA</h2>" in english and 'lang="en"' not in english.split("<body", 1)[1]
    assert ">Nearest NHS clinics to BK1 1AA</h2>" in text(
        imported_client.get("/find-my-nearest?category=nhs-clinics&postcode=BK1+1AA"))


@pytest.mark.parametrize("query", ["category=%00", "category=%00&postcode=BK1+1AA", "category=zoos&postcode=BK1+1AA",
                                   "category=" + "x" * 300])
@pytest.mark.parametrize("prefix, message", [("", "Choose a type of place from the list."),
                                             ("/cy", "Dewiswch fath o le o&#39;r rhestr.")])
@pytest.mark.parametrize("htmx", [False, True])
def test_an_odd_type_of_place_gets_the_form_again_with_a_kind_message(places_client, query, prefix, message, htmx):
    response = places_client.get(f"{prefix}/find-my-nearest?{query}", headers=HTMX if htmx else {})
    assert response.status_code == 400
    html = text(response)
    assert message in html
    assert '<select class="th-select th-places-form__select" id="category" name="category" aria-describedby="category-error">' in html
    assert '<a href="#category">' in html  # the error summary leads to the list
    shown = html.split('id="main-content"', 1)[-1]
    assert "\x00" not in shown and "zoos" not in shown and "xxx" not in shown  # what was sent is not echoed
    assert ("<html" in html) != htmx
    assert "data-focus-here" in html
