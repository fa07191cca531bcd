"""The speech script: what is read from a page's HTML, how, and in which sections."""

from __future__ import annotations

from townhall.speech.script import INTRODUCTION_ID, MAX_PAGE_CHARACTERS, build_script


def page(main: str, *, lang: str = "en", outside: str = "") -> str:
    """A page shaped like the foundation's layout: chrome around <main id="main-content">."""
    return f"""<!doctype html>
<html lang="{lang}"><head><title>Test page – Brackenford District Council</title>
<style>.x {{ color: red }}</style><script>var ignored = "script";</script></head>
<body>
<a href="#main-content" class="th-skip-link">Skip to main content</a>
<header><a href="/">Brackenford District Council</a>
<nav aria-label="Main"><ul><li><a href="/a-to-z">Services A to Z</a></li></ul></nav></header>
{outside}
<main id="main-content" tabindex="-1">{main}</main>
<footer><h2>About this website</h2><p>Fictional council.</p></footer>
</body></html>"""


def spoken(html: str) -> list[str]:
    return [u.spoken for u in build_script(html).utterances]


def test_title_headings_and_paragraphs_in_sections() -> None:
    script = build_script(
        page(
            "<h1>Pay your council tax</h1><p>You can pay online. It is quick.</p>"
            '<h2 id="ways-to-pay">Ways to pay</h2><p>By direct debit.</p>'
            "<h3>Direct debit dates</h3><p>On the 1st or the 15th.</p>"
            "<h2>If you cannot pay</h2><p>Talk to us early.</p>"
        )
    )
    assert script.title == "Pay your council tax"
    assert script.lang == "en"
    assert [s.id for s in script.sections] == [INTRODUCTION_ID, "ways-to-pay", "if-you-cannot-pay"]
    intro, ways, cannot = script.sections
    assert [u.spoken for u in intro.utterances] == ["Pay your council tax.", "You can pay online.", "It is quick."]
    # The h3 stays inside its h2's section and is announced as a heading too.
    assert [u.spoken for u in ways.utterances] == [
        "Heading: Ways to pay.", "By direct debit.", "Heading: Direct debit dates.", "On the 1st or the 15th.",
    ]
    assert ways.title == "Ways to pay"
    assert cannot.utterances[0].display == "If you cannot pay"
    # The whole page, in document order.
    assert len(script.utterances) == 9


def test_a_deeper_heading_is_found_in_the_section_that_holds_it() -> None:
    script = build_script(
        page(
            "<h1>Pay</h1><p>Intro.</p>"
            '<h2 id="ways-to-pay">Ways to pay</h2><p>By direct debit.</p>'
            '<h3 id="direct-debit">Direct debit</h3><p>On the 1st.</p>'
            '<h2 id="if-you-cannot-pay">If you cannot pay</h2><h3 id="help">Help</h3><p>Talk to us.</p>'
        )
    )
    assert script.section("ways-to-pay").inner_ids == ("direct-debit",)
    assert script.section_holding("direct-debit").id == "ways-to-pay"
    assert script.section_holding("help").id == "if-you-cannot-pay"
    assert script.section_holding("ways-to-pay").id == "ways-to-pay"
    assert script.section_holding("nowhere") is None


def test_navigation_footer_scripts_and_hidden_text_are_left_out() -> None:
    said = " ".join(
        spoken(
            page(
                "<h1>Title</h1>"
                '<nav class="th-contents"><h2>On this page</h2><ul><li><a href="#a">A</a></li></ul></nav>'
                "<p hidden>Hidden paragraph.</p>"
                '<p aria-hidden="true">Decoration.</p>'
                '<div data-speech="skip"><p>Speech controls.</p></div>'
                "<form><label>Postcode <input name=q></label><button>Find</button></form>"
                "<noscript><p>Turn on JavaScript.</p></noscript>"
                "<p>Read this.</p>"
            )
        )
    )
    assert said == "Title. Read this."


def test_visually_hidden_text_is_read_because_it_gives_context() -> None:
    said = spoken(page('<h1>T</h1><p><a href="/x">Change<span class="th-visually-hidden"> your address</span></a></p>'))
    assert said[-1] == "Change your address"


def test_links_are_read_by_their_text_never_their_address() -> None:
    said = spoken(page('<h1>T</h1><p>See <a href="https://example.org/very/long?x=1">the rules</a> first.</p>'))
    assert said[-1] == "See the rules first."


def test_lists_read_item_by_item_numbered_lists_with_numbers() -> None:
    said = spoken(
        page(
            "<h1>T</h1><ul><li>grass cuttings</li><li>leaves</li></ul>"
            "<ol><li><p>Fill in the form.</p></li><li>Send it to us.</li></ol>"
        )
    )
    assert said[1:] == ["grass cuttings", "leaves", "1. Fill in the form.", "2. Send it to us."]


def test_table_cells_are_read_with_their_headers() -> None:
    html = page(
        "<h1>T</h1>"
        "<table><caption>Opening hours</caption>"
        '<thead><tr><th scope="col">Days</th><th scope="col">Times</th></tr></thead>'
        '<tbody><tr><th scope="row">Monday to Friday</th><td>08:30-17:00</td></tr>'
        '<tr><th scope="row">Saturday</th><td>Closed</td></tr></tbody></table>'
        "<table><tr><th>Item</th><th>Charge</th><th>Per</th></tr>"
        "<tr><td>Garden waste bin</td><td>£52</td><td>year</td></tr></table>"
    )
    script = build_script(html)
    said = [u.spoken for u in script.utterances]
    assert said[1:] == [
        "Table: Opening hours.",
        "Monday to Friday: 8:30am to 5pm.",
        "Saturday: Closed.",
        "Table.",
        "Item: Garden waste bin, Charge: 52 pounds, Per: year.",
    ]
    # What is highlighted is the row as shown.
    assert script.utterances[2].display == "Monday to Friday 08:30-17:00"


def test_contact_block_reads_naturally() -> None:
    html = page(
        "<h1>T</h1><h2>How to contact us</h2>"
        '<dl><dt>Phone</dt><dd><a href="tel:+441632960100">01632 960100</a></dd>'
        '<dt>Textphone or Relay UK</dt><dd><a href="tel:1800101632960100">18001 01632 960100</a></dd>'
        '<dt>Email</dt><dd><a href="mailto:waste@brackenford.example">waste@brackenford.example</a></dd>'
        "<dt>Address</dt><dd><address>Council Offices<br>Market Square<br>Brackenford<br>BK1 1AA</address></dd>"
        "<dt>Cost</dt><dd>£0</dd></dl>"
        "<p>Phone lines are open 8:30am to 5pm.</p>"
    )
    contact = build_script(html).section("how-to-contact-us")
    assert contact is not None
    assert [u.spoken for u in contact.utterances] == [
        "Heading: How to contact us.",
        "Phone: 0 1 6 3 2, 9 6 0, 1 0 0",
        "Textphone or Relay UK: 1 8 0 0 1, 0 1 6 3 2, 9 6 0, 1 0 0",
        "Email: waste@brackenford.example",
        "Address: Council Offices, Market Square, Brackenford, BK1 1AA",
        "Cost: free",
        "Phone lines are open 8:30am to 5pm.",
    ]
    assert contact.utterances[1].display == "Phone 01632 960100"


def test_short_service_numbers_in_a_contact_block_and_in_prose() -> None:
    html = page(
        "<h1>Police non-emergency number (101)</h1>"
        "<dl><dt>Police (not an emergency)</dt><dd>101</dd><dt>Phone</dt><dd>111</dd>"
        "<dt>Power cuts</dt><dd>105</dd><dt>Textphone</dt><dd>18001 101</dd><dt>Emergency</dt><dd>999</dd></dl>"
        "<p>Call 116 123 or Childline on 0800 1111. We empty 3 bins at 101 High Street in 2026.</p>"
    )
    assert spoken(html) == [
        "Police non-emergency number (1 0 1).",
        "Police (not an emergency): 1 0 1",
        "Phone: 1 1 1",
        "Power cuts: 1 0 5",
        "Textphone: 1 8 0 0 1, 1 0 1",
        "Emergency: 9 9 9",
        "Call 1 1 6, 1 2 3 or Childline on 0 8 0 0, 1 1 1 1.",
        "We empty 3 bins at 101 High Street in 2026.",
    ]


def test_sentences_split_but_not_at_abbreviations_or_inside_phone_links() -> None:
    said = spoken(
        page(
            "<h1>T</h1><p>Bring proof, e.g. a bill. Call "
            '<a href="tel:01632960000">01632 960000</a>. Mr. Jones will help! Then wait?</p>'
        )
    )
    assert said[1:] == [
        "Bring proof, for example a bill.",
        "Call 0 1 6 3 2, 9 6 0, 0 0 0.",
        "Mr. Jones will help!",
        "Then wait?",
    ]


def test_data_speech_conventions() -> None:
    html = page(
        "<h1>T</h1>"
        '<p>Ask about <abbr data-speech-as="the Blue Badge scheme">BB</abbr> today.</p>'
        '<p>Reference <span data-speech="phone">01632 960321</span>.</p>'
        '<form data-speech="read"><p>This form text matters.</p></form>'
        '<div data-speech-section="results" data-speech-title="Results"></div><p>Three results.</p>'
    )
    script = build_script(html)
    assert [s.id for s in script.sections] == [INTRODUCTION_ID, "results"]
    said = [u.spoken for u in script.utterances]
    assert said[1:] == [
        "Ask about the Blue Badge scheme today.",
        "Reference 0 1 6 3 2, 9 6 0, 3 2 1.",
        "This form text matters.",
        "Three results.",
    ]
    assert script.utterances[1].display == "Ask about BB today."


def test_section_ids_are_stable_unique_and_safe() -> None:
    html = page(
        "<h1>T</h1><p>i</p><h2>Costs</h2><p>a</p><h2>Costs</h2><p>b</p>"
        '<h2 id="introduction">Intro heading</h2><p>c</p><h2 id="bad id!">Bad id</h2><p>d</p>'
        "<h2>Introduction</h2><p>e</p>"
    )
    ids = [s.id for s in build_script(html).sections]
    assert ids == [INTRODUCTION_ID, "costs", "costs-2", "introduction-2", "bad-id", "introduction-3"]
    assert ids == [s.id for s in build_script(html).sections]  # the same every time


def test_a_section_with_nothing_under_its_heading_is_not_a_section_of_its_own() -> None:
    html = page("<h1>Ward</h1><h2>Councillors</h2><p>Two.</p>"
                "<h2>More information</h2><div><h2>Phoning</h2><p>Call us.</p></div>")
    script = build_script(html)
    assert [s.id for s in script.sections] == ["councillors", "phoning"]
    assert [u.spoken for u in script.utterances] == [  # the whole page still says every heading
        "Ward.", "Heading: Councillors.", "Two.", "Heading: More information.", "Heading: Phoning.", "Call us."]


def test_content_after_a_boxed_section_returns_to_the_page_flow() -> None:
    """The foundation's service pages put an "At a glance" <section> between the title and the body."""
    html = page(
        "<h1>Garden waste</h1><p>Lead.</p>"
        '<section aria-labelledby="g"><h2 id="g">At a glance</h2><dl><dt>Cost</dt><dd>£52</dd></dl></section>'
        "<div><p>Body introduction.</p><h2>What it costs</h2><p>It costs £52.</p></div>"
        '<section><h2 id="contact">Contact</h2><p>Call us.</p></section>'
    )
    script = build_script(html)
    intro, glance, costs, contact = script.sections
    assert [u.spoken for u in intro.utterances] == ["Garden waste.", "Lead.", "Body introduction."]
    assert [u.spoken for u in glance.utterances] == ["Heading: At a glance.", "Cost: 52 pounds"]
    # The whole page keeps document order, as a screen reader reads it.
    assert [u.spoken for u in script.utterances][2:5] == ["Heading: At a glance.", "Cost: 52 pounds", "Body introduction."]


def test_language_of_the_page_and_of_marked_parts() -> None:
    html = page(
        "<h1>Talu eich treth gyngor</h1><p>Gallwch dalu ar-lein.</p>"
        '<h2>Costau</h2><p lang="en">This part is in English only.</p><p>£52 y flwyddyn.</p>',
        lang="cy",
    )
    script = build_script(html)
    assert script.lang == "cy"
    costs = script.sections[1]
    assert [(u.lang, u.spoken) for u in costs.utterances] == [
        ("cy", "Pennawd: Costau."),
        ("en", "This part is in English only."),
        ("cy", "52 punt y flwyddyn."),
    ]


def test_images_are_read_by_their_alt_text() -> None:
    said = spoken(page('<h1>T</h1><img src="/a.png" alt="Map of the recycling centre"><img src="/b.png" alt="">'))
    assert said[1:] == ["Image: Map of the recycling centre."]


def test_a_page_without_main_is_read_from_its_body_without_chrome() -> None:
    html = (
        "<html lang='en'><body><header><p>Site name</p></header><nav><a href='/'>Home</a></nav>"
        "<h1>Plain</h1><p>Body text.</p><footer>Footer</footer></body></html>"
    )
    assert spoken(html) == ["Plain.", "Body text."]


def test_untidy_html_does_not_break_the_script() -> None:
    html = page("<h1>T</h1><p>One<p>Two</span></div><ul><li>a<li>b</ul><table><tr><td>x</table><p>End.")
    said = spoken(html)
    assert said[0] == "T." and said[-1] == "End."


def test_very_long_pages_are_cut_short_and_say_so() -> None:
    sentence = "This sentence is here to make the page very long indeed. "
    html = page("<h1>T</h1>" + "".join(f"<p>{sentence}</p>" for _ in range(MAX_PAGE_CHARACTERS // 40)))
    script = build_script(html)
    assert script.truncated
    assert sum(len(u.spoken) for u in script.utterances) < MAX_PAGE_CHARACTERS + 200
    assert script.utterances[-1].spoken.startswith("This page is too long")


def test_an_empty_page_has_nothing_to_read() -> None:
    assert build_script(page("")).is_empty()


def test_a_part_marked_first_is_read_before_the_page_even_outside_main() -> None:
    alert = ('<section aria-label="Alerts" data-speech="first"><div><h2>Warning: Snow and ice</h2>'
             "<p>Bin collections may be late.</p><form><button>Hide this alert</button></form></div></section>")
    script = build_script(page("<h1>Pay your council tax</h1><p>You can pay online.</p><h2>Costs</h2><p>Free.</p>",
                               outside=alert))
    said = [u.spoken for u in script.utterances]
    assert said[:3] == ["Warning: Snow and ice", "Bin collections may be late.", "Pay your council tax."]
    assert not any("Hide" in text for text in said)
    assert [s.id for s in script.sections] == [INTRODUCTION_ID, "costs"]  # the alert heading starts no section
    assert script.sections[0].utterances[0].spoken == "Warning: Snow and ice"
