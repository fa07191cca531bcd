"""The files in deploy/ name only commands, files and settings that exist (a renamed command breaks a test, not a
council's night-time backup)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from townhall.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
CHECKOUT = "/srv/townhall"  # where the units expect the checkout


def exec_lines(unit: Path) -> list[list[str]]:
    return [shlex.split(line.split("=", 1)[1]) for line in unit.read_text(encoding="utf-8").splitlines()
            if re.match(r"Exec(Start|StartPre|StartPost|Reload)=", line)]


def test_there_are_units_for_the_site_and_its_timers() -> None:
    names = {path.name for path in (ROOT / "deploy" / "systemd").iterdir()}
    assert {"townhall.service", "townhall-outbox.timer", "townhall-daily.timer", "townhall-drill.timer"} <= names
    for timer in (ROOT / "deploy" / "systemd").glob("*.timer"):
        assert timer.with_suffix(".service").exists(), f"{timer.name} starts a service that is not there"


@pytest.mark.parametrize("unit", UNITS, ids=[unit.name for unit in UNITS])
def test_every_command_a_unit_runs_exists(unit: Path, app) -> None:
    for words in exec_lines(unit):
        program = words[0]
        if program.startswith(f"{CHECKOUT}/.venv/bin/"):
            tool = program.rsplit("/", 1)[1]
            if tool == "flask":
                assert words[1:3] == ["--app", "wsgi"]
                group, command = words[3], words[4]
                assert group in app.cli.commands and command in app.cli.commands[group].commands, words
            else:
                assert tool == "gunicorn" and words[1:3] == ["-c", "gunicorn.conf.py"]
                assert (ROOT / "gunicorn.conf.py").exists()
        elif program.startswith(f"{CHECKOUT}/"):
            assert (ROOT / program.removeprefix(f"{CHECKOUT}/")).exists(), words
        else:
            assert program.startswith(("/bin/", "/usr/bin/")), words


def test_the_example_environment_names_only_real_settings() -> None:
    example = (ROOT / "deploy" / "systemd" / "townhall.env.example").read_text(encoding="utf-8")
    names = re.findall(r"^([A-Z_]+)=", example, re.M)
    read_by_gunicorn_conf = {"TOWNHALL_BIND", "WEB_CONCURRENCY"}
    assert names and set(names) <= set(DEFAULTS) | read_by_gunicorn_conf
    assert read_by_gunicorn_conf <= set(re.findall(r'"([A-Z_]+)"', (ROOT / "gunicorn.conf.py").read_text()))
