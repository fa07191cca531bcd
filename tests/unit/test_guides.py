"""Guided answers: the loader and the walker catch each broken flow, with the file, line and fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from townhall.config import PROJECT_ROOT
from townhall.guides import follow, follow_path, load_guides, path_count, read_guide

CONTENT = PROJECT_ROOT / "content"

GOOD = textwrap.dedent("""\
    title: Can I keep a goat?
    intro: Find out in two questions.
    questions: [can I keep a goat, goat rules]
    reviewed: 2026-12-01
    cy:
      title: A allaf gadw gafr?
      questions: [cadw gafr]
    start: garden
    ask:
      garden:
        text: Do you have a garden?
        options:
          - {value: "yes", label: "Yes", next: size, cy: {label: "Oes"}}
          - {value: "no", label: "No", next: no-goat}
        cy: {text: Oes gennych ardd?}
      size:
        text: Is it bigger than a tennis court?
        options:
          - {value: "yes", label: "Yes", next: goat}
          - {value: "no", label: "No", next: no-goat}
    outcomes:
      goat:
        title: You can probably keep a goat
        text: |
          Read [the rules](/services/report-a-pothole) first.
        links:
          - {label: Goat rules, url: /services/report-a-pothole}
      no-goat:
        title: A goat needs more room
        text: Think about a smaller pet.
    examples:
      - {answers: ["yes", "yes"], outcome: goat}
      - {answers: ["no"], outcome: no-goat}
      - {answers: ["yes", "no"], outcome: no-goat}
    """)


def folder_with(tmp_path: Path, text: str, name: str = "can-i-keep-a-goat.yaml") -> Path:
    (tmp_path / "guides").mkdir(exist_ok=True)
    (tmp_path / "services").mkdir(exist_ok=True)
    (tmp_path / "services" / "report-a-pothole.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    (tmp_path / "guides" / name).write_text(text, encoding="utf-8")
    return tmp_path


def problems_of(tmp_path: Path, text: str) -> tuple[list, object]:
    found = load_guides(folder_with(tmp_path, text))
    return found.problems, found


def only(problems: list, code: str):
    matching = [problem for problem in problems if problem.code == code]
    assert matching, [str(problem) for problem in problems]
    return matching[0]


def line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if fragment in line)


def test_a_good_guide_loads_with_its_public_interface(tmp_path):
    problems, found = problems_of(tmp_path, GOOD)
    assert problems == []
    guide = found.get("can-i-keep-a-goat")
    assert [g.slug for g in found.all()] == ["can-i-keep-a-goat"]
    assert guide.title("en") == "Can I keep a goat?" and guide.title("cy") == "A allaf gadw gafr?"
    assert guide.questions("en") == ("can I keep a goat", "goat rules") and guide.questions("cy") == ("cadw gafr",)
    assert guide.url("en") == "/ask/guides/can-i-keep-a-goat" and guide.url("cy") == "/cy/ask/guides/can-i-keep-a-goat"
    assert guide.steps["garden"].text("cy") == "Oes gennych ardd?"
    assert guide.steps["size"].text("cy") == "Is it bigger than a tennis court?"  # not translated: English
    assert guide.steps["size"].text.lang_of("cy") == "en"
    assert 'href="/services/report-a-pothole"' in guide.outcomes["goat"].html("en")
    assert path_count(guide) == 3


def test_follow_takes_answers_to_the_next_question_or_the_outcome(tmp_path):
    guide = load_guides(folder_with(tmp_path, GOOD)).get("can-i-keep-a-goat")
    assert follow(guide, {}).question.id == "garden"
    walk = follow(guide, {"garden": "yes"})
    assert walk.question.id == "size" and walk.answers == {"garden": "yes"}
    walk = follow(guide, {"garden": "yes", "size": "no", "stray": "x"})
    assert walk.outcome.id == "no-goat" and walk.answers == {"garden": "yes", "size": "no"}
    walk = follow(guide, {"garden": "perhaps"})
    assert walk.wrong == "garden" and walk.outcome is None
    walk, used = follow_path(guide, ["no"])
    assert walk.outcome.id == "no-goat" and used == 1


def test_a_dead_end_is_reported_with_its_line(tmp_path):
    text = GOOD.replace('      - {value: "yes", label: "Yes", next: goat}\n'
                        '      - {value: "no", label: "No", next: no-goat}\n', "")
    text = text.replace("    text: Is it bigger than a tennis court?\n    options:\n",
                        "    text: Is it bigger than a tennis court?\n    options: []\n")
    assert text.count("options: []") == 1
    problems, found = problems_of(tmp_path, text)
    problem = only(problems, "guide-dead-end")
    assert problem.is_error and '"size"' in problem.message and "at least two options" in problem.message
    assert found.get("can-i-keep-a-goat") is None  # never published with a dead end


def test_a_loop_is_reported(tmp_path):
    text = GOOD.replace('{value: "no", label: "No", next: no-goat}\noutcomes',
                        '{value: "no", label: "No", next: garden}\noutcomes')
    assert text != GOOD
    problems, found = problems_of(tmp_path, text)
    problem = only(problems, "guide-loop")
    assert "garden → size → garden" in problem.message
    assert problem.line == line_of(text, "next: garden}")
    assert found.get("can-i-keep-a-goat") is None


def test_a_missing_outcome_is_reported(tmp_path):
    text = GOOD.replace('label: "Yes", next: goat}', 'label: "Yes", next: goats}')
    problems, _found = problems_of(tmp_path, text)
    problem = only(problems, "guide-missing-step")
    assert '"goats"' in problem.message and problem.field == "ask.size.options.1.next"
    assert problem.line == line_of(text, "next: goats}")
    assert str(problem).startswith("guides/can-i-keep-a-goat.yaml, line ")


def test_a_wrong_example_is_reported(tmp_path):
    text = GOOD.replace('- {answers: ["yes", "no"], outcome: no-goat}', '- {answers: ["yes", "no"], outcome: goat}')
    problems, found = problems_of(tmp_path, text)
    problem = only(problems, "guide-example")
    assert 'reach the outcome "no-goat", not "goat"' in problem.message
    assert problem.line == line_of(text, '["yes", "no"], outcome: goat}')
    assert found.get("can-i-keep-a-goat") is None


@pytest.mark.parametrize(("old", "new", "words"), [
    ('{answers: ["no"], outcome: no-goat}', '{answers: ["yes"], outcome: no-goat}', 'stop at the question "size"'),
    ('{answers: ["no"], outcome: no-goat}', '{answers: ["no", "yes"], outcome: no-goat}', "the rest are never asked"),
    ('{answers: ["no"], outcome: no-goat}', '{answers: ["maybe"], outcome: no-goat}', "not an option"),
    ('{answers: ["no"], outcome: no-goat}', '{answers: ["no"], outcome: sheep}', 'outcome "sheep"'),
])
def test_every_kind_of_example_mistake_is_explained(tmp_path, old, new, words):
    problems, _found = problems_of(tmp_path, GOOD.replace(old, new))
    assert words in only(problems, "guide-example").message


def test_broken_links_and_unknown_settings_are_reported(tmp_path):
    text = GOOD.replace("url: /services/report-a-pothole}", "url: /services/report-a-pot-hole}")
    text = text.replace("intro: Find", "intor: x\nintro: Find")
    text = text.replace("Read [the rules](/services/report-a-pothole)", "Read [the rules](https://goats.example/)")
    problems, _found = problems_of(tmp_path, text)
    assert "/services/report-a-pot-hole" in only(problems, "broken-link").message
    assert any("goats.example" in p.message for p in problems if p.code == "broken-link")
    assert '"intor"' in str(only(problems, "unknown-setting"))


def test_unreadable_yaml_and_bad_names(tmp_path):
    problems, _found = problems_of(tmp_path, "title: a: b\n")
    assert only(problems, "settings-unreadable").line == 1
    folder = folder_with(tmp_path, GOOD, name="Bad Name.yaml")
    assert any(p.code == "file-name" for p in load_guides(folder).problems)
    guide, problems = read_guide(GOOD.replace("  garden:\n", "  asked:\n", 1), "guides/x.yaml", "x")
    assert any("cannot be a question's name" in p.message for p in problems)


def test_an_unreached_outcome_is_a_warning_only(tmp_path):
    text = GOOD.replace("\nexamples:", "\n  spare:\n    title: Spare\n    text: Never shown.\nexamples:")
    problems, found = problems_of(tmp_path, text)
    problem = only(problems, "guide-unreachable")
    assert not problem.is_error and found.get("can-i-keep-a-goat") is not None


def test_the_demo_guides_are_all_good_and_every_path_ends_in_an_outcome():
    found = load_guides(CONTENT)
    assert [p for p in found.problems if p.is_error] == []
    assert len(found) >= 6
    for guide in found.all():
        assert path_count(guide) >= len(guide.outcomes)
        assert guide.examples and guide.questions("en")
        assert guide.title("cy") and guide.title("cy") != guide.title("en"), guide.slug  # every demo title in Welsh
