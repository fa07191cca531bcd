"""Doing things, through the test client: start-now links, service status, the alert banner and its
feeds, hiding an alert, step-by-step journeys, the A to Z by subject, and bin calendars.

The app runs on a copy of the demo content with alerts and a status added, at a pinned moment
(TOWNHALL_NOW) in a bank-holiday fortnight. Nothing here names the demo council: postcodes, rounds
and services come from the content and geodata the app loaded.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
from icalendar import Calendar

from townhall import create_app, engines
from townhall.config import PROJECT_ROOT
from townhall.preferences import COOKIE_NAME
from townhall.speech.script import build_script

NOW = "2026-12-21T09:00"  # a Monday; Christmas Day is on Friday and Monday 28th is Boxing Day's substitute
HTMX = {"HX-Request": "true"}
ALERTS = """
- id: snow
  severity: warning
  title: Snow and ice
  message: Bin collections may be a day late this week.
  start: 2026-12-20 06:00
  end: 2026-12-23
  link: {label: See which services have changed, url: /alerts}
  cy: {title: Eira a rhew, message: Gall casgliadau biniau fod ddiwrnod yn hwyr yr wythnos hon., link: Gweld pa wasanaethau sydd wedi newid}
- id: water
  severity: emergency
  title: No mains water in part of the district
  message: Bottled water is available at the main library.
  start: 2026-12-21 08:00
  cy: {title: Dim dŵr prif gyflenwad mewn rhan o'r dosbarth, message: Mae dŵr potel ar gael yn y brif lyfrgell.}
- id: offices
  severity: notice
  title: Offices closed for Christmas
  message: Our offices are closed from 24 December to 2 January.
  start: 2026-12-24
  end: 2027-01-02
  cy: {title: Swyddfeydd ar gau dros y Nadolig, message: Mae ein swyddfeydd ar gau o 24 Rhagfyr i 2 Ionawr.}
"""
STATUS = """status:
  level: suspended
  message: Garden waste collections stop over Christmas.
  cy: Mae casgliadau gwastraff gardd yn dod i ben dros y Nadolig.
  start: 2026-12-14
  end: 2026-12-31 23:59
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("doing")
    content = root / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    (content / "alerts.yaml").write_text(textwrap.dedent(ALERTS), encoding="utf-8")
    garden = content / "services" / "garden-waste-collection.md"
    garden.write_text(garden.read_text().replace("reviewed:", STATUS + "reviewed:", 1), encoding="utf-8")
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(root / "instance"),
                      "TOWNHALL_CONTENT": str(content), "TOWNHALL_NOW": NOW})
    assert [str(p) for p in engines.site(app).problems] == []
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def site(app):
    return engines.site(app)


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def main_of(html: str) -> str:
    return html.split('id="main-content"', 1)[1].split("</main>", 1)[0]


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def service_with(site, test) -> str:
    return next(slug for slug, service in sorted(site.services.items()) if test(service))


# --- start now ----------------------------------------------------------------------------------------------


def test_a_service_page_has_a_start_now_button_that_says_where_it_goes(client, site):
    slug = service_with(site, lambda s: s.online and s.online[0].by == "gov.uk")
    item = site.services[slug].online[0]
    main = main_of(html_of(client.get(f"/services/{slug}")))
    button = re.search(r'<a class="th-button th-button--start" href="([^"]+)"[^>]*>(.*?)</a>', main, re.S)
    assert button[1] == item.url and 'rel="external"' in button[0]
    name = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", button[2])).strip()
    assert name == f"Start now: {item.label} (on GOV.UK, another website)"  # makes sense out of context
    assert "This service is on GOV.UK" in plain(main) and f"({item.site.host})" in main
    assert main.index("th-button--start") < main.index("At a glance")  # near the top


def test_every_page_where_residents_do_something_online_has_a_start_now_link(site):
    doing = re.compile(r"^(Pay|Apply|Report|Book|Register to vote|Order|Sign up|Join)\b")
    missing = [slug for slug, service in site.services.items() if doing.match(service.title) and not service.online]
    assert missing == []
    assert sum(1 for service in site.services.values() if service.online) >= 40


def test_start_now_links_are_https_to_trusted_hosts_and_gov_uk_ones_are_real_addresses(site):
    for service in site.services.values():
        for item in service.online:
            assert item.url.startswith("https://") and item.site.host in site.linked_sites
            if item.by == "gov.uk":
                assert item.url.startswith("https://www.gov.uk/")
            if item.by == "council":
                assert item.site.host.endswith(".example")


def test_the_blue_badge_page_links_to_gov_uk_instead_of_saying_search(client, site):
    slug = service_with(site, lambda s: any(i.url == "https://www.gov.uk/apply-blue-badge" for i in s.online))
    for prefix in ("", "/cy"):
        main = main_of(html_of(client.get(f"{prefix}/services/{slug}")))
        assert "Search for" not in main and "Chwiliwch am" not in main
        assert main.count('href="https://www.gov.uk/apply-blue-badge"') >= 2  # the button and the text


def test_links_to_other_websites_in_page_text_are_marked_as_leaving(client):
    main = main_of(html_of(client.get("/step-by-step/when-someone-dies")))
    link = re.search(r'<a href="https://www.gov.uk/funeral-payments"[^>]*>(.*?)</a>', main, re.S)
    assert 'rel="external"' in link[0] and "(another website)" in plain(link[1])
    assert 'aria-hidden="true">&#8599;' in link[1]


def test_welsh_start_now_words(client, site):
    slug = service_with(site, lambda s: s.online and site.service(s.slug, "cy").lang == "cy")
    main = main_of(html_of(client.get(f"/cy/services/{slug}")))
    assert "Dechrau nawr" in main and "Start now" not in main


# --- service status ------------------------------------------------------------------------------------------


def test_a_status_shows_at_the_top_of_the_service_page_and_is_read_first(client):
    html = html_of(client.get("/services/garden-waste-collection"))
    main = main_of(html)
    assert "Service suspended" in main and "Garden waste collections stop over Christmas." in main
    assert main.index("Service suspended") < main.index('class="th-lead"')
    assert "Until 11:59pm on Thursday 31 December 2026." in plain(main)
    said = [u.spoken for u in build_script(html).utterances]
    title = next(i for i, text in enumerate(said) if text.startswith("Sign up for garden waste"))
    assert said[title + 1].startswith("Service suspended")  # straight after the title, before anything else


def test_a_status_shows_in_lists_search_and_the_a_to_z(client):
    for path in ("/a-to-z", "/categories/bins-and-recycling", "/search?q=garden+waste", "/alerts"):
        main = main_of(html_of(client.get(path)))
        assert "Service suspended" in main and "Garden waste collections stop" in main, path


def test_a_status_goes_by_itself_when_it_ends(tmp_path, app):
    later = create_app({**{k: app.config[k] for k in ("TOWNHALL_CONTENT",)}, "TESTING": True,
                        "TOWNHALL_INSTANCE": str(tmp_path), "TOWNHALL_NOW": "2027-01-01T00:00"})
    main = main_of(html_of(later.test_client().get("/services/garden-waste-collection")))
    assert "Service suspended" not in main


def test_the_status_is_in_welsh_on_the_welsh_site(client):
    main = main_of(html_of(client.get("/cy/services/garden-waste-collection")))
    assert "Mae casgliadau gwastraff gardd yn dod i ben dros y Nadolig." in main and "Service suspended" not in main


# --- the alert banner ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/a-to-z", "/services/report-a-missed-bin", "/search?q=bins",
                                  "/no-such-page", "/step-by-step"])
def test_the_alert_banner_is_under_the_header_of_every_page(client, path):
    html = client.get(path).get_data(as_text=True)
    banner = html.split("</header>", 1)[1].split('id="main-content"', 1)[0]
    assert "Emergency:" in banner and "Warning:" in banner and "Snow and ice" in banner
    assert banner.index("No mains water") < banner.index("Snow and ice")  # the emergency first
    assert "Offices closed" not in banner  # not started yet


def test_only_alerts_that_are_not_emergencies_can_be_hidden(client):
    html = html_of(client.get("/"))
    water = html.split('id="alert-water"', 1)[1].split('id="alert-snow"', 1)[0]
    snow = html.split('id="alert-snow"', 1)[1].split("</section>", 1)[0]
    assert "<form" not in water
    assert '<form class="th-alert__hide" method="post" action="/alerts/hide">' in snow
    assert 'name="return_to" value="/"' in snow


def test_hiding_an_alert_sets_the_one_cookie_until_midnight_and_goes_back(client, site, public_token_of):
    key = next(alert.key for alert in site.alerts if alert.id == "snow")
    response = client.post("/alerts/hide", data={"alert": key, "return_to": "/a-to-z?x=1",
                                                 "csrf_token": public_token_of(client)})
    assert response.status_code == 303 and response.headers["Location"] == "/a-to-z?x=1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie)[1])
    assert expires == datetime.fromisoformat("2026-12-22T00:00:00+00:00")  # midnight, UK time (GMT in December)
    html = html_of(client.get("/a-to-z"))
    assert "Snow and ice" not in html.split('id="main-content"')[0] and "No mains water" in html
    assert "Snow and ice" in main_of(html_of(client.get("/alerts")))  # still on the alerts page


def test_a_hidden_alert_stays_hidden_with_saved_settings_and_settings_keep_it(client, site, token, public_token_of):
    key = next(alert.key for alert in site.alerts if alert.id == "snow")
    client.post("/settings", data={"csrf_token": token, "text": "large", "colours": "auto", "spacing": "standard",
                                   "speech": "off"})
    response = client.post("/alerts/hide", data={"alert": key, "return_to": "/", "csrf_token": public_token_of(client)})
    assert "Max-Age=31536000" in response.headers["Set-Cookie"]  # display choices last a year
    assert "Snow and ice" not in html_of(client.get("/")).split('id="main-content"')[0]


@pytest.mark.parametrize("form", [
    {"alert": "water", "return_to": "/"},  # an emergency: never hidden
    {"alert": "nothing.abcdef", "return_to": "/"},
    {"alert": "", "return_to": "https://evil.example/"},
])
def test_hiding_what_cannot_be_hidden_changes_nothing(client, site, form, public_token_of):
    form = dict(form, csrf_token=public_token_of(client))
    if form["alert"] == "water":
        form["alert"] = next(alert.key for alert in site.alerts if alert.id == "water")
    response = client.post("/alerts/hide", data=form)
    assert response.status_code == 303 and "Set-Cookie" not in response.headers
    assert response.headers["Location"] == "/"  # never to another site


def test_the_banner_is_in_welsh_on_welsh_pages(client):
    banner = html_of(client.get("/cy/")).split("</header>", 1)[1].split('id="main-content"', 1)[0]
    assert "Argyfwng:" in banner and "Eira a rhew" in banner and "Cuddio'r rhybudd hwn" in banner
    assert "Snow and ice" not in banner


def test_speech_reads_the_alerts_before_the_page(client):
    said = [u.spoken for u in build_script(html_of(client.get("/services/report-a-missed-bin"))).utterances]
    assert said[0].startswith("Emergency: No mains water")
    assert any(text.startswith("Warning: Snow and ice") for text in said[:4])
    assert not any("Hide this alert" in text for text in said)


def test_the_alerts_api_is_json_with_welsh_and_the_atom_feed_parses(client):
    data = client.get("/api/alerts").get_json()
    assert [a["id"] for a in data["alerts"]] == ["water", "snow"] and [a["id"] for a in data["upcoming"]] == ["offices"]
    snow = data["alerts"][1]
    assert snow["title_cy"] == "Eira a rhew" and snow["active"] and snow["link"]["url"].endswith("/alerts")
    assert data["alerts"][0]["end"] is None
    response = client.get("/api/alerts.atom")
    assert response.mimetype == "application/atom+xml" and response.headers["Access-Control-Allow-Origin"] == "*"
    feed = ElementTree.fromstring(response.data)
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [entry.find(f"{atom}title").text for entry in feed.findall(f"{atom}entry")]
    assert "Emergency: No mains water in part of the district" in titles and len(titles) == 3
    welsh = ElementTree.fromstring(client.get("/cy/api/alerts.atom").data)
    assert "Argyfwng: Dim dŵr prif gyflenwad mewn rhan o'r dosbarth" in [
        entry.find(f"{atom}title").text for entry in welsh.findall(f"{atom}entry")]


def test_the_content_check_reports_ended_alerts_that_are_not_kept(app):
    result = app.test_cli_runner().invoke(args=["content", "check", "--now", "2027-01-05T09:00"])
    assert result.exit_code == 1
    assert "alerts.yaml" in result.output and 'the setting "snow.end": ended at the end of 2026-12-23' in result.output
    assert "garden-waste-collection.md" in result.output  # its status has ended too
    assert "water" not in result.output  # no end: still running
    assert app.test_cli_runner().invoke(args=["content", "check", "--now", "2026-12-21T09:00"]).exit_code == 0


# --- step-by-step -------------------------------------------------------------------------------------------------


def test_there_are_at_least_five_journeys_in_english_and_welsh(client, site):
    assert len(site.journeys) >= 5
    index = main_of(html_of(client.get("/step-by-step")))
    for journey in site.all_journeys():
        assert journey.title in index
        assert site.journey(journey.slug, "cy").lang == "cy"
    area = site.council.area_in("en")
    assert f"Moving to or within {area}" in index


def test_a_journey_opens_without_javascript(client, site):
    journey = site.journeys["when-someone-dies"]
    main = main_of(html_of(client.get("/step-by-step/when-someone-dies")))
    assert main.count("<details") == len(journey.steps) and " open>" not in main
    assert '<h2 class="th-step__title" id="step-register-the-death">' in main
    assert main.count("<details") == main_of(html_of(client.get("/step-by-step/when-someone-dies?steps=all"))).count(
        "<details class=\"th-step__details\" open>")
    one = main_of(html_of(client.get("/step-by-step/when-someone-dies?step=step-register-the-death")))
    assert one.count(" open>") == 1 and one.index(" open>") > one.index('id="step-register-the-death"')


def test_a_service_page_in_a_journey_says_which_step_it_is(client, site):
    ((journey, step), *_) = site.journeys_with("register-a-death")
    main = main_of(html_of(client.get("/services/register-a-death")))
    part = main.split('<nav class="th-part-of"', 1)[1].split("</nav>", 1)[0]
    assert journey.title in part and f"Step {step.number}:" in plain(part) and step.title in part
    assert f'href="/step-by-step/{journey.slug}#{step.id}"' in part
    welsh = main_of(html_of(client.get("/cy/services/register-a-death")))
    assert site.journey(journey.slug, "cy").title in welsh and "Rhan o" in welsh


def test_an_unknown_journey_is_not_found(client):
    assert client.get("/step-by-step/no-such-journey").status_code == 404


# --- the A to Z ----------------------------------------------------------------------------------------------------


def test_the_a_to_z_has_subjects_so_bins_are_under_b_and_noise_under_n(client):
    main = main_of(html_of(client.get("/a-to-z")))
    letter_b = main.split('id="letter-b"', 1)[1].split("</section>", 1)[0]
    letter_n = main.split('id="letter-n"', 1)[1].split("</section>", 1)[0]
    assert '<p class="th-a-to-z__name">Bins</p>' in letter_b and "Check your bin collection day" in letter_b
    assert '<p class="th-a-to-z__name">Noise</p>' in letter_n
    assert "Pay your Council Tax online" in main  # the start-now link in the A to Z
    welsh = main_of(html_of(client.get("/cy/a-to-z")))
    assert '<p class="th-a-to-z__name">Biniau</p>' in welsh


# --- bins ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postcode(site):
    return site.council.example_postcode


@pytest.fixture(scope="module")
def round_code(app, postcode):
    with app.test_request_context():
        places = engines.places(app)
        answer = places.answer(postcode=postcode)
        match = next(m for m in answer.areas if m.layer.kind == "collection")
        return match.area.code


def test_the_bin_page_has_its_own_postcode_box(client, site):
    slug = service_with(site, lambda s: s.tool == "bin-collections")
    main = main_of(html_of(client.get(f"/services/{slug}")))
    assert '<form class="th-postcode-form" action="/bin-collections" method="get"' in main
    assert '<form class="th-postcode-form" action="/cy/bin-collections"' in main_of(html_of(client.get(f"/cy/services/{slug}")))


def test_next_collections_say_when_they_moved_for_the_bank_holiday(client, postcode, round_code):
    main = main_of(html_of(client.get("/bin-collections", query_string={"postcode": postcode})))
    assert "Moved because of the bank holiday, Boxing Day (substitute day). Usually" in main
    assert f'href="/bin-collections/{round_code}/calendar"' in main
    assert f'href="webcal://localhost/bin-collections/{round_code}/calendar.ics"' in main
    welsh = main_of(html_of(client.get("/cy/bin-collections", query_string={"postcode": postcode})))
    assert "Wedi symud oherwydd yr ŵyl banc" in welsh and "Gŵyl San Steffan" in welsh


def test_your_area_shows_the_moves_and_links_to_the_calendar(client, postcode):
    main = main_of(html_of(client.get("/your-area", query_string={"postcode": postcode})))
    assert "Moved because of the bank holiday" in main and 'href="/bin-collections?postcode=' in main


def test_the_bin_answer_block_for_htmx_and_its_errors(client, postcode):
    block = client.get("/bin-collections", query_string={"postcode": postcode}, headers=HTMX)
    assert block.status_code == 200 and "<html" not in block.get_data(as_text=True)
    assert "Your next collections" in block.get_data(as_text=True)
    wrong = client.get("/bin-collections", query_string={"postcode": "not a postcode"}, headers=HTMX)
    assert wrong.status_code == 400 and 'class="th-error-summary"' in wrong.get_data(as_text=True)
    assert "Bin collection days" in html_of(client.get("/bin-collections"))


def test_the_printable_calendar_lists_six_months_with_the_moves(client, round_code):
    main = main_of(html_of(client.get(f"/bin-collections/{round_code}/calendar")))
    assert main.count("<caption>") == 6 and "<caption>December 2026</caption>" in main
    assert "Moved because of" in main and "th-bin-calendar__moved" in main
    later = main_of(html_of(client.get(f"/bin-collections/{round_code}/calendar?from=2027-06")))
    assert "<caption>June 2027</caption>" in later
    odd = main_of(html_of(client.get(f"/bin-collections/{round_code}/calendar?from=1999-99")))
    assert "<caption>December 2026</caption>" in odd  # an odd month falls back to this one
    assert client.get("/bin-collections/NO-SUCH-ROUND/calendar").status_code == 404
    assert "Rhagfyr 2026" in main_of(html_of(client.get(f"/cy/bin-collections/{round_code}/calendar")))


def test_the_calendar_feed_is_icalendar_with_the_bank_holiday_moves(client, round_code):
    response = client.get(f"/bin-collections/{round_code}/calendar.ics")
    assert response.mimetype == "text/calendar" and response.headers["Content-Disposition"].endswith('.ics"')
    calendar = Calendar.from_ical(response.data)
    events = calendar.walk("VEVENT")
    days = sorted(event.decoded("DTSTART") for event in events)
    assert days[0] >= date(2026, 11, 20) and days[-1] <= date(2027, 12, 22) and len(days) >= 50
    bank_holidays = engines.bank_holidays(client.application)
    assert not any(bank_holidays(day) for day in days)  # nothing falls on a bank holiday under the demo rule
    moved = [e for e in events if "Moved because of" in str(e.get("DESCRIPTION", ""))]
    assert moved and all(e.decoded("DTSTART").weekday() in range(1, 6) for e in moved)
    assert "Casgliad" in Calendar.from_ical(client.get(f"/cy/bin-collections/{round_code}/calendar.ics").data) \
        .walk("VEVENT")[0]["SUMMARY"]
    assert client.get("/bin-collections/NO-SUCH-ROUND/calendar.ics").status_code == 404


def test_the_alerts_api_matches_its_openapi_schema(client):
    from jsonschema import Draft202012Validator

    document = client.get("/api/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/Alerts", "components": document["components"]}
    for prefix in ("", "/cy"):
        data = client.get(f"{prefix}/api/alerts").get_json()
        errors = list(Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(data))
        assert not errors, [error.message for error in errors]
    assert "/api/alerts.atom" in document["paths"]
