"""Odd requests found in review: each must get a helpful answer, never a 500."""

from __future__ import annotations

import pytest

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("prefix", ["", "/cy"])
def test_a_malformed_hx_current_url_is_not_a_500(client, prefix):
    response = client.get(f"{prefix}/search?q=bins", headers={**HX, "HX-Current-URL": "http://[::1"})
    assert response.status_code == 200
    assert "Report a missed bin" in response.get_data(as_text=True) or "bin" in response.get_data(as_text=True)
