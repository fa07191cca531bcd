"""Working days around bank holidays and closures. Expected dates are worked out by hand from a calendar,
not by asking the `holidays` package again."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from townhall.cases.workingdays import (
    BANK_HOLIDAY,
    CLOSURE,
    ClosuresInvalid,
    DayOff,
    SkippedRun,
    WorkingCalendar,
    add_working_days,
    calendar_from_content,
    clock_start,
    group_skipped,
    load_closures,
)
from townhall.config import PROJECT_ROOT

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    """Bank holidays plus the real content/closures.yaml (29 to 31 December 2026 and 2027)."""
    return calendar_from_content(PROJECT_ROOT / "content")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment in UK local time (GMT or BST), as the resident's clock showed it."""
    return datetime.combine(day, time(hour, minute), LONDON)


def days(result) -> list[str]:
    return [off.day.isoformat() for off in result.skipped]


# -- Christmas -------------------------------------------------------------------------------------

def test_christmas_2026_skips_bank_holidays_substitute_day_and_closures(calendar):
    # Thu 24 Dec 2026. Fri 25 Christmas Day; Sat 26 Boxing Day falls on a weekend, so Mon 28 is the
    # substitute; Tue 29 to Thu 31 the office is closed; Fri 1 Jan New Year's Day. Working: Mon 4, Tue 5, Wed 6.
    result = add_working_days(date(2026, 12, 24), 3, calendar)
    assert result.day == date(2027, 1, 6)
    assert days(result) == ["2026-12-25", "2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01"]
    names = {off.day: (off.kind, off.name) for off in result.skipped}
    assert names[date(2026, 12, 25)] == (BANK_HOLIDAY, "Christmas Day")
    assert names[date(2026, 12, 28)] == (BANK_HOLIDAY, "Boxing Day (observed)")
    assert names[date(2026, 12, 30)][0] == CLOSURE
    # Ten working days: 4-8 January (5) and 11-15 January (10).
    assert add_working_days(date(2026, 12, 24), 10, calendar).day == date(2027, 1, 15)


def test_christmas_2027_both_substitute_days_and_the_new_year_substitute(calendar):
    # Fri 24 Dec 2027. Christmas (Sat) and Boxing Day (Sun) move to Mon 27 and Tue 28; the office is
    # closed Wed 29 to Fri 31; New Year's Day 2028 is a Saturday, so Mon 3 Jan 2028 is its substitute.
    # Working: Tue 4 (1), Wed 5 (2), Thu 6 (3).
    result = add_working_days(date(2027, 12, 24), 3, calendar)
    assert result.day == date(2028, 1, 6)
    assert days(result) == ["2027-12-27", "2027-12-28", "2027-12-29", "2027-12-30", "2027-12-31", "2028-01-03"]
    assert result.skipped[0].name == "Christmas Day (observed)"
    assert result.skipped[0].name_cy == "Dydd Nadolig (diwrnod amgen)"


def test_christmas_2026_skipped_days_grouped_for_the_sentence(calendar):
    groups = group_skipped(add_working_days(date(2026, 12, 24), 3, calendar).skipped)
    assert [group.kind for group in groups] == [BANK_HOLIDAY, CLOSURE]
    assert groups[0].runs == (SkippedRun(date(2026, 12, 25), date(2026, 12, 25)),
                              SkippedRun(date(2026, 12, 28), date(2026, 12, 28)),
                              SkippedRun(date(2027, 1, 1), date(2027, 1, 1)))
    assert groups[1].runs == (SkippedRun(date(2026, 12, 29), date(2026, 12, 31)),)
    assert groups[1].names == ("Office closed between Christmas and New Year",)
    assert groups[0].names_cy == ("Dydd Nadolig", "Gŵyl San Steffan (diwrnod amgen)", "Dydd Calan")


# -- Easter and the spring and summer bank holidays ----------------------------------------------------

def test_easter_2027(calendar):
    # Thu 25 Mar 2027: Good Friday 26 Mar, Easter Monday 29 Mar. Working: Tue 30, Wed 31, Thu 1 Apr.
    result = add_working_days(date(2027, 3, 25), 3, calendar)
    assert result.day == date(2027, 4, 1)
    assert days(result) == ["2027-03-26", "2027-03-29"]
    assert [off.name for off in result.skipped] == ["Good Friday", "Easter Monday"]
    assert add_working_days(date(2027, 3, 25), 5, calendar).day == date(2027, 4, 5)  # Fri 2, Mon 5


def test_received_on_good_friday_2026_starts_after_easter_monday(calendar):
    # Good Friday 3 Apr 2026, Easter Monday 6 Apr: the clock starts Tue 7; three days later is Fri 10.
    start = clock_start(at(date(2026, 4, 3), 10), calendar)
    assert start == date(2026, 4, 7)
    assert add_working_days(start, 3, calendar).day == date(2026, 4, 10)


def test_early_may_bank_holiday_2027(calendar):
    # Fri 30 Apr 2027; Mon 3 May is the early May bank holiday. Working: Tue 4, Wed 5, Thu 6.
    result = add_working_days(date(2027, 4, 30), 3, calendar)
    assert result.day == date(2027, 5, 6)
    assert [(off.day, off.name) for off in result.skipped] == [(date(2027, 5, 3), "May Day")]


def test_august_bank_holiday_2027_and_the_five_pm_cut_off_in_summer_time(calendar):
    # Fri 27 Aug 2027 (BST). Mon 30 Aug is the summer bank holiday.
    before_five = clock_start(at(date(2027, 8, 27), 16, 59), calendar)
    after_five = clock_start(at(date(2027, 8, 27), 17, 0), calendar)
    assert before_five == date(2027, 8, 27)
    assert add_working_days(before_five, 1, calendar).day == date(2027, 8, 31)
    assert after_five == date(2027, 8, 31)
    assert add_working_days(after_five, 1, calendar).day == date(2027, 9, 1)


def test_cut_off_is_uk_time_not_utc(calendar):
    # 16:30 UTC on Wed 1 Jul 2026 is 17:30 in London (BST): after the office closes.
    assert clock_start(datetime(2026, 7, 1, 16, 30, tzinfo=UTC), calendar) == date(2026, 7, 2)
    # 16:30 UTC on Wed 14 Jan 2026 is 16:30 in London (GMT): still the same day.
    assert clock_start(datetime(2026, 1, 14, 16, 30, tzinfo=UTC), calendar) == date(2026, 1, 14)


# -- closures and weekends -------------------------------------------------------------------------------

def test_a_single_closure_day():
    training = DayOff(date(2026, 6, 10), CLOSURE, "Staff training day", "Diwrnod hyfforddi staff")
    calendar = WorkingCalendar([training])
    # Mon 8 Jun 2026: Tue 9 (1), Wed 10 closed, Thu 11 (2), Fri 12 (3).
    result = add_working_days(date(2026, 6, 8), 3, calendar)
    assert result.day == date(2026, 6, 12)
    assert result.skipped == (training,)
    assert not calendar.is_working_day(date(2026, 6, 10))


def test_saturday_evening_starts_the_clock_on_monday(calendar):
    # Sat 7 Mar 2026 at 8pm: the clock starts Mon 9 Mar; 3 working days -> Thu 12; 10 -> Mon 23 Mar.
    start = clock_start(at(date(2026, 3, 7), 20), calendar)
    assert start == date(2026, 3, 9)
    assert add_working_days(start, 3, calendar).day == date(2026, 3, 12)
    assert add_working_days(start, 10, calendar).day == date(2026, 3, 23)
    assert add_working_days(start, 10, calendar).skipped == ()  # weekends are not listed


def test_friday_evening_and_sunday_morning_both_start_on_monday(calendar):
    assert clock_start(at(date(2026, 3, 6), 17, 30), calendar) == date(2026, 3, 9)
    assert clock_start(at(date(2026, 3, 8), 9), calendar) == date(2026, 3, 9)
    assert clock_start(at(date(2026, 3, 9), 8), calendar) == date(2026, 3, 9)  # before opening still counts


def test_zero_days_and_bad_counts(calendar):
    assert add_working_days(date(2026, 3, 9), 0, calendar).day == date(2026, 3, 9)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 3, 9), -1, calendar)
    with pytest.raises(ValueError):
        clock_start(datetime(2026, 3, 9, 10), calendar)  # naive: which zone?


def test_calendar_without_bank_holidays_counts_them():
    calendar = WorkingCalendar(bank_holidays=False)
    assert add_working_days(date(2026, 12, 24), 1, calendar).day == date(2026, 12, 25)


# -- the closures file ------------------------------------------------------------------------------------

def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "closures.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_real_closures_file_loads():
    closures = load_closures(PROJECT_ROOT / "content" / "closures.yaml")
    assert {off.day for off in closures} >= {date(2026, 12, 29), date(2026, 12, 31), date(2027, 12, 29)}
    assert all(off.name and off.name_cy and off.kind == CLOSURE for off in closures)


def test_a_run_skips_its_weekend_days(tmp_path):
    closures = load_closures(write(tmp_path, "- from: 2026-06-05\n  to: 2026-06-08\n  name: Move\n  cy: Symud\n"))
    assert [off.day for off in closures] == [date(2026, 6, 5), date(2026, 6, 8)]


def test_missing_file_means_no_closures(tmp_path):
    assert load_closures(tmp_path / "closures.yaml") == []


def test_mistakes_are_reported_with_file_line_and_field(tmp_path):
    path = write(tmp_path, """# closures
- date: 2026-12-32
  name: Office closed
  cy: Swyddfa ar gau
- from: 2026-12-31
  to: 2026-12-29
  name: Backwards
  cy: Tuag yn ôl
- date: 2026-06-10
  name: Training
- date: 10/06/2026
  name: British date
  cy: Dyddiad
- date: 2026-06-11
  nmae: Typo
  cy: Teipo
""")
    with pytest.raises(ClosuresInvalid) as raised:
        load_closures(path, display_path="content/closures.yaml")
    problems = [str(problem) for problem in raised.value.problems]
    assert 'content/closures.yaml, line 2: the setting "date": "2026-12-32" is not a date. ' \
           "Write it as YYYY-MM-DD, like 2026-12-29" in problems
    assert any(p.startswith('content/closures.yaml, line 6: the setting "to": 2026-12-29 is before') for p in problems)
    assert any(p.startswith('content/closures.yaml, line 9: the setting "cy": is missing') for p in problems)
    assert any('line 11: the setting "date": "10/06/2026" is not a date' in p for p in problems)
    assert any('line 15: the setting "nmae": is not a setting we know' in p for p in problems)
    assert any('line 14: the setting "name": is missing' in p for p in problems)


def test_broken_yaml_and_wrong_shape(tmp_path):
    with pytest.raises(ClosuresInvalid, match="line 2"):
        load_closures(write(tmp_path, "- date: 2026-06-10\n name: [unclosed\n"))
    with pytest.raises(ClosuresInvalid, match="should be a list"):
        load_closures(write(tmp_path, "date: 2026-06-10\n"))


def test_a_day_listed_twice_and_a_run_too_long(tmp_path):
    with pytest.raises(ClosuresInvalid, match="listed twice"):
        load_closures(write(tmp_path, "- date: 2026-06-10\n  name: A\n  cy: A\n- date: 2026-06-10\n  name: B\n"
                                      "  cy: B\n"))
    with pytest.raises(ClosuresInvalid, match="more than 31 days"):
        load_closures(write(tmp_path, "- from: 2026-01-01\n  to: 2026-12-31\n  name: A\n  cy: A\n"))
