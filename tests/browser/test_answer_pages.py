"""Answer pages in a real browser, in every display mode: what the crawl of links never reaches.

The site's own crawl (test_accessibility.py) visits pages reachable by links, so the pages residents
get *answers* on were never checked: postcode answers near an edge (where the "Your address may be in
a different area" notice made the page 401 px wide on a 375 px phone), search results, searches with no
good match or none at all, Listen pages, and the postcode error. Here each is checked with every axe
rule once, then with the rules that depend on how the page is drawn in every display mode, and for
sideways scrolling at 320 px with every text size (issue 16, section 5).

The rest are the resident test's other findings that need a browser: the header folding into a menu so
the page's heading is on the first screen at 320×640 with the largest text; the header's links keeping
the answer after an htmx swap; an emergency number on a phone's first screen; "saved" said (and focus
kept) where a large-text reader is; map labels that grow with the text; the Listen bar inside <main>.
"""

from __future__ import annotations

from urllib.parse import unquote_plus

import pytest

from townhall import engines
from townhall.preferences import COLOUR_SCHEMES, TEXT_SIZES, Preferences

# Rules whose answer depends on how the page is drawn (the same list test_accessibility.py uses): the
# others give the same answer in every display mode, so they run once per page.
DRAWING_RULES = ["color-contrast", "link-in-text-block", "target-size", "scrollable-region-focusable"]
PHONE = {"width": 375, "height": 667}
SMALLEST = {"width": 320, "height": 640}


def mode_classes(colours: str, text: str, speech: str = "off", js: bool = True) -> str:
    spacing = "wider" if text == "larger" else "standard"
    classes = Preferences(text=text, colours=colours, spacing=spacing, speech=speech).html_classes()
    return classes + (" th-js" if js else " th-no-js")


def display_modes() -> list[tuple[str, str, str]]:
    """(colours, text size, device scheme): every colour scheme at standard size, every size in the default."""
    modes = []
    for colours in COLOUR_SCHEMES:
        for device in (("light", "dark") if colours == "auto" else ("light",)):
            modes.append((colours, "standard", device))
    return modes + [("auto", text, "light") for text in TEXT_SIZES if text != "standard"]


def near_an_edge(app, layer: str) -> str:
    """A live postcode of the demo geodata within the warning distance of an edge of ``layer``."""
    places = engines.places(app)
    column = [known.name for known in places.layers].index(layer)
    for row, key in enumerate(places.data.keys):
        if not places.data.withdrawn[row] and int(places.data.postcode_edges[row][column]) <= places.warning_metres:
            return key.decode()
    raise AssertionError(f"no postcode near an edge of {layer}")


@pytest.fixture(scope="module")
def answer_pages(app) -> list[str]:
    ward_edge = near_an_edge(app, "wards").replace(" ", "+")
    school_edge = near_an_edge(app, "primary-catchments").replace(" ", "+")
    district_edge = near_an_edge(app, "boundary").replace(" ", "+")
    english = [
        f"/your-area?postcode={ward_edge}", f"/school-catchment-areas?postcode={school_edge}",
        f"/your-area?postcode={district_edge}", f"/find-my-nearest?category=libraries&postcode={ward_edge}",
        "/your-area?postcode=ZZ99+9ZZ", "/your-area?postcode=not+a+postcode",
        "/search?q=council+tax", "/search?q=i+smell+gas", "/search?q=food+hygiene+rating", "/search?q=zzqqxx",
        "/listen?page=/services/report-a-missed-bin",
    ]
    welsh = [f"/cy/your-area?postcode={ward_edge}", f"/cy/school-catchment-areas?postcode={school_edge}",
             "/cy/search?q=treth+gyngor", "/cy/search?q=food+hygiene+rating",
             "/cy/listen?page=/services/report-a-missed-bin"]
    return english + welsh


def overflow(page) -> list[str]:
    """What is wider than the screen: the page itself, or any box in it (a map's shapes are clipped by the
    map, and text for screen readers only is never seen, so neither counts)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [];
            if (document.documentElement.scrollWidth > width + 1) wide.push('document ' + document.documentElement.scrollWidth);
            for (const el of document.querySelectorAll('body *')) {
                if (el.closest('.th-visually-hidden') || (el.closest('svg') && el.tagName.toLowerCase() !== 'svg')) continue;
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1 && getComputedStyle(el).position !== 'absolute')
                    wide.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(box.right));
            }
            return wide.slice(0, 5);
        }"""
    )


def set_mode(page, colours: str, text: str, device: str = "light") -> None:
    page.emulate_media(color_scheme=device)
    page.evaluate("(classes) => { document.documentElement.className = classes; }", mode_classes(colours, text))


@pytest.mark.parametrize("javascript", [True, False])
def test_answer_pages_pass_every_axe_rule(open_page, axe, describe_violations, answer_pages, javascript):
    """Without JavaScript means without the site's scripts (htmx and ours): the browser's own must run
    for axe, which never finishes in a page with scripting turned off."""
    failures = []
    page = open_page("/", width=320)
    if not javascript:
        page.route("**/*.js", lambda route: route.abort())
    for path in answer_pages:
        page.goto(path)
        assert javascript == page.evaluate("() => document.documentElement.classList.contains('th-js')")
        violations = axe(page)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("colours, text, device", display_modes())
def test_answer_pages_in_every_display_mode(open_page, axe, describe_violations, answer_pages, colours, text, device):
    """The drawing rules in this mode at 320 px, and no sideways scrolling (with wider line spacing for
    the largest text, as a reader who needs one often needs the other)."""
    failures = []
    page = open_page("/", width=320)
    for path in answer_pages:
        page.goto(path)
        set_mode(page, colours, text, device)
        violations = axe(page, rules=DRAWING_RULES)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
        wide = overflow(page)
        if wide:
            failures.append(f"{path}: wider than the screen: {wide}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("prefix", ["", "/cy"])
@pytest.mark.parametrize("text", ["standard", "larger"])
def test_the_edge_notice_fits_a_phone(open_page, app, prefix, text):
    """The notice that made postcode answers 401 px wide on a 375 px phone (320 px: every display mode above)."""
    for layer, path in (("wards", "/your-area"), ("primary-catchments", "/school-catchment-areas")):
        postcode = near_an_edge(app, layer)
        page = open_page(f"{prefix}{path}?postcode={postcode}", **PHONE, preferences=Preferences(text=text))
        assert page.locator(".th-notice--warning").count() >= 1
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        assert overflow(page) == []


# --- the header at 320×640 with the largest text ---------------------------------------------------


def heading_on_first_screen(page) -> tuple[float, float]:
    """(where the page's own heading starts, where its first line ends), from the top of the screen."""
    return tuple(page.evaluate(
        """() => { const h = document.querySelector('main h1'); const box = h.getBoundingClientRect();
                   return [box.top, box.top + parseFloat(getComputedStyle(h).lineHeight)]; }"""))


@pytest.mark.parametrize("speech", ["off", "on"])
@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("path", ["/services/report-a-missed-bin", "/cy/services/report-a-missed-bin",
                                  "/search?q=bins", "/your-area"])
def test_the_pages_heading_is_on_the_first_screen_with_the_largest_text(open_page, path, speech, javascript):
    prefs = Preferences(text="larger", spacing="wider", speech=speech)
    page = open_page(path, **SMALLEST, javascript=javascript, preferences=prefs)
    top, first_line = heading_on_first_screen(page)
    assert first_line <= SMALLEST["height"], f"the heading starts at {top:.0f} px"
    assert not page.locator(".th-nav").is_visible()  # folded into the menu


@pytest.mark.parametrize("javascript", [True, False])
def test_the_menu_opens_with_the_keyboard_and_without_javascript(open_page, tab_to, javascript):
    page = open_page("/services/report-a-missed-bin", **SMALLEST, javascript=javascript,
                     preferences=Preferences(text="larger"))
    toggle = page.locator("summary.th-menu__toggle")
    assert toggle.is_visible() and not page.locator(".th-nav").is_visible()
    tab_to(page, "summary.th-menu__toggle")
    page.keyboard.press("Enter")
    assert page.locator("details.th-menu").evaluate("d => d.open")
    for link in (".th-nav a", ".th-header__tools a", "#header-search-input"):
        assert page.locator(link).first.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.th-menu') !== null")


def test_on_a_wide_screen_the_menu_is_always_open(open_page):
    page = open_page("/services/report-a-missed-bin", width=1280)
    assert not page.locator("summary.th-menu__toggle").is_visible()
    assert page.locator(".th-nav a").first.is_visible() and page.locator("#header-search-input").is_visible()


# --- the header's links keep the answer after an htmx swap -------------------------------------------


def header_links(page) -> tuple[str, str]:
    """(the settings link, the language link), with their queries decoded."""
    settings, language = page.evaluate(
        """() => { const tools = document.querySelector('.th-header__tools');
                   return [tools.querySelector('a[href*="settings"]').getAttribute('href'),
                           tools.querySelector('a[hreflang]').getAttribute('href')]; }""")
    return unquote_plus(unquote_plus(settings)), unquote_plus(language)


@pytest.mark.parametrize("prefix, other", [("", "/cy"), ("/cy", "")])
def test_after_a_search_the_header_links_lead_back_to_it(open_page, prefix, other):
    page = open_page(f"{prefix}/search")
    page.wait_for_function("() => window.htmx !== undefined")
    page.fill("#search-input", "council tax")
    page.press("#search-input", "Enter")
    page.wait_for_function("() => location.search.includes('q=council')")
    page.wait_for_function("() => document.querySelector('.th-header__tools a[hreflang]').getAttribute('href').includes('q=council')")
    settings, language = header_links(page)
    assert language.startswith(f"{other}/search?") and "q=council tax" in language
    assert f"return_to={prefix}/search?q=council tax" in settings
    page.click(".th-header__tools a[hreflang]")
    page.wait_for_load_state()
    assert page.locator(".th-result").count() > 0  # the other language's page has the same answer


@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_after_a_postcode_answer_the_header_links_lead_back_to_it(open_page, app, prefix):
    postcode = near_an_edge(app, "wards")
    page = open_page(f"{prefix}/your-area")
    page.wait_for_function("() => window.htmx !== undefined")
    page.fill("#postcode", postcode)
    page.press("#postcode", "Enter")
    page.wait_for_selector("#answer-heading")
    page.wait_for_function("() => document.querySelector('.th-header__tools a[hreflang]').getAttribute('href').includes('postcode=')")
    settings, language = header_links(page)
    assert language.endswith(f"/your-area?postcode={postcode}")
    assert f"return_to={prefix}/your-area?postcode={postcode}" in settings
    page.click(".th-header__tools a[href*='settings']")
    page.wait_for_load_state()
    # The settings form carries the answer's address, to come back to it once saved.
    kept = page.locator("#preferences-form input[name=return_to]").get_attribute("value")
    assert unquote_plus(kept) == f"{prefix}/your-area?postcode={postcode}"


# --- an emergency number on a phone's first screen --------------------------------------------------


@pytest.mark.parametrize("path", ["/search?q=i+smell+gas", "/cy/search?q=arogl+nwy"])
@pytest.mark.parametrize("text", ["standard", "large"])
@pytest.mark.parametrize("javascript", [True, False])
def test_the_gas_emergency_number_is_on_a_phones_first_screen(open_page, path, text, javascript):
    page = open_page(path, **PHONE, javascript=javascript, preferences=Preferences(text=text))
    call = page.locator("#emergency-call a[href^='tel:']")
    assert call.inner_text() == "0800 111 999"
    box = call.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], f"the number ends at {box['y'] + box['height']:.0f} px"


# --- settings: "saved" and focus where the reader is -------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_saved_is_said_where_a_large_text_reader_is(open_page, tab_to, prefix):
    page = open_page(f"{prefix}/settings", **PHONE, preferences=Preferences(text="larger", spacing="wider"))
    page.wait_for_function("() => window.htmx !== undefined")
    tab_to(page, "#speech-off")
    page.keyboard.press("ArrowDown")  # speech: on
    page.wait_for_function("() => document.querySelector('#speech-status').textContent.trim().length > 0")
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.activeElement.id") == "speech-on"
    # The chosen option is on the screen, and the message starts on the screen just below it
    # (it used to be 1,000 to 2,000 px above, at the top of the page).
    focused = page.evaluate("() => document.activeElement.getBoundingClientRect().top")
    message = page.locator("#speech-status .th-notice").bounding_box()
    assert 0 <= focused < message["y"] < PHONE["height"]
    assert page.locator("#preferences-status").inner_text().strip() == ""


def test_changing_the_text_size_keeps_the_reader_and_the_message_in_view(open_page, tab_to):
    page = open_page("/settings", **PHONE)
    page.wait_for_function("() => window.htmx !== undefined")
    tab_to(page, "#text-standard")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # larger: the page grows a great deal
    page.wait_for_function("() => document.documentElement.classList.contains('th-text-larger')")
    page.wait_for_function("() => document.querySelector('#text-status').textContent.includes('Larger')")
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.activeElement.id") == "text-larger"
    message = page.locator("#text-status .th-notice").bounding_box()
    assert 0 <= message["y"] < PHONE["height"]


# --- map labels grow with the text ------------------------------------------------------------------


def test_map_labels_grow_with_the_text_size(open_page):
    sizes = {}
    for text in TEXT_SIZES:
        page = open_page("/find-my-nearest?category=libraries&postcode=BK1+1AA", **SMALLEST,
                         preferences=Preferences(text=text))
        sizes[text] = page.evaluate(
            "() => document.querySelector('.th-places-map__place text').getBoundingClientRect().height")
    assert sizes["standard"] >= 13  # it was about 9 px: drawn at 13 map units on a map half its width
    assert sizes["standard"] < sizes["large"] < sizes["larger"]


# --- the Listen bar inside <main> ------------------------------------------------------------------


def test_skip_to_main_content_lands_before_the_listen_bar(open_page, axe, describe_violations):
    page = open_page("/services/report-a-missed-bin", preferences=Preferences(speech="on"))
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('th-speech-listen')")
    assert page.evaluate("() => document.querySelector('.th-speech-bar').closest('main') !== null")
    violations = axe(page, rules=["region"])  # every piece of content inside a landmark
    assert not violations, describe_violations(violations)
