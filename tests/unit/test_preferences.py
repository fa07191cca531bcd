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
