"""What people type into a postcode box, cleaned and checked against the UK format.

The rules follow the published format of UK postcodes: an outward code (area
letters, district number, sometimes a letter) and an inward code (a digit and two
letters). Letters that never appear in some positions let us read a typed letter
O as zero, I as one and Z as two where only a digit can stand, a lower-case l as
one (an upper-case L is a real postcode letter, so it is never changed), and a
typed 8 as B where only a letter can stand; we do so only when exactly one
reading with the fewest such changes is a valid postcode, and the page says what
we searched for. Postcodes starting ZZ99 are not places at all: some records use
them for people with no fixed address, so they get their own plain answer.
Full-width and other compatibility characters (ＢＫ１, from some phone and
East Asian keyboards) are read as their plain forms first (Unicode NFKC).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import product

from .errors import NotAPostcode, NotARealAddress

_FIRST = "ABCDEFGHIJKLMNOPRSTUWYZ"  # never Q, V or X
_SECOND = "ABCDEFGHKLMNOPQRSTUVWXY"  # never I, J or Z
_THIRD_A9A = "ABCDEFGHJKPSTUW"
_FOURTH_AA9A = "ABEHMNPRVWXY"
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # never C, I, K, M, O or V

_OUTWARD = re.compile(
    rf"[{_FIRST}][0-9][0-9]?"
    rf"|[{_FIRST}][0-9][{_THIRD_A9A}]"
    rf"|[{_FIRST}][{_SECOND}][0-9][0-9]?"
    rf"|[{_FIRST}][{_SECOND}][0-9][{_FOURTH_AA9A}]"
)
_WHOLE = re.compile(rf"(?:{_OUTWARD.pattern})[0-9][{_INWARD_LETTERS}]{{2}}")
_SPECIAL = {"GIR0AA"}  # Girobank's historic postcode, still valid
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]+")
_DIGIT_LOOKALIKES = {"O": "0", "I": "1", "Z": "2"}  # letters typed where only a digit fits
_LETTER_LOOKALIKES = {"8": "B"}  # a digit typed where only a letter fits
_LOOKALIKES = {**_DIGIT_LOOKALIKES, **_LETTER_LOOKALIKES}
# ZZ99 + a digit and two letters: the pseudo-postcodes of NHS and other records ("no fixed abode",
# "address not known"). They fit the look of a postcode but name no address.
_PSEUDO = re.compile(r"ZZ99[0-9][A-Z]{2}")
_LOWER_L = "\x00"  # stands for a typed lower-case l while the text is upper-cased
_LONGEST_ECHO = 40


@dataclass(slots=True)  # not frozen: cheaper to build on every lookup; treat as read-only
class CleanPostcode:
    """A postcode in its standard form, with what was typed and whether we changed letters."""

    postcode: str
    typed: str
    corrected: bool  # we read it other than as typed: a letter as a digit, a character dropped or changed

    @property
    def outward(self) -> str:
        return self.postcode.split(" ")[0]


def is_valid(compact: str) -> bool:
    """Whether an upper-case postcode without spaces has the UK format."""
    if compact in _SPECIAL:
        return True
    return 5 <= len(compact) <= 7 and _WHOLE.fullmatch(compact) is not None


def standard_form(compact: str) -> str:
    return f"{compact[:-3]} {compact[-3:]}"


def clean(typed: str | None) -> CleanPostcode:
    """Read a typed postcode; raise NotAPostcode (with a kind message) when it cannot be one."""
    text = (typed or "").strip()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        raise NotAPostcode(template=NotAPostcode.EMPTY)
    compact = text.replace(" ", "")
    if not compact.isalnum() or not compact.isascii():
        compact = _NOT_ALPHANUMERIC.sub("", compact)
    if "l" in compact:
        compact = compact.replace("l", _LOWER_L)
        upper = compact.upper()
        plain = upper.replace(_LOWER_L, "L")
        if is_valid(plain):
            return CleanPostcode(standard_form(plain), text, corrected=_changed(text, plain))
        reading = _read_lookalikes(upper)
        if reading is None:
            raise NotAPostcode(typed=_echo(text))
        return CleanPostcode(standard_form(reading.replace(_LOWER_L, "L")), text, corrected=True)
    compact = compact.upper()
    if _PSEUDO.fullmatch(compact):
        raise NotARealAddress(typed=standard_form(compact))
    if is_valid(compact):
        return CleanPostcode(standard_form(compact), text, corrected=_changed(text, compact))
    reading = _read_lookalikes(compact)
    if reading is None:
        raise NotAPostcode(typed=_echo(text))
    return CleanPostcode(standard_form(reading), text, corrected=True)


def _changed(text: str, compact: str) -> bool:
    """Whether reading the postcode dropped or changed a letter or digit (stray punctuation and
    spaces do not count), so the page shows what was typed beside what we used."""
    return "".join(character for character in text if character.isalnum()).upper() != compact


def find_in_text(text: str, max_words: int = 40) -> tuple[str, str] | None:
    """A full UK postcode written somewhere in a sentence ("library BK5 2ZE", "bins for bk11aa?"):
    (its standard form, the words as written), or None. Search and the assistant both read them so."""
    words = [word.strip(".,;:!?()\"'") for word in text.split()[:max_words]]
    candidates = [(word, word) for word in words if 5 <= len(word) <= 8]
    candidates += [(first + second, f"{first} {second}") for first, second in zip(words, words[1:], strict=False)
                   if 2 <= len(first) <= 4 and len(second) == 3]
    candidates.sort(key=lambda pair: -len(pair[1]))  # "BK1 1AA" before "BK1" + nothing
    for candidate, written in candidates:
        if not any(char.isdigit() for char in candidate):
            continue
        try:
            return clean(candidate).postcode, written
        except NotAPostcode:
            continue
    return None


def normalise(typed: str | None) -> str:
    """The standard form ("BK3 7QD") of what was typed, or NotAPostcode."""
    return clean(typed).postcode


def _read_lookalikes(compact: str) -> str | None:
    if not 5 <= len(compact) <= 7:
        return None
    positions = [index for index, char in enumerate(compact) if char in _LOOKALIKES or char == _LOWER_L]
    if not positions or len(positions) > 4:
        return None
    best: list[tuple[int, str]] = []
    for choice in product((False, True), repeat=len(positions)):
        if not any(choice):
            continue
        chars = list(compact)
        for swap, index in zip(choice, positions, strict=True):
            if swap:
                chars[index] = "1" if chars[index] == _LOWER_L else _LOOKALIKES[chars[index]]
        candidate = "".join(chars).replace(_LOWER_L, "L")
        if is_valid(candidate):
            best.append((sum(choice), candidate))
    if not best:
        return None
    fewest = min(changes for changes, _ in best)
    readings = {candidate for changes, candidate in best if changes == fewest}
    return readings.pop() if len(readings) == 1 else None


def _echo(text: str) -> str:
    """What was typed, shortened for a message so a pasted essay does not fill the page."""
    text = " ".join(text.split())
    return text if len(text) <= _LONGEST_ECHO else text[: _LONGEST_ECHO - 1] + "…"
