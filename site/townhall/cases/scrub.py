"""Take personal details out of anonymous free text (page feedback) before it is stored.

The feedback form asks for no personal data, but people type it anyway ("call me
on 07700 900123"). What we remove, each replaced with a marker the content team
can read:

* email addresses: anything shaped like ``name@domain.tld`` (spaces either side
  of the ``@`` too, and non-English letters) -> ``[email removed]``;
* UK postcodes, full ones in any case with or without the space (``bk1 1aa``,
  ``BK11AA``) -> ``[postcode removed]``. A district on its own (``BK1``) is left:
  it names thousands of homes, not one;
* National Insurance numbers (``QQ 12 34 56 C``) -> ``[number removed]``;
* phone numbers: a run of digits (spaces, hyphens, dots and brackets between
  them) that is a UK number (0 and 10 or 11 digits, or +44 / 0044 with or
  without "(0)": ``+44 (0)1632 960 000``, ``07700900123``, ``(01632) 960000``),
  or any international number starting with ``+`` -> ``[phone number removed]``;
* other long numbers, which may be account, card, reference or sort-code
  numbers: 6 or more digits in one group, or in three or more groups
  (``1234 5678 9012 3456``, ``12-34-56``) -> ``[number removed]``.

What we do not catch: details spelled out in words ("name at example dot com",
"oh seven seven..."), names and street addresses, numbers of fewer than 6
digits, and two-group numbers such as ``2024-25`` (left alone on purpose: they
are nearly always years). Things that look like a postcode but are not
(``A14 4th``, a road and an exit) are removed too; in feedback that costs little.
"""

from __future__ import annotations

import re

from ..places.postcodes import is_valid as is_postcode

EMAIL_REMOVED = "[email removed]"
PHONE_REMOVED = "[phone number removed]"
POSTCODE_REMOVED = "[postcode removed]"
NUMBER_REMOVED = "[number removed]"
LONG_NUMBER_DIGITS = 6

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+\s?@\s?[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?) ?([0-9][A-Za-z]{2})(?![A-Za-z0-9])")
_NI_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-Da-d](?![A-Za-z0-9])")
# A number as people write one: digit groups joined by one space, hyphen or dot, or brackets;
# an optional + in front. "(0)" inside is the UK's "drop this zero when dialling from abroad".
_NUMBER_RUN = re.compile(
    r"(?<![\w+])(?:\+ ?)?\(?\d+\)?(?:(?:[ .\-]|[ .\-]?\(|\)[ .\-]?)\(?\d+\)?)*(?![\w])"
)
_DIGIT_GROUPS = re.compile(r"\d+")


def scrub(text: str | None) -> str:
    """`text` with email addresses, phone numbers, postcodes and long numbers replaced by markers."""
    if not text:
        return text or ""
    text = _EMAIL.sub(EMAIL_REMOVED, text)
    text = _POSTCODE.sub(_postcode, text)
    text = _NI_NUMBER.sub(NUMBER_REMOVED, text)
    return _NUMBER_RUN.sub(_number, text)


def _postcode(match: re.Match[str]) -> str:
    compact = (match[1] + match[2]).upper()
    return POSTCODE_REMOVED if is_postcode(compact) else match[0]


def _number(match: re.Match[str]) -> str:
    run, tail = match[0], ""
    if run.endswith(")") and run.count(")") > run.count("("):
        run, tail = run[:-1], ")"  # "(call 07700 900123)": the bracket is the sentence's, not the number's
    return _replace_number(run) + tail


def _replace_number(run: str) -> str:
    groups = _DIGIT_GROUPS.findall(run)
    digits = "".join(groups)
    if _is_phone(run, digits):
        return PHONE_REMOVED
    if len(digits) >= LONG_NUMBER_DIGITS and (max(map(len, groups)) >= LONG_NUMBER_DIGITS or len(groups) >= 3):
        return NUMBER_REMOVED
    return run


def _is_phone(run: str, digits: str) -> bool:
    international = run.lstrip("(").startswith("+") or digits.startswith("00")
    if international:
        national = digits[2:] if digits.startswith("00") else digits
        if national.startswith("44"):
            national = national[2:]
            return 9 <= len(national.removeprefix("0")) <= 10
        return len(national) >= 7  # another country's number
    return digits.startswith("0") and not digits.startswith("00") and 10 <= len(digits) <= 11
