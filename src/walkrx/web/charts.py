"""Charts drawn with pygal as SVG documents, served by walkrx itself.

Pages embed them with <img>, so they need no JavaScript, and every chart has a data table
beside it for screen readers. The SVG carries its own styles, so chart responses get a CSP
that allows inline styles but no scripts. Clinicians' pages use the desktop size; patients'
pages the phone size, with type large enough to read on a phone held at arm's length.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class ChartSize:
    width: int
    height: int
    font_size: int
    titled: bool  # a phone page has its own heading, so its charts carry no title
    x_labels: int  # roughly how many x labels fit


DESKTOP = ChartSize(width=760, height=340, font_size=13, titled=True, x_labels=8)
PHONE = ChartSize(width=420, height=360, font_size=17, titled=False, x_labels=4)


def style_for(size: ChartSize) -> Style:
    if size.font_size == WALKRX_STYLE.label_font_size:
        return WALKRX_STYLE
    style = copy.copy(WALKRX_STYLE)
    style.label_font_size = size.font_size
    style.major_label_font_size = size.font_size
    style.value_font_size = size.font_size
    style.legend_font_size = size.font_size + 1
    style.title_font_size = size.font_size + 1
    return style


def base_config(
    title: str, *, y_title: str = "", size: ChartSize = DESKTOP, **overrides: object
) -> dict[str, object]:
    config: dict[str, object] = {
        "title": title if size.titled else None,
        "y_title": y_title,
        "style": style_for(size),
        "width": size.width,
        "height": size.height,
        "show_legend": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 2 if not size.titled else None,
        "margin": 6 if not size.titled else 20,
        "disable_xml_declaration": False,
        "js": [],  # no remote scripts: the SVG must render from walkrx alone
        "print_values": False,
        "x_label_rotation": 0,
        "truncate_label": -1,
        "no_data_text": "No data yet",
    }
    config.update(overrides)
    return config


def thin_labels(chart: pygal.graph.graph.Graph, labels: Sequence[str], size: ChartSize) -> None:
    chart.x_labels = list(labels)
    chart.x_labels_major_every = max(1, len(labels) // size.x_labels)
    chart.show_minor_x_labels = False


def weekly_minutes_chart(
    labels: Sequence[str],
    prescribed: Sequence[float],
    walked: Sequence[float],
    *,
    size: ChartSize = DESKTOP,
) -> bytes:
    """Prescribed and walked minutes per programme week, side by side."""
    chart = pygal.Bar(
        **base_config("Minutes per week", y_title="minutes", size=size, x_title="Programme week")
    )
    chart.x_labels = list(labels)
    chart.add("Prescribed", list(prescribed))
    chart.add("Walked", list(walked))
    return bytes(chart.render())


def pain_chart(
    labels: Sequence[str],
    before: Sequence[float | None],
    after: Sequence[float | None],
    morning: Sequence[float | None],
    *,
    size: ChartSize = DESKTOP,
) -> bytes:
    """Pain before and after walks and next-morning pain by day, on the 0-10 scale."""
    chart = pygal.Line(
        **base_config(
            "Pain (0 to 10)",
            y_title="pain",
            size=size,
            range=(0, 10),
            allow_interruptions=True,
            # Three names side by side do not fit a phone's width: one per line there.
            legend_at_bottom_columns=3 if size.titled else 1,
        )
    )
    thin_labels(chart, labels, size)
    chart.add("Before walks", list(before))
    chart.add("After walks", list(after))
    chart.add("Next morning", list(morning))
    return bytes(chart.render())


def series_chart(
    title: str,
    unit: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    bars: bool,
    size: ChartSize = DESKTOP,
) -> bytes:
    """One series over time: bars (steps per day) or a line (weight)."""
    kind = pygal.Bar if bars else pygal.Line
    chart = kind(**base_config(title, y_title=unit, size=size, show_legend=False))
    thin_labels(chart, labels, size)
    chart.add(title, list(values))
    return bytes(chart.render())


def svg_response(svg: bytes) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_CSP
    return response
