"""axe-core on every page of the demo, and in every colour scheme and text size on every kind of page.

Pages are found by crawling the site's own links from the English and Welsh
home pages, so a new page is checked without anyone listing it here. What is
checked, and why it is split this way:

* Every page gets the full WCAG 2.2 A/AA rule set once (at 320 px, where layouts are tightest) and the reflow
  check at every text size.
* Switching a display mode changes only classes on <html>, never the document, so the structural rules (names,
  labels, landmarks, ARIA, headings, language) give the same answer in every mode. The rules whose answer depends
  on how the page is drawn run in every display mode on one page of each kind (pages of one kind share a
  template and its components) and on answer pages that no link reaches, at 320 px and 1280 px.
* Representative pages get every colour scheme with every text size.
The work is split into chunks so that `pytest -n` spreads it over the machine's cores.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from townhall import engines
from townhall.addresses import is_page
from townhall.preferences import COLOUR_SCHEMES, LINE_SPACINGS, TEXT_SIZES, Preferences

MAX_PAGES = 600


def crawl(client, starts=("/", "/cy/")) -> list[str]:
    """Every HTML page reachable by links from the home pages (and a 404), found with the test client."""
    seen: set[str] = set()
    order: list[str] = []
    queue = deque(starts)
    while queue and len(order) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        order.append(path)
        for href in re.findall(r'<a [^>]*href="([^"#][^"]*)"', response.get_data(as_text=True)):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or not is_page(parts.path, ["cy"]):
                continue
            if "return_to=" in href:
                href = href.split("?")[0]
            if href not in seen:
                queue.append(href)
    return order + ["/this-page-does-not-exist"]


@pytest.fixture(scope="module")
def pages(app) -> list[str]:
    return crawl(app.test_client())


def mode_classes(colours: str, text: str, spacing: str = "standard") -> str:
    return Preferences(text=text, colours=colours, spacing=spacing).html_classes() + " th-js"


def overflow(page) -> list[str]:
    """Elements wider than the viewport: content that would need sideways scrolling."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            const wide = [];
            // A data table may scroll sideways inside its own box that fits the screen (WCAG 1.4.10 lets
            // two-dimensional content do so): the page itself must not.
            const scrollsInside = (el) => {
                for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
                    const sideways = getComputedStyle(box).overflowX;
                    if ((sideways === 'auto' || sideways === 'scroll') && box.getBoundingClientRect().right <= width + 1)
                        return box.querySelector('table') !== null;
                }
                return false;
            };
            if (document.documentElement.scrollWidth > width + 1) wide.push('document ' + document.documentElement.scrollWidth);
            for (const el of document.querySelectorAll('main *, header *, footer *')) {
                const box = el.getBoundingClientRect();
                if (box.right > width + 1 && scrollsInside(el)) continue;
                // Text for screen readers only sits in a 1 px clipped box: what is inside it is never seen.
                if (el.closest('.th-visually-hidden')) continue;
                // Shapes inside an SVG are clipped to the drawing: only the <svg> box itself can overflow.
                if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
                if (box.width && box.right > width + 1 && getComputedStyle(el).position !== 'absolute')
                    wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className + ' ' + Math.round(box.right));
            }
            return wide.slice(0, 5);
        }"""
    )


def display_modes(every_combination: bool = False) -> list[tuple[str, str, str]]:
    """(colours, text size, device colour scheme) combinations to check.

    Every colour scheme at standard size (contrast is hardest there: larger text
    has a lower threshold), and every text size in the default scheme (layout
    and target sizes change with size). Representative pages get the full
    product of the two.
    """
    modes = []
    sizes = TEXT_SIZES if every_combination else ("standard",)
    for text in sizes:
        for colours in COLOUR_SCHEMES:
            for device in (("light", "dark") if colours == "auto" else ("light",)):
                modes.append((colours, text, device))
    if not every_combination:
        modes += [("auto", text, "light") for text in TEXT_SIZES if text != "standard"]
    return modes


# Rules whose answer depends on how the page is drawn. Switching a display mode changes only
# classes on <html>, never the document, so the structural rules (names, labels, landmarks, ARIA,
# headings, language) give the same answer in every mode: they run once per page and width, in
# full, and these run again in every other mode.
RENDERING_RULES = ["color-contrast", "link-in-text-block", "target-size", "scrollable-region-focusable"]


def check_page(page, axe, describe_violations, path: str, width: int, failures: list[str],
               every_combination: bool = False, first_in_full: bool = False) -> None:
    """The drawing rules in each display mode (every rule in the first when `first_in_full`)."""
    for number, (colours, text, device) in enumerate(display_modes(every_combination)):
        page.emulate_media(color_scheme=device)
        page.evaluate("(classes) => { document.documentElement.className = classes; }",
                      mode_classes(colours, text, "wider" if text == "larger" else "standard"))
        violations = axe(page, rules=None if (number == 0 and first_in_full) else RENDERING_RULES)
        if violations:
            failures.append(f"{path} at {width}px, text {text}, colours {colours} ({device} device):\n"
                            + describe_violations(violations))
    page.emulate_media(color_scheme="light")


CHUNKS = 8  # the crawl is checked in this many tests, so several workers share it


def kind_of_page(path: str, general_pages: set[str]) -> tuple[str, str]:
    """(language, kind) of a page: pages of one kind are drawn by one template from the same components."""
    language = "cy" if path == "/cy" or path.startswith("/cy/") else "en"
    bare = path.removeprefix("/cy") or "/"
    parts = [part for part in urlsplit(bare).path.split("/") if part]
    if not parts:
        return language, "home"
    if len(parts) == 1 and parts[0] in general_pages:
        return language, "general page"
    return language, parts[0] if len(parts) == 1 else f"{parts[0]}/*"


# Pages no link reaches: answers to a question, and pages that exist only to be asked for.
ANSWER_PAGES = (
    "/your-area?postcode=BK1+1AA", "/school-catchment-areas?postcode=BK1+1AA",
    "/find-my-nearest?category=libraries&postcode=BK1+1AA", "/your-area?postcode=nonsense",
    "/find-my-nearest?postcode=BK1+1AA", "/search?q=bins", "/search?q=zzqqxx", "/search?q=counsil+tax",
    "/listen?page=/services/report-a-missed-bin", "/cy/your-area?postcode=BK1+1AA", "/cy/search?q=biniau",
)


@pytest.fixture(scope="module")
def kinds_of_page(pages, app) -> list[str]:
    """The first page of each kind, then the answer pages."""
    general = set(engines.site(app).pages)
    chosen: dict[tuple[str, str], str] = {}
    for path in pages:
        chosen.setdefault(kind_of_page(path, general), path)
    return [*chosen.values(), *ANSWER_PAGES]


def full_check(page, axe, describe_violations, path: str, failures: list[str]) -> None:
    """Every WCAG rule in the default display mode, then the reflow check at every text size (320 px)."""
    violations = axe(page)
    if violations:
        failures.append(f"{path} at 320px:\n" + describe_violations(violations))
    for text in TEXT_SIZES:
        page.evaluate("(classes) => { document.documentElement.className = classes; }",
                      mode_classes("auto", text, "wider" if text == "larger" else "standard"))
        wide = overflow(page)
        if wide:
            failures.append(f"{path} at 320px, text {text}: wider than the screen: {wide}")


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_page_passes_every_rule(open_page, axe, describe_violations, pages, chunk):
    failures: list[str] = []
    page = open_page("/", width=320)
    for path in pages[chunk::CHUNKS]:
        page.goto(path)
        full_check(page, axe, describe_violations, path, failures)
    assert not failures, f"{len(failures)} failing pages:\n" + "\n".join(failures[:40])


def test_the_crawl_is_checked_in_full(pages):
    """Every crawled page is in exactly one chunk."""
    chunks = [pages[chunk::CHUNKS] for chunk in range(CHUNKS)]
    assert sorted(path for chunk in chunks for path in chunk) == sorted(pages)
    english = [path for path in pages if not path.startswith("/cy/")]
    assert len(english) >= 40 and len(pages) - len(english) >= 10


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("half", [0, 1])
def test_each_kind_of_page_in_every_display_mode(open_page, axe, describe_violations, kinds_of_page, width, half):
    """The drawing rules in every display mode; at 1280 px the first mode runs every rule (the layout differs).

    A representative page stands for its kind here: it gets every scheme with every text size, at both widths
    and with every rule in the first mode, in the test below.
    """
    failures: list[str] = []
    page = open_page("/", width=width)
    for path in kinds_of_page[half::2]:
        if path in REPRESENTATIVE:
            continue
        page.goto(path)
        if path in ANSWER_PAGES and width == 320:
            full_check(page, axe, describe_violations, path, failures)  # no crawl reaches them
        check_page(page, axe, describe_violations, path, width, failures, first_in_full=width == 1280)
    assert not failures, f"{len(failures)} failing page modes:\n" + "\n".join(failures[:40])


def test_every_kind_of_page_is_checked(kinds_of_page):
    kinds = {kind_of_page(path, set()) for path in kinds_of_page}
    assert len(kinds) >= 20  # services, categories, directory, places, search, listen, A to Z, in both languages


REPRESENTATIVE = ("/", "/settings", "/a-to-z", "/our-service-standards", "/this-page-does-not-exist", "/cy/",
                  "/services/report-a-missed-bin")


@pytest.mark.parametrize("width", [1280, 320])
@pytest.mark.parametrize("path", REPRESENTATIVE)
def test_every_scheme_with_every_text_size_on_representative_pages(open_page, axe, describe_violations, width, path):
    failures: list[str] = []
    page = open_page(path, width=width)
    check_page(page, axe, describe_violations, path, width, failures, every_combination=True,
               first_in_full=width == 1280)
    assert not failures, "\n".join(failures[:40])


def test_the_crawl_finds_the_whole_site(pages, app):
    site = engines.site(app)
    for slug in site.services:
        assert f"/services/{slug}" in pages
        assert f"/cy/services/{slug}" in pages
    for slug in site.pages:
        assert f"/{slug}" in pages


@pytest.mark.parametrize("colours", ["high-contrast", "yellow-on-black"])
def test_server_applied_modes_from_the_real_cookie(open_page, axe, colours):
    prefs = Preferences(text="larger", colours=colours, spacing="wider", speech="on")
    page = open_page("/a-to-z", width=320, preferences=prefs)
    classes = page.evaluate("() => document.documentElement.className")
    assert f"th-colours-{colours}" in classes and "th-text-larger" in classes
    assert axe(page) == []
    assert overflow(page) == []


def test_large_text_really_is_larger(open_page):
    sizes = {}
    for text in TEXT_SIZES:
        page = open_page("/a-to-z", preferences=Preferences(text=text))
        sizes[text] = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert sizes["standard"] < sizes["large"] < sizes["larger"]
    assert sizes["larger"] >= 1.5 * sizes["standard"] - 0.5


def test_line_spacing_really_changes(open_page):
    heights = []
    for spacing in LINE_SPACINGS:
        page = open_page("/a-to-z", preferences=Preferences(spacing=spacing))
        heights.append(page.evaluate("() => parseFloat(getComputedStyle(document.body).lineHeight)"))
    assert heights == sorted(heights) and len(set(heights)) == 3


def test_device_preferences_are_followed_by_default(open_page):
    dark = open_page("/", color_scheme="dark")
    light = open_page("/", color_scheme="light")
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert dark.evaluate(background) != light.evaluate(background)
    reduced = open_page("/", reduced_motion="reduce")
    assert reduced.evaluate("() => getComputedStyle(document.querySelector('a')).transitionDuration") in ("0s", "")


def test_focus_is_visible_in_every_scheme(open_page):
    for colours in COLOUR_SCHEMES:
        page = open_page("/a-to-z", preferences=Preferences(colours=colours))
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")  # the council name link
        style = page.evaluate(
            """() => { const s = getComputedStyle(document.activeElement);
                       return {bg: s.backgroundColor, outline: s.outlineStyle, shadow: s.boxShadow}; }"""
        )
        assert style["bg"] not in ("rgba(0, 0, 0, 0)", "transparent") or style["outline"] != "none", colours


def test_device_high_contrast_setting_is_followed(open_page, axe):
    page = open_page("/a-to-z")
    before = page.evaluate("() => getComputedStyle(document.querySelector('main a')).color")
    page.emulate_media(contrast="more")
    after = page.evaluate("() => getComputedStyle(document.querySelector('main a')).color")
    assert before != after
    assert axe(page) == []


def test_print_gives_large_print_without_navigation(open_page, app):
    service = next(iter(engines.site(app).services))
    page = open_page(f"/services/{service}")
    page.emulate_media(media="print")
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert size >= 24  # 18pt and up
    assert not page.locator(".th-nav").is_visible()
    assert not page.locator(".th-header__search").is_visible()
    assert page.locator("main h1").is_visible()
