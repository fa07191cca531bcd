"""Walking a guide: following a reader's answers, and checking that every path ends well.

`follow` is what the web pages use: from the first question, take each answer
in the address, and stop at the next question to ask or at the outcome. A
value that is not one of the question's options stops the walk there
(`Walk.wrong`), so a tampered address gets a kind message, never an error.

`check_guide` is what `flask content check` uses: every option leads to a
question or an outcome that exists, no path goes round in a loop, no question
is a dead end, every link goes to a page that exists, and every example path
reaches the outcome it names. A guide that fails is not published.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..content.problems import WARNING, ContentProblem
from .models import Guide, Option, Outcome, Question

MAX_STEPS = 30  # questions on one path: more is no longer a quick answer (and guards a tampered walk)


@dataclass
class Walk:
    """Where a reader's answers lead: the answers taken, then the next question or the outcome."""

    answered: list[tuple[Question, Option]] = field(default_factory=list)
    question: Question | None = None  # the question to ask next
    outcome: Outcome | None = None
    wrong: str | None = None  # the question whose answer in the address is not one of its options
    broken: bool = False  # the guide itself is broken here (a loop or a missing step): never for a checked guide

    @property
    def answers(self) -> dict[str, str]:
        """{question id: option value} of the answers taken, in order: what the address carries."""
        return {question.id: option.value for question, option in self.answered}


def follow(guide: Guide, answers: Mapping[str, str]) -> Walk:
    """Follow `answers` ({question id: option value}) from the start; answers off the path are ignored."""
    walk = Walk()
    name: str = guide.start
    seen: set[str] = set()
    while True:
        if name in guide.outcomes:
            walk.outcome = guide.outcomes[name]
            return walk
        question = guide.steps.get(name)
        if question is None or name in seen or len(seen) >= MAX_STEPS:
            walk.broken = True
            return walk
        seen.add(name)
        value = answers.get(name)
        if value is None:
            walk.question = question
            return walk
        option = question.option(value)
        if option is None:
            walk.question, walk.wrong = question, name
            return walk
        walk.answered.append((question, option))
        name = option.next


def follow_path(guide: Guide, values: Sequence[str]) -> tuple[Walk, int]:
    """Follow answers given in order (an example path): (where they lead, how many were used)."""
    walk = Walk()
    name: str = guide.start
    used = 0
    seen: set[str] = set()
    while True:
        if name in guide.outcomes:
            walk.outcome = guide.outcomes[name]
            return walk, used
        question = guide.steps.get(name)
        if question is None or name in seen:
            walk.broken = True
            return walk, used
        seen.add(name)
        if used >= len(values):
            walk.question = question
            return walk, used
        option = question.option(values[used])
        if option is None:
            walk.question, walk.wrong = question, name
            return walk, used
        used += 1
        walk.answered.append((question, option))
        name = option.next


def check_guide(guide: Guide, known_page: Callable[[str], str | None] | None = None) -> list[ContentProblem]:
    """Everything wrong with one guide, each with the file, the line and what to do."""
    problems: list[ContentProblem] = []
    path = guide.source

    def add(message: str, where: str | None = None, code: str = "guide", severity: str = "error",
            line: int | None = None) -> None:
        problems.append(ContentProblem(path, message, where, line or guide.lines.get(where or ""), severity, code))

    clash = set(guide.steps) & set(guide.outcomes)
    for name in sorted(clash):
        add(f'"{name}" is the name of a question and of an outcome. Give each a different name',
            f"outcomes.{name}", "guide-name-clash")
    if guide.start not in guide.steps:
        what = "an outcome" if guide.start in guide.outcomes else "not a question in 'ask'"
        add(f'"{guide.start}" is {what}. The guide must start with one of its questions: '
            f'{", ".join(guide.steps) or "(none yet)"}', "start", "guide-start")
    for question in guide.steps.values():
        where = f"ask.{question.id}"
        if len(question.options) < 2:
            add(f'The question "{question.id}" has {len(question.options)} option(s), so a reader cannot go on '
                "(a dead end). Give it at least two options, each with 'next:'", f"{where}.options", "guide-dead-end")
        for number, option in enumerate(question.options, start=1):
            if guide.node(option.next) is None:
                add(f'The option "{option.value}" leads to "{option.next}", which is not a question in \'ask\' '
                    "or an outcome in 'outcomes' (a missing outcome). Add it, or check the spelling",
                    f"{where}.options.{number}.next", "guide-missing-step")
    if not problems:
        problems += _loops(guide)
    reachable = _reachable(guide)
    for name in guide.steps:
        if name not in reachable and guide.start in guide.steps:
            add(f'The question "{name}" is never asked: no option leads to it. Link an option to it, or remove it',
                f"ask.{name}", "guide-unreachable", WARNING)
    for name in guide.outcomes:
        if name not in reachable and guide.start in guide.steps:
            add(f'The outcome "{name}" is never reached: no option leads to it. Link an option to it, or remove it',
                f"outcomes.{name}", "guide-unreachable", WARNING)
    if not any(p.is_error for p in problems):
        problems += _examples(guide)
    if known_page is not None:
        for outcome in guide.outcomes.values():
            for number, link in enumerate(outcome.links, start=1):
                trouble = known_page(link.url)
                if trouble:
                    add(trouble, f"outcomes.{outcome.id}.links.{number}.url", "broken-link")
            for href in outcome.body_links:
                trouble = known_page(href)
                if trouble:
                    add(f"has a link in its text that cannot be used: {trouble}", f"outcomes.{outcome.id}.text",
                        "broken-link")
    return problems


def _loops(guide: Guide) -> list[ContentProblem]:
    """A path that comes back to a question it has already asked would never end: report each loop once."""
    problems: list[ContentProblem] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(name: str) -> None:
        if name not in guide.steps:
            return
        state[name] = 1
        stack.append(name)
        for number, option in enumerate(guide.steps[name].options, start=1):
            if state.get(option.next) == 1:
                loop = stack[stack.index(option.next):] + [option.next]
                if frozenset(loop) not in found:
                    found.add(frozenset(loop))
                    where = f"ask.{name}.options.{number}.next"
                    problems.append(ContentProblem(
                        guide.source, f'The answers go round in a loop: {" → ".join(loop)}. A reader would never '
                        "reach an outcome. Send one of these options to a later question or an outcome",
                        where, guide.lines.get(where), "error", "guide-loop"))
            elif option.next not in state:
                visit(option.next)
        stack.pop()
        state[name] = 2

    if guide.start in guide.steps:
        visit(guide.start)
    return problems


def _reachable(guide: Guide) -> set[str]:
    seen: set[str] = set()
    waiting = [guide.start]
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in guide.steps:
            waiting += [option.next for option in guide.steps[name].options]
    return seen


def _examples(guide: Guide) -> list[ContentProblem]:
    problems: list[ContentProblem] = []
    if not guide.examples:
        problems.append(ContentProblem(
            guide.source, "has no examples. Add at least one under 'examples:', each a list of answers and the "
            "outcome they must reach, so the check can prove the guide still works", "examples",
            guide.lines.get("examples"), "error", "guide-examples"))
    reached: set[str] = set()
    for number, example in enumerate(guide.examples, start=1):
        where = f"examples.{number}"
        line = example.line or guide.lines.get(where)
        if example.outcome not in guide.outcomes:
            problems.append(ContentProblem(
                guide.source, f'names the outcome "{example.outcome}", which is not in \'outcomes\'. Use one of: '
                f'{", ".join(guide.outcomes)}', f"{where}.outcome", line, "error", "guide-example"))
            continue
        walk, used = follow_path(guide, example.answers)
        answers = ", ".join(example.answers) or "(no answers)"
        if walk.wrong:
            options = ", ".join(option.value for option in walk.question.options) if walk.question else ""
            message = (f'The answers [{answers}] do not fit: answer {used + 1} is not an option of the question '
                       f'"{walk.wrong}" (its options are: {options})')
        elif walk.question is not None:
            message = (f'The answers [{answers}] stop at the question "{walk.question.id}" instead of reaching the '
                       f'outcome "{example.outcome}". Add the answer to that question')
        elif walk.outcome is not None and used < len(example.answers):
            message = (f'The answers [{answers}] reach the outcome "{walk.outcome.id}" after {used} answer(s); the '
                       "rest are never asked. Remove them, or check the options' 'next'")
        elif walk.outcome is not None and walk.outcome.id != example.outcome:
            message = (f'The answers [{answers}] reach the outcome "{walk.outcome.id}", not "{example.outcome}" '
                       "as the example says. Check the options' 'next', or the example")
        else:
            if walk.outcome is not None:
                reached.add(walk.outcome.id)
            continue
        problems.append(ContentProblem(guide.source, message, where, line, "error", "guide-example"))
    if guide.examples:
        for name in guide.outcomes:
            if name not in reached:
                problems.append(ContentProblem(
                    guide.source, f'No example reaches the outcome "{name}". Add one, so a change that stops '
                    "readers getting there is caught", f"outcomes.{name}", guide.lines.get(f"outcomes.{name}"),
                    WARNING, "guide-example-missing"))
    return problems


def path_count(guide: Guide) -> int:
    """How many different paths of answers there are from the start to an outcome (for the check's summary)."""
    memo: dict[str, int] = {}

    def count(name: str, depth: int = 0) -> int:
        if name in guide.outcomes:
            return 1
        if name not in guide.steps or depth > MAX_STEPS:
            return 0
        if name not in memo:
            memo[name] = sum(count(option.next, depth + 1) for option in guide.steps[name].options)
        return memo[name]

    return count(guide.start)
