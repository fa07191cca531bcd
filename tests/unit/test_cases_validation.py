"""Checking what residents type: errors are values, in field order, with GOV.UK wording; nothing raises."""

from __future__ import annotations

import re
from dataclasses import asdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from townhall.cases.models import SIZES
from townhall.cases.validation import (
    FORM_FIELDS,
    TOO_LONG,
    clean_text,
    validate_stage_two,
    validate_submission,
    validate_track,
)

SERVICES = {"report-a-missed-bin": "Report a missed bin", "pay-your-council-tax": "Pay your Council Tax"}
GOOD = {"service": "report-a-missed-bin", "details": "My bin was missed on Tuesday.", "name": "Jo Bloggs",
        "contact_preference": "email", "email": "jo@example.com", "postcode": "bk1 1aa"}


def test_a_good_enquiry():
    result = validate_submission("enquiry", GOOD, services=SERVICES, language="cy")
    assert result.ok and result.errors == {}
    submission = result.submission
    assert submission.service_title == "Report a missed bin"
    assert submission.postcode == "BK1 1AA"
    assert submission.language == "cy"
    assert submission.stage is None


def test_an_empty_form_lists_what_is_missing_in_page_order():
    result = validate_submission("complaint", {})
    assert list(result.errors) == ["details", "name", "contact_preference"]
    assert result.errors["details"] == "Tell us what your complaint is about"
    assert result.errors["name"] == "Enter your full name"
    assert result.submission is None


def test_contact_preference_decides_what_is_needed():
    base = {"details": "x", "name": "Jo"}
    assert validate_submission("enquiry", {**base, "contact_preference": "email"}).errors == {
        "email": "Enter your email address"}
    assert validate_submission("enquiry", {**base, "contact_preference": "phone"}).errors == {
        "phone": "Enter a telephone number"}
    assert validate_submission("enquiry", {**base, "contact_preference": "letter"}).errors == {
        "address": "Enter your address", "postcode": "Enter your postcode"}
    assert "contact_preference" in validate_submission("enquiry", {**base, "contact_preference": "pigeon"}).errors
    assert "contact_preference" in validate_submission("enquiry", {**base, "contact_preference": "none"}).errors


def test_bad_formats_get_specific_messages():
    result = validate_submission("enquiry", {**GOOD, "email": "jo@", "phone": "12", "postcode": "nowhere"})
    assert result.errors == {
        "email": "Enter an email address in the correct format, like name@example.com",
        "phone": "Enter a telephone number, like 01632 960 001 or 07700 900 982",
        "postcode": "Enter a full UK postcode, like %(example)s",  # the web layer fills in the council's postcode
    }
    assert result.values["email"] == "jo@"  # kept to show again


@pytest.mark.parametrize("phone", ["01632 960 001", "07700 900 982", "+44 (0)1632 960001", "(01632) 960001",
                                   "+33 1 23 45 67 89"])
def test_phone_numbers_accepted(phone):
    assert validate_submission("enquiry", {**GOOD, "phone": phone}).ok


def test_unknown_service():
    assert validate_submission("enquiry", {**GOOD, "service": "nope"}, services=SERVICES).errors == {
        "service": "Choose a service from the list"}


def test_every_field_has_a_size_limit_with_a_message():
    for name in ("details", "desired_outcome", "name", "address", "access_needs"):
        form = {**GOOD, name: "a" * (SIZES[name] + 1)}
        assert validate_submission("complaint", form).errors.get(name) == TOO_LONG[name], name
    assert "email" in validate_submission("enquiry", {**GOOD, "email": "a" * 250 + "@example.com"}).errors
    assert "phone" in validate_submission("enquiry", {**GOOD, "phone": "0" * 40}).errors


def test_size_messages_state_the_real_limits():
    for name, message in TOO_LONG.items():
        numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", message)]
        if numbers and name in SIZES and name != "postcode":
            assert numbers == [SIZES[name]], name


def test_compliments_need_no_name_or_contact():
    result = validate_submission("compliment", {"details": "The library staff were wonderful"})
    assert result.ok
    assert result.submission.contact_preference == "none"


def test_format_request():
    base = {**GOOD, "details": "My council tax bill"}
    assert validate_submission("format_request", base).errors == {"format": "Select the format or language you need"}
    assert validate_submission("format_request", {**base, "format": "spoken_language"}).errors == {
        "format_language": "Enter the language you need"}
    result = validate_submission("format_request", {**base, "format": "spoken_language", "format_language": "Polish"})
    assert result.ok and result.submission.format_language == "Polish"


def test_control_characters_and_line_endings_are_cleaned():
    assert clean_text("a\x00b\r\nc", multiline=True) == "ab\nc"
    assert clean_text("  Jo \t  Bloggs\n") == "Jo Bloggs"
    assert clean_text(None) == "" and clean_text(42) == ""


def test_stage_two_and_track_forms():
    request, errors, _ = validate_stage_two({"reference": "bk 7kq4 m9xr", "email_or_postcode": "jo@example.com",
                                             "details": "Not fixed"}, prefix="BK")
    assert errors == {} and request.reference == "BK-7KQ4-M9XR"
    _, errors, _ = validate_stage_two({"reference": "nonsense"})
    assert set(errors) == {"reference", "email_or_postcode", "details"}
    found, errors, _ = validate_track({"reference": "BK7KQ4M9XR", "email_or_postcode": "BK1 1AA"}, prefix="BK")
    assert found == ("BK-7KQ4-M9XR", "BK1 1AA")


FORM_VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=300), st.text(max_size=6000))


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["enquiry", "complaint", "format_request", "compliment"]),
       st.dictionaries(st.sampled_from(FORM_FIELDS + ("format",)), FORM_VALUES))
def test_nothing_anyone_types_makes_it_raise(kind, form):
    result = validate_submission(kind, form, services=SERVICES)
    assert result.ok == (result.submission is not None)
    for name, value in (asdict(result.submission) if result.submission else {}).items():
        if isinstance(value, str) and name in SIZES:
            assert len(value) <= SIZES[name]
