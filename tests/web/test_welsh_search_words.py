"""Welsh searches for pages written only in English, and Welsh summaries on the Welsh directory page."""

from __future__ import annotations

import re


def text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def first_result(page: str) -> str:
    return page.split('<li class="th-result">')[1].split("</li>")[0]


def test_welsh_words_find_an_english_only_page_marked_as_english(client):
    first = first_result(text(client.get("/cy/search?q=cofrestru+genedigaeth")))
    assert re.search(r'href="/cy/services/register-a-birth" hreflang="en" lang="en"[^>]*>Register a birth</a>', first)


def test_welsh_words_find_a_directory_entry_with_its_number(client):
    first = first_result(text(client.get("/cy/search?q=toriad+p%C5%B5er")))
    assert 'href="/cy/directory/power-cut-105" hreflang="en" lang="en"' in first
    assert 'href="tel:105"' in first


def test_council_tax_band_leads_to_the_valuation_office_agency(client):
    for path in ("/search?q=challenge+my+band", "/cy/search?q=treth+cyngor+band"):
        assert "/directory/valuation-office-agency" in first_result(text(client.get(path))), path
    page = text(client.get("/services/pay-your-council-tax"))
    assert 'href="/directory/valuation-office-agency"' in page


def test_the_welsh_directory_has_welsh_topic_summaries(client):
    page = text(client.get("/cy/directory"))
    assert "<p>Meddygon, deintyddion a help meddygol brys gan y GIG.</p>" in page
    assert not re.search(r'<p lang="en">Doctors, dentists', page)
    assert "<p>Doctors, dentists and urgent medical help from the NHS.</p>" in text(client.get("/directory"))


def test_a_topic_summary_with_no_welsh_is_marked_english(make_app, content_copy):
    categories = content_copy / "directory" / "categories.yaml"
    categories.write_text(categories.read_text(encoding="utf-8").replace(
        ', summary: "Meddygon, deintyddion a help meddygol brys gan y GIG."', ""), encoding="utf-8")
    page = text(make_app(TOWNHALL_CONTENT=str(content_copy)).test_client().get("/cy/directory"))
    assert '<p lang="en">Doctors, dentists and urgent medical help from the NHS.</p>' in page
