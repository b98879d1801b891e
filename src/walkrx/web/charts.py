"""Charts drawn with pygal as SVG documents, served by walkrx itself.

Pages embed them with <img>, so they need no JavaScript, and every chart has a data table
beside it for screen readers. The SVG carries its own styles, so chart responses get a CSP
that allows inline styles but no scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pygal
from django.http import HttpResponse
from pygal.style import Style

CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"

WALKRX_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1b2422",
    foreground_strong="#1b2422",
    foreground_subtle="#4a5754",
    opacity=".85",
    opacity_hover="1",
    colors=("#1d5c4f", "#c76b00", "#5b4a9e", "#a4161a", "#2f7fbf"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    title_font_size=16,
)


def base_config(title: str, *, y_title: str = "", **overrides: object) -> dict[str, object]:
    config: dict[str, object] = {
        "title": title,
        "y_title": y_title,
        "style": WALKRX_STYLE,
        "width": 760,
        "height": 340,
        "show_legend": True,
        "legend_at_bottom": True,
        "disable_xml_declaration": False,
        "js": [],  # no remote scripts: the SVG must render from walkrx alone
        "print_values": False,
        "x_label_rotation": 0,
        "truncate_label": -1,
        "no_data_text": "No data yet",
    }
    config.update(overrides)
    return config


def weekly_minutes_chart(
    weeks: Sequence[int], prescribed: Sequence[float], walked: Sequence[float]
) -> bytes:
    chart = pygal.Bar(**base_config("Minutes per week", y_title="minutes"))
    chart.x_labels = [f"Week {week}" for week in weeks]
    chart.add("Prescribed", list(prescribed))
    chart.add("Walked", list(walked))
    return bytes(chart.render())


def pain_chart(
    days: Sequence[date],
    before: Sequence[float | None],
    after: Sequence[float | None],
    morning: Sequence[float | None],
) -> bytes:
    chart = pygal.Line(
        **base_config("Pain (0 to 10)", y_title="pain", range=(0, 10), allow_interruptions=True)
    )
    chart.x_labels = [day.strftime("%d %b") for day in days]
    chart.x_labels_major_every = max(1, len(days) // 8)
    chart.show_minor_x_labels = False
    chart.add("Before walks", list(before))
    chart.add("After walks", list(after))
    chart.add("Next morning", list(morning))
    return bytes(chart.render())


def daily_chart(
    title: str, unit: str, days: Sequence[date], values: Sequence[float | None]
) -> bytes:
    chart = pygal.Bar(**base_config(title, y_title=unit, show_legend=False))
    chart.x_labels = [day.strftime("%d %b") for day in days]
    chart.x_labels_major_every = max(1, len(days) // 8)
    chart.show_minor_x_labels = False
    chart.add(title, list(values))
    return bytes(chart.render())


def weight_chart(days: Sequence[date], kilograms: Sequence[float]) -> bytes:
    chart = pygal.Line(**base_config("Weight", y_title="kg", show_legend=False))
    chart.x_labels = [day.strftime("%d %b %Y") for day in days]
    chart.x_labels_major_every = max(1, len(days) // 6)
    chart.show_minor_x_labels = False
    chart.add("Weight", list(kilograms))
    return bytes(chart.render())


def svg_response(svg: bytes) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    return response
