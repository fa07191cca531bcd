"""Checking what residents type: every field cleaned, sized and explained, errors returned as values.

`validate_submission(kind, form)` gives back a `Validation`: the cleaned values
to show again in the form, the errors (field name -> plain English message,
marked with ``N_`` for the web layer to translate) in the order the fields
appear, and, when there are none, a `Submission` ready for `service.submit`.
Nothing here raises for anything a resident can type.

Messages follow the GOV.UK design system's wording ("Enter your full name",
"Enter an email address in the correct format, like name@example.com"). The
council's own examples are placeholders the web layer fills in:
``%(example)s`` (a postcode of its area) and ``%(reference_example)s`` (a
reference with its prefix), so no council's details are written here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..places.errors import NotAPostcode
from ..places.postcodes import clean as clean_postcode
from ..text import N_
from .models import CONTACT_PREFERENCES, FORMATS, KINDS, LANGUAGES, SIZES
from .references import DEFAULT_PREFIX
from .references import normalise as normalise_reference

EMAIL = re.compile(r"^[^@\s,;:<>()\[\]\"\\]+@[^@\s,;:<>()\[\]\"\\]+\.[^@\s,;:<>()\[\]\"\\.]{2,}$")
_PHONE_PUNCTUATION = re.compile(r"[\s().\-]")
UK_PHONE = re.compile(r"^(?:0|\+44|0044)[1-9]\d{8,9}$")
INTERNATIONAL_PHONE = re.compile(r"^(?:\+|00)[1-9]\d{6,14}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

TOO_LONG = {
    "name": N_("Your name must be 120 characters or fewer"),
    "email": N_("Your email address must be 254 characters or fewer"),
    "phone": N_("Your telephone number must be 30 characters or fewer"),
    "postcode": N_("Enter a full UK postcode, like %(example)s"),
    "address": N_("Your address must be 300 characters or fewer"),
    "details": N_("What you tell us must be 5,000 characters or fewer"),
    "desired_outcome": N_("What you would like us to do must be 2,000 characters or fewer"),
    "access_needs": N_("What you need from us must be 300 characters or fewer"),
    "format_language": N_("The language must be 60 characters or fewer"),
    "format_details": N_("The format you need must be 500 characters or fewer"),
}
UNKNOWN_SERVICE = N_("Choose a service from the list")

MISSING_DETAILS = {
    "enquiry": N_("Enter your question or request"),
    "complaint": N_("Tell us what your complaint is about"),
    "format_request": N_("Tell us what information you need in another format or language"),
    "compliment": N_("Enter your compliment"),
}

FORM_FIELDS = ("service", "details", "desired_outcome", "format", "format_language", "format_details", "name",
               "contact_preference", "email", "phone", "address", "postcode", "access_needs")


@dataclass(frozen=True)
class Submission:
    """What a resident (or a member of staff logging a call or letter) told us, checked and cleaned."""

    kind: str
    details: str
    stage: int | None = None
    language: str = "en"
    service_slug: str | None = None
    service_title: str | None = None
    desired_outcome: str | None = None
    format_requested: str | None = None
    format_language: str | None = None
    format_details: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    address: str | None = None
    contact_preference: str = "email"
    access_needs: str | None = None


@dataclass
class Validation:
    """The result of checking a form: values to show again, errors in field order, and the submission."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    submission: Submission | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def clean_text(value: object, *, multiline: bool = False) -> str:
    """Text as typed, made safe to store: NFC, no control characters (PostgreSQL refuses NUL), trimmed.

    Single-line fields also have runs of spaces, tabs and line breaks made one space.
    """
    text = value if isinstance(value, str) else ""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    if not multiline:
        return " ".join(text.split())
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def is_email(text: str) -> bool:
    return len(text) <= SIZES["email"] and EMAIL.match(text) is not None


def clean_phone(text: str) -> str | None:
    """The number as typed (tidied) when it is a UK or international number, else None."""
    compact = _PHONE_PUNCTUATION.sub("", text.replace("(0)", ""))
    if UK_PHONE.match(compact) or INTERNATIONAL_PHONE.match(compact):
        return " ".join(text.split())
    return None


def validate_submission(kind: str, form: Mapping[str, object], *, services: Mapping[str, str] | None = None,
                        language: str = "en", stage: int | None = None) -> Validation:
    """Check a contact, complaint, format request or compliment form.

    `services` maps each service's slug to its title; with it, the chosen
    service must be one of them (and its title is stored with the case, so the
    record reads well even after the page is renamed).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    multiline = {"details", "desired_outcome", "address", "format_details"}
    values = {name: clean_text(form.get(name), multiline=name in multiline) for name in FORM_FIELDS}
    errors: dict[str, str] = {}
    check = _Checker(values, errors)

    slug = values["service"] or None
    title = None
    if slug:
        if services is not None and slug not in services or len(slug) > SIZES["service_slug"]:
            errors["service"] = UNKNOWN_SERVICE
        elif services is not None:
            title = services[slug]
    format_requested = _check_format(kind, values, errors)
    if not values["details"]:
        errors["details"] = MISSING_DETAILS[kind]
    check.size("details")
    check.size("desired_outcome")
    preference = _check_preference(kind, values, errors)
    name = check.required("name", N_("Enter your full name")) if kind != "compliment" else values["name"]
    check.size("name")
    email = _check_email(values, errors, required=preference == "email")
    phone = _check_phone(values, errors, required=preference == "phone")
    if preference == "letter" and not values["address"]:
        errors["address"] = N_("Enter your address")
    check.size("address")
    postcode = _check_postcode(values, errors, required=preference == "letter")
    check.size("access_needs")

    validation = Validation(values=values, errors=_in_order(errors))
    if validation.ok:
        validation.submission = Submission(
            kind=kind, stage=(stage or 1) if kind == "complaint" else None,
            language=language if language in LANGUAGES else "en",
            details=values["details"], service_slug=slug, service_title=title,
            desired_outcome=values["desired_outcome"] or None, format_requested=format_requested,
            format_language=values["format_language"] or None, format_details=values["format_details"] or None,
            name=name or None, email=email, phone=phone, postcode=postcode, address=values["address"] or None,
            contact_preference=preference or "none", access_needs=values["access_needs"] or None,
        )
    return validation


@dataclass
class _Checker:
    values: dict[str, str]
    errors: dict[str, str]

    def required(self, name: str, message: str) -> str:
        if not self.values[name]:
            self.errors.setdefault(name, message)
        return self.values[name]

    def size(self, name: str) -> None:
        size = SIZES[name]
        if len(self.values[name]) > size:
            self.errors.setdefault(name, TOO_LONG[name])


def _check_format(kind: str, values: dict[str, str], errors: dict[str, str]) -> str | None:
    if kind != "format_request":
        return None
    chosen = values["format"]
    if chosen not in FORMATS:
        errors["format"] = N_("Select the format or language you need")
        return None
    if chosen == "spoken_language" and not values["format_language"]:
        errors["format_language"] = N_("Enter the language you need")
    if chosen == "other" and not values["format_details"]:
        errors["format_details"] = N_("Tell us the format you need")
    for name in ("format_language", "format_details"):
        if len(values[name]) > SIZES[name]:
            errors.setdefault(name, TOO_LONG[name])
    return chosen


def _check_preference(kind: str, values: dict[str, str], errors: dict[str, str]) -> str | None:
    """The chosen way to reach them; None (with an error) when none was chosen, so nothing else is demanded."""
    preference = values["contact_preference"]
    if kind == "compliment" and not preference:
        return "email" if values["email"] else "none"
    if preference not in CONTACT_PREFERENCES or (preference == "none" and kind != "compliment"):
        errors["contact_preference"] = N_("Select how you would like us to contact you")
        return None
    return preference


def _check_email(values: dict[str, str], errors: dict[str, str], *, required: bool) -> str | None:
    email = values["email"]
    if not email:
        if required:
            errors["email"] = N_("Enter your email address")
        return None
    if len(email) > SIZES["email"]:
        errors["email"] = TOO_LONG["email"]
    elif not is_email(email):
        errors["email"] = N_("Enter an email address in the correct format, like name@example.com")
    return email


def _check_phone(values: dict[str, str], errors: dict[str, str], *, required: bool) -> str | None:
    phone = values["phone"]
    if not phone:
        if required:
            errors["phone"] = N_("Enter a telephone number")
        return None
    if len(phone) > SIZES["phone"]:
        errors["phone"] = TOO_LONG["phone"]
        return None
    cleaned = clean_phone(phone)
    if cleaned is None:
        errors["phone"] = N_("Enter a telephone number, like 01632 960 001 or 07700 900 982")
    return cleaned


def _check_postcode(values: dict[str, str], errors: dict[str, str], *, required: bool) -> str | None:
    typed = values["postcode"]
    if not typed:
        if required:
            errors["postcode"] = N_("Enter your postcode")
        return None
    if len(typed) > 20:
        errors["postcode"] = TOO_LONG["postcode"]
        return None
    try:
        return clean_postcode(typed).postcode
    except NotAPostcode:
        errors["postcode"] = N_("Enter a full UK postcode, like %(example)s")
        return None


def _in_order(errors: dict[str, str]) -> dict[str, str]:
    """Errors in the order the fields appear on the page, as the error summary lists them."""
    return {name: errors[name] for name in FORM_FIELDS if name in errors}


# -- asking for stage 2, and tracking ----------------------------------------------------------

@dataclass
class StageTwoRequest:
    """A resident's request to take a stage 1 complaint to stage 2, checked."""

    reference: str
    email_or_postcode: str
    details: str
    desired_outcome: str | None


def validate_stage_two(form: Mapping[str, object], *, prefix: str = DEFAULT_PREFIX
                       ) -> tuple[StageTwoRequest | None, dict[str, str], dict[str, str]]:
    """(request or None, errors, values to show again) for the stage 2 form; `prefix` is the council's."""
    values = {name: clean_text(form.get(name), multiline=name in {"details", "desired_outcome"})
              for name in ("reference", "email_or_postcode", "details", "desired_outcome")}
    errors: dict[str, str] = {}
    reference = _check_reference(values["reference"], errors, prefix)
    if not values["email_or_postcode"]:
        errors["email_or_postcode"] = N_("Enter the email address or postcode you gave with your complaint")
    elif len(values["email_or_postcode"]) > SIZES["email"]:
        errors["email_or_postcode"] = TOO_LONG["email"]
    if not values["details"]:
        errors["details"] = N_("Tell us why you are unhappy with our stage 1 answer")
    elif len(values["details"]) > SIZES["details"]:
        errors["details"] = TOO_LONG["details"]
    if len(values["desired_outcome"]) > SIZES["desired_outcome"]:
        errors["desired_outcome"] = TOO_LONG["desired_outcome"]
    if errors or reference is None:
        return None, errors, values
    return (StageTwoRequest(reference, values["email_or_postcode"], values["details"],
                            values["desired_outcome"] or None), errors, values)


def validate_track(form: Mapping[str, object], *, prefix: str = DEFAULT_PREFIX
                   ) -> tuple[tuple[str, str] | None, dict[str, str], dict[str, str]]:
    """((reference, email_or_postcode) or None, errors, values) for the track form.

    A well-formed reference is all we check here: whether it exists is only
    ever answered together with the matching email address or postcode.
    """
    values = {name: clean_text(form.get(name)) for name in ("reference", "email_or_postcode")}
    errors: dict[str, str] = {}
    reference = _check_reference(values["reference"], errors, prefix)
    if not values["email_or_postcode"]:
        errors["email_or_postcode"] = N_("Enter the email address or postcode you gave us")
    elif len(values["email_or_postcode"]) > SIZES["email"]:
        errors["email_or_postcode"] = TOO_LONG["email"]
    if errors or reference is None:
        return None, errors, values
    return (reference, values["email_or_postcode"]), errors, values


def _check_reference(typed: str, errors: dict[str, str], prefix: str) -> str | None:
    if not typed:
        errors["reference"] = N_("Enter your reference number")
        return None
    reference = normalise_reference(typed, prefix)
    if reference is None:
        errors["reference"] = N_("Enter your reference number as it appears in your email, like %(reference_example)s")
    return reference
