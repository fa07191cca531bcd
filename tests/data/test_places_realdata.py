"""Real postcodes and boundaries (../shared/realdata), imported with our own importers and
answered through the same ``Places.lookup`` the site uses. Skipped when the folder is absent.
"""

import csv
from pathlib import Path

import pytest

from townhall.config import PROJECT_ROOT
from townhall.places.engine import Places
from townhall.places.errors import OutsideArea, PlacesError
from townhall.places.importers import import_areas, import_postcodes
from townhall.places.postcodes import is_valid
from townhall.places.store import GeodataFolder

REALDATA = Path(PROJECT_ROOT).parent / "shared" / "realdata"
WEST_SUSSEX = REALDATA / "west-sussex-postcodes"
OXFORD = REALDATA / "oxford"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not here (a fresh clone has none)"),
]


def rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def west_sussex(tmp_path_factory):
    folder = GeodataFolder(tmp_path_factory.mktemp("west-sussex"))
    import_postcodes(folder, WEST_SUSSEX / "postcodes.csv")
    import_areas(folder, "boundary", WEST_SUSSEX / "wards.geojson", dissolve=("WSX", "West Sussex districts"))
    import_areas(folder, "wards", WEST_SUSSEX / "wards.geojson")
    import_areas(folder, "districts", WEST_SUSSEX / "districts.geojson")
    return Places.open(folder.root, council="West Sussex")


@pytest.fixture(scope="module")
def oxford(tmp_path_factory):
    folder = GeodataFolder(tmp_path_factory.mktemp("oxford"))
    import_postcodes(folder, OXFORD / "postcodes.csv")
    import_areas(folder, "boundary", OXFORD / "wards.geojson", dissolve=("E07000178", "Oxford"))
    import_areas(folder, "wards", OXFORD / "wards.geojson")
    import_areas(folder, "output-areas", OXFORD / "output_areas.geojson")
    return Places.open(folder.root, council="Oxford City Council")


def agreement(places, expected, layer, column):
    agree, wrong = 0, []
    for row in expected:
        try:
            match = places.lookup(row["postcode"]).area(layer)
            found = match.area.code if match.area else None
        except PlacesError as error:
            found = type(error).__name__
        if found == row[column]:
            agree += 1
        else:
            wrong.append(row["postcode"])
    return agree / len(expected), wrong


def test_every_real_postcode_has_the_uk_format():
    for path in (WEST_SUSSEX / "postcodes.csv", OXFORD / "postcodes.csv"):
        assert all(is_valid(row["postcode"].replace(" ", "")) for row in rows(path))


def test_west_sussex_official_ward_assignments(west_sussex):
    expected = rows(WEST_SUSSEX / "expected.csv")
    assert len(expected) == 25_181
    share, wrong = agreement(west_sussex, expected, "wards", "ward_code")
    assert share >= 0.995, f"{share:.4%} agree"
    # Our point-in-polygon is a plain one: the only disagreements are the ones the
    # data's own README lists as where the generalised polygons differ from OS.
    known = {row["postcode"] for row in rows(WEST_SUSSEX / "pip_mismatches.csv")}
    assert set(wrong) <= known
    print(f"West Sussex wards: {share:.4%} of {len(expected):,} agree")


def test_west_sussex_districts(west_sussex):
    expected = rows(WEST_SUSSEX / "expected.csv")
    share, _ = agreement(west_sussex, expected, "districts", "district_code")
    assert share >= 0.995, f"{share:.4%} agree"


def test_oxford_wards_and_output_areas(oxford):
    expected = rows(OXFORD / "expected.csv")
    share, _ = agreement(oxford, expected, "wards", "ward_code")
    assert share >= 0.995, f"{share:.4%} agree"
    share, _ = agreement(oxford, expected, "output-areas", "oa_code")
    assert share >= 0.995, f"{share:.4%} agree"
    print(f"Oxford wards: {share:.4%} of {len(expected):,} agree")


def test_oxford_postcodes_outside_the_city_get_the_outside_answer(oxford):
    outside = rows(OXFORD / "outside.csv")
    assert len(outside) == 506
    for row in outside:
        with pytest.raises(OutsideArea):
            oxford.lookup(row["postcode"])


def test_near_boundary_agrees_with_the_published_distances(oxford):
    """expected.csv gives each postcode's distance to a ward boundary, roughly (degrees
    scaled to metres, off by a quarter in places), so compare only where that cannot matter."""
    checked = 0
    for row in rows(OXFORD / "expected.csv"):
        published = float(row["metres_to_ward_boundary_approx"])
        if published < 50 or published > 250:
            match = oxford.lookup(row["postcode"]).area("wards")
            assert match.near_boundary == (published < 100), row["postcode"]
            checked += 1
    assert checked > 1000
