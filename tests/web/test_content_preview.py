"""The preview: the working copy with its own instance folder (its own search index), reloading on change,
each page's problems and checks on the page; it never touches the live site's index. Pictures: resized,
WebP with a fallback, lazy, within the page-weight budget."""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from townhall import create_app, engines
from townhall.config import PROJECT_ROOT

POTHOLE = "services/report-a-pothole.md"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under an index folder with its size and modified time: any write shows."""
    return {str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def folder(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", target)
    return target


def test_preview_reloads_on_change_and_never_touches_the_live_index(folder, tmp_path):
    live = create_app({"TESTING": True, "TOWNHALL_CONTENT": str(folder), "TOWNHALL_INSTANCE": str(tmp_path / "live"),
                       "TOWNHALL_CONTENT_POLL_MS": 0})
    live_index = Path(live.config["TOWNHALL_SEARCH_INDEX"])
    before = snapshot(live_index)
    preview = create_app({"TESTING": True, "TOWNHALL_CONTENT": str(folder), "TOWNHALL_ENV": "preview",
                          "TOWNHALL_INSTANCE": str(tmp_path / "preview"), "TOWNHALL_CONTENT_POLL_MS": 0})
    client = preview.test_client()
    version = client.get("/preview/version").get_json()["version"]

    path = folder / POTHOLE
    path.write_text(path.read_text(encoding="utf-8").replace("title: Report a pothole", "title: Report a zebrahole")
                    .replace("reviewed: 2026-11-02", "reviewed: 2/11/2026"), encoding="utf-8")
    changed = client.get("/preview/version").get_json()["version"]
    assert changed != version  # the browser's preview.js reloads the page on this

    html = client.get("/services/report-a-pothole").get_data(as_text=True)
    assert "<h1>Report a zebrahole</h1>" in html  # the draft, shown as far as it can be
    assert "This page has 1 problem to fix before it can be published" in html
    line = next(number for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if text.startswith("reviewed:"))
    assert f"{POTHOLE}, line {line}" in html and "2026-11-02 (for 2/11/2026)" in html
    assert "<details class=\"th-preview-panel\"" in html and "reading age" in html
    assert "Traceback" not in html
    assert [hit.url for hit in engines.search(preview).search("zebrahole").hits] == ["/services/report-a-pothole"]

    assert snapshot(live_index) == before  # the live site's index was never written
    assert engines.search(live).search("zebrahole").hits == ()
    assert Path(preview.config["TOWNHALL_SEARCH_INDEX"]).is_relative_to(tmp_path / "preview")


def test_a_preview_pointed_at_the_live_instance_uses_its_own_index(folder, tmp_path):
    instance = tmp_path / "shared"
    live = create_app({"TESTING": True, "TOWNHALL_CONTENT": str(folder), "TOWNHALL_INSTANCE": str(instance),
                       "TOWNHALL_CONTENT_POLL_MS": 0})
    live_index = Path(live.config["TOWNHALL_SEARCH_INDEX"])
    before = snapshot(live_index)
    preview = create_app({"TESTING": True, "TOWNHALL_CONTENT": str(folder), "TOWNHALL_ENV": "preview",
                          "TOWNHALL_INSTANCE": str(instance), "TOWNHALL_CONTENT_POLL_MS": 0})
    assert Path(preview.config["TOWNHALL_SEARCH_INDEX"]) != live_index
    assert snapshot(live_index) == before


def test_every_kind_of_broken_page_still_draws_in_preview(folder, tmp_path):
    """No traceback and no blank page for a content editor, whatever the mistake."""
    breaks = {
        "services/report-a-pothole.md": lambda t: t.replace("summary: Tell us", "summary: [Tell us"),
        "services/report-fly-tipping.md": lambda t: t.replace("contact: ", "contact: nobody-"),
        "services/report-graffiti.md": lambda t: re.sub(r"standard:\n.*\n.*\n", "", t),
        "services/report-a-dead-animal.md": lambda t: t.replace("category: ", "category: nowhere-"),
        "pages/contact-us.md": lambda t: t.replace("contact:customer-services", "contact:nobody"),
        "directory/nhs-111.md": lambda t: t.replace("phone: ", "phone: not-a-number "),
    }
    for relative, change in breaks.items():
        path = folder / relative
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    preview = create_app({"TESTING": True, "TOWNHALL_CONTENT": str(folder), "TOWNHALL_ENV": "preview",
                          "TOWNHALL_INSTANCE": str(tmp_path / "preview"), "TOWNHALL_CONTENT_POLL_MS": 0})
    client = preview.test_client()
    for url in ("/services/report-a-pothole", "/services/report-fly-tipping", "/services/report-graffiti",
                "/services/report-a-dead-animal", "/contact-us", "/directory/nhs-111", "/", "/a-to-z",
                "/content-health"):
        answer = client.get(url)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200, url
        assert "Traceback" not in html, url
        if url.startswith(("/services", "/contact", "/directory")):
            assert "problem" in html and "to fix before it can be published" in html, url
    assert "6 files have problems to fix" in client.get("/").get_data(as_text=True)


# --- pictures ---------------------------------------------------------------------------------------


def photo(path: Path, width: int = 2400, height: int = 1600) -> None:
    """A photograph-like picture (noise compresses badly, as photos do)."""
    generator = random.Random(7)
    image = Image.new("RGB", (width, height))
    image.putdata([(generator.randrange(90, 140), generator.randrange(90, 140), generator.randrange(90, 140))
                   for _ in range(width * height // 64)] * 64)
    image.save(path, "JPEG", quality=92)


def test_a_picture_is_served_resized_modern_lazy_and_within_the_page_weight_budget(folder, tmp_path):
    (folder / "images").mkdir(exist_ok=True)
    photo(folder / "images" / "pothole-on-mill-lane.jpg")
    path = folder / POTHOLE
    path.write_text(path.read_text(encoding="utf-8") + "\n![A pothole full of rainwater on a residential road]"
                    '(pothole-on-mill-lane.jpg "A pothole reported in March")\n', encoding="utf-8")
    app = create_app({"TESTING": True, "TOWNHALL_CONTENT": str(folder), "TOWNHALL_INSTANCE": str(tmp_path / "i"),
                      "TOWNHALL_CONTENT_POLL_MS": 0})
    assert not engines.site(app).errors
    client = app.test_client()
    html = client.get("/services/report-a-pothole").data
    text = html.decode()
    figure = re.search(r'<figure class="th-figure">(.*?)</figure>', text, re.S)[1]
    assert '<source type="image/webp" srcset="' in figure
    assert re.search(r'srcset="[^"]*-320\.webp 320w, [^"]*-640\.webp 640w, [^"]*-1024\.webp 1024w"', figure)
    assert re.search(r'<img src="/images/[0-9a-f]+/pothole-on-mill-lane-320\.jpg"', figure)
    assert 'alt="A pothole full of rainwater on a residential road"' in figure
    assert 'loading="lazy"' in figure and 'width="1024" height="683"' in figure
    assert "<figcaption>A pothole reported in March</figcaption>" in figure

    urls = set(re.findall(r"(/images/[0-9a-f]+/[a-z0-9-]+\.(?:webp|jpg))", figure))
    assert len(urls) == 6
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200 and "immutable" in answer.headers["Cache-Control"]
        assert answer.mimetype == ("image/webp" if url.endswith(".webp") else "image/jpeg")
    smallest = client.get(next(url for url in urls if url.endswith("-320.webp"))).data
    assert len(smallest) < 60 * 1024, len(smallest)
    assert client.get("/images/0000000000000000/nothing-320.webp").status_code == 404

    total = len(gzip.compress(html, 6))
    for asset in re.findall(rb'(?:href|src)="(/assets/[^"]+)"', html):
        total += len(client.get(asset.decode(), headers={"Accept-Encoding": "gzip"}).data)
    assert total < 40 * 1024, f"{total} bytes of HTML, CSS and JavaScript"
    derived = list((tmp_path / "i" / "images").iterdir())
    assert len(derived) == 1 and not derived[0].name.startswith(".")  # built whole, then renamed into place


def test_preview_and_live_pages_differ_only_in_preview_parts(folder, tmp_path):
    live = create_app({"TESTING": True, "TOWNHALL_CONTENT": str(folder), "TOWNHALL_INSTANCE": str(tmp_path / "l"),
                       "TOWNHALL_CONTENT_POLL_MS": 0})
    html = live.test_client().get("/services/report-a-pothole").get_data(as_text=True)
    assert "th-preview" not in html and "preview.js" not in html
    assert "Page last checked: 2 November 2026" in html
    welsh = live.test_client().get("/cy/services/report-a-pothole").get_data(as_text=True)
    assert "Page last checked" not in welsh
    assert json.loads(json.dumps(live.test_client().get("/healthz").get_json()))["content_problems"] == 0
