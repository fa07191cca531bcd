"""The assistant's domain: passages, understanding, intents and the confidence rule, without Flask."""

from __future__ import annotations

from types import SimpleNamespace

from townhall.assistant import ANSWER, NOT_SURE, QUESTION, Assistant, QuestionTarget
from townhall.assistant.intents import BIN_DAY, HEAR_BACK, NEAREST, OPENING, WARD, recognise
from townhall.assistant.passages import body_passages
from townhall.assistant.understanding import understand

CATEGORIES = ("libraries", "recycling-centres", "leisure-centres")


def test_passages_follow_headings_and_keep_a_list_with_its_introduction():
    found = body_passages("service:x", "service", "X", "/services/x", "en",
                          '<p>Opening words.</p><h2 id="before">Before you report it</h2><p>Check these first:</p>'
                          "<ul><li>your day</li><li>the time</li></ul>")
    assert [p.text for p in found] == ["Opening words.", "Check these first: your day; the time."]
    assert found[1].heading == "Before you report it" and found[1].anchor == "before"


def test_understanding_drops_question_words_and_finds_a_postcode():
    understood = understand("Hi, when is my bin collected? BK1 1AA", "en")
    assert understood.postcode == "BK1 1AA"
    assert "when" not in understood.meaningful and "bin" in understood.meaningful


def test_welsh_questions_are_told_from_english_ones():
    assert understand("pryd mae fy miniau yn cael eu casglu", "en").lang == "cy"
    assert understand("when is my bin day", "cy").lang == "en"


def test_intents():
    assert recognise(tuple("when is my bin collected".split()), CATEGORIES).name == BIN_DAY
    assert recognise(tuple("my bin was missed".split()), CATEGORIES) is None
    assert recognise(tuple("who is my councillor".split()), CATEGORIES).name == WARD
    assert recognise(tuple("is the library open now".split()), CATEGORIES).name == OPENING
    assert recognise(tuple("nearest tip".split()), CATEGORIES).name == NEAREST
    assert recognise(tuple("ble mae'r llyfrgell agosaf".replace("'", " ").split()), CATEGORIES).name == NEAREST
    assert recognise(tuple("when will i hear back".split()), CATEGORIES).name == HEAR_BACK


def _hit(ref, title, score, kind="service"):
    return SimpleNamespace(ref=ref, id=ref, title=title, url="/services/" + ref.split(":")[1], lang="en",
                           kind=kind, score=score)


def _assistant(hits, matched_well=True, targets=()):
    passages = [*body_passages("service:pothole", "service", "Report a pothole", "/services/pothole", "en",
                               "<p>Tell us about a pothole in the road.</p><h2>Claims</h2><p>Claim for damage.</p>"),
                *body_passages("service:lights", "service", "Street lights", "/services/lights", "en",
                               "<p>Tell us about a broken street light.</p>")]

    def search(_text, _lang):
        return SimpleNamespace(hits=hits, matched_well=matched_well, suggestion=None)

    return Assistant(passages, targets, search, categories=CATEGORIES)


def test_a_clear_best_page_answers_with_its_passage():
    decision = _assistant([_hit("service:pothole", "Report a pothole", 10)]).ask("pothole in my road")
    assert decision.kind == ANSWER and decision.page.ref == "service:pothole"
    assert decision.passage == "Tell us about a pothole in the road."


def test_when_search_judges_nothing_about_the_question_it_is_not_sure():
    decision = _assistant([_hit("service:pothole", "Report a pothole", 10)], matched_well=False).ask("pothole")
    assert decision.kind == NOT_SURE and decision.closest[0].ref == "service:pothole"


def test_two_equally_good_pages_are_a_choice_not_a_guess():
    decision = _assistant([_hit("service:pothole", "Report a pothole", 10),
                           _hit("service:lights", "Street lights", 9.8)]).ask("tell us about road")
    assert decision.kind == QUESTION and decision.ask == "choice"
    assert {option.value for option in decision.options} == {"service:pothole", "service:lights"}


def test_a_page_question_answers_even_when_search_is_unsure():
    target = QuestionTarget(("my street lamp is broken",), "Street lights", "/services/lights", "en", "service:lights")
    decision = _assistant([], matched_well=False, targets=[target]).ask("street lamp broken")
    assert decision.kind == ANSWER and decision.page.ref == "service:lights"


def test_a_postcode_question_asks_for_a_postcode():
    decision = _assistant([]).ask("when is my bin collected")
    assert decision.kind == QUESTION and decision.ask == "postcode" and decision.intent == BIN_DAY


def test_nothing_meaningful_is_not_sure():
    assert _assistant([]).ask("hello?").kind == NOT_SURE
    assert _assistant([]).ask(None).kind == NOT_SURE


def test_the_content_check_finds_a_question_that_is_not_one(content_copy):
    from townhall.content import load_site

    page = content_copy / "services" / "pest-control.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("questions: [", 'questions: ["rats", ', 1), encoding="utf-8")
    site = load_site(content_copy)
    problems = [str(problem) for problem in site.problems if "pest-control" in str(problem)]
    assert any("is not a question" in problem for problem in problems), problems
    assert "I have rats" in site.services["pest-control"].questions


def test_a_postcode_is_found_anywhere_in_a_sentence():
    from townhall.places.postcodes import find_in_text

    assert find_in_text("bins for bk11aa?") == ("BK1 1AA", "bk11aa")
    assert find_in_text("is the library near BK5 2ZE open") == ("BK5 2ZE", "BK5 2ZE")
    assert find_in_text("my bin was missed on monday") is None
