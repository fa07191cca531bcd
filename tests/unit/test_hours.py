"""Opening hours: what people write, what open data says, and "open now"."""

from datetime import datetime, time

import pytest

from townhall.hours import HoursError, parse_days, parse_hours, parse_spans, parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9am", time(9)), ("9.30am", time(9, 30)), ("12:30pm", time(12, 30)), ("12am", time(0)),
     ("17:00", time(17)), ("midday", time(12)), ("midnight", None), ("24:00", None), ("5 PM", time(17))],
)
def test_times_in_every_common_spelling(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "13pm", "9", "nine", "9:75am"])
def test_impossible_times_are_explained(text):
    with pytest.raises(HoursError):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Monday to Friday", (0, 1, 2, 3, 4)), ("Mo-Fr", (0, 1, 2, 3, 4)), ("Saturday and Sunday", (5, 6)),
     ("Monday, Wednesday and Friday", (0, 2, 4)), ("weekdays", (0, 1, 2, 3, 4)), ("every day", tuple(range(7))),
     ("Fri to Mon", (0, 4, 5, 6)), ("Tues", (1,))],
)
def test_days(text, expected):
    assert parse_days(text) == expected


def test_unknown_day_names_the_word():
    with pytest.raises(HoursError, match="funday"):
        parse_days("Monday and Funday")


def test_split_day_and_closed_day():
    hours = parse_hours([
        {"days": "Monday to Friday", "times": "9am to 1pm and 2pm to 5pm"},
        {"days": "Saturday", "times": "closed"},
    ])
    assert hours.summary() == [
        ("Monday to Friday", "9am to 1pm and 2pm to 5pm"),
        ("Saturday and Sunday", "Closed"),
    ]
    wednesday = datetime(2026, 11, 25)
    assert hours.is_open_at(wednesday.replace(hour=10))
    assert not hours.is_open_at(wednesday.replace(hour=13, minute=30))
    assert not hours.is_open_at(wednesday.replace(hour=17))  # closing time is closed
    assert not hours.is_open_at(datetime(2026, 11, 28, 10))  # Saturday


def test_openstreetmap_opening_hours():
    hours = parse_hours("Mo-Fr 09:00-17:00; Sa 10:00-16:00; Su off")
    assert hours.summary() == [("Monday to Friday", "9am to 5pm"), ("Saturday", "10am to 4pm"), ("Sunday", "Closed")]


def test_open_all_the_time():
    hours = parse_hours("24/7")
    assert hours.summary() == [("Every day", "open 24 hours")]
    assert hours.is_open_at(datetime(2026, 11, 29, 3, 0))


def test_until_midnight():
    hours = parse_hours("Friday 6pm to midnight")
    assert hours.is_open_at(datetime(2026, 11, 27, 23, 59))
    assert not hours.is_open_at(datetime(2026, 11, 28, 0, 30))


@pytest.mark.parametrize("spec", ["Monday 5pm to 9am", "9am to 5pm", [{"times": "9am to 5pm"}], 42, "Monday later"])
def test_bad_hours_raise_a_plain_error(spec):
    with pytest.raises(HoursError):
        parse_hours(spec)


def test_closing_must_follow_opening():
    with pytest.raises(HoursError, match="closing time must come after"):
        parse_spans("5pm to 9am")


def test_timezone_aware_moments_use_uk_time():
    from zoneinfo import ZoneInfo

    hours = parse_hours("Monday to Friday 9am to 5pm")
    # 08:30 in New York is 13:30 in London (winter).
    assert hours.is_open_at(datetime(2026, 11, 25, 8, 30, tzinfo=ZoneInfo("America/New_York")))
