"""The answer decision: an answer, a question back, or an honest "I'm not sure".

Pages are found by the site search (its synonyms, spelling correction and Welsh handling, and its
judgement of whether a result is really about what was typed); the questions pages say they answer
(`targets.py`) add evidence; the passage that answers is the page's paragraph sharing the most
meaning with the question. The confidence rule prefers asking back or "not sure" to a wrong answer:

1. a question about data the site holds (intents.py) asks for a postcode, or answers through the
   places engine when it has one;
2. a question that matches one of a page's own questions closely is answered from that page; less
   closely, it picks that page among search's first three, or, when search found another, asks which;
3. the best page answers when search judges it about the question and it has most of the question's
   meaning (`coverage`), or when it is well ahead of the next page and its own questions are like
   this one; otherwise: not sure, with the closest pages;
4. when another page scores almost as well: a choice between them, never a guess.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..places.collections import next_collections, rounds_layer
from ..places.errors import PlacesError
from ..search.query import stem_word
from ..search.synonyms import Synonyms
from . import intents
from .intents import Intent, recognise
from .passages import Passage
from .targets import QuestionTarget
from .understanding import Understood, text_terms, understand, word_terms

ANSWER, QUESTION, NOT_SURE = "answer", "question", "not_sure"
ASK_POSTCODE, ASK_CHOICE = "postcode", "choice"
TARGET_SURE = 0.72  # a question this close to one of a page's own questions is answered from that page
TARGET_HELPS = 0.45  # close enough to choose between pages search found
TARGET_ASKS = 0.55  # close enough to offer beside search's page, when search found another
CLOSE_SECOND = 0.85  # a second page scoring this share of the first is "about equally good": ask which
ALSO_OFFERED = 0.7  # and then the pages scoring this share of the first are offered too
MAX_CHOICES = 3
CLOSEST = 3
CANDIDATES = 8
COVERAGE = 0.55  # the share of a question's meaning the best page must have for an answer
# Or a first page ahead of the next (SUPPORTED_MARGIN times its score) whose own questions are like this one
# (SUPPORT), when search judged it about the question or its score is strong. Search's scores grow with how
# much a page matches; STRONG_SCORE is where, on the demo content, chatty questions that a page answers part
# ways with questions nothing answers (they match a word or two, weakly). A bigger site may need it raised.
SUPPORTED_MARGIN, SUPPORT = 1.3, 0.3
STRONG_SCORE = 30.0
UNKNOWN_WORD = 1.0  # the weight of a word no page has, against the rarest word some page has
MARGIN_ALONE = 2.0  # the margin of a page that is the only one found
FIRST_PASSAGE = 0.7  # the page's opening answers unless another passage shares much more with the question

# Where each intent's answer is read in full (a places tool), by intent.
TOOL_PAGES = {intents.BIN_DAY: "/bin-collections", intents.CATCHMENT: "/school-catchment-areas",
              intents.WARD: "/your-area", intents.NEAREST: "/find-my-nearest", intents.OPENING: "/find-my-nearest"}
STANDARDS_PAGE = "page:our-service-standards"


@dataclass(frozen=True)
class Link:
    ref: str
    title: str
    url: str
    lang: str = "en"
    kind: str = "service"


@dataclass(frozen=True)
class Option:
    value: str  # what the form sends back (a page's ref)
    label: str


@dataclass(frozen=True)
class PlaceContext:
    """What intents need to answer for a postcode; all optional, so the domain runs without geodata."""

    places: Any = None  # places.engine.Places
    today: date | None = None
    now: datetime | None = None
    bin_rules: Any = None
    bank_holiday: Callable[[date], Any] | None = None


@dataclass(frozen=True)
class Decision:
    kind: str  # ANSWER, QUESTION or NOT_SURE
    question: str  # the question as understood (cleaned), to echo
    lang: str = "en"  # the language the question was in
    page: Link | None = None  # the page a resident would follow
    passage: str = ""  # the paragraph that answers (content's own words), "" for intent answers
    heading: str = ""  # the heading the passage sits under
    anchor: str = ""
    intent: str | None = None
    category: str | None = None  # the kind of place, for nearest and opening times
    ask: str | None = None  # for a QUESTION: ASK_POSTCODE or ASK_CHOICE
    options: tuple[Option, ...] = ()
    closest: tuple[Link, ...] = ()  # for NOT_SURE (and beside a choice): the closest pages
    facts: Mapping[str, Any] = field(default_factory=dict)  # an intent's answer, worded by the web layer
    problem: PlacesError | None = None  # the postcode could not be used: why
    postcode: str | None = None
    contact: bool = False  # the question asks how to get in touch: show the page's contact details


class Assistant:
    """Built once per content generation (engines/assistant.py); answers from many threads at once."""

    def __init__(self, passages: Iterable[Passage], targets: Iterable[QuestionTarget],
                 search: Callable[[str, str], Any], synonyms: Synonyms | None = None,
                 categories: Iterable[str] = (), standards: Mapping[str, str] | None = None,
                 page_words: Iterable[tuple[str, str]] = ()) -> None:
        self.search = search  # (text, lang) -> search.SearchResults
        self.synonyms = synonyms
        self.categories = tuple(categories)
        self.standards = dict(standards or {})  # ref -> "collect your missed bin within 2 working days"
        self.pages: dict[tuple[str, str], list[tuple[Passage, frozenset[str], frozenset[str]]]] = defaultdict(list)
        frequency: dict[str, int] = defaultdict(int)
        count = 0
        for passage in passages:
            terms = frozenset(text_terms(passage.text))
            heading = frozenset(text_terms(passage.heading))
            self.pages[(passage.ref, passage.lang)].append((passage, terms, heading))
            for term in terms | heading:
                frequency[term] += 1
            count += 1
        self.passage_count = max(count, 1)
        self.idf = {term: math.log(1 + self.passage_count / seen) for term, seen in frequency.items()}
        self.targets = list(targets)
        self.phrasings: list[tuple[int, frozenset[str]]] = []
        self.by_term: dict[str, list[int]] = defaultdict(list)
        for number, target in enumerate(self.targets):
            for phrasing in target.phrasings:
                terms = frozenset(text_terms(phrasing))
                if terms:
                    self.by_term_add(len(self.phrasings), terms)
                    self.phrasings.append((number, terms))
        # Every term of each page (its passages, headings and title), for how much of a question it covers.
        self.page_terms: dict[str, set[str]] = defaultdict(set)
        for (ref, _lang), found in self.pages.items():
            self.page_terms[ref].update(text_terms(found[0][0].title))
            for _passage, terms, heading in found:
                self.page_terms[ref].update(terms | heading)
        for ref, words in page_words:
            self.page_terms[ref].update(text_terms(words))
        self.known = set().union(*self.page_terms.values()) if self.page_terms else set()

    def by_term_add(self, index: int, terms: frozenset[str]) -> None:
        for term in terms:
            self.by_term[term].append(index)

    def weight(self, term: str) -> float:
        return self.idf.get(term, math.log(1 + self.passage_count))

    # --- the decision --------------------------------------------------------------------

    def ask(self, raw: object, lang: str = "en", *, postcode: str | None = None, choice: str | None = None,
            context: PlaceContext | None = None) -> Decision:
        """Decide; never raises on anything a resident can type or put in a URL."""
        lang = "cy" if lang == "cy" else "en"
        understood = understand(raw, lang, self.synonyms)
        shown = "cy" if "cy" in (lang, understood.lang) else "en"
        if not understood.meaningful and not understood.postcode:
            return Decision(NOT_SURE, understood.text, understood.lang)
        if choice:
            chosen = self._page_answer(understood, choice, shown)
            if chosen is not None:
                return chosen
        intent = recognise(understood.words, self.categories)
        if intent is not None and intent.name in intents.NEEDS_POSTCODE:
            return self._intent(understood, intent, postcode or understood.postcode, context or PlaceContext())
        results = self.search(understood.text, shown)
        hits = [hit for hit in results.hits[:CANDIDATES] if self._has_page(self._ref(hit))]
        closest = tuple(self._link(self._ref(hit), hit.title, hit.url, hit.lang, hit.kind) for hit in hits[:CLOSEST])
        # A misspelt question ("counsil tax reducton") is compared with the pages as search corrected it.
        checked = understand(results.suggestion, lang, self.synonyms) if results.suggestion else understood
        target, similarity = max((self._best_target(understood, shown), self._best_target(checked, shown)),
                                 key=lambda pair: pair[1])
        if intent is not None and intent.name == intents.HEAR_BACK:
            return self._hear_back(understood, hits, shown, results.matched_well)
        if target is not None and similarity >= TARGET_SURE:
            found = self._page_answer(understood, target.ref or target.url, shown, target)
            if found is not None:
                return found
        not_sure = Decision(NOT_SURE, understood.text, understood.lang, closest=closest)
        if target is not None and similarity >= TARGET_HELPS and any(
                self._ref(hit) == target.ref for hit in hits[:CLOSEST]) and self.coverage(
                checked, target.ref) >= COVERAGE:
            return self._page_answer(understood, target.ref, shown) or not_sure
        if not hits:
            return not_sure
        first = hits[0]
        others = [hit for hit in hits[1:] if self._ref(hit) != self._ref(first)]
        margin = first.score / others[0].score if others and others[0].score > 0 else MARGIN_ALONE
        coverage = self.coverage(checked, self._ref(first))
        if target is not None and similarity >= TARGET_ASKS and target.ref != self._ref(first) and (
                target.kind != "guide"):  # a guide answers only when it is sure (above); it never makes us ask
            # The page's own questions point elsewhere than search does: ask rather than pick one.
            options = (Option(self._ref(first), first.title), Option(target.ref or target.url, target.title))
            return Decision(QUESTION, understood.text, understood.lang, ask=ASK_CHOICE, options=options,
                            closest=closest)
        support = max(self._target_scores(understood, shown).get(self._ref(first), 0.0),
                      self._target_scores(checked, shown).get(self._ref(first), 0.0))
        sure = (results.matched_well and coverage >= COVERAGE) or (
            margin >= SUPPORTED_MARGIN and support >= SUPPORT and (results.matched_well or first.score >= STRONG_SCORE))
        if not sure:
            return not_sure
        rivals = [hit for hit in others[:MAX_CHOICES - 1] if hit.score >= first.score * ALSO_OFFERED
                  and hit.kind == first.kind]
        if not any(hit.score >= first.score * CLOSE_SECOND for hit in rivals):
            rivals = []
        if rivals:
            options = tuple(Option(self._ref(hit), hit.title) for hit in [first, *rivals])
            return Decision(QUESTION, understood.text, understood.lang, ask=ASK_CHOICE, options=options,
                            closest=closest)
        return self._page_answer(understood, self._ref(first), shown) or not_sure

    # --- pages -----------------------------------------------------------------------------

    @staticmethod
    def _ref(hit: Any) -> str:
        return hit.ref or hit.id.split("@")[0]

    def _has_page(self, ref: str) -> bool:
        return (ref, "en") in self.pages or (ref, "cy") in self.pages

    def _link(self, ref: str, title: str, url: str, lang: str, kind: str) -> Link:
        return Link(ref, title, url, lang, kind)

    def _page_answer(self, understood: Understood, ref: str, shown: str,
                     target: QuestionTarget | None = None) -> Decision | None:
        """The page's passage that shares the most meaning with the question (its opening when none does)."""
        passages = self.pages.get((ref, shown)) or self.pages.get((ref, "en")) or self.pages.get((ref, "cy"))
        if not passages:
            if target is not None and target.url:  # a target with no passages of its own (a guide)
                return Decision(ANSWER, understood.text, understood.lang,
                                page=Link(target.ref or target.url, target.title, target.url, target.lang,
                                          target.kind))
            return None
        best, best_score, first_score = passages[0][0], 0.0, None
        for passage, terms, heading in passages:
            score = 0.0
            for term, weight in understood.terms.items():
                if term in terms:
                    score += weight * self.weight(term)
                if term in heading:
                    score += 0.6 * weight * self.weight(term)
            if first_score is None:
                first_score = score
            if score > best_score:
                best, best_score = passage, score
        if first_score is not None and first_score >= FIRST_PASSAGE * best_score:
            best = passages[0][0]
        contact = best.kind == "organisation" or ref == "page:contact-us" or bool(
            understood.word_set & {"phone", "call", "ring", "contact", "number", "telephone", "email",
                                   "ffonio", "ffon", "cysylltu", "rhif", "speak", "talk"})
        return Decision(ANSWER, understood.text, understood.lang,
                        page=Link(ref, best.title, best.url, best.lang, best.kind), passage=best.text,
                        heading=best.heading, anchor=best.anchor, contact=contact)

    def coverage(self, understood: Understood, ref: str) -> float:
        """How much of the question's meaning (its words, weighted by rarity) the page has, 0 to 1.

        A word counts when the page has it, in either language, or one of its synonyms. A word no page
        has ("mum", "massive", "cinema") counts for less: it may be chatter or the very subject no page has."""
        terms = self.page_terms.get(ref, set())
        total = found = 0.0
        for word in understood.meaningful:
            own = word_terms(word)
            weight = max(self.weight(term) for term in own)
            if not any(term in self.known for term in own):
                weight *= UNKNOWN_WORD  # no page has it: it says little about which page answers
            total += weight
            if any(term in terms for term in own) or any(
                    term in terms for term in self._synonym_terms(word)):
                found += weight
        return found / total if total else 0.0

    def _synonym_terms(self, word: str) -> set[str]:
        if self.synonyms is None:
            return set()
        matched = self.synonyms.match([word], 0)
        return {stem_word(part) for phrase in matched[1] for part in phrase} if matched else set()

    def _best_target(self, understood: Understood, shown: str) -> tuple[QuestionTarget | None, float]:
        """The page question closest to this one, and how close (0 to 1)."""
        scores = self._target_scores(understood, shown, keep_targets=True)
        if not scores:
            return None, 0.0
        best = max(scores.values(), key=lambda pair: pair[1])
        return best[0], best[1]

    def _target_scores(self, understood: Understood, shown: str, keep_targets: bool = False) -> dict:
        """For each page with questions like this one, the closest: a cosine of their meaningful words,
        weighted by rarity. {ref: similarity}, or {ref: (target, similarity)} with `keep_targets`."""
        query = {term: weight * self.weight(term) for term, weight in understood.terms.items()}
        norm = math.sqrt(sum(value * value for term, value in query.items() if understood.terms[term] == 1.0))
        found: dict = {}
        if not norm:
            return found
        seen: set[int] = set()
        for term in query:
            for index in self.by_term.get(term, ()):
                if index in seen:
                    continue
                seen.add(index)
                number, terms = self.phrasings[index]
                target = self.targets[number]
                if target.lang != shown and (target.ref, shown) in self.pages and target.kind != "guide":
                    continue  # the page has a version in this language: compare with its questions
                shared = sum(query[term] * self.weight(term) for term in terms if term in query)
                other = math.sqrt(sum(self.weight(term) ** 2 for term in terms))
                score = min(shared / (norm * other), 1.0) if other else 0.0
                key = target.ref or target.url
                previous = found.get(key)
                previous_score = (previous[1] if keep_targets else previous) if previous is not None else -1.0
                if score > previous_score:
                    found[key] = (target, score) if keep_targets else score
        return found

    def _hear_back(self, understood: Understood, hits: list, shown: str, matched_well: bool) -> Decision:
        """"When will I hear back": the promise of the service asked about, or the council's standards."""
        for hit in hits[:2]:
            ref = self._ref(hit)
            if matched_well and ref in self.standards:
                found = self._page_answer(understood, ref, shown)
                if found is not None:
                    return Decision(ANSWER, understood.text, understood.lang, page=found.page,
                                    intent=intents.HEAR_BACK, facts={"promise": self.standards[ref]})
        return self._page_answer(understood, STANDARDS_PAGE, shown) or Decision(
            NOT_SURE, understood.text, understood.lang)

    # --- intents -----------------------------------------------------------------------------

    def _intent(self, understood: Understood, intent: Intent, postcode: str | None,
                context: PlaceContext) -> Decision:
        page = Link(f"tool:{intent.name}", "", TOOL_PAGES[intent.name], understood.lang, "tool")
        base = dict(question=understood.text, lang=understood.lang, intent=intent.name, category=intent.category)
        if not postcode:
            return Decision(QUESTION, ask=ASK_POSTCODE, page=page, **base)
        places = context.places
        if places is None:
            return Decision(NOT_SURE, **base)
        try:
            answer = places.lookup(postcode, intent.category, 1)
        except PlacesError as error:
            return Decision(QUESTION, ask=ASK_POSTCODE, page=page, problem=error, **base)
        where = answer.location.postcode or postcode
        facts: dict[str, Any] = {"postcode": where}
        if intent.name == intents.BIN_DAY:
            layer = rounds_layer(places.layers)
            match = answer.area(layer) if layer else None
            if match is None or match.area is None:
                return Decision(NOT_SURE, **base)
            area = match.area
            facts.update(round=area.name, code=area.code, collections=tuple(
                (dates.bin, dates.dates[0]) for dates in next_collections(
                    area.properties, context.today or date.today(), 1, code=area.code, rules=context.bin_rules,
                    **({"bank_holiday": context.bank_holiday} if context.bank_holiday else {}))
                if dates.dates))
            facts["collections"] = tuple(sorted(facts["collections"], key=lambda pair: pair[1]))
        elif intent.name == intents.CATCHMENT:
            facts["catchments"] = tuple((match.layer.name, match.area.name) for match in answer.areas
                                        if match.layer.kind == "catchment" and match.area is not None)
            if not facts["catchments"]:
                return Decision(NOT_SURE, **base)
        elif intent.name == intents.WARD:
            match = answer.area("wards")
            if match is None or match.area is None:
                return Decision(NOT_SURE, **base)
            councillors = [person.get("name", "") for person in match.area.properties.get("councillors") or []
                           if isinstance(person, dict)]
            facts.update(ward=match.area.name, code=match.area.code, councillors=tuple(filter(None, councillors)))
            page = Link(f"ward:{match.area.code}", match.area.name, f"/wards/{match.area.code}", understood.lang, "page")  # in both languages
        else:  # nearest, opening
            if not answer.nearest:
                return Decision(NOT_SURE, **base)
            nearby = answer.nearest[0]
            facility = nearby.facility
            facts.update(facility=facility, miles=nearby.miles, category_label=answer.category.label
                         if answer.category else "")
            if facility.hours is not None and context.now is not None:
                facts["open_now"] = facility.hours.is_open_at(context.now)
                facts["next_change"] = facility.hours.next_change(context.now)
        url = page.url if page.ref.startswith("ward:") else _with_postcode(page.url, where, intent.category)
        return Decision(ANSWER, page=Link(page.ref, page.title, url, page.lang, page.kind), facts=facts,
                        postcode=where, **base)


def _with_postcode(url: str, postcode: str, category: str | None) -> str:
    from urllib.parse import urlencode

    return f"{url}?{urlencode({**({'category': category} if category else {}), 'postcode': postcode})}"
