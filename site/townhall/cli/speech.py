"""`flask speech ...`: warm the audio cache at deploy time, list voices, look after the cache.

    flask speech pregenerate            make the audio of every page (sections and whole page)
    flask speech pregenerate --speed all --path /services/report-a-missed-bin
    flask speech voices                 the voices espeak-ng has, and the ones the site uses
    flask speech status                 engine, formats, cache size
    flask speech clear-cache            remove every cached audio

"Every page" is found the way a visitor finds them: starting from the home
page in each language (and every address in the app's URL map that takes no
arguments), following the site's own links. A page no link reaches is not a
page a visitor can listen to either.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor, as_completed
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from ..addresses import is_page
from ..speech import SPEEDS, Speaker, SpeechError, build_script
from ..speech.engine import DEFAULT_VOICES, available_encoders

group = AppGroup("speech", help="Speech output: warm the audio cache, list voices, clear the cache.")

class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def site_pages(app: Flask, limit: int = 5000) -> list[str]:
    """Every page a visitor can reach by following links, in every language, as paths (query included)."""
    languages = list(app.config["TOWNHALL_LANGUAGES"])
    seeds = ["/"] + [f"/{code}/" for code in languages[1:]]
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and not rule.arguments and is_page(rule.rule, languages):
            seeds.append(rule.rule)
            seeds += [f"/{code}{rule.rule}" for code in languages[1:]]
    seeds = list(dict.fromkeys(seeds))
    client = app.test_client()
    queue, seen, pages = deque(seeds), set(seeds), []
    while queue and len(pages) < limit:
        path = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages.append(path)
        parser = _Links()
        parser.feed(response.get_data(as_text=True))
        for href in parser.hrefs:
            parts = urlsplit(urljoin(path, href))
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            # "Back to the page you were on" addresses change nothing a listener hears.
            query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("return_to="))
            target = parts.path + (f"?{query}" if query else "")
            if target not in seen and is_page(parts.path, languages):
                seen.add(target)
                queue.append(target)
    return pages


def _speaker() -> Speaker:
    return Speaker.from_settings(current_app.config)


@group.command("pregenerate")
@click.option("--speed", "speeds", multiple=True, type=click.Choice([*SPEEDS, "all"]), default=["normal"],
              show_default=True, help="Speeds to make (repeat, or 'all').")
@click.option("--path", "paths", multiple=True, help="Only these pages (e.g. /services/report-a-missed-bin).")
@click.option("--jobs", type=int, default=0, help="Jobs at once (default: TOWNHALL_SPEECH_WORKERS).")
@click.option("--timeout", type=float, default=300.0, show_default=True,
              help="Seconds allowed for each audio (whole pages take longest).")
@click.option("--sections-only", is_flag=True, help="Skip the whole-page audio.")
def pregenerate(speeds: tuple[str, ...], paths: tuple[str, ...], jobs: int, timeout: float,
                sections_only: bool) -> None:
    """Make the audio of every page now, so the first listener does not wait. Run at deploy time."""
    app = current_app._get_current_object()
    chosen = list(SPEEDS) if "all" in speeds else list(dict.fromkeys(speeds))
    started = time.monotonic()
    pages = list(paths) if paths else site_pages(app)
    click.echo(f"Reading {len(pages)} page(s) at {', '.join(chosen)} speed.")
    speaker = _speaker()
    client = app.test_client()
    work = []
    for path in pages:
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            click.echo(f"  skipped {path}: HTTP {response.status_code}")
            continue
        script = build_script(response.get_data(as_text=True))
        parts = [section.utterances for section in script.sections]
        if not sections_only and script.utterances:
            parts.append(script.utterances)
        work += [(path, utterances, speed) for utterances in parts for speed in chosen if utterances]
    cached = failed = 0
    made: dict[str, float] = {}  # key -> seconds of audio (parts shared by many pages are made once)
    with ThreadPoolExecutor(max_workers=jobs or int(app.config["TOWNHALL_SPEECH_WORKERS"])) as pool:
        futures = {}
        submitted: set[str] = set()
        for path, utterances, speed in work:
            key = speaker.key(utterances, speed)
            found = None if key in submitted else speaker.cache.get(key)
            if found is not None and found.transient:
                speaker.cache.make_lasting(key)  # a page of the site uses it: keep it like the rest
            if key in submitted or found is not None:
                cached += key not in submitted
                continue
            submitted.add(key)
            futures[pool.submit(speaker.audio, utterances, speed, timeout)] = path
        for future in as_completed(futures):
            try:
                entry = future.result()
                made[entry.key] = entry.duration
            except SpeechError as error:
                failed += 1
                click.echo(f"  could not make audio for {futures[future]}: {error.detail}", err=True)
    speaker.synthesiser.close()
    click.echo(
        f"Done in {time.monotonic() - started:.1f} s: {len(made)} made ({sum(made.values()) / 60:.1f} minutes of audio), "
        f"{cached} already cached, {failed} failed. Cache: {speaker.cache.total_bytes() / 1e6:.1f} MB "
        f"in {speaker.cache.root}."
    )
    if failed:
        sys.exit(1)


@group.command("voices")
@click.option("--all", "show_all", is_flag=True, help="List every voice espeak-ng has, not just the site's.")
def voices(show_all: bool) -> None:
    """The voices the engine has, and which the site uses for each language."""
    speaker = _speaker()
    try:
        listed = speaker.synthesiser.list_voices()
    except SpeechError as error:
        click.echo(f"Speech is not available: {error.detail}", err=True)
        sys.exit(1)
    finally:
        speaker.synthesiser.close()
    ids = {voice["id"] for voice in listed}
    click.echo(f"{len(listed)} voices. The site uses:")
    for lang in current_app.config["TOWNHALL_LANGUAGES"]:
        voice = speaker.synthesiser.voices.get(lang) or DEFAULT_VOICES.get(lang)
        state = "available" if voice in ids else "MISSING: pages in this language cannot be listened to"
        click.echo(f"  {lang}: {voice or '(none)'} - {state}")
    if show_all:
        for voice in sorted(listed, key=lambda v: v["id"]):
            click.echo(f"  {voice['id']:<28} {voice['name']:<28} {', '.join(voice['languages'])}")


@group.command("status")
def status() -> None:
    """The engine, the formats this machine can make and the cache's size."""
    speaker = _speaker()
    items = list(speaker.cache.items())
    one_off = [item for item in items if item.transient]
    click.echo(f"Engine: {speaker.engine_version}")
    click.echo(f"Formats: {', '.join(speaker.synthesiser.formats())}"
               + ("" if available_encoders(speaker.synthesiser.ffmpeg) else " (ffmpeg not found: WAV only)"))
    click.echo(f"Cache: {speaker.cache.root}, {len(items)} audio, "
               f"{sum(item.size for item in items) / 1e6:.1f} MB of {speaker.cache.max_bytes / 1e6:.0f} MB; "
               f"{len(one_off)} for one-off addresses (search results, postcodes): "
               f"{sum(item.size for item in one_off) / 1e6:.1f} MB of at most "
               f"{speaker.cache.max_bytes * speaker.cache.transient_share / 1e6:.0f} MB")


@group.command("clear-cache")
def clear_cache() -> None:
    """Remove every cached audio (it is made again when asked for, or by `pregenerate`)."""
    removed = _speaker().cache.clear()
    click.echo(f"Removed {removed} cached audio.")
