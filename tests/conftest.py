"""Shared fixtures: an app built from the real demo content, with a private instance folder."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import sys
import tempfile
from itertools import pairwise
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from townhall import create_app
from townhall.config import PROJECT_ROOT

CONTENT = PROJECT_ROOT / "content"
REALDATA = PROJECT_ROOT.parent / "shared" / "realdata"
SERVICES = "townhall_test_services"

_open = FlaskClient.open


def _open_buffered(self, *args, buffered: bool = True, **kwargs):
    """Read each answer whole and close it, as a WSGI server does.

    Audio is sent straight from its file; a server closes the file when the answer is sent, and so
    must the test client, or every audio test leaves a file open (warnings are errors here).
    """
    return _open(self, *args, buffered=buffered, **kwargs)


FlaskClient.open = _open_buffered


def _load_services():
    """tests/services.py (real PostgreSQL and SMTP servers) as a module, whatever pytest's import mode."""
    if SERVICES not in sys.modules:
        spec = importlib.util.spec_from_file_location(SERVICES, Path(__file__).with_name("services.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[SERVICES] = module
        spec.loader.exec_module(module)
    return sys.modules[SERVICES]


# The demo's search index, built once for every test run of this checkout (and reused by the next while the
# content is the same): every app of the demo content copies it instead of building its own (2-3 s each).
SEARCH_INDEX_SEED = (Path(tempfile.gettempdir()) / f"townhall-tests-{hashlib.sha256(str(PROJECT_ROOT).encode()).hexdigest()[:8]}"
                     / "search-index-seed")


def compile_translations() -> None:
    """Compile each language's catalogue when its .mo is missing or older than its .po (a bare clone has none)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (PROJECT_ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with open(po_path, "rb") as source:
            catalogue = read_po(source)
        partial = mo_path.with_suffix(f".mo.{os.getpid()}")
        with open(partial, "wb") as target:
            write_mo(target, catalogue)
        os.replace(partial, mo_path)


def pytest_configure(config: pytest.Config) -> None:
    compile_translations()
    if not config.pluginmanager.has_plugin(SERVICES):
        config.pluginmanager.register(_load_services(), SERVICES)
    os.environ["TOWNHALL_SEARCH_INDEX_SEED"] = str(SEARCH_INDEX_SEED)


@pytest.fixture(scope="session", autouse=True)
def search_index_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build (or reuse) the demo's index in the seed folder before any test builds an app."""
    create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(tmp_path_factory.mktemp("seed-instance")),
                "TOWNHALL_SEARCH_INDEX": str(SEARCH_INDEX_SEED)})
    return SEARCH_INDEX_SEED


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def app(instance_dir: Path):
    """One app for the whole session: building it loads content (and later indexes), which takes time."""
    app = create_app({"TESTING": True, "TOWNHALL_INSTANCE": str(instance_dir)})
    return app


@pytest.fixture
def client(app):
    return app.test_client()


PUBLIC_FIELD = re.compile(r'id="page-feedback".*?name="csrf_token" value="([^"]+)"', re.S)


def public_token_of(client, path: str = "/") -> str:
    """The day's token of the forms on every page (page feedback, hiding an alert): no session needed."""
    return PUBLIC_FIELD.search(client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture(name="public_token_of")
def public_token_of_fixture():
    return public_token_of


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token_of(client, path: str = "/settings") -> str:
    """The session's CSRF token as a form page gives it to `client` (the meta tag once there is a session).

    Pages with no form of their own give none (they stay cacheable); the forms on every page (page
    feedback, hiding an alert) carry the day's public token instead, which is skipped here.
    """
    page = client.get(path).get_data(as_text=True)
    meta = CSRF_META.search(page)
    if meta:
        return meta.group(1)
    public = PUBLIC_FIELD.search(page)
    return next(value for value in CSRF_FIELD.findall(page) if not public or value != public.group(1))


@pytest.fixture
def token(client) -> str:
    """A CSRF token for this test's `client` (every POST of the site needs one)."""
    return csrf_token_of(client)


@pytest.fixture(name="csrf_token_of")
def csrf_token_of_fixture():
    """`csrf_token_of(client, path="/settings")` for tests with clients of their own."""
    return csrf_token_of


@pytest.fixture
def htmx_headers() -> dict[str, str]:
    return {"HX-Request": "true"}


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A private copy of the demo content that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture
def make_app(tmp_path: Path):
    """Build an app with extra settings, e.g. a broken content folder."""

    def build(**settings):
        settings.setdefault("TOWNHALL_INSTANCE", str(tmp_path / "instance"))
        return create_app({"TESTING": True, **settings})

    return build


@pytest.fixture(scope="module")
def module_search_index(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One search-index folder for a module's apps: apps with the same content build it once, not each."""
    return str(tmp_path_factory.mktemp("search-index"))


@pytest.fixture
def make_quick_app(tmp_path: Path, module_search_index: str):
    """`make_app` whose apps share the module's search index (building one takes seconds on a busy machine)."""
    count = iter(range(1_000_000))

    def build(**settings):
        settings.setdefault("TOWNHALL_INSTANCE", str(tmp_path / f"instance-{next(count)}"))
        settings.setdefault("TOWNHALL_SEARCH_INDEX", module_search_index)
        return create_app({"TESTING": True, **settings})

    return build


def _signed_area(ring) -> float:
    """Shoelace sum: positive when the ring runs anticlockwise (x east, y north)."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in pairwise(ring)) / 2


def rfc7946_problems(collection: dict) -> list[str]:
    """Every ring of a FeatureCollection that runs the wrong way for RFC 7946 §3.1.6
    (exterior rings anticlockwise, holes clockwise), worked out from the coordinates alone."""
    problems = []
    for number, feature in enumerate(collection["features"]):
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        for polygon in polygons:
            for index, ring in enumerate(polygon):
                area = _signed_area(ring)
                if (index == 0 and area <= 0) or (index > 0 and area >= 0):
                    kind = "exterior" if index == 0 else f"hole {index}"
                    problems.append(f"feature {number} ({feature.get('id')}): {kind} runs the wrong way")
    return problems


@pytest.fixture(name="rfc7946_problems")
def rfc7946_problems_fixture():
    return rfc7946_problems
