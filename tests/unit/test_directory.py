"""The directory of other organisations: the demo files, and the checks that explain mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from townhall.content import load_site
from townhall.content.directory import load_directory
from townhall.content.problems import ProblemLog

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def demo():
    log = ProblemLog()
    directory = load_directory(CONTENT, log)
    return directory, log


def test_demo_directory_is_valid_and_big_enough(demo):
    directory, log = demo
    assert log.problems == []
    assert len(directory.organisations) >= 30
    assert len(directory.categories) >= 8
    assert all(org.category in directory.categories for org in directory.organisations.values())


def test_key_public_numbers_are_right(demo):
    directory, _ = demo
    expected = {"nhs-111": "111", "police-101": "101", "gas-emergency": "0800 111 999", "power-cut-105": "105",
                "samaritans": "116 123", "emergency-services-999": "999", "national-highways": "0300 123 5000",
                "hm-passport-office": "0300 222 0000", "crimestoppers": "0800 555 111"}
    for slug, phone in expected.items():
        assert directory.organisation(slug).contact.phone == phone
    assert directory.organisation("emergency-services-999").contact.textphone == "18000"


def test_every_organisation_says_what_they_do_when_and_how(demo):
    directory, _ = demo
    for org in directory.organisations.values():
        assert org.responsible_for and org.contact_when and org.keywords
        contact = org.contact
        assert contact.phone or contact.website or contact.email or contact.address
        assert not contact.website or contact.website.startswith("https://")


def test_a_to_z_and_categories(demo):
    directory, _ = demo
    letters = [letter for letter, _ in directory.a_to_z()]
    assert letters == sorted(letters)
    names = [org.sort_key for _, orgs in directory.a_to_z() for org in orgs]
    assert names == sorted(names)
    grouped = sum(len(orgs) for _, orgs in directory.by_category())
    assert grouped == len(directory.organisations)


def test_the_site_loads_the_directory():
    site = load_site(CONTENT)
    assert site.directory is not None and "nhs-111" in site.directory.organisations
    assert not [p for p in site.problems if p.path.startswith("directory/")]


def write(folder: Path, name: str, text: str) -> None:
    path = folder / "directory" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


CATEGORIES = "- {slug: health, title: Health, summary: Doctors.}\n"


def test_mistakes_are_reported_by_file_and_field(tmp_path):
    write(tmp_path, "categories.yaml", CATEGORIES)
    write(tmp_path, "bad.md", """---
name: Bad Org
category: nowhere
responsible_for: Things.
contact_when: Always.
keywords: [thing]
sumary: typo
contact:
  phone: call us
  website: not a website
  hours: Someday 9am to 5pm
  other_numbers:
    - {label: Welsh, phone: nope}
reviewed: yesterday
---
""")
    write(tmp_path, "no-contact.md", """---
name: Nobody
category: health
responsible_for: Nothing.
contact_when: Never.
keywords: [none]
contact: {}
reviewed: 2026-01-01
---
""")
    log = ProblemLog()
    directory = load_directory(tmp_path, log)
    assert directory.organisations == {}
    messages = {(p.path, p.field): p.message for p in log.problems}
    assert ("directory/bad.md", "category") in messages and "health" in messages[("directory/bad.md", "category")]
    assert ("directory/bad.md", "sumary") in messages
    assert ("directory/bad.md", "contact.phone") in messages
    assert ("directory/bad.md", "contact.website") in messages
    assert ("directory/bad.md", "contact.hours") in messages
    assert ("directory/bad.md", "contact.other_numbers.1.phone") in messages
    assert ("directory/bad.md", "reviewed") in messages
    assert any(p.path == "directory/no-contact.md" and "phone number, a website" in p.message for p in log.problems)


def test_a_content_folder_without_a_directory_is_fine(tmp_path):
    log = ProblemLog()
    assert load_directory(tmp_path, log).organisations == {} and not log.problems


def test_file_names_that_would_hide_a_directory_page_are_refused(tmp_path):
    write(tmp_path, "categories.yaml", CATEGORIES)
    write(tmp_path, "a-to-z.md", "---\nname: X\n---\n")
    log = ProblemLog()
    assert load_directory(tmp_path, log).organisations == {}
    assert "taken by a page of the directory" in log.problems[0].message
