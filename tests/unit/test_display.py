"""Every colour scheme meets WCAG contrast minimums for every pair that carries meaning."""

import pytest

from townhall.display import PALETTES, contrast_failures, contrast_ratio, stylesheet
from townhall.preferences import COLOUR_SCHEMES, LINE_SPACINGS, TEXT_SIZES


def test_contrast_ratio_matches_wcag_examples():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("scheme", sorted(PALETTES))
def test_scheme_contrast(scheme):
    assert contrast_failures(scheme) == []


def test_high_contrast_text_meets_enhanced_contrast():
    palette = PALETTES["high-contrast"]
    assert contrast_ratio(palette["text"], palette["background"]) >= 7
    assert contrast_ratio(palette["link"], palette["background"]) >= 7


def test_every_scheme_defines_every_role():
    roles = set(PALETTES["standard"])
    for scheme, palette in PALETTES.items():
        assert set(palette) == roles, scheme


def test_stylesheet_has_a_rule_for_every_choice():
    css = stylesheet()
    for scheme in COLOUR_SCHEMES:
        assert f".th-colours-{scheme}" in css
    for size in TEXT_SIZES:
        assert f".th-text-{size}" in css
    for spacing in LINE_SPACINGS:
        assert f".th-spacing-{spacing}" in css
    assert "@media (prefers-color-scheme: dark)" in css and "@media (prefers-contrast: more)" in css
