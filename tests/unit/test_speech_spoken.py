"""Phone numbers, times and money read as people say them, in English and Welsh."""

from __future__ import annotations

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
