"""Phone numbers, times and money read as people say them, in English and Welsh."""

from __future__ import annotations

import re

import pytest

from townhall.speech.spoken import normalise, speak_phone
from townhall.speech.words import ENGLISH, words_for


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("01632 960000", "0 1 6 3 2, 9 6 0, 0 0 0"),
        ("18001 01632 960000", "1 8 0 0 1, 0 1 6 3 2, 9 6 0, 0 0 0"),
        ("0800 123 4567", "0 8 0 0, 1 2 3, 4 5 6 7"),
        ("+44 1632 960000", "plus 4 4, 1 6 3 2, 9 6 0, 0 0 0"),
    ],
)
def test_phone_numbers_are_read_digit_by_digit_in_groups(written: str, spoken: str) -> None:
    assert speak_phone(written, ENGLISH) == spoken
    assert normalise(f"Call {written} today.") == f"Call {spoken} today."


def test_numbers_that_are_not_phone_numbers_are_left_alone() -> None:
    assert normalise("In 2026 we emptied 1234 bins, reference 12345678.") == (
        "In 2026 we emptied 1234 bins, reference 12345678."
    )


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("Open 8:30am to 5pm", "Open 8:30am to 5pm"),
        ("Open 09:00-17:00", "Open 9am to 5pm"),
        ("from 9.30 a.m.", "from 9:30am"),
        ("until 12:00", "until midday"),
        ("Sat 10am–1pm", "Sat 10am to 1pm"),
    ],
)
def test_times_in_english(written: str, spoken: str) -> None:
    assert normalise(written) == spoken


def test_times_in_welsh_say_morning_afternoon_and_evening() -> None:
    assert normalise("9yb tan 5yh", "cy") == "9 y bore tan 5 y prynhawn"
    assert normalise("09:00-19:30", "cy") == "9 y bore tan 7:30 yr hwyr"


def test_money_and_free_charges() -> None:
    assert normalise("£52 a year, £1.50 each, £1,200 a week or 50p") == (
        "52 pounds a year, 1 pound 50 each, 1,200 pounds a week or 50 pence"
    )
    assert normalise("It costs £0.") == "It costs free."
    assert normalise("£52 y flwyddyn, £0", "cy") == "52 punt y flwyddyn, am ddim"


def test_symbols_and_abbreviations_become_words() -> None:
    assert normalise("Bins & boxes, e.g. glass · Paper") == "Bins and boxes, for example glass, Paper"


def test_unknown_languages_use_english_words() -> None:
    assert words_for("fr") is ENGLISH
    assert words_for("cy-GB").heading == "Pennawd"


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("If you are in danger, call 999.", "If you are in danger, call 9 9 9."),
        ("Emergency services (999)", "Emergency services (9 9 9)"),
        ("112 also works.", "1 1 2 also works."),
        ("For urgent medical help call NHS 111.", "For urgent medical help call NHS 1 1 1."),
        ("Calls to 111 are free.", "Calls to 1 1 1 are free."),
        ("For crime that is not an emergency call the police on 101.",
         "For crime that is not an emergency call the police on 1 0 1."),
        ("Police non-emergency number (101)", "Police non-emergency number (1 0 1)"),
        ("Power cuts (105)", "Power cuts (1 0 5)"),
        ("105 puts you through to your local electricity network operator.",
         "1 0 5 puts you through to your local electricity network operator."),
        ("Phone: 105", "Phone: 1 0 5"),
        ("Tel. 111", "Tel. 1 1 1"),
        ("Samaritans: call 116 123, free.", "Samaritans: call 1 1 6, 1 2 3, free."),
        ("Childline: 0800 1111", "Childline: 0 8 0 0, 1 1 1 1"),
        ("Use a textphone and call 18000.", "Use a textphone and call 1 8 0 0 0."),
        ("Dial 18001 then 01632 960000.", "Dial 1 8 0 0 1 then 0 1 6 3 2, 9 6 0, 0 0 0."),
        ("Relay UK: 18001 111", "Relay UK: 1 8 0 0 1, 1 1 1"),
        ("Call 999 or 112", "Call 9 9 9 or 1 1 2"),
    ],
)
def test_short_service_numbers_are_read_digit_by_digit(written: str, spoken: str) -> None:
    assert normalise(written) == spoken


def test_short_service_numbers_in_welsh() -> None:
    assert normalise("Os ydych mewn perygl, ffoniwch 999.", "cy") == "Os ydych mewn perygl, ffoniwch 9 9 9."
    assert normalise("Ffoniwch GIG 111.", "cy") == "Ffoniwch GIG 1 1 1."
    assert normalise("Deialwch 18001 ac yna 0800 1111.", "cy") == "Deialwch 1 8 0 0 1 ac yna 0 8 0 0, 1 1 1 1."


@pytest.mark.parametrize(
    "written",
    ["We have 3 bins.", "In 2026 we emptied 1234 bins.", "It costs £111, or £ 101.", "101 Market Street",
     "The police station is at 101 High Street.", "Room 101", "We have 101 bins. Call us.", "See page 105 of 116.",
     "111.5 miles", "9,999 people", "Website: 111.nhs.uk", "A 105 litre bin", "press 55", "reference 12345678"],
)
def test_other_numbers_stay_numbers(written: str) -> None:
    spoken = normalise(written)
    assert not re.search(r"\b\d \d \d\b", spoken), spoken
    assert re.findall(r"\d+", spoken) == re.findall(r"\d+", written)


def test_pauses_for_line_breaks_and_cells_never_double_the_punctuation() -> None:
    assert normalise("Brackenford District Council , From our boundary") == (
        "Brackenford District Council, From our boundary")
    assert normalise("If it is about: a crime now., Contact: Police") == "If it is about: a crime now. Contact: Police"
    assert normalise("Recycling is collected in week B. ,") == "Recycling is collected in week B."
    assert normalise("Not sure who to contact?, All services") == "Not sure who to contact? All services"
    assert normalise("Open now , , See the list ,") == "Open now, See the list"
    assert normalise("£1,200 and 0 1 6 3 2, 9 6 0") == "1,200 pounds and 0 1 6 3 2, 9 6 0"
