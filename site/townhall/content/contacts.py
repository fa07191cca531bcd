"""One reader for every contact block: a team in contacts.yaml, a page's own `contact:`, an organisation's.

Each kind of contact is a dataclass (`Contact`, `OrganisationContact`); the
fields it has decide what may be written in its block, and every field is
checked by the same rule wherever it appears, so a phone number or opening
hours are read the same way on a service page and in the directory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

from .fields import FieldReader
from .models import OtherNumber

ContactT = TypeVar("ContactT")

# How to read each field a contact block may have.
FIELD_READERS: dict[str, Callable[[FieldReader, str], Any]] = {
    "team": lambda reader, key: reader.text(key, required=False),
    "phone": lambda reader, key: reader.phone(key),
    "textphone": lambda reader, key: reader.phone(key),
    "emergency": lambda reader, key: reader.phone(key),
    "bsl": lambda reader, key: reader.text(key, required=False),
    "email": lambda reader, key: reader.email(key),
    "website": lambda reader, key: reader.url(key, allow_site_path=False),
    "address": lambda reader, key: reader.text(key, required=False),
    "hours": lambda reader, key: reader.hours(key),
    "hours_note": lambda reader, key: reader.text(key, required=False, max_length=200),
    "out_of_hours": lambda reader, key: reader.text(key, required=False),
    "other_numbers": lambda reader, key: _other_numbers(reader, key),
}
# The ways of reaching someone, in the order a problem message names them; a block needs one.
WAYS_TO_REACH = {"phone": "a phone number", "website": "a website", "email": "an email address",
                 "address": "a postal address"}


def read_contact(reader: FieldReader, kind: type[ContactT], **given: Any) -> ContactT:
    """The contact block `reader` holds, as a `kind`; a block with no way to reach anyone is a problem.

    `given` fills fields that are not written in the block (a shared contact's name).
    """
    names = [field.name for field in fields(kind) if field.name in FIELD_READERS]  # type: ignore[arg-type]
    reader.unknown(set(names))
    values = {name: FIELD_READERS[name](reader, name) for name in names}
    ways = [words for name, words in WAYS_TO_REACH.items() if name in names]
    if not any(values.get(name) for name in WAYS_TO_REACH):
        reader.problem(None, f"needs at least {', '.join(ways[:-1])} or {ways[-1]}")
    return kind(**given, **values)


def has_a_way_to_reach(contact: Any) -> bool:
    return any(getattr(contact, name, None) for name in WAYS_TO_REACH)


def _other_numbers(reader: FieldReader, key: str) -> tuple[OtherNumber, ...]:
    value = reader.data.get(key)
    if value in (None, []):
        return ()
    if not isinstance(value, list):
        reader.problem(key, "should be a list, each with a label and a phone, "
                       "like - {label: Welsh language line, phone: 0800 328 1744}")
        return ()
    numbers = []
    for number, entry in enumerate(value, start=1):
        item = FieldReader(entry, reader.path, reader.log, prefix=f"{reader.prefix}{key}.{number}.")
        item.unknown({"label", "phone"})
        label, phone = item.text("label", max_length=80), item.phone("phone", required=True)
        if label and phone:
            numbers.append(OtherNumber(label, phone))
    return tuple(numbers)
