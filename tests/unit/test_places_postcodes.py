"""Reading what people type into a postcode box."""

import pytest

from townhall.places.errors import NotAPostcode
from townhall.places.postcodes import clean, is_valid, normalise


@pytest.mark.parametrize(
    "typed",
    ["BK3 7QD", "bk3 7qd", "Bk37Qd", "  BK3   7QD  ", "BK3-7QD", "bk3.7qd.", "(BK3 7QD)", "B K 3 7 Q D", "BK3\t7QD"],
)
def test_any_case_spacing_and_stray_punctuation(typed):
    result = clean(typed)
    assert result.postcode == "BK3 7QD"
    assert not result.corrected


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("BK3 OQD", "BK3 0QD"),  # the inward code always starts with a digit
        ("BK3 IQD", "BK3 1QD"),
        ("BKO 1AA", "BK0 1AA"),  # AA9: the third character of a two-letter area is a digit
        ("SW1A IAA", "SW1A 1AA"),
        ("BOI 1AA", "BO1 1AA"),  # fewest changes wins: BO1, not B01
        ("BI3 7QD", "B13 7QD"),  # I is never a second letter
    ],
)
def test_letter_o_and_i_read_as_digits_where_only_a_digit_fits(typed, expected):
    result = clean(typed)
    assert result.postcode == expected
    assert result.corrected
    assert result.typed == typed


def test_letter_o_is_left_alone_where_a_letter_fits():
    assert clean("SO16 1AA").postcode == "SO16 1AA"  # Southampton, not S016
    assert not clean("SO16 1AA").corrected


def test_digits_are_never_read_as_letters():
    with pytest.raises(NotAPostcode):
        clean("S016 1AA")


@pytest.mark.parametrize(
    "postcode",
    ["M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "W1A 0AX", "EC1A 1BB", "SW1A 2AA", "BK1 1AA", "GIR 0AA", "OX1 4XS"],
)
def test_every_shape_of_uk_postcode_is_valid(postcode):
    assert is_valid(postcode.replace(" ", ""))
    assert normalise(postcode) == postcode


@pytest.mark.parametrize(
    "typed",
    [
        "hello", "12345", "BK3", "BK3 7Q", "BK3 7QDX", "BKK3 7QD", "QK3 7QD",  # Q never starts a postcode
        "BK3 7CD",  # C is never in the inward code
        "BK3 7QV", "AAAAAAA", "BK3 7QD BK3 7QD", "🏠", "BK3 7QD; DROP TABLE",
    ],
)
def test_not_a_postcode(typed):
    with pytest.raises(NotAPostcode) as caught:
        clean(typed)
    assert caught.value.status == 400
    assert caught.value.code == "not_a_postcode"
    assert "like SW1A 1AA" in caught.value.message  # the web layer puts a postcode of the council's area here


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_empty_asks_for_a_postcode(typed):
    with pytest.raises(NotAPostcode) as caught:
        clean(typed)
    assert caught.value.message == "Enter a postcode, like SW1A 1AA."


def test_message_echoes_what_was_typed_but_not_an_essay():
    with pytest.raises(NotAPostcode) as caught:
        clean("x" * 500)
    assert len(caught.value.message) < 200
    assert "…" in caught.value.message


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("bkl 1aa", "BK1 1AA"),  # a lower-case l where only a digit fits
        ("bk3 lqd", "BK3 1QD"),  # the inward code starts with a digit
        ("BKl 1AA", "BK1 1AA"),
        ("ol1 1aa", "OL1 1AA"),  # Oldham: the l in the area is a letter, left alone
    ],
)
def test_lower_case_l_read_as_one_where_only_a_digit_fits(typed, expected):
    result = clean(typed)
    assert result.postcode == expected
    assert result.corrected == (typed != "ol1 1aa")


def test_lower_case_l_is_left_alone_where_a_letter_fits():
    assert clean("bk3 7ld").postcode == "BK3 7LD"
    assert not clean("bk3 7ld").corrected
    assert clean("l1 8jq").postcode == "L1 8JQ"  # Liverpool


def test_upper_case_l_is_a_letter_never_a_one():
    with pytest.raises(NotAPostcode):
        clean("BKL 1AA")


@pytest.mark.parametrize("typed", ["ＢＫ３ ７ＱＤ", "ＢＫ３\u3000７ＱＤ", "ｂｋ３７ｑｄ", "BK３ 7QD"])
def test_full_width_characters_are_read_as_plain_ones(typed):
    result = clean(typed)
    assert result.postcode == "BK3 7QD"
    assert not result.corrected


@pytest.mark.parametrize("typed", ["ǅ1 1AA", "BK1 1AAé"])
def test_a_letter_dropped_or_changed_in_reading_is_shown_back(typed):
    result = clean(typed)
    assert result.corrected, result


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("BKZ 1AA", "BK2 1AA"),  # AA9: only a digit can follow a two-letter area
        ("bk5 zze", "BK5 2ZE"),  # the inward code starts with a digit; the other Z is a real letter
        ("SWZA 1AA", "SW2A 1AA"),
        ("8K1 1AA", "BK1 1AA"),  # a postcode never starts with a digit
        ("8B1 1AA", "BB1 1AA"),  # Blackburn
        ("BK3 7Q8", "BK3 7QB"),  # the inward code ends with two letters
    ],
)
def test_z_read_as_two_and_8_as_b_where_only_one_reading_fits(typed, expected):
    result = clean(typed)
    assert result.postcode == expected
    assert result.corrected and result.typed == typed


def test_z_and_8_are_left_alone_where_they_fit():
    assert clean("BK5 2ZE").postcode == "BK5 2ZE" and not clean("BK5 2ZE").corrected
    assert clean("B8 1AA").postcode == "B8 1AA" and not clean("B8 1AA").corrected  # Birmingham


@pytest.mark.parametrize("typed", ["ZZ99 9ZZ", "zz99 3vz", "ZZ993WZ"])
def test_zz99_pseudo_postcodes_are_said_to_be_no_real_address(typed):
    from townhall.places.errors import NotARealAddress

    with pytest.raises(NotARealAddress) as caught:
        clean(typed)
    assert caught.value.code == "not_a_real_address" and caught.value.status == 400
    assert "is not the postcode of a real address" in caught.value.message
    assert "ZZ99" in caught.value.message
    assert isinstance(caught.value, NotAPostcode)  # every caller that refuses a non-postcode refuses it too
