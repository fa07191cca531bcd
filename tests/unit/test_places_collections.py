"""Next bin collection dates from a round's data, for a given today."""

from datetime import date
from itertools import pairwise

import pytest

from townhall.places.collections import next_collections

ROUND = {"collection_day": "Wednesday", "recycling_week": "B", "every_weeks": 2,
         "rubbish_from": "2026-04-22", "recycling_from": "2026-04-15"}


def dates(properties, today, count=2):
    return {found.bin: found.dates for found in next_collections(properties, today, count)}


def test_before_the_rounds_start_the_first_dates_are_the_first_collections():
    assert dates(ROUND, date(2026, 4, 1)) == {
        "rubbish": (date(2026, 4, 22), date(2026, 5, 6)),
        "recycling": (date(2026, 4, 15), date(2026, 4, 29)),
    }


def test_alternate_weeks_from_any_day():
    found = dates(ROUND, date(2026, 11, 25))  # a Wednesday: a recycling week (32 weeks after 15 April)
    assert found["recycling"] == (date(2026, 11, 25), date(2026, 12, 9))  # today counts
    assert found["rubbish"] == (date(2026, 12, 2), date(2026, 12, 16))
    assert dates(ROUND, date(2026, 11, 26))["recycling"][0] == date(2026, 12, 9)


def test_every_date_is_the_collection_day_and_the_bins_alternate():
    for day in range(1, 60):
        today = date(2026, 6, 1).fromordinal(date(2026, 6, 1).toordinal() + day)
        found = dates(ROUND, today, 3)
        every = sorted(found["rubbish"] + found["recycling"])
        assert all(d.weekday() == 2 and d >= today for d in every)
        assert all((b - a).days == 7 for a, b in pairwise(every))


def test_weekly_collections():
    weekly = {"every_weeks": 1, "rubbish_from": "2026-04-06"}
    assert dates(weekly, date(2026, 4, 8), 2) == {"rubbish": (date(2026, 4, 13), date(2026, 4, 20))}


@pytest.mark.parametrize("properties", [{}, {"collection_day": "Monday"}, {"rubbish_from": "soon"},
                                        {"rubbish_from": "2026-04-06", "every_weeks": "often"},
                                        {"rubbish_from": "2026-04-06", "every_weeks": 0}])
def test_no_dates_without_usable_data(properties):
    assert next_collections(properties, date(2026, 5, 1)) == ()
