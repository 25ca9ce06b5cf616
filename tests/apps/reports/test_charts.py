"""The server-drawn charts: labelled images, escaped text, no bar for a figure not yet recorded."""

from __future__ import annotations

from continuum.apps.reports import charts


def test_bars_are_a_labelled_image_with_escaped_text_and_no_bar_for_what_is_not_a_number():
    svg = str(charts.bars("c", "Outcomes <by code>", ["A & B", "Later"], [3, "Not yet recorded"]))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Outcomes &lt;by code&gt;</title>' in svg and "A &amp; B" in svg
    assert svg.count("<rect") == 1 and "Not yet recorded" in svg


def test_a_line_of_one_month_is_a_marked_point_in_the_middle_and_each_series_has_its_own_marker():
    svg = str(charts.lines("v", "By month", ["Apr 2026"], [("Contacts", [4]), ("Referrals", [2])]))
    assert svg.count("<circle") == 1 and svg.count('width="10" height="10"') == 1  # circle, then square
    assert 'cx="335.0"' in svg  # 50 + (640 - 50 - 20) / 2
    assert "Contacts" in svg and "Referrals" in svg and 'stroke-dasharray="6 4"' in svg
