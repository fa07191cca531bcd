"""The display-preference cookie: read strictly, written compactly."""

import pytest

from townhall.preferences import CHOICES, Preferences, from_cookie, from_form


def test_defaults_follow_the_device():
    prefs = Preferences()
    assert prefs.colours == "auto" and prefs.is_default
    assert prefs.html_classes() == "th-text-standard th-colours-auto th-spacing-standard th-speech-off"


def test_round_trip_through_the_cookie():
    chosen = Preferences(text="larger", colours="yellow-on-black", spacing="wide", speech="on")
    assert chosen.cookie_value() == "text:larger|colours:yellow-on-black|spacing:wide|speech:on"
    assert from_cookie(chosen.cookie_value()) == chosen


@pytest.mark.parametrize(
    "value",
    ["", None, "garbage", "text:huge|colours:<script>", "text:large" + "|x:y" * 200, "colours:dark;text:large"],
)
def test_odd_cookies_never_break_anything(value):
    prefs = from_cookie(value)
    assert all(getattr(prefs, name) in allowed for name, allowed in CHOICES.items())


def test_known_parts_of_a_partly_bad_cookie_are_kept():
    assert from_cookie("text:large|colours:purple|speech:on") == Preferences(text="large", speech="on")


def test_form_changes_only_what_was_sent():
    current = Preferences(text="large")
    chosen, rejected = from_form({"colours": "dark"}, current)
    assert chosen == Preferences(text="large", colours="dark") and rejected == []
    assert chosen.changed_from(current) == ["colours"]


def test_form_rejects_values_that_are_not_choices():
    chosen, rejected = from_form({"text": "enormous", "colours": "cream"}, Preferences())
    assert rejected == ["text"] and chosen.text == "standard" and chosen.colours == "cream"


def test_hidden_alerts_are_remembered_for_the_day_they_were_hidden():
    from datetime import date

    today, tomorrow = date(2027, 1, 11), date(2027, 1, 12)
    hidden = Preferences(text="large").hide("snow.1a2b3c", today)
    assert hidden.cookie_value() == "text:large|colours:auto|spacing:standard|speech:off|hide:snow.1a2b3c@2027-01-11"
    back = from_cookie(hidden.cookie_value())
    assert back == hidden and back.hides("snow.1a2b3c", today) and not back.hides("snow.1a2b3c", tomorrow)
    assert back.for_today(tomorrow).hidden == () and not back.display_is_default
    assert Preferences().hide("snow.1a2b3c", today).display_is_default
    assert not Preferences().hide("snow.1a2b3c", today).is_default


@pytest.mark.parametrize("part", ["hide:snow", "hide:snow.1a2b3c@yesterday", "hide:SNOW.1a2b3c@2027-01-11",
                                  "hide:snow.1a2b3c@2027-13-45", "hide:" + "x" * 60 + ".1a2b3c@2027-01-11"])
def test_odd_hidden_alerts_in_the_cookie_are_ignored(part):
    assert from_cookie(f"text:large|{part}") == Preferences(text="large")


def test_only_a_few_hidden_alerts_are_kept_and_hiding_twice_counts_once():
    from datetime import date

    day = date(2027, 1, 11)
    prefs = Preferences()
    for number in range(10):
        prefs = prefs.hide(f"alert-{number}.abcdef", day)
    prefs = prefs.hide("alert-9.abcdef", day)
    assert len(prefs.hidden) == 6 and prefs.hidden[-1] == ("alert-9.abcdef", day)
    assert Preferences().hide("not a key", day) == Preferences()
