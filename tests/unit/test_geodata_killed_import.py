"""An import killed half-way (SIGKILL: no clean-up of its own) leaves a .building-* folder; the next
start of the site, or the next import, removes it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from townhall import create_app
from townhall.config import PROJECT_ROOT
from townhall.generations import BUILDING_PREFIX

pytestmark = pytest.mark.slow


def start_import(geodata: Path, instance: Path) -> subprocess.Popen:
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "site"), "TOWNHALL_GEODATA": str(geodata),
                   "TOWNHALL_INSTANCE": str(instance)}
    flask = Path(sys.executable).with_name("flask")
    return subprocess.Popen([str(flask), "--app", "wsgi", "geodata", "generate-demo"], cwd=PROJECT_ROOT,
                            env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def kill_mid_import(geodata: Path, instance: Path) -> None:
    process = start_import(geodata, instance)
    try:
        deadline = time.monotonic() + 120
        while not list(geodata.glob(f"{BUILDING_PREFIX}*")):
            assert process.poll() is None, "the import finished before it could be killed"
            assert time.monotonic() < deadline, "no build folder appeared"
            time.sleep(0.02)
        # Killed as soon as its folder is there: on a quiet machine the whole build can end within 0.2 s.
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    assert list(geodata.glob(f"{BUILDING_PREFIX}*")), "the killed import left nothing behind to clean"


@pytest.fixture
def geodata(tmp_path: Path) -> Path:
    target = tmp_path / "geodata"
    shutil.copytree(PROJECT_ROOT / "geodata", target)
    return target


def test_the_next_start_removes_what_a_killed_import_left(geodata: Path, tmp_path: Path) -> None:
    kill_mid_import(geodata, tmp_path / "instance")
    create_app({"TESTING": True, "TOWNHALL_GEODATA": str(geodata), "TOWNHALL_INSTANCE": str(tmp_path / "instance")})
    assert not list(geodata.glob(f"{BUILDING_PREFIX}*"))


def test_the_next_import_removes_what_a_killed_import_left(geodata: Path, tmp_path: Path) -> None:
    kill_mid_import(geodata, tmp_path / "instance")
    finished = start_import(geodata, tmp_path / "instance")
    assert finished.wait(timeout=300) == 0
    assert not list(geodata.glob(f"{BUILDING_PREFIX}*"))
