"""Opening-hours features the places capability needed: plural day names and "next change"."""

from datetime import datetime, time

import pytest

from townhall.hours import HoursError, parse_hours


@pytest.mark.parametrize("text", ["Tuesdays 7pm to 9pm", "tuesdays 19:00-21:00", "Tuesday 7pm to 9pm"])
def test_plural_day_names_as_clubs_write_them(text):
    hours = parse_hours(text)
    assert hours.week[1] and not hours.week[0]
    assert hours.is_open_at(datetime(2026, 4, 7, 20, 0))  # a Tuesday


def test_plural_lists_and_ranges():
    hours = parse_hours("Mondays and Thursdays 1pm to 4:30pm")
    assert [bool(day) for day in hours.week] == [True, False, False, True, False, False, False]


def test_words_ending_in_s_are_still_checked():
    with pytest.raises(HoursError):
        parse_hours("Mos 9am to 5pm")


WEEKDAYS = parse_hours("Monday to Friday 9am to 5pm")


def test_next_change_when_open_is_closing_time():
    assert WEEKDAYS.next_change(datetime(2026, 4, 6, 10, 0)) == (0, time(17))  # Monday


def test_next_change_when_closed_is_next_opening():
    assert WEEKDAYS.next_change(datetime(2026, 4, 6, 18, 0)) == (1, time(9))  # Monday evening
    assert WEEKDAYS.next_change(datetime(2026, 4, 4, 12, 0)) == (2, time(9))  # Saturday
    assert WEEKDAYS.next_change(datetime(2026, 4, 6, 8, 0)) == (0, time(9))  # Monday morning


def test_next_change_after_the_last_opening_of_the_week():
    once = parse_hours("Monday 9am to 10am")
    assert once.next_change(datetime(2026, 4, 6, 11, 0)) == (7, time(9))


def test_next_change_runs_through_midnight():
    late = parse_hours("Friday 8pm to midnight; Saturday 00:00-02:00")
    assert late.next_change(datetime(2026, 4, 10, 23, 0)) == (1, time(2))
    until_midnight = parse_hours("Friday 8pm to midnight")
    assert until_midnight.next_change(datetime(2026, 4, 10, 23, 0)) == (0, None)


def test_never_changes():
    assert parse_hours("24/7").next_change(datetime(2026, 4, 6, 10, 0)) is None
    assert parse_hours("Monday closed").next_change(datetime(2026, 4, 6, 10, 0)) is None
