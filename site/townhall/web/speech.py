"""Speech mode: "Listen" controls on every page, audio players, the audio itself, cues and downloads.

How it fits together:

* When the reader's speech preference is on, every HTML page gets a "Listen to
  this page" bar (the layout's ``speech/page_controls.html`` hook) and, after
  each section heading, a "Listen" control saying how long the section is.
  The section controls are added to the finished page by ``add_listen_controls``
  (an after-request hook), because section headings come from many templates
  and from Markdown; the markup itself is the ``components/speech.html`` macros.
* Without JavaScript a section's "Listen" is a link to its MP3 and "Listen to
  this page" is a link to a plain page (``/listen``) with a player per section.
  With htmx they load a player (``/listen/player``) in place: an ``<audio
  controls preload="none">`` with Ogg Opus and MP3 sources and a WebVTT track
  of sentence cues, a Play/Pause button and speed links. ``speech.js`` follows
  the cues to highlight the sentence being read. Nothing ever plays by itself.
* Requests name a page of this site (its path, as the reader sees it) and a
  section id, never text: the page is rendered here, inside the app, and its
  speech script built from that HTML. Scripts are remembered for a few minutes.
* Audio is served from the cache with ETag and Range support (HTTP 206), so
  phones can seek. Audio for addresses with a query string is one-off
  ("transient") audio, kept briefly and in a small share of the cache. URLs that carry the audio's key (``v=``) never change
  meaning and are cached by browsers for a year.
* Audio is never made on the thread serving the request: the preparer
  (``speech/service.py``, ``Preparer``) hands it to a small queue with its own
  threads (``speech/queue.py``) and waits a few seconds at most, and only a
  couple of requests per process wait at all. Otherwise the answer is at once
  "being prepared": a player-sized fragment that htmx asks for again every two
  seconds, or without JavaScript a plain page (202) with a link to try again;
  the audio address itself answers 503 with Retry-After.
* Every speech request counts towards a per-client limit, except requests
  answered exactly from audio already in the cache (``speech/limits.py``,
  ``SpeechLimit``); a Range header never makes a request free, and a key
  (``v=``) frees only the audio or cues served from that very entry. Every
  synthesis counts too, per client (429) and for everyone (503).
* Nothing here answers with a 500: a missing engine, a timeout, a busy machine,
  an unknown page or section each get a plain message (503, 404 or 429).

Everything that does not need Flask lives in the speech package: page
addresses, remembered scripts and drawing a page inside the app
(``speech/pages.py``), putting the controls into a page (``speech/controls.py``)
and the limit (``speech/limits.py``). This module is the routes and the hooks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    get_template_attribute,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.test import EnvironBuilder, run_wsgi_app

from .. import engines
from ..speech import (
    DEFAULT_SPEED,
    INTRODUCTION_ID,
    SPEEDS,
    AudioEntry,
    NothingToRead,
    Section,
    Speaker,
    SpeechBusy,
    SpeechError,
    SpeechLimited,
    SpeechScript,
    SpeechTimedOut,
    Utterance,
    build_script,
)
from ..speech.controls import (
    fill_page_duration,
    has_page_bar,
    splice_controls,
    without_page_bar,
)
from ..speech.engine import FORMATS
from ..speech.limits import SpeechLimit
from ..speech.pages import (
    WHOLE_PAGE,
    ScriptMemory,
    download_name,
    one_off,
    part,
    readable_page,
    valid_key,
    valid_section,
)
from ..speech.service import Preparer
from .common import is_htmx, language, preferences, render
from .errors import error_message
from .i18n import BASE_SCRIPT_KEY
from .preferences import safe_return_path

log = logging.getLogger(__name__)
bp = Blueprint("speech", __name__)

INTERNAL_KEY = "townhall.speech.internal"  # set on requests made here to read a page
YEAR = 365 * 24 * 60 * 60
# Blueprints whose routes are never drawn internally to be read (see refuse_internal_non_pages).
INTERNAL_REFUSED = ("speech", "assets")


# --- the speaker, the limit and remembered scripts (built once per app, in engines/) ---------


def speaker() -> Speaker:
    return engines.speaker()


def limit() -> SpeechLimit:
    return engines.speech_limit()


def preparer() -> Preparer:
    return engines.preparer()


def client() -> str:
    """Who is asking, for the per-client limits (never stored as it is: see speech/limits.py)."""
    return request.remote_addr or "unknown"


def scripts() -> ScriptMemory:
    return engines.script_memory()


# --- which page, which part -----------------------------------------------------------


def clean_page(value: str | None) -> str | None:
    """A path on this site that is a page to read, or None. Never another host, never our own routes."""
    return readable_page(safe_return_path(value), language_prefixes())


def language_prefixes() -> list[str]:
    """The languages whose pages live under a prefix (``cy``); the first language has none."""
    return list(current_app.config["TOWNHALL_LANGUAGES"])[1:]


def current_page() -> str:
    """This page's path as the reader sees it, within its language, query string included."""
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def _memory_key(page: str) -> tuple:
    return (language(), page, engines.site().fingerprint)


def script_for(page: str) -> SpeechScript:
    """The speech script of one of the site's pages, rendered here inside the app."""
    key = _memory_key(page)
    remembered = scripts().get(key)
    if remembered is not None:
        return remembered
    html = render_internally(page)
    if html is None:
        raise NothingToRead("That page does not exist")
    script = build_script(html, lang=language())
    if script.is_empty():
        raise NothingToRead("That page has nothing to read")
    scripts().put(key, script)
    return script


def script_for_audio(page: str) -> SpeechScript:
    """`script_for`, for a request that may need new audio: refused before the page is drawn when no
    new audio could be made for this client now (drawing pages was the cost of a flood; see Preparer).
    A script still remembered is used as it is, as its audio may be made already."""
    if scripts().get(_memory_key(page)) is None:
        preparer().could_make(client())
    return script_for(page)


def render_internally(page: str) -> str | None:
    """GET `page` through the whole app (language prefix, templates, hooks) and return its HTML."""
    lang = language()
    base = request.environ.get(BASE_SCRIPT_KEY, request.script_root)
    return render_page(
        current_app._get_current_object().wsgi_app,
        page,
        prefix="" if lang == "en" else f"/{lang}",
        base_url=request.host_url.rstrip("/") + base,
        marker=INTERNAL_KEY,
    )


def request_values() -> tuple[str, str, str]:
    """(page, section, speed) from the query string; NothingToRead when the page is not one of ours."""
    page = clean_page(request.args.get("page"))
    if page is None:
        raise NothingToRead("That is not a page of this website")
    section = request.args.get("section", WHOLE_PAGE)
    if not valid_section(section):
        raise NothingToRead("That part of the page does not exist")
    speed = request.args.get("speed", DEFAULT_SPEED)
    if speed not in SPEEDS:
        speed = DEFAULT_SPEED
    return page, section, speed


def render_page(wsgi_app: Callable, page: str, *, prefix: str, base_url: str, marker: str) -> str | None:
    """GET `page` (with the language `prefix`) through the whole WSGI app; its HTML, or None.

    The request carries no cookies and has `marker` set in its environ, so the
    app can tell it from a reader's request. Anything but a 200 HTML answer is None.
    """
    path, _, query = page.partition("?")
    environ = EnvironBuilder(path=prefix + path, query_string=query, base_url=base_url).get_environ()
    environ[marker] = True
    body, status, headers = run_wsgi_app(wsgi_app, environ, buffered=True)
    try:
        data = b"".join(body)
    finally:
        if hasattr(body, "close"):
            body.close()
    content_type = dict(headers).get("Content-Type", "")
    if not status.startswith("200") or not content_type.startswith("text/html"):
        return None
    return data.decode("utf-8", "replace")


# --- words for the reader ---------------------------------------------------------------


def duration_text(seconds: float, estimated: bool = False) -> str:
    """"1 minute 20 seconds"; "about 2 minutes" when the audio is not made yet."""
    if estimated:
        seconds = max(10, round(seconds / 10) * 10) if seconds < 90 else round(seconds / 60) * 60
    total = max(1, round(seconds))
    minutes, secs = divmod(total, 60)
    parts = []
    if minutes:
        parts.append(ngettext("%(num)s minute", "%(num)s minutes", minutes))
    if secs or not minutes:
        parts.append(ngettext("%(num)s second", "%(num)s seconds", secs))
    text = " ".join(parts)
    return _("about %(duration)s", duration=text) if estimated else text


def speed_names() -> dict[str, str]:
    return {"slow": _("Slow"), "normal": _("Normal"), "fast": _("Fast")}


def rate_limited_message() -> str:
    return _("You have asked for a lot of audio in a short time. Please wait a minute and try again.")


# --- addresses ------------------------------------------------------------------------------


def audio_url(page: str, section: str, speed: str, audio_format: str, *, key: str | None = None,
              download: bool = False) -> str:
    values = {"page": page, "section": section, "speed": speed, "format": audio_format}
    if key:
        values["v"] = key
    if download:
        values["download"] = "1"
    return url_for("speech.audio", **values)


def player_url(page: str, section: str, speed: str) -> str:
    return url_for("speech.player", page=page, section=section, speed=speed)


def listen_url(page: str, speed: str = DEFAULT_SPEED, anchor: str | None = None) -> str:
    values = {"page": page}
    if speed != DEFAULT_SPEED:
        values["speed"] = speed
    return url_for("speech.listen", **values) + (f"#{anchor}" if anchor else "")


def length_of(utterances: tuple[Utterance, ...], speed: str) -> tuple[float, bool, AudioEntry | None]:
    """(seconds, estimated?, entry): exact when the audio is already made."""
    entry = speaker().cached(utterances, speed) if utterances else None
    if entry is not None:
        return entry.duration, False, entry
    return speaker().estimate_seconds(utterances, speed), True, None


# --- rate limit -------------------------------------------------------------------------


@bp.before_app_request
def refuse_internal_non_pages():
    """A page drawn here to be read is only ever an HTML page: never a speech route, an asset or a file.

    ``clean_page`` already refuses such addresses; this is the renderer's own
    check, so a way round ``clean_page`` still cannot reach the speech routes
    (which would make audio without the limit) or read a listing page.
    """
    if not request.environ.get(INTERNAL_KEY):
        return None
    if request.blueprint in INTERNAL_REFUSED or request.endpoint in (None, "static") or request.method != "GET":
        return Response("Not a page to read", status=404, mimetype="text/plain")
    return None


@bp.before_request
def limit_requests():
    decision = limit().check(client(), made=_requested_audio_is_made())
    if decision.allowed:
        return None
    message = rate_limited_message()
    response = problem(message, 429, fragment=request.endpoint == "speech.player" and is_htmx())
    response.headers["Retry-After"] = str(decision.retry_after)
    return response


def _requested_audio_is_made() -> bool:
    """Whether this request will be answered exactly from audio already in the cache.

    The audio and cues routes serve the entry their key (``v=``) names, when it
    is cached, whatever else the request says: such a request is free. The
    player always works from the page and section, never from a key, so a key
    there frees nothing (it once did, and borrowed keys made audio uncounted).
    Otherwise only looked up without drawing the page: when the page's script
    is not remembered, finding out would cost a page render, so the request counts.
    """
    if request.endpoint not in ("speech.audio", "speech.cues", "speech.player"):
        return False
    if request.endpoint != "speech.player" and _cached_by_key() is not None:
        return True
    try:
        page, section, speed = request_values()
        script = scripts().get(_memory_key(page))
        if script is None:
            return False
        _title, utterances = part(script, section)
    except SpeechError:
        return False
    return speaker().cached(utterances, speed) is not None


def problem(message: str, status: int, *, fragment: bool, title: str | None = None,
            again_href: str | None = None) -> Response:
    """A plain message as a player-sized fragment (htmx) or a whole page (with a link to try again, if given)."""
    body = render(
        "speech/problem.html",
        block="problem" if fragment else None,
        message=message,
        title=title or _("Listening is not available"),
        code=status,
        again_href=again_href,
    )
    response = Response(body, status=status, mimetype="text/html")
    if status in (429, 503):
        response.headers.setdefault("Retry-After", "60")
    return response


def speech_problem(error: SpeechError, *, fragment: bool) -> Response:
    """A speech error as a plain message, with the Retry-After the error asks for."""
    if not isinstance(error, NothingToRead | SpeechLimited | SpeechBusy):  # the limits at work: not news
        log.warning("Speech for %s failed: %s", request.path, error.detail)
    response = problem(error_message(error), error.status, fragment=fragment)
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


PREPARING_RETRY_SECONDS = 2


def preparing(page: str, section: str, speed: str, *, fragment: bool) -> Response:
    """"The audio is being prepared": asked for again by htmx, or a plain page with a link to try again."""
    again = url_for("speech.player", page=page, section=section, speed=speed)
    body = render(
        "speech/preparing.html",
        block="preparing" if fragment else None,
        title=_("Preparing the audio"),
        again_href=again,
        poll_href=again + "&again=1",
        first=request.args.get("again") != "1",
        seconds=PREPARING_RETRY_SECONDS,
        page_href=request.script_root + page,
    )
    response = Response(body, status=202, mimetype="text/html")
    response.headers["Retry-After"] = str(PREPARING_RETRY_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- pages ----------------------------------------------------------------------------------


@bp.get("/listen")
def listen():
    """A plain page with a player for the whole page and for each of its sections (works without JavaScript)."""
    try:
        page, _section, speed = request_values()
        script = script_for(page)
    except SpeechError as error:
        return problem(error_message(error), error.status, fragment=False)
    whole = length_of(script.utterances, speed)
    sections = [(section, length_of(section.utterances, speed)) for section in script.sections]
    return render(
        "speech/listen.html",
        page=page,
        page_href=request.script_root + page,
        mimetypes={name: FORMATS[name][0] for name in FORMATS},
        script=script,
        speed=speed,
        speeds=speed_names(),
        whole=whole,
        sections=sections,
        audio_url=audio_url,
        listen_url=listen_url,
        duration_text=duration_text,
        whole_page=WHOLE_PAGE,
        formats=speaker().synthesiser.formats(),
    )


@bp.get("/listen/player")
def player():
    """A player for one section or the whole page: the audio is made (or found) first, so its length is known."""
    fragment = is_htmx()
    try:
        page, section, speed = request_values()
        script = script_for_audio(page)
        title, utterances = part(script, section)
        entry = preparer().audio(utterances, speed, client=client(), transient=one_off(page))
    except SpeechError as error:
        return speech_problem(error, fragment=fragment)
    if entry is None:
        return preparing(page, section, speed, fragment=fragment)
    return render(
        "speech/player.html",
        block="player",
        page_href=request.script_root + page,
        speed=speed,
        speeds=speed_names(),
        speed_links={choice: (listen_url(page, choice, anchor=None if section == WHOLE_PAGE else section),
                              player_url(page, section, choice)) for choice in SPEEDS},
        title=title,
        page_title=script.title,
        entry=entry,
        duration=duration_text(entry.duration),
        sources=[(name, audio_url(page, section, speed, name, key=entry.key)) for name in entry.formats],
        fallback_href=audio_url(page, section, speed, entry.formats[-1], key=entry.key, download=True),
        cues_href=url_for("speech.cues", page=page, section=section, speed=speed, v=entry.key),
        start=section if section not in (WHOLE_PAGE, INTRODUCTION_ID) else "",
        lang=script.lang,
    )


def _cached_by_key() -> AudioEntry | None:
    """The cached audio this request names by its key (``v=``), if any; looked up once per request.

    Only the audio and cues routes serve by key (see _requested_audio_is_made).
    """
    if "speech_entry" not in g:
        key = request.args.get("v", "")
        g.speech_entry = speaker().cache.get(key) if valid_key(key) else None
    return g.speech_entry


def _entry_for_request() -> tuple[AudioEntry | None, str, str]:
    """The audio a request names: by its key when given and cached, else from the page.

    None while it is being prepared. An address without a key is what a plain
    link or an ``<audio>`` element without JavaScript asks for, so it waits as
    long as synthesis may take, when a waiting place is free.
    """
    found = _cached_by_key()
    if found is not None:
        page = clean_page(request.args.get("page")) or "/"
        return found, page, request.args.get("section", WHOLE_PAGE)
    page, section, speed = request_values()
    _title, utterances = part(script_for_audio(page), section)
    entry = preparer().audio(utterances, speed, client=client(), transient=one_off(page),
                             wait=speaker().timeout)
    return entry, page, section


def not_ready() -> Response:
    """The audio address, asked for before the audio is made: 503 with Retry-After, and a link to try again."""
    response = problem(_("The audio is being prepared. Please try again in a few seconds."), 503, fragment=False,
                       title=_("Preparing the audio"), again_href=request.script_root + request.full_path)
    response.headers["Retry-After"] = str(PREPARING_RETRY_SECONDS)
    return response


@bp.get("/listen/audio")
def audio():
    """The audio file, with ETag and Range (206) support; a download when asked."""
    try:
        entry, page, section = _entry_for_request()
    except SpeechError as error:
        return speech_problem(error, fragment=False)
    if entry is None:
        return not_ready()
    wanted = request.args.get("format", "mp3")
    audio_format = wanted if wanted in entry.formats else entry.formats[0]
    download = request.args.get("download") == "1"
    name = download_name(page, section, audio_format, engines.site().council.slug)
    try:
        response = send_file(
            entry.path(audio_format),
            mimetype=entry.mimetype(audio_format),
            conditional=True,
            etag=entry.etag(audio_format),
            as_attachment=download,
            download_name=name,
            max_age=0,
        )
    except FileNotFoundError:  # evicted between finding and sending: rare, and a retry makes it again
        return problem(error_message(SpeechTimedOut("evicted")), 503, fragment=False)
    _cache_headers(response, entry)
    return response


@bp.get("/listen/cues")
def cues():
    """The sentence cues as WebVTT, for highlighting while the audio plays."""
    try:
        entry, page, section = _entry_for_request()
    except SpeechError as error:
        return speech_problem(error, fragment=False)
    if entry is None:
        return not_ready()
    try:
        response = send_file(entry.cues_path, mimetype="text/vtt", conditional=True, etag=f"{entry.key}-vtt",
                             max_age=0)
    except FileNotFoundError:
        return problem(error_message(SpeechTimedOut("evicted")), 503, fragment=False)
    _cache_headers(response, entry)
    return response


def _cache_headers(response: Response, entry: AudioEntry) -> None:
    response.headers["Accept-Ranges"] = "bytes"
    response.expires = None
    if request.args.get("v") == entry.key:
        # This address names this exact audio: it can never change.
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"  # revalidate: the page may have been edited


# --- speech mode on every page ------------------------------------------------------------


@bp.app_context_processor
def speech_context() -> dict:
    return {"speech_page_controls": page_controls, "source_listen_control": source_listen_control}


@pass_context
def page_controls(context) -> Markup:
    """The "Listen to this page" bar for the layout's hook (only in speech mode, only on pages to read).

    Error pages (drawn with a `code`) have nothing to listen to.
    """
    if not _wants_controls_for_request() or context.get("code") not in (None, 200):
        return Markup("")
    page = current_page()
    if clean_page(page) is None:
        return Markup("")
    macro = get_template_attribute("components/speech.html", "page_bar")
    return macro(
        listen_href=listen_url(page),
        player_href=player_url(page, WHOLE_PAGE, DEFAULT_SPEED),
        downloads=[(f, audio_url(page, WHOLE_PAGE, DEFAULT_SPEED, f, download=True))
                   for f in speaker().synthesiser.formats()],
    )


def source_listen_control(page: str, anchor: str = "", *, slot: str, page_title: str = "") -> Markup:
    """In speech mode, a "Listen" control for one section of one of the site's pages, to put elsewhere.

    Ask Townhall's answers quote a passage of a page: this reads the section the passage came from
    (the section whose heading, or a deeper heading inside it, has the id `anchor`; the page's first
    section when there is none). It names a page and a
    section like every other control, never text, so nothing a resident typed can be read, and the
    player and audio addresses it leads to count every synthesis as they always do. Drawing the
    control only builds the page's speech script (remembered, no audio); empty when speech is off,
    the page cannot be read, or the request is one drawn here to be read. `slot` makes the player's
    place unique on the page (the same section may be quoted twice).
    """
    if request.environ.get(INTERNAL_KEY) or not preferences().speech_on:
        return Markup("")
    page = clean_page(page)
    if page is None or one_off(page):
        return Markup("")
    try:
        script = script_for(page)
    except SpeechError:
        return Markup("")
    except Exception:  # the answer must never fail because of its Listen control
        log.exception("Could not build the speech script of %s", page)
        return Markup("")
    section = (script.section_holding(anchor) if anchor and valid_section(anchor) else None) or (
        script.sections[0] if script.sections else None)
    if section is None:
        return Markup("")
    seconds, estimated, _entry = length_of(section.utterances, DEFAULT_SPEED)
    macro = get_template_attribute("components/speech.html", "source_control")
    return macro(
        slot_id=slot,
        title=section.title or script.title,
        page_title=page_title or script.title,
        duration=duration_text(seconds, estimated),
        listen_href=listen_url(page, anchor=section.id),
        player_href=player_url(page, section.id, DEFAULT_SPEED),
    )


def _wants_controls_for_request() -> bool:
    if request.environ.get(INTERNAL_KEY) or request.blueprint in ("speech", "assets"):
        return False
    if request.method != "GET" or is_htmx():
        return False
    return preferences().speech_on


@bp.after_app_request
def add_listen_controls(response: Response) -> Response:
    """In speech mode, put a "Listen" control (with the section's length) after each section heading.

    A page answered with another status than 200 (a places answer with a 4xx
    status, say) cannot be listened to, so its bar is taken out again.
    """
    if response.mimetype != "text/html" or response.is_streamed or response.direct_passthrough:
        return response
    if not _wants_controls_for_request():
        return response
    try:
        html = response.get_data(as_text=True)
        if not has_page_bar(html):
            return response  # not a page drawn in the layout with the speech bar
        if response.status_code != 200:
            response.set_data(without_page_bar(html))
            return response
        script = build_script(html, lang=language())
        page = current_page()
        if script.is_empty():
            response.set_data(fill_page_duration(html, ""))
            return response
        scripts().put(_memory_key(page), script)
        response.set_data(_with_controls(html, script, page))
        speaker().synthesiser.prepare()  # a Listen click is likely next: have a worker ready
    except Exception:  # the page must never fail because of its Listen controls
        log.exception("Could not add Listen controls to %s", request.path)
    return response


def _with_controls(html: str, script: SpeechScript, page: str) -> str:
    macro = get_template_attribute("components/speech.html", "section_control")

    def control(section: Section) -> str:
        seconds, estimated, _entry = length_of(section.utterances, DEFAULT_SPEED)
        return str(macro(
            section_id=section.id,
            title=section.title or script.title,
            duration=duration_text(seconds, estimated),
            audio_href=audio_url(page, section.id, DEFAULT_SPEED, "mp3"),
            player_href=player_url(page, section.id, DEFAULT_SPEED),
        ))

    seconds, estimated, _entry = length_of(script.utterances, DEFAULT_SPEED)
    return splice_controls(html, script, control, duration_text(seconds, estimated))
