"""The folder of generations and its CURRENT pointer: the watcher that the page cache asks on every request."""

from __future__ import annotations

import os

from townhall.generations import VersionedFolder


def publish(folder: VersionedFolder, name: str) -> None:
    with folder.lock(), folder.building() as building:
        (building / "data").write_text(name, encoding="utf-8")
        folder.publish(building, name, keep=5)


def test_the_watch_sees_each_new_generation_at_once(tmp_path) -> None:
    folder = VersionedFolder(tmp_path, prefix="g-")
    watch = folder.watch()
    assert watch.current() == (None, 0.0)
    publish(folder, "g-one")
    name, published = watch.current()
    assert name == "g-one" and published == (tmp_path / "g-one").stat().st_mtime
    for number in range(20):  # quicker than any clock tick: each still shows (CURRENT is a new file each time)
        publish(folder, f"g-{number}")
        assert watch.current()[0] == f"g-{number}"


def test_the_watch_reads_the_pointer_only_when_it_changed(tmp_path) -> None:
    folder = VersionedFolder(tmp_path, prefix="g-")
    publish(folder, "g-one")
    watch = folder.watch()
    assert watch.current()[0] == "g-one"
    reads = []
    original = folder.stamp
    folder.stamp = lambda: reads.append(1) or original()  # type: ignore[method-assign]
    for _ in range(100):
        assert watch.current()[0] == "g-one"
    assert reads == []
    publish(folder, "g-two")
    assert watch.current()[0] == "g-two" and reads == [1]


def test_a_removed_pointer_means_no_generation(tmp_path) -> None:
    folder = VersionedFolder(tmp_path, prefix="g-")
    publish(folder, "g-one")
    watch = folder.watch()
    assert watch.current()[0] == "g-one"
    os.unlink(tmp_path / "CURRENT")
    assert watch.current() == (None, 0.0)


def test_the_pointer_is_read_again_every_so_often_whatever_stat_says(tmp_path) -> None:
    folder = VersionedFolder(tmp_path, prefix="g-")
    publish(folder, "g-one")
    watch = folder.watch()
    watch.current()
    reads = []
    original = folder.stamp
    folder.stamp = lambda: reads.append(1) or original()  # type: ignore[method-assign]
    watch.REREAD = 0  # a file system whose stat cannot be trusted to change (reused inode, coarse times)
    watch.current()
    watch.current()
    assert len(reads) == 2


def test_no_generation_is_not_remembered_while_the_pointer_is_there(tmp_path) -> None:
    folder = VersionedFolder(tmp_path, prefix="g-")
    (tmp_path / "CURRENT").write_text('{"generation": "g-soon"}', encoding="utf-8")  # its folder is not there yet
    watch = folder.watch()
    assert watch.current()[0] is None
    (tmp_path / "g-soon").mkdir()
    assert watch.current()[0] == "g-soon"
