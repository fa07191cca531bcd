"""Welsh pages whose English-only parts are now marked lang="en" stay axe-clean, at both widths."""

from __future__ import annotations

import pytest

PAGES = ["/cy/services/report-a-missed-bin", "/cy/services/apply-for-a-blue-badge", "/cy/contact-us",
         "/cy/directory/water-company", "/cy/directory/not-sure"]


@pytest.mark.parametrize("width", [1280, 320])
def test_welsh_pages_with_english_parts_pass_axe(open_page, axe, width):
    for path in PAGES:
        page = open_page(path, width=width)
        assert page.locator('[lang="en"]').count() >= 1, path
        assert axe(page) == [], path
