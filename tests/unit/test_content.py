"""The content loader: the demo content is valid, and every kind of mistake is explained."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import pytest

from townhall import engines
from townhall.content import load_site
from townhall.content.markdown import render_markdown

CATEGORIES = """
- slug: bins
  title: Bins and recycling
  summary: Collections and recycling.
  cy:
    title: Biniau ac ailgylchu
    summary: Casgliadau ac ailgylchu.
"""
CONTACTS = """
customer-services:
  team: Customer Services
  phone: 01632 960000
  textphone: 18001 01632 960000
  email: hello@brackenford.example
  hours:
    - days: Monday to Friday
      times: 8:30am to 5pm
"""
STANDARDS = """
- id: phone-answer
  channel: Phone
  promise: answer your call
  within: 20 seconds
- id: first-contact
  channel: All
  promise: sort out your query the first time
  target_percent: 70
"""
GOOD_SERVICE = """\
---
title: Report a missed bin
summary: Tell us if we did not empty your bin.
category: bins
keywords: [missed bin, bin not emptied]
responsible: Waste Team
top_task: true
contact: customer-services
charges: free
standard:
  promise: collect your bin
  within: 2 working days
reviewed: 2026-09-14
---
We will come back for your bin.

## How to report it

Call us.
"""


COUNCIL = """\
name: Ashby Borough Council
short_name: Ashby
main_contact: customer-services
example_postcode: AB1 2DE
cy:
  name: Cyngor Bwrdeistref Ashby
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    write(root, "categories.yaml", CATEGORIES)
    write(root, "contacts.yaml", CONTACTS)
    write(root, "council.yaml", COUNCIL)
    write(root, "standards.yaml", STANDARDS)
    write(root, "services/missed-bin.md", GOOD_SERVICE)
    return root


def test_the_council_is_named_in_content(folder):
    council = load_site(folder).council
    assert council.name_in("en") == "Ashby Borough Council" and council.name_in("cy") == "Cyngor Bwrdeistref Ashby"
    assert council.slug == "ashby" and council.main_contact.phone == "01632 960000"


@pytest.mark.parametrize("change, message", [
    (("main_contact: customer-services", "main_contact: nobody"), '"nobody" is not a contact in contacts.yaml'),
    (("name: Ashby Borough Council\n", ""), "name"),
])
def test_mistakes_in_the_council_file_are_named(folder, change, message):
    path = folder / "council.yaml"
    path.write_text(path.read_text().replace(*change))
    assert any("council.yaml" in problem and message in problem for problem in problems_of(folder))


def problems_of(root: Path) -> list[str]:
    return [str(problem) for problem in load_site(root).problems]


def test_the_demo_content_has_no_problems(app):
    site = engines.site(app)  # checked against the app's real addresses
    assert [str(p) for p in site.problems] == []
    assert len(site.services) >= 30
    assert len({service.category for service in site.services.values()}) >= 8
    assert len(site.top_tasks()) >= 4
    for slug in ("contact-us", "our-customer-promise", "our-service-standards", "how-to-complain",
                 "accessibility-statement", "cookies", "other-formats-and-languages"):
        assert slug in site.pages, slug


def test_a_good_service_loads_with_everything_a_resident_needs(folder):
    site = load_site(folder)
    assert site.problems == []
    service = site.services["missed-bin"]
    assert service.title == "Report a missed bin"
    assert service.contact.phone == "01632 960000"
    assert service.contact.hours.is_open_at(__import__("datetime").datetime(2026, 11, 25, 9))
    assert service.is_free
    assert (service.standard.within.amount, service.standard.within.unit) == (2, "working days")
    assert service.reviewed == date(2026, 9, 14)
    assert service.headings[0].id == "how-to-report-it"
    assert site.standards[1].target_percent == 70


def test_missing_field_names_the_file_and_the_field(folder):
    write(folder, "services/missed-bin.md", GOOD_SERVICE.replace("responsible: Waste Team\n", ""))
    assert problems_of(folder) == ['services/missed-bin.md: the setting "responsible": is missing. Add it as text']
    assert "missed-bin" not in load_site(folder).services


def test_broken_yaml_gives_the_line(folder):
    write(folder, "services/missed-bin.md", GOOD_SERVICE.replace("summary: Tell", "summary Tell\n  : x: y"))
    [problem] = load_site(folder).problems
    assert problem.path == "services/missed-bin.md"
    assert problem.line is not None and 2 <= problem.line <= 5
    assert "could not be read" in problem.message


def test_a_file_without_settings_is_explained(folder):
    write(folder, "services/notes.md", "Just some text\n")
    [problem] = problems_of(folder)
    assert "three dashes" in problem


def test_settings_without_their_closing_dashes_are_one_clear_problem(folder):
    write(folder, "services/missed-bin.md", GOOD_SERVICE.replace("reviewed: 2026-09-14\n---\n", "reviewed: 2026-09-14\n"))
    [problem] = problems_of(folder)
    assert "should end with a line of three dashes" in problem


def test_settings_written_as_a_list_are_explained(folder):
    write(folder, "services/missed-bin.md", "---\n- title: Report a missed bin\n- summary: x\n---\nText\n")
    [problem] = problems_of(folder)
    assert "'name: value' lines" in problem and "not a list" in problem


@pytest.mark.parametrize("setting", ["content", "handler"])
def test_a_setting_named_like_the_loaders_own_words_is_an_unknown_field(folder, setting):
    write(folder, "services/missed-bin.md", GOOD_SERVICE.replace("reviewed:", f"{setting}: x\nreviewed:"))
    [problem] = problems_of(folder)
    assert problem.startswith(f'services/missed-bin.md, line 13: the setting "{setting}"'), problem


@pytest.mark.parametrize("name", ["services/missed-bin.md", "standards.yaml"])
def test_a_date_that_cannot_exist_names_the_field_and_never_crashes(folder, name):
    if name.endswith(".md"):
        write(folder, name, GOOD_SERVICE.replace("reviewed: 2026-09-14", "reviewed: 2026-13-45"))
        expected = 'services/missed-bin.md, line 13: the setting "reviewed": "2026-13-45" is not a date that exists'
    else:
        write(folder, name, STANDARDS + "  note: 2026-02-30\n")
        expected = "standards.yaml"
    problems = problems_of(folder)
    assert problems and problems[0].startswith(expected), problems


def test_a_typo_in_a_field_name_lists_the_right_names(folder):
    write(folder, "services/missed-bin.md", GOOD_SERVICE.replace("summary:", "sumary:"))
    found = problems_of(folder)
    assert any('"sumary": is not a setting we know' in p and "summary" in p for p in found)
    assert any('"summary": is missing' in p for p in found)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("category: bins", "category: parking"), '"parking" is not one we know. Choose one of: bins'),
        (("contact: customer-services", "contact: nobody"), '"nobody" is not a contact in contacts.yaml'),
        (("reviewed: 2026-09-14", "reviewed: 14/09/2026"), "with hyphens: 2026-09-14 (for 14/09/2026)"),
        (("within: 2 working days", "within: soon"), 'should be a whole number and a unit'),
        (("charges: free", "charges:\n  - item: Bin\n    amount: 30 pounds"), "should be an amount in pounds"),
        (("charges: free", "charges: maybe"), 'Write "charges: free"'),
        (("top_task: true", "top_task: yes please"), "should be true or false"),
        (("title: Report a missed bin", "title: " + "Very long title " * 6), "Keep it to 70 or fewer"),
    ],
)
def test_wrong_values_are_explained(folder, change, expected):
    write(folder, "services/missed-bin.md", GOOD_SERVICE.replace(*change))
    found = problems_of(folder)
    assert any(expected in p for p in found), found


def test_inline_contact_is_checked(folder):
    inline = "contact:\n  team: Bins\n  phone: 12345\n  email: not-an-email\n  hours: Funday 9am to 5pm"
    write(folder, "services/missed-bin.md", GOOD_SERVICE.replace("contact: customer-services", inline))
    found = "\n".join(problems_of(folder))
    assert '"contact.phone": "12345" is not a UK phone number' in found
    assert '"contact.email": "not-an-email" is not an email address' in found
    assert '"contact.hours": "funday"' in found


def test_a_contact_needs_a_way_to_reach_it(folder):
    write(folder, "contacts.yaml", "customer-services:\n  team: Nobody\n")
    assert any("needs at least a phone number" in p for p in problems_of(folder))


def test_a_file_that_is_not_utf8_is_explained(folder):
    (folder / "services" / "latin.md").write_bytes(GOOD_SERVICE.replace("Waste", "Caf\xe9").encode("latin-1"))
    assert any("is not saved as UTF-8" in p for p in problems_of(folder))


def test_a_single_hash_heading_is_reported_and_shown_as_h2(folder):
    write(folder, "services/missed-bin.md", GOOD_SERVICE.replace("## How to report it", "# How to report it"))
    site = load_site(folder)
    assert any("Use ## instead" in str(p) for p in site.problems)
    assert "<h1" not in render_markdown("# Title\n").html


def test_raw_html_is_shown_as_text_never_run():
    html = render_markdown('Hello <script>alert(1)</script> <b onclick="x">bold</b>').html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_link_to_a_missing_page_is_an_error_that_keeps_a_new_page_out(folder):
    write(folder, "services/missed-bin.md", GOOD_SERVICE + "\nSee [parking](/services/parking-permits).\n")
    site = load_site(folder)
    [problem] = site.problems
    assert "/services/parking-permits" in problem.message and problem.hides_file and problem.line == 21
    assert problem.code == "broken-link"
    assert "missed-bin" not in site.services and site.files["services/missed-bin.md"].state == "left-out"


def test_translation_inherits_what_it_does_not_translate(folder):
    write(folder, "services/missed-bin.cy.md", """\
        ---
        title: Rhoi gwybod am fin heb ei gasglu
        summary: Dywedwch wrthym os na wnaethom wagio eich bin.
        ---
        Byddwn yn dod yn ôl.
        """)
    site = load_site(folder)
    assert site.problems == []
    welsh = site.service("missed-bin", "cy")
    assert welsh.lang == "cy" and welsh.title.startswith("Rhoi")
    assert welsh.contact == site.services["missed-bin"].contact
    assert site.service("missed-bin", "en").lang == "en"
    assert site.category("bins", "cy").title == "Biniau ac ailgylchu"


def test_translation_of_nothing_is_reported(folder):
    write(folder, "services/ghost.cy.md", "---\ntitle: Ysbryd\n---\nTestun.\n")
    assert any("is a translation of services/ghost.md, which does not exist" in p for p in problems_of(folder))


def test_a_missing_folder_is_explained(tmp_path):
    assert "does not exist" in problems_of(tmp_path / "nowhere")[0]


def test_fingerprint_changes_when_content_changes(folder):
    before = load_site(folder).fingerprint
    write(folder, "services/missed-bin.md", GOOD_SERVICE.replace("Call us.", "Phone us."))
    assert load_site(folder).fingerprint != before
