"""The monthly CSV of figures the website cannot see: a good file, and every kind of bad row, each reported with
its line number and what to fix; nothing usable when any row is bad."""

from __future__ import annotations

from datetime import date

import pytest

from townhall.content.models import Standard, Timescale
from townhall.performance import decode, parse_figures

TODAY = date(2026, 12, 4)
STANDARDS = [
    Standard(promise="answer your call", within=Timescale(20, "seconds"), id="phone-answer", target=80,
             target_wording="calls answered within 20 seconds"),
    Standard(promise="sort it out", target_percent=70, id="first-contact", target=70, target_wording="queries"),
    Standard(promise="answer", within=Timescale(10, "working days"), id="written-answer", target=90,
             target_wording="letters answered"),
]
HEADER = "month,standard,contacts,within_promise\n"


def parse(text: str):
    return parse_figures(text, STANDARDS, TODAY)


def test_a_good_file_gives_every_row():
    parsed = parse(HEADER + "2026-10,phone-answer,10234,8412\n2026-10,first-contact,15020,10980\n\n"
                            "2026-11,phone-answer,0,0\n")
    assert parsed.ok and not parsed.problems
    assert [(row.line, row.month, row.standard, row.contacts, row.within_promise) for row in parsed.rows] == [
        (2, date(2026, 10, 1), "phone-answer", 10234, 8412), (3, date(2026, 10, 1), "first-contact", 15020, 10980),
        (5, date(2026, 11, 1), "phone-answer", 0, 0)]


def test_a_spreadsheets_byte_order_mark_and_windows_line_ends_are_fine():
    data = ("\ufeff" + HEADER + "2026-10,phone-answer,10,8\r\n").replace("\n", "\r\n").encode("utf-8")
    assert parse(decode(data)).ok


@pytest.mark.parametrize(("row", "words"), [
    ("2026-13,phone-answer,10,8", 'month "2026-13" is not a month'),
    ("October 2026,phone-answer,10,8", "Write it as year-month, like 2026-10"),
    ("2027-01,phone-answer,10,8", "has not happened yet"),
    ("2026-10,written-answer,10,8", "is counted from our own case records and cannot be imported"),
    ("2026-10,phone,10,8", '"phone" is not a standard that can be imported. Use one of: phone-answer, first-contact'),
    ("2026-10,phone-answer,1,250,8", "has 5 values; it needs 4"),
    ("2026-10,phone-answer,10", "has 3 values; it needs 4"),
    ("2026-10,phone-answer,ten,8", 'contacts "ten" is not a whole number'),
    ("2026-10,phone-answer,1²,8", 'contacts "1²" is not a whole number'),  # a digit to Python, not to int()
    ("2026-10,phone-answer,10,-1", 'within_promise "-1" is not a whole number'),
    ("2026-10,phone-answer,10,", "within_promise is empty"),
    ("2026-10,phone-answer,10,11", "within_promise (11) is more than contacts (10)"),
    ("2026-10,phone-answer,99999999999,8", "is too big to be one month's figure"),
])
def test_each_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_usable(row, words):
    parsed = parse(HEADER + "2026-09,phone-answer,10,8\n" + row + "\n")
    assert not parsed.ok
    assert len(parsed.problems) == 1
    assert parsed.problems[0].line == 3
    assert words in parsed.problems[0].message
    assert str(parsed.problems[0]).startswith("Line 3: ")


def test_every_bad_row_is_listed_not_just_the_first():
    parsed = parse(HEADER + "2026-13,phone-answer,1,1\n2026-10,phone-answer,1,1\n2026-10,nope,1,1\n"
                            "2026-10,phone-answer,2,2\n")
    assert [problem.line for problem in parsed.problems] == [2, 4, 5]
    assert "already on line 3" in parsed.problems[2].message
    assert not parsed.ok


@pytest.mark.parametrize(("text", "words"), [
    ("", "The file is empty"),
    ("month,contacts\n2026-10,5\n", "The first line must be the column names"),
    (HEADER, "no figures"),
    (None, "UTF-8"),
])
def test_a_wrong_file_says_what_to_do(text, words):
    parsed = parse(text)
    assert not parsed.ok and words in parsed.problems[0].message


def test_a_file_that_is_not_utf8_cannot_be_decoded():
    assert decode(HEADER.encode("utf-16")) is None
    assert decode("café".encode("latin-1")) is None


def test_a_broken_quote_is_reported_not_raised():
    parsed = parse(HEADER + '2026-10,"phone-answer,10,8\n')
    assert not parsed.ok
