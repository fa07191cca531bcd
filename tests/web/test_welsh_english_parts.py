"""Welsh pages: English that comes from English-only data (contacts, charges, organisation names) is marked lang="en"."""

from __future__ import annotations

import re


def text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_contact_details_on_a_welsh_service_page_are_marked_english(client):
    page = text(client.get("/cy/services/report-a-missed-bin"))  # a page with a Welsh version
    assert '<span lang="en">Waste and Recycling Team</span>' in page
    assert re.search(r'<dd lang="en">Contact Customer Services by British Sign Language', page)
    assert '<address lang="en">' in page


def test_charges_on_a_welsh_service_page_are_marked_english(client):
    page = text(client.get("/cy/services/apply-for-a-blue-badge"))
    assert '<th scope="row" lang="en">Blue Badge</th>' in page
    assert '<span class="th-secondary-text" lang="en">You only pay if we give you a badge.</span>' in page


def test_out_of_hours_and_team_on_welsh_general_pages_are_marked_english(client):
    page = text(client.get("/cy/contact-us"))
    assert '<p lang="en">For emergencies outside these hours' in page
    assert re.search(r'<h2 id="contact-\d+" lang="en">Customer Services</h2>', page)


def test_an_organisation_name_inside_a_welsh_sentence_is_marked_english_and_escaped(client):
    page = text(client.get("/cy/directory/water-company"))
    assert 'Cysylltwch â <span lang="en">Your water company</span> yn uniongyrchol.' in page
    page = text(client.get("/cy/directory/dvla"))
    assert '<span lang="en">DVLA (Driver and Vehicle Licensing Agency)</span>' in page


def test_english_pages_carry_no_extra_lang_marks(client):
    for path in ("/services/apply-for-a-blue-badge", "/contact-us", "/directory/water-company"):
        page = text(client.get(path))
        for marked in ('<dd lang="en">', '<address lang="en">', '<th scope="row" lang="en">', '<span lang="en">',
                       'th-secondary-text" lang="en"', '<p lang="en">For emergencies'):
            assert marked not in page


def test_english_only_service_titles_on_the_welsh_not_sure_page_are_marked(client):
    page = text(client.get("/cy/directory/not-sure"))
    assert 'lang="en">Apply for Council Tax Reduction</a>' in page
    assert '>Talu eich Treth Gyngor</a>' in page and 'lang="en">Talu eich' not in page


def test_the_contents_list_of_an_english_only_page_on_the_welsh_site_is_marked_english(client):
    page = text(client.get("/cy/services/bulky-waste-collection"))  # no Welsh version
    assert 'lang="en">What it costs</a>' in page
    assert "Ar y dudalen hon" in page or "th-contents" in page
    english = text(client.get("/services/bulky-waste-collection"))
    assert '<a href="#what-it-costs">What it costs</a>' in english
