"""The content team's synonym list: words residents use for the same thing.

``content/search/synonyms.txt`` has one group per line, the words or phrases
separated by ``=``::

    # comments start with a hash
    bin = bins = rubbish = refuse = waste
    pothole = pot hole

A search for any member of a group also finds pages that use the others.
Phrases are matched as whole phrases, longest first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def phrase_words(text: str) -> tuple[str, ...]:
    """How both the list and queries are split into words, so they always agree."""
    return tuple(_WORD.findall(text.lower().replace("'", "").replace("\u2019", "")))


def _same(word: str) -> str:
    return word


@dataclass
class Synonyms:
    """Groups of phrases. Lookups go through ``key`` (a stemmer), so "bins" finds the group of "bin"."""

    key: Callable[[str], str] = _same
    groups: list[tuple[tuple[str, ...], ...]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "line 3: ..." for `flask search check`
    _lookup: dict[tuple[str, ...], int] = field(default_factory=dict)
    _words: set[str] = field(default_factory=set)
    longest: int = 1

    def _key(self, phrase: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.key(word) for word in phrase)

    def add(self, phrases: list[tuple[str, ...]]) -> None:
        index = len(self.groups)
        merged = list(phrases)
        for phrase in phrases:
            other = self._lookup.get(self._key(phrase))
            if other is not None:  # a phrase in two groups joins them
                merged.extend(p for p in self.groups[other] if p not in merged)
                index = other
        group = tuple(dict.fromkeys(merged))
        if index == len(self.groups):
            self.groups.append(group)
        else:
            self.groups[index] = group
        for phrase in group:
            self._lookup[self._key(phrase)] = index
            self._words.update(self._key(phrase))
            self.longest = max(self.longest, len(phrase))

    def knows(self, word: str) -> bool:
        """Whether the word is in any phrase of the list (so it is a real word, not a typo)."""
        return (self.key(word),) in self._lookup or self.key(word) in self._words

    def group_of(self, phrase: tuple[str, ...]) -> tuple[tuple[str, ...], ...] | None:
        index = self._lookup.get(self._key(phrase))
        return None if index is None else self.groups[index]

    def match(self, words: list[str], start: int) -> tuple[int, tuple[tuple[str, ...], ...]] | None:
        """The longest phrase starting at ``words[start]`` that is in a group: (length, group)."""
        for length in range(min(self.longest, len(words) - start), 0, -1):
            group = self.group_of(tuple(words[start:start + length]))
            if group:
                return length, group
        return None


def parse_synonyms(text: str, key: Callable[[str], str] = _same) -> Synonyms:
    synonyms = Synonyms(key=key)
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" not in line:
            synonyms.problems.append(f'line {number}: "{line}" needs two or more words joined by =, like "bin = rubbish"')
            continue
        phrases = [phrase_words(part) for part in line.split("=")]
        if any(not phrase for phrase in phrases):
            synonyms.problems.append(f"line {number}: there is an empty word next to an = sign")
            phrases = [phrase for phrase in phrases if phrase]
        if len(phrases) >= 2:
            synonyms.add(phrases)
    return synonyms


def load_synonyms(path: Path | str, key: Callable[[str], str] = _same) -> Synonyms:
    """Read the list; a missing file means no synonyms, not an error."""
    path = Path(path)
    try:
        return parse_synonyms(path.read_text(encoding="utf-8"), key)
    except FileNotFoundError:
        return Synonyms(key=key)
    except (OSError, UnicodeDecodeError) as error:
        synonyms = Synonyms(key=key)
        synonyms.problems.append(f"could not be read ({error}). Save it as UTF-8 text")
        return synonyms
