"""The index folder's ROLE mark, written by every worker that starts at once (gunicorn boots its workers
together): one worker's rename took the shared temporary file from under another's, which failed to boot
and took gunicorn down with it (found by tests/serving/test_changes_under_load.py)."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask

from townhall.engines.search_index import ROLE_FILE, index_folder


def test_workers_starting_together_all_mark_the_index_folder(tmp_path: Path) -> None:
    failures: list[BaseException] = []
    for round_ in range(30):
        folder = tmp_path / f"index-{round_}"
        apps = []
        for _ in range(8):
            app = Flask(__name__)
            app.config.update(TOWNHALL_SEARCH_INDEX=str(folder), TOWNHALL_ENV="production",
                              TOWNHALL_INSTANCE=str(tmp_path))
            apps.append(app)
        together = threading.Barrier(len(apps))

        def start(app: Flask, together: threading.Barrier) -> None:
            together.wait()
            try:
                index_folder(app)
            except BaseException as error:  # noqa: BLE001 - collected for the assertion below
                failures.append(error)

        threads = [threading.Thread(target=start, args=(app, together)) for app in apps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert (folder / ROLE_FILE).read_text(encoding="utf-8") == "production"
        assert not [path.name for path in folder.iterdir() if path.name != ROLE_FILE]  # no temporary left
    assert not failures, failures[:3]
