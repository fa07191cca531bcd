"""Case references: short, unguessable, and easy to read aloud, write down and type back.

A reference looks like ``BK-7KQ4-M9XR``: the council's prefix (two capital
letters from ``content/council.yaml``, ``reference_prefix``), then eight
symbols from a 27-symbol alphabet in two groups of four (groups of four are
what people chunk phone and card numbers into). Eight symbols give 27**8,
about 2.8 * 10**11 (38 bits) of chance, from `secrets`: with the email address
or postcode that tracking also asks for, and rate-limited guesses, a reference
cannot be found by trying.

The alphabet keeps one member of each easily confused pair and reads the other
as it: O as 0, I and L as 1, S as 5, B as 8, Z as 2. The digits are the members
kept, because they read the same in every language and on a phone keypad. The
vowels A, E and U are also left out, so no reference spells a word, rude or
otherwise, and U never looks like V. What is left: 0-9 and
C D F G H J K M N P Q R T V W X Y.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

DEFAULT_PREFIX = "RF"  # only for callers that do not say: the site passes the council's own (council.yaml)
PREFIX_LENGTH = 2  # the stored reference is 12 characters: two letters, a hyphen and two groups of four
ALPHABET = "0123456789CDFGHJKMNPQRTVWXY"
LENGTH = 8
GROUP = 4
CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]+")
_LONGEST_TYPED = 40  # anything longer than this was never a reference; do not even read it


def is_prefix(prefix: str) -> bool:
    """Two capital letters A to Z: what a council may choose as its references' prefix."""
    return len(prefix) == PREFIX_LENGTH and prefix.isascii() and prefix.isalpha() and prefix.isupper()


def _checked(prefix: str) -> str:
    if not is_prefix(prefix):
        raise ValueError(f"a reference prefix is {PREFIX_LENGTH} capital letters, not {prefix!r}")
    return prefix


def new_reference(prefix: str = DEFAULT_PREFIX) -> str:
    """A fresh reference; uniqueness is the database's job (unique constraint, then a retry)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return display(body, prefix)


def display(body: str, prefix: str = DEFAULT_PREFIX) -> str:
    groups = [body[start:start + GROUP] for start in range(0, len(body), GROUP)]
    return "-".join([_checked(prefix), *groups])


def example(prefix: str = DEFAULT_PREFIX) -> str:
    """The reference shown in hints and messages ("like BK-7KQ4-M9XR"), with the council's prefix."""
    return display("7KQ4M9XR", prefix)


def normalise(typed: str | None, prefix: str = DEFAULT_PREFIX) -> str | None:
    """The reference someone meant, in display form, or None when it cannot be one.

    Accepts lower case, spaces, hyphens in any place or none, the prefix or no
    prefix, and the letters we never use typed for the digits they look like
    ("bk 7kq4 m9xr", "BK7KQ4M9XR", "7KQ4-M9XR", "BK-7KQ4-M9XB"). Says nothing
    about whether such a case exists: that is the database's answer, and the
    track page must never give it.
    """
    if not typed or len(typed) > _LONGEST_TYPED:
        return None
    # NFKC reads full-width letters (from some phone keyboards) as plain ones.
    compact = _NOT_ALPHANUMERIC.sub("", unicodedata.normalize("NFKC", typed)).upper()
    if len(compact) == LENGTH + len(prefix) and compact[: len(prefix)] in (prefix, prefix.translate(CONFUSABLE)):
        compact = compact[len(prefix):]
    body = compact.translate(CONFUSABLE)
    if len(body) != LENGTH or any(symbol not in ALPHABET for symbol in body):
        return None
    return display(body, prefix)


def is_reference(text: str, prefix: str = DEFAULT_PREFIX) -> bool:
    """Whether `text` is already a reference in display form (what we store)."""
    return normalise(text, prefix) == text
