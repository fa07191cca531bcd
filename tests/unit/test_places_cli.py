"""`flask geodata ...`: what a person running an import sees."""

from __future__ import annotations

import pytest

from townhall import create_app
from townhall.places.engine import Places


@pytest.fixture
def runner(tmp_path):
    app = create_app({"TESTING": True, "TOWNHALL_GEODATA": str(tmp_path / "geodata"),
                      "TOWNHALL_INSTANCE": str(tmp_path / "instance")})
    return app.test_cli_runner()


def test_generate_demo_then_status(runner, tmp_path):
    result = runner.invoke(args=["geodata", "generate-demo"])
    assert result.exit_code == 0, result.output
    assert "Imported 85 facilities" in result.output
    places = Places.open(tmp_path / "geodata", council="x")
    assert places.postcode_count >= 2000
    assert len(places.layers) >= 5 and len(places.facilities()) >= 80 and len(places.categories) >= 6
    status = runner.invoke(args=["geodata", "status"])
    assert "catchment areas for 2026/27 entry" in status.output


def test_the_demo_is_the_same_every_time(runner, tmp_path):
    from townhall.config import PROJECT_ROOT
    from townhall.places.store import GeodataFolder

    runner.invoke(args=["geodata", "generate-demo"])
    assert GeodataFolder(tmp_path / "geodata").current.name == GeodataFolder(PROJECT_ROOT / "geodata").current.name


def test_a_bad_file_lists_every_problem_and_exits_1(runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("postcode,latitude,longitude\nBK1 1AA,52,-1\nnonsense,52,-1\nBK1 1AB,north,-1\n")
    result = runner.invoke(args=["geodata", "import-postcodes", str(bad)])
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    assert "Line 3:" in result.output and "Line 4:" in result.output


def test_import_commands(runner, tmp_path):
    (tmp_path / "p.csv").write_text("pcds,lat,long\nBK1 1AA,52.01,-0.99\n")
    (tmp_path / "w.geojson").write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"WD13CD":"E1","WD13NM":"One"},'
        '"geometry":{"type":"Polygon","coordinates":[[[-1,52],[-0.98,52],[-0.98,52.02],[-1,52.02],[-1,52]]]}}]}')
    (tmp_path / "f.csv").write_text("name,category,postcode,opening_hours\nLibrary,Libraries,BK1 1AA,Mo-Fr 09:00-17:00\n")
    assert runner.invoke(args=["geodata", "import-postcodes", str(tmp_path / "p.csv")]).exit_code == 0
    result = runner.invoke(args=["geodata", "import-areas", "wards", str(tmp_path / "w.geojson"),
                                 "--edition", "wards from May 2027", "--title", "Wards"])
    assert result.exit_code == 0 and 'Codes from "WD13CD", names from "WD13NM"' in result.output
    result = runner.invoke(args=["geodata", "import-areas", "boundary", str(tmp_path / "w.geojson"),
                                 "--dissolve", "X1", "Testshire"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["geodata", "import-facilities", str(tmp_path / "f.csv")]).exit_code == 0
    answer = Places.open(tmp_path / "geodata", council="x").lookup("BK1 1AA", "libraries")
    assert answer.area("wards").area.name == "One" and answer.area("wards").layer.edition == "wards from May 2027"
    assert answer.nearest[0].facility.name == "Library"
    assert runner.invoke(args=["geodata", "remove-layer", "wards"]).exit_code == 0
    assert runner.invoke(args=["geodata", "remove-layer", "wards"]).exit_code == 1


def test_how_many_nearest_to_store_is_a_setting(tmp_path):
    from townhall.places.store import GeodataFolder

    app = create_app({"TESTING": True, "TOWNHALL_GEODATA": str(tmp_path / "geodata"),
                      "TOWNHALL_INSTANCE": str(tmp_path / "instance"), "TOWNHALL_NEAREST_PRECOMPUTED": 2})
    runner = app.test_cli_runner()
    (tmp_path / "p.csv").write_text("pcds,lat,long\nBK1 1AA,52.01,-0.99\nBK1 1AB,52.03,-0.99\n")
    (tmp_path / "f.csv").write_text("name,category,latitude,longitude\nOne,Libraries,52.0,-0.99\n"
                                    "Two,Libraries,52.02,-0.99\nThree,Libraries,52.045,-0.99\n")
    assert runner.invoke(args=["geodata", "import-postcodes", str(tmp_path / "p.csv")]).exit_code == 0
    result = runner.invoke(args=["geodata", "import-facilities", str(tmp_path / "f.csv")])
    assert result.exit_code == 0 and "Worked out every postcode's 2 nearest places of each kind." in result.output
    assert GeodataFolder(tmp_path / "geodata").manifest()["nearest"] == {"count": 2, "widths": {"libraries": 2}}
    assert "up to 2 of each kind" in runner.invoke(args=["geodata", "status"]).output
    places = Places.open(tmp_path / "geodata", council="x")
    assert [n.facility.name for n in places.lookup("BK1 1AB", "libraries", 2).nearest] == ["Two", "Three"]
    assert [n.facility.name for n in places.lookup("BK1 1AB", "libraries", 3).nearest] == ["Two", "Three", "One"]


def test_the_setting_comes_from_the_environment():
    from townhall.config import from_environment

    assert from_environment({})["TOWNHALL_NEAREST_PRECOMPUTED"] == 10
    assert from_environment({"TOWNHALL_NEAREST_PRECOMPUTED": "25"})["TOWNHALL_NEAREST_PRECOMPUTED"] == 25
