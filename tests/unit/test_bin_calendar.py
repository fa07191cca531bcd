"""Bin collections in bank-holiday weeks, one-off changes, and the iCalendar feed, checked against
bank holidays worked out by hand from the published England and Wales list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from townhall.cases.workingdays import WorkingCalendar
from townhall.content.models import BinChange, BinRules
from townhall.places.bincalendar import CalendarEvent, event_uid, round_calendar
from townhall.places.collections import BANK_HOLIDAY, CHANGE, collections_between, move, next_collections

BANK_HOLIDAYS = WorkingCalendar().day_off  # the cases domain's calendar: England and Wales, from `holidays`

# England and Wales bank holidays, as GOV.UK publishes them (substitute days included).
BY_HAND_2026 = {
    date(2026, 1, 1): "New Year's Day", date(2026, 4, 3): "Good Friday", date(2026, 4, 6): "Easter Monday",
    date(2026, 5, 4): "Early May bank holiday", date(2026, 5, 25): "Spring bank holiday",
    date(2026, 8, 31): "Summer bank holiday", date(2026, 12, 25): "Christmas Day",
    date(2026, 12, 28): "Boxing Day (substitute day)",
}
# A round with a collection every weekday would show every move; real rounds come one day a week,
# every other week for each bin. These are the demo's kind: the day and the first collections.
MONDAY = {"every_weeks": 2, "recycling_from": "2026-04-06", "rubbish_from": "2026-04-13"}
FRIDAY = {"every_weeks": 2, "recycling_from": "2026-04-10", "rubbish_from": "2026-04-17"}
WEEKLY_WEDNESDAY = {"every_weeks": 1, "rubbish_from": "2026-01-07"}


def test_the_calendar_we_reuse_has_the_bank_holidays_we_worked_out_by_hand():
    found = {day for day in (date(2026, 1, 1) + timedelta(days=n) for n in range(365)) if BANK_HOLIDAYS(day)}
    assert found == set(BY_HAND_2026)


def all_days(properties, first, last, code="R1", rules=None):
    found = collections_between(properties, first, last, code=code, rules=rules, bank_holiday=BANK_HOLIDAYS)
    return sorted((c.day, dates.bin, c.usual, c.why) for dates in found for c in dates.collections)


def test_a_monday_collection_on_a_bank_holiday_comes_on_tuesday():
    found = all_days(MONDAY, date(2026, 4, 1), date(2026, 6, 10))
    moved = [(day, usual) for day, _bin, usual, why in found if why]
    assert moved == [(date(2026, 4, 7), date(2026, 4, 6)),  # Easter Monday
                     (date(2026, 5, 5), date(2026, 5, 4)),  # Early May bank holiday
                     (date(2026, 5, 26), date(2026, 5, 25))]  # Spring bank holiday


def test_the_rest_of_the_week_moves_a_day_later_and_friday_moves_to_saturday():
    found = all_days(FRIDAY, date(2026, 4, 1), date(2026, 9, 10))
    moved = {usual: day for day, _bin, usual, why in found if why}
    assert moved[date(2026, 4, 10)] == date(2026, 4, 11)  # Easter Monday earlier that week
    assert moved[date(2026, 5, 8)] == date(2026, 5, 9)  # Early May
    assert moved[date(2026, 5, 29)] == date(2026, 5, 30)  # Spring
    assert moved[date(2026, 9, 4)] == date(2026, 9, 5)  # Summer bank holiday, 31 August
    unmoved = [day for day, _bin, usual, why in found if not why]
    assert all(day.weekday() == 4 for day in unmoved)
    assert len(moved) == 4


def test_a_good_friday_collection_moves_to_saturday():
    good_friday = move(date(2026, 4, 3), "R1", "rubbish", BinRules(), BANK_HOLIDAYS)
    assert (good_friday.day, good_friday.why, good_friday.reason_in("en")) == (date(2026, 4, 4), BANK_HOLIDAY,
                                                                                "Good Friday")
    assert good_friday.reason_in("cy") == "Dydd Gwener y Groglith"


def test_two_bank_holidays_move_later_days_two_days_and_never_onto_a_bank_holiday():
    # Christmas 2027: Saturday 25 and Sunday 26 December, so Monday 27 and Tuesday 28 are substitute days.
    rules = BinRules()
    assert move(date(2027, 12, 27), "R1", "rubbish", rules, BANK_HOLIDAYS).day == date(2027, 12, 29)  # not the 28th
    assert move(date(2027, 12, 29), "R1", "rubbish", rules, BANK_HOLIDAYS).day == date(2027, 12, 31)
    boxing = move(date(2027, 12, 28), "R1", "rubbish", rules, BANK_HOLIDAYS)
    assert boxing.day == date(2027, 12, 30) and boxing.reason_in("en") == "Boxing Day (substitute day)"


def test_a_weekly_round_in_christmas_week_2026():
    found = all_days(WEEKLY_WEDNESDAY, date(2026, 12, 20), date(2027, 1, 10))
    assert [(day, why) for day, _bin, _usual, why in found] == [
        (date(2026, 12, 23), None),  # Christmas Day is on the Friday, after Wednesday
        (date(2026, 12, 31), BANK_HOLIDAY),  # Monday 28th (Boxing Day, substitute) moves Wednesday to Thursday
        (date(2027, 1, 6), None),
    ]


def test_a_one_off_change_wins_over_the_rule_for_the_rounds_and_bins_it_names():
    change = BinChange(date(2026, 12, 30), date(2027, 1, 2), "Christmas", "y Nadolig", rounds=("R1",))
    rules = BinRules(changes=(change,))
    moved = move(date(2026, 12, 30), "R1", "rubbish", rules, BANK_HOLIDAYS)
    assert (moved.day, moved.why, moved.reason_in("en"), moved.reason_in("cy")) == (
        date(2027, 1, 2), CHANGE, "Christmas", "y Nadolig")
    other_round = move(date(2026, 12, 30), "R2", "rubbish", rules, BANK_HOLIDAYS)
    assert (other_round.day, other_round.why) == (date(2026, 12, 31), BANK_HOLIDAY)


def test_a_same_day_round_ignores_bank_holidays():
    rules = BinRules(rounds={"R9": "same-day"})
    found = all_days(MONDAY, date(2026, 4, 1), date(2026, 6, 10), code="R9", rules=rules)
    assert all(why is None for *_rest, why in found) and date(2026, 4, 6) in [day for day, *_ in found]


def test_a_collection_moved_into_the_window_is_listed_and_one_moved_out_is_not():
    # Usually Friday 1 January 2027 (a bank holiday, after Monday 28th's): the rule would give Sunday 3rd.
    change = BinChange(date(2027, 1, 1), date(2027, 1, 2), "New Year", "y Flwyddyn Newydd")
    weekly_friday = {"every_weeks": 1, "rubbish_from": "2026-12-04"}
    found = all_days(weekly_friday, date(2027, 1, 2), date(2027, 1, 9), rules=BinRules(changes=(change,)))
    assert [day for day, *_ in found] == [date(2027, 1, 2), date(2027, 1, 8)]
    found = all_days(weekly_friday, date(2026, 12, 31), date(2027, 1, 1), rules=BinRules(changes=(change,)))
    assert found == []


def test_next_collections_skip_what_has_moved_before_today():
    # Today is Tuesday 7 April 2026: Monday's recycling moved to today, so it still counts.
    found = next_collections(MONDAY, date(2026, 4, 7), 2, code="R1", bank_holiday=BANK_HOLIDAYS)
    dates = {found_bin.bin: found_bin.dates for found_bin in found}
    assert dates["recycling"] == (date(2026, 4, 7), date(2026, 4, 20))
    assert dates["rubbish"] == (date(2026, 4, 13), date(2026, 4, 27))


# --- the iCalendar feed -------------------------------------------------------------------------------------


def feed(properties, first, last, code="BKR01"):
    found = collections_between(properties, first, last, code=code, bank_holiday=BANK_HOLIDAYS)
    events = [CalendarEvent(c, dates.bin, f"{dates.bin.title()} collection", "Moved" if c.moved else "")
              for dates in found for c in dates.collections]
    body = round_calendar(events, code=code, name="Bin collections: Monday round A", description="Bin days",
                          lang="en", now=datetime(2026, 3, 30, 9, tzinfo=UTC), domain="council.example",
                          url="https://council.example/bin-collections/BKR01/calendar")
    return Calendar.from_ical(body)


def test_the_feed_is_standard_icalendar_with_one_all_day_event_per_collection():
    calendar = feed(MONDAY, date(2026, 4, 1), date(2027, 3, 31))
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["X-WR-CALNAME"]) == "Bin collections: Monday round A"
    events = calendar.walk("VEVENT")
    assert len(events) == 52  # one collection a week, bins taking turns, for a year
    for event in events:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and end - start == timedelta(days=1)  # all day
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert event.decoded("DTSTAMP") == datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert len({str(event["UID"]) for event in events}) == len(events)


def test_the_feed_moves_exactly_the_collections_in_bank_holiday_weeks():
    calendar = feed(MONDAY, date(2026, 4, 1), date(2027, 3, 31))
    days = sorted(event.decoded("DTSTART") for event in calendar.walk("VEVENT"))
    tuesdays = [day for day in days if day.weekday() == 1]
    # A Monday round moves only when the Monday is a bank holiday, to the Tuesday. Worked out by hand:
    # of the Mondays from April 2026 to March 2027, these are bank holidays.
    mondays_off = [date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 28),
                   date(2027, 3, 29)]  # Easter Monday 2027
    assert tuesdays == [day + timedelta(days=1) for day in mondays_off]
    assert all(day.weekday() in (0, 1) for day in days)
    moved = [e for e in calendar.walk("VEVENT") if str(e.get("DESCRIPTION", "")) == "Moved"]
    assert len(moved) == len(mondays_off)


def test_an_event_keeps_its_uid_when_its_day_moves():
    usual = date(2026, 4, 6)
    uid = event_uid("BKR01", "recycling", usual, "council.example")
    calendar = feed(MONDAY, date(2026, 4, 1), date(2026, 4, 30))
    (event,) = [e for e in calendar.walk("VEVENT") if str(e["UID"]) == uid]
    assert event.decoded("DTSTART") == date(2026, 4, 7)


@pytest.mark.parametrize("properties", [{}, {"rubbish_from": "soon"}, {"rubbish_from": "2026-04-06", "every_weeks": 0}])
def test_no_feed_events_without_usable_data(properties):
    assert feed(properties, date(2026, 4, 1), date(2026, 5, 1)).walk("VEVENT") == []
