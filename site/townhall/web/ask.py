"""Ask Townhall: a question in a resident's own words, answered from the council's pages and data.

/ask (and /cy/ask) is a conversation of plain forms. Each turn is a POST whose hidden fields carry
what the resident said so far (their questions, a postcode, a choice); the page replays them through
the assistant and renders every turn again, so it works without JavaScript and after a reload, and
nothing typed is kept on the server. POST rather than GET keeps questions and postcodes out of
addresses, browser history and access logs. The form is a `public_form` (the day's token and
same-origin headers), like the other forms on cacheable pages, so the box on the home page and the
search page needs no session. With htmx the new turn is appended in place (the form is swapped
out of band) and the site script moves focus to its heading and announces it.

GET /api/ask?q=...&lang=en gives the same decision as JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from .. import engines
from ..assistant import ANSWER, NOT_SURE, QUESTION, Decision, PlaceContext
from ..assistant.decide import ASK_CHOICE, ASK_POSTCODE
from ..errors import TownhallError
from ..places.errors import PlacesError
from ..search.query import MAX_QUERY_CHARS
from ..text import N_
from .bins import bin_label
from .common import content_site, is_htmx, language, now, render, today
from .csrf import public_form
from .errors import error_message
from .openapi import ApiPart, error_responses, json_response, operation, ref
from .wording import open_status

bp = Blueprint("ask", __name__)
MAX_TURNS = 12  # what a page carries; older turns are dropped first
MAX_SAID = 300  # characters of one thing said
QUESTION_SAID, POSTCODE_SAID, CHOICE_SAID = "q", "p", "c"


class NoQuestion(TownhallError):
    status = 400
    code = "no_question"
    template = N_("Type a question, like “when is my bin collected”.")


class BadLanguage(TownhallError):
    status = 400
    code = "bad_language"
    template = N_("The language must be en (English) or cy (Welsh).")


def place_context() -> PlaceContext:
    """What an intent needs to answer for a postcode, from this app (no geodata: the intent says so)."""
    try:
        places = engines.places()
    except PlacesError:
        places = None
    return PlaceContext(places, today(), now(), content_site().bin_rules, engines.bank_holidays())


def _said() -> list[tuple[str, str]]:
    """What the resident said so far, from the page's hidden fields: ("q", question), ("p", postcode)..."""
    found = []
    for item in request.form.getlist("said")[-MAX_TURNS:]:
        kind, _sep, text = item.partition(":")
        text = " ".join(text.split())[:MAX_SAID]
        if kind in (QUESTION_SAID, POSTCODE_SAID, CHOICE_SAID) and text:
            found.append((kind, text))
    return found


def _earlier() -> int:
    """How many turns this conversation has dropped from the page (it carries the last MAX_TURNS): turns keep
    their numbers, so the ids of turns added by htmx never repeat."""
    text = request.form.get("earlier", "")
    return min(int(text), 10**6) if text.isascii() and text.isdigit() and len(text) < 8 else 0


def replay(said: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Every turn again, from what was said: a follow-up answers the question before it."""
    assistant, context, lang = engines.ask_townhall(), place_context(), language()
    turns: list[dict[str, Any]] = []
    pending: Decision | None = None
    for kind, text in said:
        if kind == QUESTION_SAID:
            decision = assistant.ask(text, lang, context=context)
        elif pending is not None and kind == POSTCODE_SAID and pending.ask == ASK_POSTCODE:
            decision = assistant.ask(pending.question, lang, postcode=text, context=context)
        elif pending is not None and kind == CHOICE_SAID and pending.ask == ASK_CHOICE:
            decision = assistant.ask(pending.question, lang, choice=text, context=context)
        else:
            continue  # a follow-up with nothing to follow (an edited page): ignored
        turns.append({"said": (kind, text), "decision": decision, "shown": _shown_said(kind, text, pending)})
        pending = decision if decision.kind == QUESTION else None
    return turns


def _shown_said(kind: str, text: str, pending: Decision | None) -> str:
    if kind == CHOICE_SAID and pending is not None:
        return next((option.label for option in pending.options if option.value == text), text)
    return text


def _new_said() -> tuple[str, str] | None:
    order = ((POSTCODE_SAID, "postcode"), (CHOICE_SAID, "choice"), (QUESTION_SAID, "q"))
    if request.form.get("ask") == "q":  # "Ask" pressed under a follow-up: the typed question, not the choice
        order = ((QUESTION_SAID, "q"),)
    for kind, name in order:
        text = " ".join(request.form.get(name, "").split())[:MAX_SAID]
        if text:
            return kind, text
    return None


def _page(said: list[tuple[str, str]], error: str | None = None, status: int = 200, earlier: int = 0):
    turns = replay(said)
    context = dict(turns=turns, said=[f"{kind}:{text}" for kind, text in said], error=error, earlier=earlier,
                   max_chars=MAX_QUERY_CHARS, contact_for=contact_for, open_status_at=open_status_at,
                   answer_sentence=answer_sentence, error_message=error_message,
                   intent_title=intent_title)
    if is_htmx() and error:
        # Only the form comes back, in its own place, with its error summary (which the site's script focuses):
        # the conversation above it stays as it was.
        form = render("ask/ask.html", block="ask_form", **context)
        return form, status, {"HX-Retarget": "#ask-form", "HX-Reswap": "outerHTML"}
    if is_htmx() and turns and not error and request.form.get("action") not in ("back",):
        body = render("ask/ask.html", block="new_turn", **{**context, "turn": turns[-1], "number": earlier + len(turns),
                                                          "previous": turns[-2] if len(turns) > 1 else None})
        form = render("ask/ask.html", block="ask_form", **{**context, "oob": True})
        return body + form, status
    return render("ask/ask.html", guides=engines.guides().all(), **context), status


@bp.route("/ask", methods=["GET"])
def ask_page():
    """The empty conversation (or the first answer, for a question in the address: ?q=...)."""
    question = " ".join(request.args.get("q", "").split())[:MAX_SAID]
    return _page([(QUESTION_SAID, question)] if question else [])


@bp.route("/ask", methods=["POST"])
@public_form
def ask_turn():
    """One more turn: a question, a postcode or a choice; or one step back."""
    said, earlier = _said(), _earlier()
    if request.form.get("action") == "back":
        return _page(said[:-1], earlier=earlier)
    new = _new_said()
    if new is None:
        return _page(said, error=_("Type a question, like “when is my bin collected”."), status=400, earlier=earlier)
    kept = [*said, new]
    return _page(kept[-MAX_TURNS:], earlier=earlier + max(0, len(kept) - MAX_TURNS))


# --- what the templates need ---------------------------------------------------------------


def contact_for(decision: Decision):
    """The contact details the answer's page gives (a service's team, another organisation), if any."""
    if decision.page is None:
        return None
    site = content_site()
    kind, _sep, slug = decision.page.ref.partition(":")
    if kind == "service" and slug in site.services:
        return site.services[slug].contact
    if kind == "organisation" and site.directory and slug in site.directory.organisations:
        return site.directory.organisations[slug].contact
    if kind == "page" and slug in site.pages:  # a general page showing a team's details (contact us)
        shown = [include.split(":", 1)[1] for include in site.pages[slug].includes if include.startswith("contact:")]
        return site.contacts.get(shown[0]) if shown else None
    return None


def open_status_at(hours):
    return open_status(hours, now())


# --- the API -------------------------------------------------------------------------------


def decision_json(decision: Decision, lang: str | None = None) -> dict[str, Any]:
    """The decision as JSON: the page a resident would follow, the passage, the options."""
    page = decision.page
    url = None
    if page is not None:  # on the Welsh site when asked from it, or when the answer is in Welsh
        url = ("/cy" if "cy" in (lang or language(), page.lang) else "") + page.url
    passage = decision.passage or answer_sentence(decision)
    found: dict[str, Any] = {
        "kind": decision.kind, "question": decision.question, "lang": decision.lang,
        "page": url, "title": (page.title or intent_title(decision.intent)) if page else None, "passage": passage or None,
        "intent": decision.intent, "ask": decision.ask,
        "options": [{"value": option.value, "label": option.label} for option in decision.options],
        "closest": [{"title": link.title, "page": ("/cy" if link.lang == "cy" else "") + link.url}
                    for link in decision.closest],
    }
    if decision.problem is not None:
        found["problem"] = {"code": decision.problem.code, "message": error_message(decision.problem)}
    return found


def intent_title(intent: str | None) -> str:
    """The heading of an answer worked out for a postcode."""
    titles = {"bin_day": _("Your bin collection days"), "catchment": _("Your school catchment areas"),
              "ward": _("Your ward and councillors"), "nearest": _("The nearest place to you"),
              "opening": _("Opening times near you"), "hear_back": _("When you will hear back")}
    return titles.get(intent or "", _("Answer"))


def answer_sentence(decision: Decision) -> str:
    """An intent's answer or question in a sentence, in the reader's language (the page and the API agree)."""
    facts = decision.facts
    if decision.kind == QUESTION and decision.ask == ASK_POSTCODE:
        return _("What is your postcode?")
    if decision.kind == QUESTION and decision.ask == ASK_CHOICE:
        return _("Which of these is closest to what you need?")
    if decision.kind == NOT_SURE:
        return _("I’m not sure. I could not find a page that answers that question well.")
    if not facts:
        return ""
    if "promise" in facts:
        return _("We aim to %(promise)s.", promise=facts["promise"])
    if "round" in facts:
        days = "; ".join(f"{bin_name(kind)}: {format_day(day)}" for kind, day in facts.get("collections", ()))
        return _("Your next collections: %(days)s.", days=days) if days else _(
            "Your bins are collected by the %(round)s round.", round=facts["round"])
    if "catchments" in facts:
        return _("%(postcode)s is in these school catchment areas: %(areas)s.", postcode=facts["postcode"],
                 areas="; ".join(name for _layer, name in facts["catchments"]))
    if "ward" in facts:
        names = ", ".join(facts.get("councillors") or ())
        if names:
            return _("%(postcode)s is in %(ward)s ward. Your councillors are %(names)s.",
                     postcode=facts["postcode"], ward=facts["ward"], names=names)
        return _("%(postcode)s is in %(ward)s ward.", postcode=facts["postcode"], ward=facts["ward"])
    if "facility" in facts:
        facility = facts["facility"]
        sentence = _("The nearest is %(name)s, %(miles)s miles away.", name=facility.name,
                     miles=f"{facts['miles']:.1f}")
        status = open_status(facility.hours, now()) if facility.hours else None
        if status:
            sentence += " " + status["label"] + (f": {status['detail']}" if status["detail"] else "") + "."
        return sentence
    return ""


def bin_name(kind: str) -> str:
    return bin_label(kind)


def format_day(day) -> str:
    return format_date(day, "EEEE d MMMM")


@bp.route("/api/ask")
def api_ask() -> Response:
    """The same decision as the page, as JSON; errors in the site's JSON shape."""
    lang = request.args.get("lang", "en").strip()
    if lang not in ("en", "cy"):
        raise BadLanguage()
    question = " ".join(request.args.get("q", "").split())[:MAX_SAID]
    if not question:
        raise NoQuestion()
    postcode = " ".join(request.args.get("postcode", "").split())[:40] or None
    choice = request.args.get("choice", "").strip()[:120] or None
    with force_locale(lang):
        decision = engines.ask_townhall().ask(question, lang, postcode=postcode, choice=choice,
                                              context=place_context())
        return jsonify(decision_json(decision, lang))


def openapi_part() -> ApiPart:
    nullable = {"type": ["string", "null"]}
    return ApiPart(
        paths={"/api/ask": operation(
            "askTownhall", "Ask a question in your own words: an answer, a question back, or not sure",
            {"200": json_response("The decision", ref("AskDecision")),
             **error_responses({400: ["no_question", "bad_language"]})},
            tag="Ask Townhall",
            description="The same decision the /ask page makes. When kind is question and ask is postcode, ask "
                        "again with the postcode parameter; when ask is choice, with choice set to one of the "
                        "options' values. Nothing asked is stored.",
            parameters=[
                {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "maxLength": 300},
                 "description": "The question, as a resident would ask it."},
                {"name": "lang", "in": "query", "schema": {"type": "string", "enum": ["en", "cy"], "default": "en"},
                 "description": "The language of the page the question is asked from."},
                {"name": "postcode", "in": "query", "schema": {"type": "string", "maxLength": 40},
                 "description": "The answer to a question back for a postcode."},
                {"name": "choice", "in": "query", "schema": {"type": "string"},
                 "description": "The answer to a question back with options: one option's value."},
            ])},
        schemas={"AskDecision": {"type": "object", "required": ["kind", "page", "passage", "options"], "properties": {
            "kind": {"type": "string", "enum": [ANSWER, QUESTION, NOT_SURE]},
            "question": {"type": "string"}, "lang": {"type": "string", "enum": ["en", "cy"]},
            "page": {**nullable, "description": "The page a resident would follow, a path on this site."},
            "title": nullable, "passage": {**nullable, "description": "The words that answer (or ask back)."},
            "intent": nullable, "ask": {"type": ["string", "null"], "enum": [ASK_POSTCODE, ASK_CHOICE, None]},
            "options": {"type": "array", "items": {"type": "object", "required": ["value", "label"], "properties": {
                "value": {"type": "string"}, "label": {"type": "string"}}}},
            "closest": {"type": "array", "items": {"type": "object", "properties": {
                "title": {"type": "string"}, "page": {"type": "string"}}}},
            "problem": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}},
        }}},
        tags=[{"name": "Ask Townhall", "description": "Questions in residents' own words, answered from the "
                                                      "council's pages and data."}],
    )
