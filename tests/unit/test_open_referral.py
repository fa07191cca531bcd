"""The directory as Open Referral UK 3.0, without an app: records, ids, paging and filters."""

from __future__ import annotations

import uuid
from datetime import time
from pathlib import Path

import pytest

from townhall.content.directory import load_directory
from townhall.content.problems import ProblemLog
from townhall.opendata import BadParameter, NotFound, NotSupported, OpenReferral, Paging, ServiceFilters, page_of
from townhall.opendata.open_referral import NAMESPACE, PHONES

CONTENT = Path(__file__).resolve().parents[2] / "content"
REMOVED_BY_UK_PROFILE = {"eligibility_description", "contacts", "phones", "timezone", "locations", "vocabulary",
                         "alternate_name", "program_id", "fees_description", "application_process"}


@pytest.fixture(scope="module")
def directory():
    log = ProblemLog()
    found = load_directory(CONTENT, log)
    assert not log.problems
    return found


@pytest.fixture(scope="module")
def feed(directory):
    return OpenReferral(directory, publisher="Testshire Council", page_url=lambda slug: f"https://test.example/d/{slug}",
                        categories_url="https://test.example/d")


def everything(feed, **args):
    return feed.services(ServiceFilters.from_args(args), Paging(1, 100))["contents"]


def walk(value, path="record"):
    """(path, key, value) for every field of a nested record."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path, key, inner
            yield from walk(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for number, inner in enumerate(value):
            yield from walk(inner, f"{path}[{number}]")


# --- paging ---------------------------------------------------------------------------


@pytest.mark.parametrize("args, expected", [
    ({}, Paging(1, 50)), ({"page": "3"}, Paging(3, 50)), ({"page": " 2 ", "per_page": "100"}, Paging(2, 100)),
])
def test_paging_reads_whole_numbers(args, expected):
    assert Paging.from_args(args) == expected


@pytest.mark.parametrize("args", [
    {"page": "0"}, {"page": "-1"}, {"page": "abc"}, {"page": "1.5"}, {"page": "1e3"}, {"page": ""},
    {"page": "99999999999999999999"}, {"per_page": "101"}, {"per_page": "0"}, {"per_page": "100000000"},
    {"page": "2\x00"},
])
def test_odd_page_numbers_are_refused_with_a_hint(args):
    with pytest.raises(BadParameter) as caught:
        Paging.from_args(args)
    assert caught.value.status == 400 and "Use a whole number" in caught.value.message
    assert "\x00" not in caught.value.message


def test_a_page_past_the_end_is_empty_not_a_repeat():
    items = list(range(7))
    assert page_of(items, Paging(2, 5))["contents"] == [5, 6]
    past = page_of(items, Paging(3, 5))
    assert past == {"total_items": 7, "total_pages": 2, "page_number": 3, "size": 0, "first_page": False,
                    "last_page": True, "empty": True, "contents": []}
    nothing = page_of([], Paging(1, 5))
    assert nothing["total_pages"] == 0 and nothing["empty"] and nothing["first_page"] and nothing["last_page"]


# --- records --------------------------------------------------------------------------


def test_ids_are_uuid5_from_the_file_name_and_stable(directory, feed):
    again = OpenReferral(directory, publisher="Other", page_url=str)
    first = everything(feed)
    assert [s["id"] for s in first] == [s["id"] for s in everything(again)]
    passport = next(s for s in first if s["name"] == "HM Passport Office")
    assert passport["id"] == str(uuid.uuid5(NAMESPACE, "service/hm-passport-office"))
    assert passport["organization_id"] == passport["organization"]["id"] == str(
        uuid.uuid5(NAMESPACE, "organization/hm-passport-office"))
    assert len({s["id"] for s in first}) == len(first) == len(directory.organisations)


def test_records_leave_out_empty_fields_and_what_the_uk_profile_removes(directory, feed):
    for org in directory.organisations.values():
        record = feed.service(feed.service_list_item(org)["id"])
        assert record["organization_id"] and record["status"] == "active"
        for path, key, value in walk(record):
            assert value not in ("", None, [], {}), f"{org.slug}: {path}.{key} is empty"
            assert key not in REMOVED_BY_UK_PROFILE, f"{org.slug}: {path}.{key} is removed by the UK profile"
        for attribute in record["attributes"]:
            assert attribute["id"] and attribute["taxonomy_term"]["description"]


def test_phone_numbers_travel_in_the_local_extension(feed):
    services = {s["name"]: feed.service(s["id"]) for s in everything(feed)}
    passport = services["HM Passport Office"]
    assert passport[PHONES][0] == {"id": passport[PHONES][0]["id"], "number": "0300 222 0000",
                                   "description": "Main number"}
    assert any(p["description"] == "Textphone or Relay UK" for r in services.values() for p in r.get(PHONES, []))
    assert sum(len(r.get(PHONES, [])) for r in services.values()) >= 40
    assert all(set(p) == {"id", "number", "description"} for r in services.values() for p in r.get(PHONES, []))
    listed = everything(feed)[0]
    assert PHONES not in listed and "schedules" not in listed  # the list has one-to-one fields only


def test_opening_hours_become_weekly_schedules(feed):
    passport = feed.service(next(s["id"] for s in everything(feed) if s["name"] == "HM Passport Office"))
    weekdays = [s for s in passport["schedules"] if s["byday"] == "MO,TU,WE,TH,FR"]
    assert weekdays[0]["opens_at"] == "08:00:00" and weekdays[0]["closes_at"] == "20:00:00"
    assert weekdays[0]["freq"] == "WEEKLY" and weekdays[0]["service_id"] == passport["id"]


def test_the_taxonomy_is_the_directory_categories(directory, feed):
    taxonomy = feed.taxonomy(feed.taxonomy_id)
    assert "Testshire Council" in taxonomy["description"]
    terms = taxonomy["taxonomy_terms"]
    assert [t["term"] for t in terms] == [slug for slug in directory.categories if directory.in_category(slug)]
    assert all(t["description"] and t["taxonomy_id"] == feed.taxonomy_id for t in terms)
    assert feed.taxonomy_term(terms[0]["id"]) == terms[0]
    assert feed.taxonomy_terms({"search": "passports"}, Paging())["contents"][0]["term"] == "documents-and-licences"
    assert feed.taxonomy_terms({"parent_id": terms[0]["id"]}, Paging())["total_items"] == 0


def test_organizations_list_and_one_with_its_service(feed):
    page = feed.organizations(Paging(1, 5))
    assert page["total_items"] == len(everything(feed)) and page["size"] == 5
    organization = feed.organization(page["contents"][0]["id"])
    assert organization["services"][0]["organization_id"] == organization["id"]


@pytest.mark.parametrize("ask", [
    lambda feed: feed.service("not-an-id"), lambda feed: feed.service(str(uuid.uuid4())),
    lambda feed: feed.organization("x"), lambda feed: feed.taxonomy("x"), lambda feed: feed.taxonomy_term("x"),
    lambda feed: feed.service_at_location("x"),
])
def test_unknown_ids_are_not_found(feed, ask):
    with pytest.raises(NotFound) as caught:
        ask(feed)
    assert caught.value.status == 404 and "There is no" in caught.value.message


def test_services_at_locations_are_an_honest_empty_page(feed):
    assert feed.service_at_locations({}, Paging())["total_items"] == 0
    with pytest.raises(BadParameter):
        feed.service_at_locations({"proximity": "near"}, Paging())


# --- filters ----------------------------------------------------------------------------


def names(feed, **args):
    return {s["name"] for s in everything(feed, **args)}


def test_search_needs_every_word(feed):
    assert "National Gas Emergency Service" in names(feed, search="gas leak")
    assert names(feed, search="passport") >= {"HM Passport Office"}
    assert names(feed, search="PASSPORT office") == {"HM Passport Office"}
    assert names(feed, search="zzzz-nothing") == set()


def test_taxonomy_organization_and_time_filters(feed, directory):
    term = feed.term(directory.categories["emergencies"])
    emergencies = names(feed, taxonomy_term_id=term["id"])
    assert emergencies == {o.name for o in directory.in_category("emergencies")}
    assert len(names(feed, taxonomy_id=feed.taxonomy_id)) == len(directory.organisations)
    assert names(feed, taxonomy_id=str(uuid.uuid4())) == set()
    one = everything(feed)[3]
    assert names(feed, organization_id=one["organization_id"]) == {one["name"]}
    sunday = names(feed, day="SU")
    hmrc = "HMRC (HM Revenue and Customs)"
    assert hmrc in names(feed, day="MO") and hmrc not in sunday and "HM Passport Office" in sunday
    assert sunday == names(feed, day="sunday")
    assert names(feed, day="MO", start_time="08:00", end_time="20:00") >= {"HM Passport Office"}
    assert "HM Passport Office" not in names(feed, day="MO", end_time="17:00")
    assert names(feed, minimum_age="18") == set()  # no entry records an age limit


@pytest.mark.parametrize("args, error", [
    ({"day": "funday"}, BadParameter), ({"start_time": "25:00"}, BadParameter), ({"end_time": "9am"}, BadParameter),
    ({"minimum_age": "old"}, BadParameter), ({"full": "yes"}, BadParameter), ({"search": "x" * 201}, BadParameter),
    ({"search": "gas\x00"}, BadParameter), ({"modified_after": "2026-01-01"}, NotSupported),
    ({"minimal": "true"}, NotSupported), ({"format": "ndjson"}, NotSupported),
])
def test_filters_that_cannot_be_read_or_met_say_so(args, error):
    with pytest.raises(error) as caught:
        ServiceFilters.from_args(args)
    assert caught.value.status == 400 and next(iter(args)) in caught.value.message


def test_readable_filters(feed):
    filters = ServiceFilters.from_args({"day": "Tuesday", "start_time": "09:30", "end_time": "17:00:30",
                                        "format": "json", "full": "true"})
    assert filters.day == "TU" and filters.start_time == time(9, 30) and filters.end_time == time(17, 0, 30)
    assert filters.full and "schedules" in feed.services(filters, Paging(1, 1))["contents"][0]
