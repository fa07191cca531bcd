"""Every route of the app, fuzzed with hostile requests through the test client: never a server error.

The routes come from ``app.url_map`` (so a new route is fuzzed without anyone listing it), in English
and Welsh, with every method they take and several they do not. Hypothesis fills their path parameters
with odd postcodes, slugs, traversal (``../``, ``%2e%2e``, backslashes, absolute paths), NUL bytes,
broken UTF-8 and 10,000-character strings, and sends hostile query strings, headers (``HX-*``, content
types, conditional and range requests), cookies (the settings cookie, the session, both broken) and
bodies (huge, truncated, not what the Content-Type says). Requests are built at the WSGI level, bytes as
a server would pass them on (PATH_INFO and QUERY_STRING as Latin-1 strings), so broken UTF-8 reaches
the app exactly as it would from gunicorn.

The property: the answer is below 500, and under /api/ every error is the documented JSON error shape.
A crash raises in the test (PROPAGATE_EXCEPTIONS and TOWNHALL_RAISE_ERRORS) so hypothesis shows it.
Examples are derandomised, so a run in CI tries exactly what a run here tried.
"""

from __future__ import annotations

import re
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall import create_app, engines
from townhall.cases import Submission, create_staff, submit
from townhall.cases.models import utcnow

pytestmark = pytest.mark.slow  # a minute or so: `make test` runs it, `make test-fast` does not
EXAMPLES = {"paths": 2500, "queries": 2000, "headers": 2000, "bodies": 2000}
HTML_ERROR = re.compile(rb"<h1")
LANGUAGE_PREFIXES = ("", "/cy")


def test_the_route_fuzzing_adds_up_to_eight_thousand_cases():
    # with the API's 2,000 schemathesis cases (test_hostile_api.py) this suite alone passes 10,000
    assert sum(EXAMPLES.values()) >= 8_000


def fuzzed(name: str):
    return settings(max_examples=EXAMPLES[name], deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def app(tmp_path_factory, module_search_index):
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("route-fuzz")),
                      "TOWNHALL_SEARCH_INDEX": module_search_index, "TOWNHALL_OUTBOX_INTERVAL": 0,
                      "TOWNHALL_SUBMISSION_RATE_LIMIT": 0, "TOWNHALL_FEEDBACK_RATE_LIMIT": 0,
                      "TOWNHALL_TRACK_RATE_LIMIT": 0, "TOWNHALL_SPEECH_WAIT": 0,
                      # a crash raises here instead of becoming a kind 500 page, so hypothesis shows it
                      "TOWNHALL_LOGIN_RATE_LIMIT": 0,
                      "PROPAGATE_EXCEPTIONS": True, "TOWNHALL_RAISE_ERRORS": True})
    yield app
    engines.database(app).dispose()


@pytest.fixture(scope="module")
def rules(app) -> list[tuple[str, frozenset[str]]]:
    """(rule, methods) for every route of the app: what the fuzzing walks."""
    return sorted((rule.rule, frozenset(rule.methods or ())) for rule in app.url_map.iter_rules())


@pytest.fixture(scope="module")
def visitor(app) -> dict[str, str]:
    """A real session cookie and its CSRF token, so that some fuzzed POSTs get past the CSRF check."""
    client = app.test_client()
    page = client.get("/settings").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    session = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return {"token": token, "session": session.value if session else ""}


@pytest.fixture(scope="module")
def staff(app) -> dict[str, str]:
    """A signed-in admin's session cookie and token, so the staff area's pages and actions are fuzzed too."""
    with app.app_context():
        engines.database().transaction(lambda session: create_staff(
            session, email="fuzz@council.example", name="Fuzz", role="admin", password="correct horse battery",
            now=utcnow(), hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)))
        engines.database().transaction(lambda session: submit(session, engines.casework(), Submission(
            kind="enquiry", details="x", email="jo@example.com"), utcnow()))
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/login").get_data(as_text=True))
    client.post("/staff/login", data={"csrf_token": token.group(1), "email": "fuzz@council.example",
                                      "password": "correct horse battery"})
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/privacy").get_data(as_text=True))
    session = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert client.get("/staff/queue").status_code == 200
    return {"token": token.group(1), "session": session.value}


@pytest.fixture(scope="module")
def sessions(visitor, staff) -> list[dict[str, str]]:
    """Whose requests the fuzzing sends: nobody's, a visitor's with a form open, a signed-in admin's."""
    return [{}, visitor, staff]


def session_headers(session: dict[str, str]) -> dict[str, str]:
    return {"Cookie": f"townhall_session={session['session']}"} if session else {}


# --- what goes in ------------------------------------------------------------------------------------

ODD_SEGMENTS: list[bytes] = [
    b"", b"report-a-missed-bin", b"council-tax", b"libraries", b"wards", b"E05000001", b"BK1 1AA", b"bk11aa",
    b"BK1%201AA", b"SW1A 1AA", b"GIR 0AA", b"BK99 9ZZ", b"A", b"12345", b"0", b"-1", b"1e9", b"99999999999999999999999",
    b"..", b".", b"../../../../etc/passwd", b"..%2F..%2Fetc%2Fpasswd", b"%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    b"..\\..\\windows\\win.ini", b"/etc/passwd", b"//etc/passwd", b"....//....//etc/passwd", b"%252e%252e%252f",
    b"..%00/", b"file\x00.png", b"\x00", b"%00", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xc0\xae\xc0\xae/",
    b"%ff", b"%c3%28", b"caf\xc3\xa9", "ŵ ŷ".encode(), "\U0001f600".encode(), b"a" * 10_000,
    b"<script>alert(1)</script>", b"{{7*7}}", b"%(x)s", b"'; DROP TABLE cases; --", b"CON", b"nul.txt",
    b"x.geojson", b"wards.geojson", b"app.js", b"style.css", b"0123456789abcdef" * 4, b"favicon.ico",
    b" ", b"\t\r\n", b"?", b"#", b"&", b"%", b"%%", b";", b"..;/", b"~", b"$HOME",
    # odd postcodes: spacing, case, typos the parser corrects, fullwidth digits, special ones, near misses
    b"BK1  1AA", b"bk1-1aa", b"B K 1 1 A A", b"BK11AAA", b"BKI IAA", b"BK1 1AA\x00", b"ZZ99 9ZZ", b"BF1 1AA",
    "\uff22\uff2b\uff11 \uff11\uff21\uff21".encode(), b"0" * 12, b"BK1%201AA%00", b"BK1/1AA", b"BK1\\1AA",
]
SEGMENT = st.one_of(st.sampled_from(ODD_SEGMENTS), st.binary(max_size=40),
                    st.text(max_size=30).map(lambda text: text.encode("utf-8", "surrogatepass")))
PARAMETER = re.compile(r"<(?:[^:>]+:)?([^>]+)>")
QUERY_NAMES = ["q", "postcode", "category", "count", "lat", "lon", "page", "per_page", "v", "section", "path",
               "return_to", "next", "service", "reference", "speed", "step", "steps", "token", "format", "full",
               "kind", "status", "from", "days", "download", "again", "saved", "reset", "layer", "search",
               "taxonomy_id", "organization_id", "minimum_age", "modified_after", "proximity", "top_only", "x"]
QUERY_VALUES = st.one_of(st.sampled_from(ODD_SEGMENTS), st.binary(max_size=60),
                         st.text(max_size=60).map(lambda text: text.encode("utf-8", "surrogatepass")),
                         st.sampled_from([b"q" * 10_000, "ŵ".encode() * 5_000, b"\x00" * 100, b"1" * 400]))
WRONG_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "CONNECT",
                 "get", "BREW"]
LATIN1 = st.text(alphabet=st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=80)
HEADER_VALUES = st.one_of(LATIN1, st.sampled_from([
    "true", "false", "", "1", "TRUE", "null", "http://[::1", "http://localhost/search?q=bins", "javascript:alert(1)",
    "http://localhost/../../etc/passwd", "//evil.example/", "http://localhost/cy/services/council-tax", "\x00",
    "x" * 9000, "bytes=0-", "bytes=-1", "bytes=99999999-", "bytes=5-1", "bytes=0-1,2-3,4-5", "bytes=abc",
    '"abc"', "W/\"x\"", "*", "Mon, 32 Foo 2024 99:99:99 GMT", "Thu, 01 Jan 1970 00:00:00 GMT",
    "cy", "cy-GB,cy;q=0.9", "en;q=abc", "*;q=2", "zz-ZZ", "cross-site", "same-origin", "null",
    "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=x", "application/json",
    "application/x-www-form-urlencoded; charset=utf-16", "text/plain; charset=klingon", ";;;", "a/b/c",
]))
HEADER_NAMES = ["HX-Request", "HX-Boosted", "HX-Current-URL", "HX-Target", "HX-Trigger", "HX-Trigger-Name",
                "HX-History-Restore-Request", "HX-Prompt", "Accept", "Accept-Language", "Accept-Encoding",
                "If-None-Match", "If-Modified-Since", "If-Match", "If-Range", "Range", "Referer", "Origin",
                "Sec-Fetch-Site", "Sec-Fetch-Mode", "User-Agent", "X-Forwarded-For", "X-Forwarded-Proto",
                "X-Forwarded-Host", "X-Forwarded-Prefix", "Forwarded", "Content-Type", "Authorization",
                "Cache-Control"]
COOKIE_VALUES = st.one_of(LATIN1.filter(lambda value: ";" not in value), st.sampled_from([
    "text:large", "text:largest,colours:dark,spacing:wide,speech:on", "speech:on", "text:", ":::", "a" * 5000,
    "text:large;text:small", '"unterminated', "\x00", "\xff\xfe", "colours:dark" * 400, "eyJhIjoxfQ.bad.sig",
    ".eJyrVkrOz0vOLC5JTVGyKkktSlWqBQBgqAcs.ZZZZZZ.truncated", "", "=", "==", "%ff%fe", "text%3Alarge",
]))


def segment_path(rule: str, segment: bytes) -> bytes:
    """The rule with each of its parameters replaced by `segment` (bytes, as the server decodes them)."""
    return PARAMETER.sub(lambda _match: "\x00PARAM\x00", rule).encode().replace(b"\x00PARAM\x00", segment)


def query_string(pairs: list[tuple[str, bytes]], raw: bytes | None) -> bytes:
    if raw is not None:
        return raw
    return "&".join(f"{name}={quote_from_bytes(value, safe=b'')}" for name, value in pairs).encode()


def send(client, method: str, path: bytes, query: bytes = b"", headers: dict[str, str] | None = None,
         body: bytes | None = None, content_length: str | None = None):
    """One request with PATH_INFO and QUERY_STRING as a WSGI server gives them (bytes as Latin-1)."""
    overrides = {"PATH_INFO": path.decode("latin-1"), "QUERY_STRING": query.decode("latin-1"),
                 "REQUEST_URI": quote_from_bytes(path, safe=b"/%") + ("?" + query.decode("latin-1") if query else "")}
    headers = dict(headers or {})
    content_type = headers.pop("Content-Type", None)
    if body is not None:
        content_type = content_type or "application/x-www-form-urlencoded"
    if content_length is not None:
        overrides["CONTENT_LENGTH"] = content_length
    return client.open("/", method=method, headers=headers, data=body, content_type=content_type,
                       environ_overrides=overrides)


OUTSIDE_FILES = (b"root:x:0:", b"[extensions]", b"import os", b"SECRET_KEY", b"[project]")


def check(response, method: str, path: bytes) -> None:
    """Below 500, under /api/ every error in the documented JSON shape, no file from outside what the site
    serves (traversal), and no redirect to another site (open redirect through a return address)."""
    where = f"{method} {path[:200]!r} -> {response.status_code}"
    assert response.status_code < 500, where
    assert not any(secret in response.data for secret in OUTSIDE_FILES), where
    if 300 <= response.status_code < 400 and "Location" in response.headers:
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost") and location.scheme in ("", "http"), (where, location)
    language_free = path[3:] if path.startswith(b"/cy/") else path
    if response.status_code >= 400 and language_free.startswith(b"/api/") and method != "HEAD":
        assert response.mimetype == "application/json", where
        body = response.get_json()
        assert set(body) == {"error"}, where
        error = body["error"]
        assert error["status"] == response.status_code and error["code"] and error["message"], where


# --- the fuzzing ---------------------------------------------------------------------------------------


def test_every_path_parameter_of_every_route_survives_the_odd_segments(app, rules):
    """Not random: each route, each language, each odd segment in every parameter, and a wrong method."""
    client = app.test_client(use_cookies=False)
    tried = 0
    for rule, methods in rules:
        if not PARAMETER.search(rule):
            continue
        for prefix in LANGUAGE_PREFIXES:
            for segment in ODD_SEGMENTS:
                path = prefix.encode() + segment_path(rule, segment)
                for method in sorted(methods - {"OPTIONS"} or {"GET"}):
                    check(send(client, method, path), method, path)
                    tried += 1
    assert tried > 5_000


@fuzzed("paths")
@given(data=st.data(), prefix=st.sampled_from(LANGUAGE_PREFIXES), method=st.sampled_from(WRONG_METHODS),
       right_method=st.booleans(), htmx=st.booleans(), who=st.sampled_from([0, 1, 2]))
def test_any_route_with_odd_path_parameters_and_methods(app, rules, sessions, data, prefix, method, right_method,
                                                        htmx, who):
    rule, methods = data.draw(st.sampled_from(rules))
    if right_method:
        method = data.draw(st.sampled_from(sorted(methods)))
    path = PARAMETER.sub(lambda _m: "\x00", rule).encode()
    path = b"".join(part + (data.draw(SEGMENT) if index < path.count(b"\x00") else b"")
                    for index, part in enumerate(path.split(b"\x00")))
    path = prefix.encode() + path
    if data.draw(st.booleans()):  # and sometimes more after the route: traversal, double slashes, dots
        path += data.draw(st.sampled_from([b"/", b"//", b"/..", b"/../../etc/passwd", b"/.", b"%00", b"/\xff",
                                           b";x=1", b"/" + b"a" * 5000, b".json", b"~"]))
    client = app.test_client(use_cookies=False)
    headers = {**session_headers(sessions[who]), **({"HX-Request": "true"} if htmx else {})}
    check(send(client, method, path, headers=headers), method, path)


@fuzzed("queries")
@given(data=st.data(), prefix=st.sampled_from(LANGUAGE_PREFIXES), htmx=st.booleans(),
       pairs=st.lists(st.tuples(st.sampled_from(QUERY_NAMES), QUERY_VALUES), max_size=5),
       raw=st.one_of(st.none(), st.none(), st.binary(max_size=200),
                     st.sampled_from([b"%", b"%zz", b"q=%ff%fe", b"q=%c3", b"&&&===", b"q", b"q=" + b"x" * 10_000,
                                      b"q=\x00", b"q=\xff", b"postcode=%00BK1", b"a=1;b=2", b"q=bins&q=tax" * 200])),
       who=st.sampled_from([0, 1, 2]))
def test_any_route_with_hostile_query_strings(app, rules, sessions, data, prefix, htmx, pairs, raw, who):
    rule, methods = data.draw(st.sampled_from([(rule, methods) for rule, methods in rules if "GET" in methods]))
    path = prefix.encode() + segment_path(rule, data.draw(st.sampled_from(ODD_SEGMENTS[:20])))
    query = query_string(pairs, raw)
    client = app.test_client(use_cookies=False)
    headers = {**session_headers(sessions[who]), **({"HX-Request": "true"} if htmx else {})}
    check(send(client, "GET", path, query, headers=headers), "GET", path)


@fuzzed("headers")
@given(data=st.data(), prefix=st.sampled_from(LANGUAGE_PREFIXES),
       headers=st.dictionaries(st.sampled_from(HEADER_NAMES), HEADER_VALUES, max_size=6),
       cookies=st.dictionaries(st.sampled_from(["townhall_preferences", "townhall_session", "x", "", "a b"]),
                               COOKIE_VALUES, max_size=3),
       raw_cookie=st.one_of(st.none(), st.none(), LATIN1, st.sampled_from(
           ["townhall_preferences", "townhall_preferences=", ";;;;", "=;=;=", "townhall_session=\xff\xfe",
            "townhall_preferences=\"text:large", "townhall_preferences=text:large; " * 300])))
def test_any_route_with_hostile_headers_and_cookies(app, rules, data, prefix, headers, cookies, raw_cookie):
    rule, methods = data.draw(st.sampled_from(rules))
    method = data.draw(st.sampled_from(sorted(methods)))
    path = prefix.encode() + segment_path(rule, data.draw(st.sampled_from(ODD_SEGMENTS[:20])))
    cookie = raw_cookie if raw_cookie is not None else "; ".join(f"{name}={value}" for name, value in cookies.items())
    if cookie:
        headers = {**headers, "Cookie": cookie}
    client = app.test_client(use_cookies=False)
    check(send(client, method, path, headers=headers), method, path)


FORM_FIELDS = ["csrf_token", "text", "colours", "spacing", "speech", "return_to", "path", "useful", "alert",
               "email", "password", "next", "reference", "email_or_postcode", "details", "step", "go", "x"]


@st.composite
def bodies(draw, sessions) -> tuple[bytes, str | None, str | None, dict[str, str]]:
    """(body, Content-Type, a Content-Length that lies or None, extra headers) for a POST."""
    kind = draw(st.sampled_from(["form", "form", "bytes", "huge", "multipart", "json"]))
    session = draw(st.sampled_from(sessions))  # often a real session and its token: the body reaches the view
    headers = session_headers(session)
    token = session.get("token", "") if draw(st.booleans()) else draw(st.sampled_from(["", "x" * 40, "\x00"]))
    if kind == "form":
        fields = draw(st.dictionaries(st.sampled_from(FORM_FIELDS), QUERY_VALUES, max_size=6))
        fields.setdefault("csrf_token", token.encode("latin-1"))
        body = "&".join(f"{name}={quote_from_bytes(value, safe=b'')}" for name, value in fields.items()).encode()
        content_type = draw(st.sampled_from(["application/x-www-form-urlencoded", None,
                                             "application/x-www-form-urlencoded; charset=latin-1"]))
    elif kind == "bytes":
        body = draw(st.binary(max_size=3000))
        content_type = draw(st.sampled_from(["application/x-www-form-urlencoded", "text/plain", "application/json",
                                             "multipart/form-data; boundary=x", "\x00", "a/b; c=d"]))
    elif kind == "huge":
        body = b"csrf_token=" + token.encode() + b"&text=" + b"a" * draw(st.sampled_from([65_000, 70_000, 300_000]))
        content_type = "application/x-www-form-urlencoded"
    elif kind == "multipart":
        part = draw(st.binary(max_size=200))
        body = (b"--x\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token.encode() +
                b"\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/passwd\"\r\n"
                b"Content-Type: application/octet-stream\r\n\r\n" + part +
                draw(st.sampled_from([b"\r\n--x--\r\n", b"", b"\r\n--x", b"\r\n--y--\r\n"])))
        content_type = draw(st.sampled_from(["multipart/form-data; boundary=x", "multipart/form-data",
                                             "multipart/form-data; boundary=y"]))
    else:
        body = draw(st.sampled_from([b"{}", b"[", b'{"csrf_token": null}', b"null", b"\xff\xfe{}"]))
        content_type = "application/json"
    lie = draw(st.sampled_from([None, None, None, "long", "short", "negative", "junk"]))
    content_length = {None: None, "long": str(len(body) + draw(st.integers(1, 10**6))),
                      "short": str(len(body) // 2), "negative": "-1", "junk": draw(st.sampled_from(["abc", "1e3", ""]))
                      }[lie]
    return body, content_type, content_length, headers


@fuzzed("bodies")
@given(data=st.data(), prefix=st.sampled_from(LANGUAGE_PREFIXES), htmx=st.booleans(),
       method=st.sampled_from(["POST", "POST", "POST", "PUT", "PATCH", "DELETE"]))
def test_any_route_with_hostile_bodies(app, rules, sessions, data, prefix, htmx, method):
    rule, _methods = data.draw(st.sampled_from(rules))
    path = prefix.encode() + segment_path(rule, data.draw(st.sampled_from(ODD_SEGMENTS[:20])))
    body, content_type, content_length, headers = data.draw(bodies(sessions))
    if content_type is not None:
        headers["Content-Type"] = content_type
    if htmx:
        headers["HX-Request"] = "true"
    client = app.test_client(use_cookies=False)
    check(send(client, method, path, headers=headers, body=body, content_length=content_length), method, path)


def test_the_check_catches_a_server_error_and_a_wrong_api_error(app):
    class Answer:
        def __init__(self, status, mimetype="application/json", body=None, headers=None):
            self.status_code, self.mimetype, self.body = status, mimetype, body
            self.data = body if isinstance(body, bytes) else b""
            self.headers = headers or {}

        def get_json(self):
            return self.body

    with pytest.raises(AssertionError):
        check(Answer(500, "text/html"), "GET", b"/")
    with pytest.raises(AssertionError):
        check(Answer(404, "text/html"), "GET", b"/cy/api/nope")
    with pytest.raises(AssertionError):
        check(Answer(404, body={"error": {"code": "x", "status": 400, "message": "m"}}), "GET", b"/api/x")
    check(Answer(404, body={"error": {"code": "x", "status": 404, "message": "m"}}), "GET", b"/api/x")
    check(Answer(404, "text/html"), "GET", b"/apiary")
    with pytest.raises(AssertionError):
        check(Answer(200, "text/plain", b"root:x:0:0:root:/root:/bin/bash"), "GET", b"/static/../../etc/passwd")
    with pytest.raises(AssertionError):
        check(Answer(303, "text/html", b"", {"Location": "//evil.example/"}), "POST", b"/settings")
