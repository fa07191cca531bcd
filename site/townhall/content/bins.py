"""Bin collections in bank-holiday weeks and one-off changes (content/bin-collections.yaml).

The rounds themselves (which streets, which day) are geodata; what the waste
team decides each year is content: the rule every round follows in a week with
a bank holiday, the rounds that follow another, and one-off changes such as
the Christmas schedule. Round codes are checked against the geodata by
`flask content check`, which has both.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from .fields import FieldReader
from .files import ContentSource, yaml_file
from .models import BANK_HOLIDAY_RULES, BIN_KINDS, BinChange, BinRules
from .problems import ProblemLog

BINS_FILE = "bin-collections.yaml"
MAX_MOVE_DAYS = 14  # a change further than this is almost certainly a typing mistake in the date
ROUND_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def load_bin_rules(source: ContentSource) -> BinRules:
    return yaml_file(source, BINS_FILE, _bin_rules, BinRules(), required=False)


def _bin_rules(data: Any, lines: dict[str, int], log: ProblemLog) -> BinRules:
    if data is None:
        return BinRules()
    reader = FieldReader(data, BINS_FILE, log, lines=lines)
    reader.unknown({"bank_holidays", "rounds", "changes"})
    rule = reader.text("bank_holidays", required=False) or BinRules().rule
    if rule not in BANK_HOLIDAY_RULES:
        reader.problem("bank_holidays", f'"{rule}" is not a rule we know. Choose one of: {", ".join(BANK_HOLIDAY_RULES)}')
        rule = BinRules().rule
    return BinRules(rule, _round_rules(reader), _changes(reader))


def _round_rules(reader: FieldReader) -> dict[str, str]:
    value = reader.data.get("rounds")
    if value in (None, "", {}):
        return {}
    if not isinstance(value, dict):
        reader.problem("rounds", "should list round codes, each with its rule, like 'BKBR09: same-day'")
        return {}
    rules = {}
    for code, rule in value.items():
        if not ROUND_CODE.match(str(code)):
            reader.problem(f"rounds.{code}", "is not a round code. Use the code from the bin rounds data, like BKBR09")
        elif rule not in BANK_HOLIDAY_RULES:
            reader.problem(f"rounds.{code}", f'"{rule}" is not a rule we know. Choose one of: '
                           f'{", ".join(BANK_HOLIDAY_RULES)}')
        else:
            rules[str(code)] = rule
    return rules


def _changes(reader: FieldReader) -> tuple[BinChange, ...]:
    value = reader.data.get("changes")
    if value in (None, "", []):
        return ()
    if not isinstance(value, list):
        reader.problem("changes", "should be a list, each change starting with '- usual:'")
        return ()
    changes: list[BinChange] = []
    for number, entry in enumerate(value, start=1):
        item = FieldReader(entry, reader.path, reader.log, prefix=f"changes.{number}.")
        item.unknown({"usual", "moved_to", "reason", "cy", "rounds", "bins"})
        usual, moved = item.date("usual"), item.date("moved_to")
        reason, welsh = item.text("reason", max_length=80), item.text("cy", max_length=80)
        rounds = tuple(item.text_list("rounds"))
        bins = tuple(item.text_list("bins"))
        for code in rounds:
            if not ROUND_CODE.match(code):
                item.problem("rounds", f'"{code}" is not a round code. Use the codes from the bin rounds data')
        for kind in bins:
            if kind not in BIN_KINDS:
                item.problem("bins", f'"{kind}" is not a kind of bin we know. Choose from: {", ".join(BIN_KINDS)}')
        if usual and moved and not _moved_sensibly(usual, moved, item):
            continue
        if not (usual and moved and reason and welsh):
            continue
        change = BinChange(usual, moved, reason, welsh, rounds, bins)
        if any(_overlap(change, other) for other in changes):
            item.problem("usual", f"{usual.isoformat()} is already changed by another entry for the same rounds "
                         "and bins. Keep one")
            continue
        changes.append(change)
    return tuple(changes)


def _moved_sensibly(usual: date, moved: date, item: FieldReader) -> bool:
    if moved == usual:
        item.problem("moved_to", "is the same day as 'usual'. Remove the change, or check the dates")
        return False
    if abs(moved - usual) > timedelta(days=MAX_MOVE_DAYS):
        item.problem("moved_to", f"is more than {MAX_MOVE_DAYS} days from the usual day. Check the year and month")
        return False
    return True


def _overlap(one: BinChange, other: BinChange) -> bool:
    if one.usual != other.usual:
        return False
    rounds = not one.rounds or not other.rounds or set(one.rounds) & set(other.rounds)
    bins = not one.bins or not other.bins or set(one.bins) & set(other.bins)
    return bool(rounds and bins)
