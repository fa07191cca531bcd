"""Doing things from the content: start-now links, service status, alerts, step-by-step journeys,
A to Z subjects and bin-collection rules, each loaded and checked with plain-English problems."""

from __future__ import annotations

import textwrap
from datetime import date, datetime
from pathlib import Path

import pytest

from townhall.content import load_site, timely_problems
from townhall.hours import LONDON

CATEGORIES = """
- slug: bins
  title: Bins and recycling
  summary: Collections and recycling.
"""
CONTACTS = """
customer-services:
  team: Customer Services
  phone: 01632 961234
  email: hello@ashby.example
"""
COUNCIL = """
name: Ashby Borough Council
short_name: Ashby
main_contact: customer-services
example_postcode: AB1 2DE
cy:
  name: Cyngor Bwrdeistref Ashby
  area: Ashbi
"""
STANDARDS = """
- id: written-answer
  channel: Letters and emails
  promise: give you a full answer
  within: 10 working days
"""
HOSTS = """
- host: pay.ashby.example
  name: our payments website
  cy: ein gwefan dalu
  by: council
- host: www.gov.uk
  name: GOV.UK
  cy: GOV.UK
  by: gov.uk
"""
SERVICE = """\
---
title: {title}
summary: Tell us about it.
category: bins
responsible: Waste Team
contact: customer-services
charges: free
standard:
  promise: collect your bin
  within: 2 working days
reviewed: 2026-09-14
{extra}
---
We will come back for your bin.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def service(folder: Path, slug: str, extra: str = "", title: str | None = None) -> None:
    """A service page; each gets its own title unless one is given (two pages may not share a title)."""
    title = title or ("Report a missed bin" if slug == "missed-bin" else slug.replace("-", " ").capitalize())
    write(folder, f"services/{slug}.md", SERVICE.format(title=title, extra=textwrap.dedent(extra).strip()))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for name, text in (("categories.yaml", CATEGORIES), ("contacts.yaml", CONTACTS), ("council.yaml", COUNCIL),
                       ("standards.yaml", STANDARDS), ("trusted-hosts.yaml", HOSTS)):
        write(root, name, text)
    service(root, "missed-bin")
    return root


def problems(folder: Path) -> list[str]:
    return [str(problem) for problem in load_site(folder).problems]


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


# --- start now -------------------------------------------------------------------------------------


def test_an_online_link_knows_where_it_goes_and_what_to_have_ready(folder):
    service(folder, "pay", """
        online:
          - label: Pay online
            url: https://pay.ashby.example/bins
            ready: [your account number, a debit card]
          - label: Apply on GOV.UK
            url: https://www.gov.uk/apply-blue-badge
            by: gov.uk
    """)
    site = load_site(folder)
    assert site.problems == []
    first, second = site.services["pay"].online
    assert (first.label, first.site.name, first.by, first.ready) == (
        "Pay online", "our payments website", "council", ("your account number", "a debit card"))
    assert second.by == "gov.uk" and second.site.name_in("cy") == "GOV.UK"
    assert first.site.name_in("cy") == "ein gwefan dalu"


@pytest.mark.parametrize("online, expected", [
    ("{label: Pay, url: http://pay.ashby.example/x}", "starts with http://. Use https://"),
    ("{label: Pay, url: https://pay.ashbey.example/x}", '"pay.ashbey.example" is not a website in trusted-hosts.yaml'),
    ("{url: https://pay.ashby.example/x}", 'the setting "online.1.label": is missing'),
    ("{label: Pay, url: 'pay dot ashby'}", "is not a web address"),
    ("{label: Pay, url: 'https://user@pay.ashby.example/x'}", "has a user name or port in it"),
    ("{label: Pay, url: https://pay.ashby.example/x, by: gov.uk}", 'says "gov.uk", but trusted-hosts.yaml says'),
    ("{label: Pay, url: https://pay.ashby.example/x, by: a friend}", '"a friend" is not one we know'),
])
def test_a_start_now_link_that_could_send_residents_astray_is_refused(folder, online, expected):
    service(folder, "pay", f"online: [{online}]")
    found = problems(folder)
    assert any("services/pay.md" in problem and expected in problem for problem in found), found
    assert "pay" not in load_site(folder).services  # the page waits until the link is fixed


def test_links_to_other_websites_in_page_text_must_be_to_a_trusted_host(folder):
    write(folder, "services/text.md", SERVICE.format(title="Text", extra="").replace(
        "We will come back for your bin.", "[Apply](https://www.gov.uk/x), [pay](https://evil.example/pay), "
        "[old](http://www.gov.uk/y), [mail](mailto:a@b.example), [phone](tel:01632960000)."))
    found = [p for p in load_site(folder).problems if p.path == "services/text.md"]
    assert len(found) == 2 and all(p.is_error and p.code == "untrusted-link" for p in found)
    assert "evil.example" in str(found[0]) and "http://" in str(found[1])


def test_the_trusted_hosts_file_is_checked(folder):
    write(folder, "trusted-hosts.yaml", """
        - host: www.gov.uk
          name: GOV.UK
          by: government
        - host: "https://nope/"
          name: Nope
        - host: www.gov.uk
          name: GOV.UK again
    """)
    found = problems(folder)
    assert any('"government" is not one we know' in p for p in found)
    assert any('"https://nope/" is not a host name' in p for p in found)


# --- status ------------------------------------------------------------------------------------------


def test_a_status_shows_from_its_start_until_the_end_of_its_last_day(folder):
    service(folder, "garden", """
        status:
          level: suspended
          message: Garden waste collections are paused for the winter.
          cy: Mae casgliadau gwastraff gardd wedi'u hoedi dros y gaeaf.
          start: 2026-12-01 06:00
          end: 2027-02-28
    """)
    found = load_site(folder).services["garden"]
    assert found.status_at(london(2026, 12, 1, 5, 59)) is None
    assert found.status_at(london(2026, 12, 1, 6, 0)).level == "suspended"
    assert found.status_at(london(2027, 2, 28, 23, 59)) is not None  # "end: 2027-02-28" runs to the day's end
    assert found.status_at(london(2027, 3, 1, 0, 0)) is None  # and then it goes by itself
    assert found.status.message_in("cy").startswith("Mae casgliadau") and found.status.is_disruption


def test_a_status_without_an_end_runs_until_it_is_removed(folder):
    service(folder, "garden", "status: {level: changed, message: New days., start: 2026-12-01}")
    assert load_site(folder).services["garden"].status_at(london(2030, 1, 1, 12)).level == "changed"


@pytest.mark.parametrize("status, expected", [
    ("{level: broken, message: x, start: 2026-12-01}", '"broken" is not one we know'),
    ("{level: limited, start: 2026-12-01}", 'status.message": is missing'),
    ("{level: limited, message: x, start: 2026-12-01, end: 2026-11-01}", "is before the start"),
    ("{level: limited, message: x, start: 'next Tuesday'}", "is not a date and time"),
    ("{level: limited, message: x, start: 2026-12-01, until: 2026-12-02}", '"status.until": is not a setting we know'),
])
def test_mistakes_in_a_status_are_named(folder, status, expected):
    service(folder, "garden", f"status: {status}")
    assert any(expected in problem for problem in problems(folder)), problems(folder)


def test_an_ended_status_is_reported_by_the_check_but_never_shown(folder):
    service(folder, "garden", "status: {level: limited, message: x, start: 2026-12-01, end: 2026-12-02}")
    site = load_site(folder)
    assert site.problems == []
    late = timely_problems(site, london(2026, 12, 5, 9))
    assert len(late) == 1 and "ended at the end of 2026-12-02" in str(late[0]) and late[0].code == "ended"
    assert timely_problems(site, london(2026, 12, 2, 9)) == []


# --- alerts --------------------------------------------------------------------------------------------

ALERTS = """
- id: snow
  severity: warning
  title: Snow and ice
  message: Bin collections may be late.
  start: 2027-01-10 06:00
  end: 2027-01-12
  link: {label: Gritting routes, url: /services/missed-bin}
  cy: {title: Eira a rhew, message: Gall casgliadau biniau fod yn hwyr., link: Llwybrau graeanu}
- id: water
  severity: emergency
  title: No water in Millbrook
  message: Water is off. Bottled water at the library.
  start: 2027-01-11 08:00
  cy: {title: Dim dŵr ym Millbrook, message: Mae'r dŵr i ffwrdd.}
- id: old
  severity: notice
  title: Offices closed
  message: The offices were closed on Monday.
  start: 2026-12-01
  end: 2026-12-01
  cy: {title: Swyddfeydd ar gau, message: Roedd y swyddfeydd ar gau.}
  keep: true
"""


def test_alerts_run_between_their_times_worst_first(folder):
    write(folder, "alerts.yaml", ALERTS)
    site = load_site(folder)
    assert site.problems == []
    assert [a.id for a in site.alerts_at(london(2027, 1, 11, 9))] == ["water", "snow"]  # emergency first
    assert [a.id for a in site.alerts_at(london(2027, 1, 13, 9))] == ["water"]  # snow ended; water has no end
    assert [a.id for a in site.upcoming_alerts(london(2027, 1, 10, 5))] == ["snow", "water"]
    snow = site.alerts[0]
    assert snow.dismissable and not site.alerts[1].dismissable
    assert snow.text_in("cy") == {"title": "Eira a rhew", "message": "Gall casgliadau biniau fod yn hwyr.", "lang": "cy"}
    assert snow.link.label_in("cy") == "Llwybrau graeanu"
    assert timely_problems(site, london(2027, 1, 11, 9)) == []  # "old" has ended but is kept


def test_an_alert_key_changes_when_its_words_do(folder):
    write(folder, "alerts.yaml", ALERTS)
    before = load_site(folder).alerts[0].key
    write(folder, "alerts.yaml", ALERTS.replace("may be late", "will be a day late"))
    after = load_site(folder).alerts[0].key
    assert before != after and before.startswith("snow.") and after.startswith("snow.")


def test_an_ended_alert_must_be_removed_or_kept(folder):
    write(folder, "alerts.yaml", ALERTS.replace("  keep: true\n", ""))
    found = [str(p) for p in timely_problems(load_site(folder), london(2027, 1, 11, 9))]
    assert len(found) == 1 and "alerts.yaml" in found[0] and "add 'keep: true'" in found[0]


@pytest.mark.parametrize("change, expected", [
    (("severity: warning", "severity: severe"), '"severe" is not one we know'),
    (("end: 2027-01-12", "end: 2027-01-09"), "is before the start"),
    (("url: /services/missed-bin", "url: /services/nowhere"), '"/services/nowhere" is not a page on this site'),
    (("url: /services/missed-bin", "url: https://grit.example/routes"), '"grit.example" is not a website'),
    (("- id: water", "- id: snow"), '"snow" is used by two alerts'),
    (("  title: Snow and ice\n", ""), '1.title": is missing'),
])
def test_mistakes_in_an_alert_are_named(folder, change, expected):
    write(folder, "alerts.yaml", ALERTS.replace(*change))
    assert any(expected in problem for problem in problems(folder)), problems(folder)


def test_an_alert_without_welsh_still_shows_but_the_check_asks_for_it(folder):
    write(folder, "alerts.yaml", ALERTS.replace("  cy: {title: Dim dŵr ym Millbrook, message: Mae'r dŵr i ffwrdd.}\n", ""))
    site = load_site(folder)
    assert "water" in [a.id for a in site.alerts]  # an emergency never waits for a translation
    (problem,) = site.problems
    assert "has no Welsh title or message" in str(problem) and not problem.hides_file
    assert site.alerts[1].text_in("cy")["lang"] == "en"


# --- A to Z subjects ---------------------------------------------------------------------------------------


def test_the_a_to_z_lists_services_by_subject_as_well_as_by_title(folder):
    service(folder, "missed-bin", "a_to_z: [Bins, Rubbish]")
    service(folder, "noise", "a_to_z: [Noise, bins]", title="Report noise from neighbours")
    letters = dict(load_site(folder).a_to_z())
    assert [(e.name, e.is_subject, [s.slug for s in e.services]) for e in letters["B"]] == [
        ("Bins", True, ["missed-bin", "noise"])]  # one subject, whatever its case
    assert [e.name for e in letters["N"]] == ["Noise"]
    assert [e.name for e in letters["R"]] == ["Report a missed bin", "Report noise from neighbours", "Rubbish"]


def test_a_to_z_subjects_are_short_words(folder):
    service(folder, "missed-bin", "a_to_z: [Bins, 'A subject that is far too long to be a subject in any A to Z', '-dash']")
    found = problems(folder)
    assert any("A subject is a word or two" in p for p in found) and any("should start with a letter" in p for p in found)


# --- step-by-step journeys ------------------------------------------------------------------------------

JOURNEY = """\
---
title: Moving to or within {area}
summary: What to do when you move in {area}.
reviewed: 2026-12-01
---
Moving means telling several people.

## Tell us you are moving

- [Report it](/services/missed-bin)

## And: Pay your bill

Pay it online at [GOV.UK](https://www.gov.uk/pay).

## Register to vote

- [Register on GOV.UK](https://www.gov.uk/register-to-vote)
"""
JOURNEY_CY = """\
---
title: Symud i {area}
---
Mae symud yn golygu dweud wrth sawl person.

## Dweud wrthym

- [Rhoi gwybod](/services/missed-bin)

## A: Talu eich bil

Talwch ar-lein.

## Cofrestru i bleidleisio

Ar GOV.UK.
"""


def test_a_journey_is_numbered_steps_with_and_or_steps_sharing_a_number(folder):
    write(folder, "steps/moving.md", JOURNEY)
    site = load_site(folder)
    assert site.problems == []
    journey = site.journeys["moving"]
    assert journey.title == "Moving to or within Ashby"  # {area}: the council's, from council.yaml
    assert [(s.number, s.logic, s.title) for s in journey.steps] == [
        (1, "", "Tell us you are moving"), (1, "and", "Pay your bill"), (2, "", "Register to vote")]
    assert journey.steps[0].services == ("missed-bin",) and journey.url_path == "/step-by-step/moving"
    assert "Moving means" in journey.intro_html and journey.steps[0].id == "step-tell-us-you-are-moving"


def test_a_service_page_knows_the_journeys_it_is_part_of_in_each_language(folder):
    write(folder, "steps/moving.md", JOURNEY)
    write(folder, "steps/moving.cy.md", JOURNEY_CY)
    site = load_site(folder)
    assert site.problems == []
    ((journey, step),) = site.journeys_with("missed-bin", "en")
    assert (journey.title, step.number, step.title) == ("Moving to or within Ashby", 1, "Tell us you are moving")
    ((journey, step),) = site.journeys_with("missed-bin", "cy")
    assert (journey.title, journey.lang, step.title) == ("Symud i Ashbi", "cy", "Dweud wrthym")
    assert site.journeys_with("nothing", "en") == []


@pytest.mark.parametrize("text, expected", [
    (JOURNEY.replace("## Tell us", "## And: Tell us"), 'The first step "And: Tell us you are moving" starts with "and"'),
    (JOURNEY.split("## Tell")[0], "has no steps"),
    (JOURNEY.replace("- [Register on GOV.UK](https://www.gov.uk/register-to-vote)", ""), "has nothing under its heading"),
    (JOURNEY.replace("/services/missed-bin", "/services/missing"), '"/services/missing" leads to a page that does not exist'),
    (JOURNEY.replace("https://www.gov.uk/pay", "https://www.gov.uk.example/pay"), "is not a website in trusted-hosts"),
])
def test_mistakes_in_a_journey_are_named(folder, text, expected):
    write(folder, "steps/moving.md", text)
    assert any("steps/moving.md" in p and expected in p for p in problems(folder)), problems(folder)


def test_a_translation_needs_the_same_steps(folder):
    write(folder, "steps/moving.md", JOURNEY)
    write(folder, "steps/moving.cy.md", JOURNEY_CY.split("## Cofrestru")[0])
    assert any("has 2 steps but the English version has 3" in p for p in problems(folder))


# --- bin collections --------------------------------------------------------------------------------------


def test_the_bin_rules_file_gives_a_rule_per_round_and_one_off_changes(folder):
    write(folder, "bin-collections.yaml", """
        bank_holidays: one-day-later
        rounds: {BKX09: same-day}
        changes:
          - {usual: 2026-12-25, moved_to: 2026-12-29, reason: Christmas, cy: y Nadolig}
          - {usual: 2027-01-01, moved_to: 2027-01-02, reason: New Year, cy: y Flwyddyn Newydd, rounds: [BKX01], bins: [recycling]}
    """)
    rules = load_site(folder).bin_rules
    assert rules.rule_for("BKX09") == "same-day" and rules.rule_for("BKX01") == "one-day-later"
    christmas, new_year = rules.changes
    assert christmas.applies_to("anything", "rubbish") and christmas.reason_in("cy") == "y Nadolig"
    assert new_year.applies_to("BKX01", "recycling") and not new_year.applies_to("BKX01", "rubbish")
    assert (new_year.usual, new_year.moved_to) == (date(2027, 1, 1), date(2027, 1, 2))


@pytest.mark.parametrize("text, expected", [
    ("bank_holidays: sometimes", '"sometimes" is not a rule we know'),
    ("rounds: {BKX09: never}", '"never" is not a rule we know'),
    ("changes: [{usual: 2026-12-25, moved_to: 2026-12-25, reason: x, cy: y}]", "is the same day as 'usual'"),
    ("changes: [{usual: 2026-12-25, moved_to: 2027-12-26, reason: x, cy: y}]", "more than 14 days"),
    ("changes: [{usual: 2026-12-25, moved_to: 2026-12-26, reason: x}]", 'changes.1.cy": is missing'),
    ("changes: [{usual: 2026-12-25, moved_to: 2026-12-26, reason: x, cy: y, bins: [glass]}]", '"glass" is not a kind of bin'),
    ("changes: [{usual: 2026-12-25, moved_to: 2026-12-26, reason: x, cy: y}, "
     "{usual: 2026-12-25, moved_to: 2026-12-27, reason: x, cy: y, rounds: [A1]}]", "is already changed by another"),
])
def test_mistakes_in_the_bin_rules_are_named(folder, text, expected):
    write(folder, "bin-collections.yaml", text)
    assert any("bin-collections.yaml" in p and expected in p for p in problems(folder)), problems(folder)


def test_missing_optional_files_mean_none(folder):
    site = load_site(folder)
    assert site.alerts == () and site.journeys == {} and site.bin_rules.changes == () and site.problems == []
