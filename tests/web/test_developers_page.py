"""The page for developers: what open data we publish, its licences, standards and examples."""

from __future__ import annotations

import pytest

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("headers", [{}, HX])
def test_the_developers_page_lists_the_open_data_licences_and_standards(client, headers):
    response = client.get("/developers", headers=headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for expected in ("/api/openreferral/", "/api/openapi.json", "/api/areas/wards.geojson", "/api/postcodes/BK1%201AA",
                     "Open Government Licence v3.0", "Open Referral UK 3.0", "RFC 7946", "OpenAPI 3.1",
                     "x_townhall_phones", "curl "):
        assert expected in html, expected


def test_the_welsh_developers_page(client):
    response = client.get("/cy/developers")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Data agored i ddatblygwyr" in html and "/cy/api/openreferral/" in html


@pytest.mark.parametrize("prefix, label", [("", "Open data for developers"), ("/cy", "Data agored i ddatblygwyr")])
def test_every_page_links_to_it_from_the_footer(client, prefix, label):
    html = client.get(f"{prefix}/").get_data(as_text=True)
    footer = html[html.index("<footer"):]
    assert f'href="{prefix}/developers">{label}</a>' in footer


def test_the_welsh_links_to_the_api_answer(client):
    assert client.get("/cy/api/openreferral/").get_json()["version"] == "3.0"
