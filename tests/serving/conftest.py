"""The site under real gunicorn (as `make run` serves it), for tests of what only a real server shows."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_NAME = "townhall_live_gunicorn"


def live_gunicorn():
    """tests/live_gunicorn.py as a module, whatever pytest's import mode."""
    if _NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).parents[1] / "live_gunicorn.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[_NAME]


@pytest.fixture(scope="module")
def start_server(tmp_path_factory: pytest.TempPathFactory):
    """Start gunicorn with settings (TOWNHALL_* strings); every server started is stopped at the end."""
    started = []

    def start(**environment: str):
        server = live_gunicorn().GunicornServer(tmp_path_factory.mktemp("served"), environment=environment)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()
