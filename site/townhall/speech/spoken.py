"""Turn text as a page shows it into text a speech engine reads naturally.

espeak-ng reads most words well but gets council essentials wrong: it reads
"01632 960000" as a large number, "£52" as "pound fifty-two" and "17:00" as
"seventeen hundred". These rules fix that, per language:

* phone numbers digit by digit in their groups: "0 1 6 3 2, 9 6 0, 0 0 0"
  (long groups are split in threes, as people say them);
* short service numbers too (999, 112, 116 123, 18000, 0800 1111 always; 111,
  101 and 105 after a word such as "call", "phone", "NHS" or a contact
  block's "Phone:"), while other numbers stay numbers ("3 bins", "2026");
* times as people say them: "9am", "5:30pm", "midday"; in Welsh "9 y bore";
* money: "£52" -> "52 pounds", "£1.50" -> "1 pound 50", "£0" -> "free", "50p" -> "50 pence";
* "&", "e.g." and "i.e." as words.

This works on plain text (the HTML has already been parsed), so regular
expressions are the right tool here.
"""

from __future__ import annotations

import re
from datetime import time

from ..hours import format_time
from .words import Words, words_for

# A UK number as written on a page: 01632 960000, 0800 123 4567, +44 1632 960000,
# 18001 01632 960000 (Relay UK). Checked further in _is_phone.
_PHONE = re.compile(r"(?<![\w£.,])(\+?\d[\d ()\-]{7,22}\d)(?![\w])")
# Short UK service numbers, each standing alone (not part of a bigger number, money or a decimal):
# a Relay UK prefix alone or before a short number (18000, 18001 111), the 116 helplines (116 123),
# and three-digit numbers (which of them count is decided in _short_number).
_SHORT = re.compile(
    r"(?<![\w£$€.,:/+\-])(?<![£$€]\s)"
    r"(1800[0-2](?:\s(?:116\s?\d{3}|\d{3})(?![\w%]|[.,:/\-]\w))?|116\s?\d{3}|\d{3})"
    r"(?![\w%£]|[.,:/\-]\w)"
)
ALWAYS_PHONE = {"999", "112"}  # nobody writes these on a council page except as the number to call
# These are also house numbers, room numbers...: each is a phone number after a word such as "call"
# (Words.phone_words), in brackets after a name ("Power cuts (105)"), or in a sentence about its
# service, unless a capitalised word follows (an address: "101 High Street").
PHONE_IN_CONTEXT = {
    "101": {"police", "heddlu", "non-emergency"},
    "105": {"power", "electricity", "trydan", "pŵer"},
    "111": {"nhs", "gig"},
}
_CONTEXT_WORDS = 4  # how many words before a number are looked at
_CLAUSE_END = re.compile(r"(?<!\btel)[.!?;]\s")  # "Tel. 101" is one clause
_MONEY = re.compile(r"£\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{2}))?(?!\d)")
_PENCE = re.compile(r"\b(\d{1,2})p\b")
# A clock time: 9am, 9.30am, 5:30 p.m., 9yb (Welsh "y bore"), or 24-hour 17:00; and
# a range of two of them, "9am-5pm" or "09:00–17:00". One pattern, so that what
# one rule writes is never rewritten by another.
_TIME = (
    r"(?:\b(?P<{n}h>\d{{1,2}})(?:[:.](?P<{n}m>\d{{2}}))?\s?(?P<{n}s>am|pm|a\.m\.|p\.m\.|yb|yh|yp)(?![a-z])"
    r"|(?<![\d:.£])(?P<{n}H>[01]?\d|2[0-3]):(?P<{n}M>[0-5]\d)(?![\d:]))"
)
_CLOCK = re.compile(
    "(?P<first>" + _TIME.format(n="a") + ")(?:\\s*[-–]\\s*(?P<second>" + _TIME.format(n="b") + "))?",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


def speak_phone(number: str, words: Words) -> str:
    """"01632 960000" -> "0 1 6 3 2, 9 6 0, 0 0 0": every digit, a pause between groups."""
    plus = number.strip().startswith("+")
    groups: list[str] = []
    for chunk in re.split(r"[\s()\-]+", number.replace("+", " ")):
        digits = re.sub(r"\D", "", chunk)
        if not digits:
            continue
        groups.extend(_split_group(digits))
    spoken = ", ".join(" ".join(group) for group in groups)
    return f"{words.plus} {spoken}" if plus else spoken


def _split_group(digits: str) -> list[str]:
    """Long runs as people say them: 960000 -> 960 000; 9600000 -> 960 0000; 96000000 -> 9600 0000."""
    if len(digits) <= 5:
        return [digits]
    if len(digits) == 8:
        return [digits[:4], digits[4:]]
    if len(digits) == 7:
        return [digits[:3], digits[3:]]
    return [digits[:3], *_split_group(digits[3:])]


def _is_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if 8 <= len(digits) <= 9 and digits.startswith("08") and not candidate.startswith("+"):
        return True  # short freephone numbers: 0800 1111 (Childline)
    if not 10 <= len(digits) <= 16:
        return False
    return digits.startswith(("0", "44", "18001", "18002")) and (
        candidate.startswith("+") or digits.startswith(("0", "18001", "18002"))
    )


def _short_number(match: re.Match[str], words: Words) -> str:
    """A short number read as a phone number when it is one (see _SHORT); else as it was."""
    number = match[1]
    digits = re.sub(r"\D", "", number)
    if len(digits) > 3 or digits in ALWAYS_PHONE:
        return speak_phone(number, words)
    service = PHONE_IN_CONTEXT.get(digits)
    if service is None:
        return number
    text, start, end = match.string, match.start(), match.end()
    before = _CLAUSE_END.split(text[:start].lower())[-1]
    after = _CLAUSE_END.split(text[end:].lower())[0]
    if any(word in words.phone_words for word in _words(before)[-_CONTEXT_WORDS:]):
        return speak_phone(number, words)
    if text[start - 1 : start] == "(" and text[end : end + 1] == ")":
        return speak_phone(number, words)
    address = re.match(r"\s+[A-Z]", text[end:]) is not None
    if not address and service & {*_words(before), *_words(after)}:
        return speak_phone(number, words)
    return number


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)


def _money(match: re.Match[str], words: Words) -> str:
    pounds = int(match[1].replace(",", ""))
    pence = int(match[2] or 0)
    if pounds == 0 and pence == 0:
        return words.free
    if pounds == 0:
        return f"{pence} {words.pence}"
    unit = words.pound if pounds == 1 else words.pounds
    amount = f"{match[1]} {unit}"
    return f"{amount} {pence:02d}" if pence else amount


def say_time(moment: time | None, words: Words) -> str:
    """A clock time as people say it in the language: 9am, 5:30pm, midday; 9 y bore."""
    if moment is None or moment == time(0):
        return words.midnight
    if moment == time(12):
        return words.midday
    if words.lang == "en":
        return format_time(moment)
    hour = moment.hour % 12 or 12
    clock = f"{hour}:{moment.minute:02d}" if moment.minute else str(hour)
    part = words.morning if moment.hour < 12 else words.afternoon if moment.hour < 18 else words.evening
    return f"{clock} {part}"


def _clock_time(match: re.Match[str], n: str) -> time | None | bool:
    """The time in one half of a _CLOCK match; False when it is not a real time."""
    if match[f"{n}H"] is not None:
        return time(int(match[f"{n}H"]), int(match[f"{n}M"]))
    hour, minute = int(match[f"{n}h"]), int(match[f"{n}m"] or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return False
    afternoon = match[f"{n}s"].lower().replace(".", "") in ("pm", "yh", "yp")
    return time(hour % 12 + (12 if afternoon else 0), minute)


def _clock(match: re.Match[str], words: Words) -> str:
    first = _clock_time(match, "a")
    if first is False:
        return match[0]
    spoken = say_time(first, words)
    if match["second"]:
        second = _clock_time(match, "b")
        if second is False:
            return match[0]
        spoken = f"{spoken} {words.to} {say_time(second, words)}"
    return spoken


def normalise(text: str, lang: str = "en") -> str:
    """Text as shown -> text for the engine, in the page's language."""
    words = words_for(lang)
    text = _SPACES.sub(" ", text).strip()
    text = _PHONE.sub(lambda m: speak_phone(m[1], words) if _is_phone(m[1]) else m[0], text)
    text = _SHORT.sub(lambda m: _short_number(m, words), text)
    text = _MONEY.sub(lambda m: _money(m, words), text)
    text = _PENCE.sub(lambda m: f"{m[1]} {words.pence}", text)
    text = _CLOCK.sub(lambda m: _clock(m, words), text)
    text = re.sub(r"\s&\s", f" {words.and_} ", text)
    text = re.sub(r"\s[·•|]\s", ", ", text)
    text = re.sub(r"\be\.g\.,?(?=\s)", words.for_example, text, flags=re.IGNORECASE)
    text = re.sub(r"\bi\.e\.,?(?=\s)", words.that_is, text, flags=re.IGNORECASE)
    return _tidy_pauses(text)


def _tidy_pauses(text: str) -> str:
    """Commas added for line breaks and table cells, without doubling punctuation the text has:
    "Council , From" -> "Council, From"; "now., Contact" -> "now. Contact"; "week B. ," -> "week B."."""
    text = re.sub(r"\s+,", ",", text)
    text = re.sub(r"([.!?:;]),", r"\1", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    return re.sub(r"(?:\s*,)+\s*$", "", text)
