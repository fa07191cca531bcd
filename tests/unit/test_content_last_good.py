"""Last good versions, owners' review lists, pictures and the pre-commit hook, without a web app."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from townhall.config import PROJECT_ROOT
from townhall.content.files import ParseCache
from townhall.content.images import ImageLibrary, ImageProblem
from townhall.content.lastgood import LastGood
from townhall.content.loader import ContentLoader
from townhall.content.reviews import due_for_review, reminders

PARSED = ParseCache()
POTHOLE = "services/report-a-pothole.md"


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", target)
    return target


def loader(folder: Path, store: Path) -> ContentLoader:
    return ContentLoader(folder, last_good=LastGood(store), cache=PARSED)


def change(folder: Path, relative: str, old: str, new: str) -> None:
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_broken_shared_file_keeps_its_last_good_version(folder, tmp_path):
    load = loader(folder, tmp_path / "good")
    assert load.load().contacts["highways"].phone
    change(folder, "contacts.yaml", "highways:", "highways:\n  phone: [not closed")
    site = load.load()
    assert site.files["contacts.yaml"].state == "last-good"
    assert "report-a-pothole" in site.services and site.contacts["highways"].phone


def test_a_broken_english_page_keeps_its_welsh_version_too(folder, tmp_path):
    load = loader(folder, tmp_path / "good")
    load.load()
    change(folder, POTHOLE, "category: roads-pavements-and-streets", "category: roads")
    site = load.load()
    assert site.files[POTHOLE].state == "last-good"
    assert site.service("report-a-pothole", "cy").lang == "cy"
    assert any(p.path == POTHOLE and p.field == "category" for p in site.problems)


def test_a_removed_file_is_forgotten_and_never_comes_back(folder, tmp_path):
    store = tmp_path / "good"
    load = loader(folder, store)
    load.load()
    assert (store / "services" / "report-graffiti.md").is_file()
    (folder / "services" / "report-graffiti.md").unlink()
    site = load.load()
    assert "report-graffiti" not in site.services and not (store / "services" / "report-graffiti.md").exists()


def test_a_page_whose_link_target_was_removed_stays_published(folder, tmp_path):
    load = loader(folder, tmp_path / "good")
    load.load()
    (folder / "services" / "report-a-street-light-fault.md").unlink()
    site = load.load()
    assert "report-a-pothole" in site.services  # its text did not change: it stays
    assert any(p.code == "broken-link" and p.path == POTHOLE for p in site.problems)


def test_an_edit_adding_a_broken_link_serves_the_last_good_version(folder, tmp_path):
    load = loader(folder, tmp_path / "good")
    load.load()
    change(folder, POTHOLE, "## Other things to report", "See [drains](/services/report-a-drain).\n\n## Other things")
    site = load.load()
    assert site.files[POTHOLE].state == "last-good" and "report-a-drain" not in site.services["report-a-pothole"].body_html


def test_reviews_due_by_owner_and_the_message_for_each(folder):
    change(folder, POTHOLE, "reviewed: 2026-11-02", "reviewed: 2026-01-10")
    site = ContentLoader(folder, cache=PARSED).load()
    due = due_for_review(site, date(2026, 12, 3))
    pothole = next(item for item in due["highways-and-streets"] if item.path == POTHOLE)
    assert pothole.due == date(2026, 7, 10) and pothole.overdue_months == 4
    [message] = [m for m in reminders(site, date(2026, 12, 3), "https://www.example.gov.uk") if
                 m.owner == "highways-and-streets"]
    assert message.email == "highways@brackenford.example"
    assert "https://www.example.gov.uk/services/report-a-pothole" in message.body
    assert "web.team" not in {m.email.split("@")[0] for m in reminders(site, date(2026, 12, 3))}


def test_pictures_are_sized_and_built_atomically(tmp_path):
    source, derived = tmp_path / "images", tmp_path / "derived"
    source.mkdir()
    Image.new("RGBA", (500, 250), (10, 20, 30, 128)).save(source / "Logo Map.png")
    library = ImageLibrary(source, derived)
    found = library.lookup("Logo Map.png")
    assert [v.width for v in found.variants] == [320, 500] and found.fallback_type == "image/png"
    assert found.smallest.webp_url.endswith("/logo-map-320.webp")
    assert sorted(p.name for p in (derived / found.digest).iterdir()) == [
        "logo-map-320.png", "logo-map-320.webp", "logo-map-500.png", "logo-map-500.webp"]
    assert library.file_for(found.digest, "logo-map-320.webp").is_file()
    assert library.file_for(found.digest, "../../etc-320.webp") is None
    with pytest.raises(ImageProblem):
        library.lookup("../secrets.png")
    (source / "broken.jpg").write_bytes(b"not a picture")
    with pytest.raises(ImageProblem, match="could not be opened"):
        library.lookup("broken.jpg")


def test_the_pre_commit_hook_stops_a_commit_with_broken_content(make_app, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "content", project / "content")
    shutil.copy(PROJECT_ROOT / "wsgi.py", project / "wsgi.py")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    app = make_app(TOWNHALL_CONTENT=str(project / "content"), TOWNHALL_ENV="check")
    result = app.test_cli_runner().invoke(args=["content", "install-hook"])
    assert result.exit_code == 0, result.output
    hook = project / ".git" / "hooks" / "pre-commit"
    assert hook.is_file() and "content check" in hook.read_text(encoding="utf-8")
    assert app.test_cli_runner().invoke(args=["content", "install-hook"]).exit_code == 0  # again: replaced
    # A commit of broken content is stopped, with the problem in plain words.
    (project / "content" / POTHOLE).write_text(
        (project / "content" / POTHOLE).read_text(encoding="utf-8").replace("reviewed: 2026-11-02", "reviewed: 2/11/2026"),
        encoding="utf-8")
    git = ["git", "-C", str(project), "-c", "user.email=editor@example.org", "-c", "user.name=Editor"]
    subprocess.run([*git, "add", "content"], check=True)
    environment = {**os.environ, "TOWNHALL_CONTENT": str(project / "content"),
                   "TOWNHALL_INSTANCE": str(tmp_path / "hook-instance")}
    commit = subprocess.run([*git, "commit", "-q", "-m", "Edit"], capture_output=True, text=True, env=environment)
    assert commit.returncode != 0
    said = commit.stdout + commit.stderr  # git passes a hook's output on to its own stderr
    assert "2026-11-02 (for 2/11/2026)" in said and "The commit was stopped" in said
