"""The README stays true: its make targets exist, its commands run, its settings are the ones the site reads."""

from __future__ import annotations

import re
import shlex

import pytest

from townhall.config import DEFAULTS, PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")


def code_lines() -> list[str]:
    """Every line of the README's shell code blocks, without comments."""
    lines = []
    for block in re.findall(r"```(?:sh|bash|shell)\n(.*?)```", README, re.S):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def make_targets_named() -> set[str]:
    named = set()
    for line in code_lines():
        if line.startswith("make "):
            named.update(word for word in shlex.split(line)[1:] if "=" not in word)
    named.update(re.findall(r"`make ([a-z-]+)`", README))
    return named


def flask_commands() -> list[list[str]]:
    """The `flask --app wsgi ...` commands, as the words after the app (options and placeholders dropped)."""
    commands = []
    for line in code_lines():
        if "flask --app wsgi " not in line:
            continue
        words = shlex.split(line.split("flask --app wsgi ", 1)[1])
        commands.append([word for word in words[:2] if word.isidentifier() or re.fullmatch(r"[a-z][a-z-]*", word)])
    return commands


def test_the_readme_names_make_targets_that_exist():
    targets = set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE, re.M))
    named = make_targets_named()
    assert {"run", "test", "test-fast", "lint"} <= named
    assert named <= targets, named - targets


@pytest.mark.parametrize("command", flask_commands(), ids=" ".join)
def test_every_command_in_the_readme_exists(app, command):
    result = app.test_cli_runner().invoke(args=[*command, "--help"])
    assert result.exit_code == 0, result.output


def test_the_readme_lists_every_setting_and_only_real_ones():
    documented = {name for row in re.findall(r"^\| (`TOWNHALL_[^|]+)\|", README, re.M)
                  for name in re.findall(r"`(TOWNHALL_[A-Z_]+)`", row)}
    settings = {name for name in DEFAULTS if name.startswith("TOWNHALL_")}
    assert documented == settings, {"undocumented": settings - documented, "not a setting": documented - settings}
