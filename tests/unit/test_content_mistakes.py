"""Each mistake the content team makes, in a copy of the demo content: caught, with the file, the line,
what is wrong and what to do, in plain words (issue 14's list, and the linter's warnings)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from townhall.content.files import ParseCache
from townhall.content.lint import lint_site
from townhall.content.loader import load_site as load_folder

TODAY = date(2026, 12, 3)
POTHOLE = "services/report-a-pothole.md"
PARSED = ParseCache()  # the copies differ by one file: the others are parsed once for the whole module


def load_site(folder: Path, **options):
    return load_folder(folder, cache=PARSED, **options)


def edit(folder: Path, relative: str, old: str, new: str) -> None:
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(folder: Path, relative: str, text: str) -> None:
    path = folder / relative
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


def findings(folder: Path, relative: str = POTHOLE) -> list:
    site = load_site(folder)
    return [p for p in [*site.problems, *lint_site(site, TODAY)] if p.path == relative], site


def only(found: list, code: str):
    matching = [problem for problem in found if problem.code == code]
    assert matching, [str(p) for p in found]
    return matching[0]


def line_of(folder: Path, relative: str, text: str) -> int:
    lines = (folder / relative).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if text in line)


def test_a_british_date_names_the_right_format_and_the_line(content_copy):
    edit(content_copy, POTHOLE, "reviewed: 2026-11-02", "reviewed: 02/11/2026")
    found, site = findings(content_copy)
    problem = only(found, "bad-date")
    assert problem.is_error and problem.line == line_of(content_copy, POTHOLE, "reviewed:")
    assert "2026-11-02 (for 02/11/2026)" in problem.message and "YYYY" not in problem.message
    assert "report-a-pothole" not in site.services  # never good here (no last good version): left out


def test_a_skipped_heading_level(content_copy):
    edit(content_copy, POTHOLE, "## How to report it", "#### How to report it")
    problem = only(findings(content_copy)[0], "heading-skip")
    assert problem.is_error and problem.line == line_of(content_copy, POTHOLE, "#### How to report it")
    assert "Use ### instead" in problem.message


def test_a_second_main_heading(content_copy):
    edit(content_copy, POTHOLE, "## What happens next", "# What happens next")
    problem = only(findings(content_copy)[0], "second-h1")
    assert "Use ## instead" in problem.message and problem.line == line_of(content_copy, POTHOLE, "# What happens")


def test_a_picture_without_alt_text(content_copy):
    _picture(content_copy)
    append(content_copy, POTHOLE, "![](pothole.jpg)")
    problem = only(findings(content_copy)[0], "image-no-alt")
    assert "say what the picture shows" in problem.message and problem.line


def test_a_picture_with_alt_text_that_says_nothing(content_copy):
    _picture(content_copy)
    append(content_copy, POTHOLE, "![image](pothole.jpg)")
    problem = only(findings(content_copy)[0], "image-bad-alt")
    assert '"image" does not say what the picture shows' in problem.message


def test_a_picture_that_is_not_there(content_copy):
    append(content_copy, POTHOLE, "![A deep pothole beside a drain](pothol.jpg)")
    problem = only(findings(content_copy)[0], "image-missing")
    assert '"pothol.jpg" is not in the images folder' in problem.message and problem.is_error


def test_a_seventy_word_sentence(content_copy):
    sentence = " ".join(["word"] * 69) + " end."
    append(content_copy, POTHOLE, sentence)
    problem = only(findings(content_copy)[0], "long-sentence")
    assert "has 70 words" in problem.message and not problem.is_error
    assert problem.line == line_of(content_copy, POTHOLE, "word word word")


def test_click_here_links(content_copy):
    append(content_copy, POTHOLE, "To report fly-tipping, [click here](/services/report-fly-tipping).")
    problem = only(findings(content_copy)[0], "link-text")
    assert '"click here" makes no sense on its own' in problem.message and problem.line


def test_a_broken_anchor(content_copy):
    append(content_copy, POTHOLE, "See [how to report fly-tipping](/services/report-fly-tipping#how-to-tell-us).")
    problem = only(findings(content_copy)[0], "broken-anchor")
    assert "#how-to-tell-us" in problem.message and "Its sections are" in problem.message and problem.is_error


def test_a_broken_anchor_within_the_page(content_copy):
    append(content_copy, POTHOLE, "Go back to [what happens next](#what-happen-next).")
    problem = only(findings(content_copy)[0], "broken-anchor")
    assert "#what-happens-next" in problem.message  # the message lists the sections it does have


def test_an_internal_link_without_a_leading_slash(content_copy):
    append(content_copy, POTHOLE, "[Report fly-tipping](services/report-fly-tipping)")
    problem = only(findings(content_copy)[0], "link-no-slash")
    assert 'Write it as "/services/report-fly-tipping"' in problem.message and problem.is_error


def test_a_table_without_a_header_row(content_copy):
    append(content_copy, POTHOLE, "| Small holes | 28 days |\n| Big holes | 2 hours |")
    problem = only(findings(content_copy)[0], "table-no-header")
    assert "no header row" in problem.message and "| --- | --- |" in problem.message


def test_a_table_whose_header_row_is_empty(content_copy):
    append(content_copy, POTHOLE, "|  |  |\n| --- | --- |\n| Big holes | 2 hours |")
    assert only(findings(content_copy)[0], "table-no-header").is_error


def test_raw_html(content_copy):
    append(content_copy, POTHOLE, '<div class="warning">Take care</div>')
    found, site = findings(content_copy)
    problem = only(found, "raw-html")
    assert "<abbr>" in problem.message and problem.line == line_of(content_copy, POTHOLE, '<div class="warning">')


def test_allowed_html_passes_and_is_kept(content_copy):
    append(content_copy, POTHOLE, 'Ask for a <abbr title="British Sign Language">BSL</abbr> interpreter, or say '
           '<span lang="cy">Croeso</span>.')
    found, site = findings(content_copy)
    assert not [p for p in found if p.code == "raw-html"]
    assert '<abbr title="British Sign Language">BSL</abbr>' in site.services["report-a-pothole"].body_html
    assert '<span lang="cy">Croeso</span>' in site.services["report-a-pothole"].body_html


def test_a_review_date_from_2019_is_an_error(content_copy):
    edit(content_copy, POTHOLE, "reviewed: 2026-11-02", "reviewed: 2019-03-01")
    problem = only(findings(content_copy)[0], "review-overdue")
    assert problem.is_error and "more than 12 months ago" in problem.message
    assert problem.line == line_of(content_copy, POTHOLE, "reviewed:")


def test_a_review_date_that_has_passed_is_a_warning(content_copy):
    edit(content_copy, POTHOLE, "reviewed: 2026-11-02", "reviewed: 2026-04-01")
    problem = only(findings(content_copy)[0], "review-due")
    assert not problem.is_error and "due for review on 2026-10-01" in problem.message


def test_words_to_avoid(content_copy):
    append(content_copy, POTHOLE, "We will utilise the information in order to commence repairs.")
    found = findings(content_copy)[0]
    messages = [p.message for p in found if p.code == "avoid-word"]
    assert any('"utilise"' in m and 'Write "use" instead' in m for m in messages)
    assert any('"in order to"' in m for m in messages) and any('"commence"' in m for m in messages)


def test_a_bare_address_as_link_text(content_copy):
    append(content_copy, POTHOLE, "[https://www.gov.uk/report-pothole](https://www.gov.uk/report-pothole)")
    assert "is a web address" in only(findings(content_copy)[0], "link-text").message


def test_capitals(content_copy):
    append(content_copy, POTHOLE, "DO NOT DRIVE INTO DEEP WATER.")
    assert "capital letters" in only(findings(content_copy)[0], "capitals").message


def test_a_page_with_no_owner(content_copy):
    edit(content_copy, POTHOLE, "owner: highways-and-streets\n", "")
    problem = only(findings(content_copy)[0], "no-owner")
    assert not problem.is_error and "highways-and-streets" in problem.message


def test_an_owner_that_is_not_a_team(content_copy):
    edit(content_copy, POTHOLE, "owner: highways-and-streets", "owner: highway")
    problem = only(findings(content_copy)[0], "unknown-owner")
    assert problem.is_error and "owners.yaml" in problem.message


def test_a_top_task_with_no_welsh_version(content_copy):
    (content_copy / "services" / "report-a-pothole.cy.md").unlink()
    problem = only(findings(content_copy)[0], "top-task-no-welsh")
    assert "services/report-a-pothole.cy.md" in problem.message


def test_a_hard_page_names_the_sentences_that_pull_its_reading_age_up(content_copy):
    append(content_copy, POTHOLE, "Notwithstanding comprehensive infrastructural considerations, "
           "administrative authorisation necessitates documentation substantiating responsibility. " * 6)
    problem = only(findings(content_copy)[0], "reading-age")
    assert "aim for 9 or lower" in problem.message and "Notwithstanding comprehensive" in problem.message


def test_two_pages_with_the_same_title(content_copy):
    edit(content_copy, "services/report-fly-tipping.md", "title: Report fly-tipping", "title: Report a pothole")
    found, site = findings(content_copy, "services/report-fly-tipping.md")
    problem = only(found, "duplicate-title")
    assert "services/report-a-pothole.md" in problem.message and problem.is_error


def test_a_page_whose_address_the_site_already_uses(content_copy):
    (content_copy / "pages" / "search.md").write_text(
        "---\ntitle: Search the site\nsummary: Search.\nowner: web-team\nreviewed: 2026-11-01\n---\nText.\n",
        encoding="utf-8")
    site = load_site(content_copy, app_paths={"/search"})
    assert any(p.code == "address-taken" and p.path == "pages/search.md" for p in site.problems)


def test_a_removed_page_reports_every_link_to_it(content_copy):
    (content_copy / "services" / "report-a-street-light-fault.md").unlink()
    site = load_site(content_copy)
    linking = {p.path for p in site.problems if p.code == "broken-link" and "report-a-street-light-fault" in p.message}
    assert POTHOLE in linking and len(linking) >= 1


def test_a_link_to_an_old_address_in_redirects(content_copy):
    append(content_copy, POTHOLE, "[Council Tax](/services/council-tax)")
    problem = only(findings(content_copy)[0], "old-address")
    assert "/services/pay-your-council-tax" in problem.message and not problem.is_error


def test_placeholder_text_left_in(content_copy):
    append(content_copy, POTHOLE, "TODO: add the opening hours.")
    assert only(findings(content_copy)[0], "placeholder").is_error


def test_every_message_is_plain_words_with_a_line(content_copy):
    """No parser jargon reaches the content team."""
    edit(content_copy, POTHOLE, "summary: Tell us", "summary: [Tell us")
    found = findings(content_copy)[0]
    problem = only(found, "settings-unreadable")
    assert problem.line and "scalar" not in problem.message and "mapping" not in problem.message
    assert "YAML" not in problem.message


def _picture(folder: Path) -> None:
    (folder / "images").mkdir(exist_ok=True)
    Image.new("RGB", (800, 600), (90, 120, 150)).save(folder / "images" / "pothole.jpg")


@pytest.fixture(autouse=True)
def _pictures_folder(content_copy):
    (content_copy / "images").mkdir(exist_ok=True)


def test_a_setting_written_twice(content_copy):
    edit(content_copy, POTHOLE, "owner: highways-and-streets", "owner: highways-and-streets\ntitle: Potholes")
    problem = only(findings(content_copy)[0], "repeated-setting")
    assert '"title" is written twice' in problem.message and problem.line == line_of(content_copy, POTHOLE, "title: Potholes")


def test_a_link_with_a_space_before_its_address(content_copy):
    append(content_copy, POTHOLE, "Report [fly-tipping] (/services/report-fly-tipping) too.")
    assert "Remove the space" in only(findings(content_copy)[0], "link-syntax").message


def test_a_picture_whose_file_name_has_a_space(content_copy):
    append(content_copy, POTHOLE, "![A pothole by a drain](pothole photo.jpg)")
    assert "hyphens instead of spaces" in only(findings(content_copy)[0], "image-syntax").message


def test_a_web_address_typed_in_the_text(content_copy):
    append(content_copy, POTHOLE, "You can also report it at www.gov.uk/report-pothole today.")
    assert "is not a link" in only(findings(content_copy)[0], "bare-address").message


def test_a_date_without_leading_zeros_gets_the_right_form(content_copy):
    edit(content_copy, POTHOLE, "reviewed: 2026-11-02", "reviewed: 2026-11-2")
    assert "2026-11-02 (for 2026-11-2)" in only(findings(content_copy)[0], "bad-date").message
