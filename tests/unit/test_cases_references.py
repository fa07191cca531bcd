"""References: the alphabet, the format, and reading back what people type."""

from __future__ import annotations

import re
import string

from hypothesis import given
from hypothesis import strategies as st

from townhall.cases.references import ALPHABET, LENGTH, display, new_reference, normalise

BK = "BK"  # the demo council's prefix (content/council.yaml); the code takes any council's
SHAPE = re.compile(r"^BK-[0-9CDFGHJKMNPQRTVWXY]{4}-[0-9CDFGHJKMNPQRTVWXY]{4}$")


def test_the_alphabet_keeps_one_of_each_confusable_pair_and_no_vowels():
    for letter in "OILSBZAEU":
        assert letter not in ALPHABET
    assert len(set(ALPHABET)) == len(ALPHABET) == 27


def test_new_references_have_the_shape_and_differ():
    references = {new_reference(BK) for _ in range(2000)}
    assert len(references) == 2000
    assert all(SHAPE.match(reference) for reference in references)


def test_what_people_type_is_read_back():
    assert normalise("BK-7KQ4-M9XR", BK) == "BK-7KQ4-M9XR"
    assert normalise("bk-7kq4-m9xr", BK) == "BK-7KQ4-M9XR"
    assert normalise(" bk 7kq4 m9xr ", BK) == "BK-7KQ4-M9XR"
    assert normalise("BK7KQ4M9XR", BK) == "BK-7KQ4-M9XR"
    assert normalise("7KQ4-M9XR", BK) == "BK-7KQ4-M9XR"  # without the prefix
    assert normalise("BK–7KQ4—M9XR", BK) == "BK-7KQ4-M9XR"  # en and em dashes from word processors
    assert normalise("ＢＫ７ＫＱ４Ｍ９ＸＲ", BK) == "BK-7KQ4-M9XR"  # full-width


def test_confusable_letters_typed_by_mistake_are_read_as_the_digits():
    assert normalise("BK-7KQ4-M0XR", BK) == normalise("BK-7KQ4-MOXR", BK) == "BK-7KQ4-M0XR"
    assert normalise("BK-1KQ4-M9XR", BK) == normalise("bk-iKQ4-M9XR", BK) == normalise("BK-lKQ4-M9XR", BK)
    assert normalise("BK-5KQ4-M9XR", BK) == normalise("BK-SKQ4-M9XR", BK)
    assert normalise("BK-8KQ4-M9XR", BK) == normalise("BK-BKQ4-M9XR", BK)
    assert normalise("BK-2KQ4-M9XR", BK) == normalise("BK-ZKQ4-M9XR", BK)
    assert normalise("8K-7KQ4-M9XR", BK) == "BK-7KQ4-M9XR"  # the prefix misread too


def test_things_that_are_not_references():
    for typed in (None, "", "BK", "BK-7KQ4-M9X", "BK-7KQ4-M9XRR", "BK-7KQ4-M9XA", "hello world",
                  "BK-7KQ4-M9XR" * 5, "XX-7KQ4-M9XR", "<script>"):
        assert normalise(typed, BK) is None, typed


@given(st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH))
def test_every_reference_survives_lower_case_and_lost_hyphens(body):
    reference = display(body, BK)
    assert normalise(reference.lower().replace("-", " "), BK) == reference
    assert normalise(reference.replace("-", ""), BK) == reference


@given(st.text(max_size=60))
def test_normalise_never_raises_and_gives_the_shape_or_none(typed):
    result = normalise(typed, BK)
    assert result is None or SHAPE.match(result)


@given(st.text(alphabet=string.ascii_letters + string.digits + " -", max_size=20))
def test_normalise_is_idempotent(typed):
    result = normalise(typed, BK)
    if result is not None:
        assert normalise(result, BK) == result


def test_the_prefix_is_the_councils():
    from townhall.cases.references import example, is_prefix

    assert normalise("ab 7kq4 m9xr", "AB") == "AB-7KQ4-M9XR" == example("AB")
    assert normalise("BK-7KQ4-M9XR", "AB") is None
    assert normalise("7KQ4M9XR", "AB") == "AB-7KQ4-M9XR"
    assert new_reference("AB").startswith("AB-")
    assert is_prefix("AB") and not is_prefix("A") and not is_prefix("ab") and not is_prefix("ÅB") and not is_prefix("ABC")


def test_a_council_prefix_comes_from_content_or_the_short_name():
    from townhall.content.models import Council, prefix_from_name

    assert prefix_from_name("Ashby") == "AS"
    assert prefix_from_name("Vale Royal") == "VR"
    assert prefix_from_name("Ynys Môn") == "YM"
    assert prefix_from_name("Å") == "AT"
    assert prefix_from_name("") == "TH"
    assert Council("Ashby Borough Council", "Ashby").prefix == "AS"
    assert Council("Ashby Borough Council", "Ashby", reference_prefix="AB").prefix == "AB"
