"""A damaged index is never opened: checked against its manifest, served from a checked copy in memory,
the previous generation served meanwhile, a new one built by itself; `search status` and
`build --if-stale` notice the damage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from townhall import create_app
from townhall.search import SearchDocument, SearchEngine, build_index, current_index, ensure_index
from townhall.search.index import MANIFEST, IndexDamaged, damage, open_verified, quick_damage


def documents(extra: str = ""):
    return [
        SearchDocument("service:missed-bin", "service", "Report a missed bin", "/services/missed-bin",
                       summary="Tell us if we did not empty your bin.", body="We collect bins every week. " + extra),
        SearchDocument("page:contact-us", "page", "Contact us", "/contact-us",
                       body="Council offices are open Monday to Friday."),
    ]


def biggest_file(generation: Path) -> Path:
    return max((path for path in generation.iterdir() if path.name != MANIFEST), key=lambda path: path.stat().st_size)


def truncate(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


@pytest.fixture
def index(tmp_path: Path) -> Path:
    build_index(tmp_path, documents(), "one")
    return tmp_path


def test_a_build_writes_a_manifest_of_every_file(index: Path) -> None:
    generation = current_index(index).path
    files = json.loads((generation / MANIFEST).read_text())["files"]
    assert set(files) == {path.name for path in generation.iterdir() if path.name != MANIFEST}
    assert all(len(entry["sha256"]) == 64 for entry in files.values()) and sum(e["size"] for e in files.values())
    assert damage(generation) is None and quick_damage(generation) is None


def test_a_truncated_or_altered_file_is_found(index: Path) -> None:
    generation = current_index(index).path
    victim = biggest_file(generation)
    data = victim.read_bytes()
    victim.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # same size, one byte changed
    assert quick_damage(generation) is None and "damaged" in damage(generation)
    with pytest.raises(IndexDamaged):
        open_verified(generation)
    truncate(victim)
    assert "bytes" in quick_damage(generation)
    (generation / MANIFEST).unlink()
    assert "manifest" in damage(generation)


def test_what_is_served_is_a_copy_a_damaged_file_cannot_change(index: Path) -> None:
    engine = SearchEngine(index)
    assert engine.search("bin").total == 1
    truncate(biggest_file(current_index(index).path))
    assert engine.search("contact").total == 1  # read from the checked copy, not the damaged file


def test_a_damaged_current_generation_falls_back_to_the_previous_one_and_is_rebuilt(index: Path) -> None:
    build_index(index, documents("zebra crossing"), "two")
    damaged = current_index(index)
    truncate(biggest_file(damaged.path))
    rebuilt = []

    def repair() -> None:
        rebuilt.append(ensure_index(index, "two", lambda: documents("zebra crossing")))

    engine = SearchEngine(index, repair=repair)
    results = engine.search("bin")
    assert results.ready and results.total == 1  # the previous generation, meanwhile
    assert "damaged" in engine.problem()  # what a readiness check would report
    assert engine.search("zebra").total == 0  # (which was built before the zebra crossing)
    engine.wait_for_repair()
    assert rebuilt and rebuilt[0][1]  # built again
    fresh = current_index(index)
    assert fresh.generation != damaged.generation and damage(fresh.path) is None
    engine._checked = 0.0
    assert engine.search("zebra").total == 1
    assert engine.problem() is None


def test_with_nothing_whole_to_serve_search_says_it_is_unavailable(index: Path) -> None:
    truncate(biggest_file(current_index(index).path))
    results = SearchEngine(index).search("bin")
    assert not results.ready and results.total == 0


def test_a_generation_damaged_on_disk_while_served_is_rebuilt(index: Path, monkeypatch) -> None:
    import townhall.search.engine as engine_module

    monkeypatch.setattr(engine_module, "RECHECK_SECONDS", 0)
    engine = SearchEngine(index, repair=lambda: ensure_index(index, "one", documents))
    assert engine.search("bin").total == 1
    before = current_index(index).generation
    truncate(biggest_file(current_index(index).path))
    assert engine.search("contact").total == 1  # still served, and the damage noticed
    engine.wait_for_repair()
    assert current_index(index).generation != before
    assert engine.search("bin").total == 1


def test_ensure_index_rebuilds_a_damaged_index(index: Path) -> None:
    truncate(biggest_file(current_index(index).path))
    info, built = ensure_index(index, "one", documents)
    assert built and damage(info.path) is None


def test_search_status_and_build_if_stale_notice_damage(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path)})
    runner = app.test_cli_runner()
    assert "up to date" in runner.invoke(args=["search", "status"]).output
    truncate(biggest_file(current_index(app.config["TOWNHALL_SEARCH_INDEX"]).path))
    status = runner.invoke(args=["search", "status"])
    assert status.exit_code == 1 and "DAMAGED" in status.output
    built = runner.invoke(args=["search", "build", "--if-stale"])
    assert built.exit_code == 0 and "Built the search index" in built.output
    status = runner.invoke(args=["search", "status"])
    assert status.exit_code == 0 and "up to date" in status.output
