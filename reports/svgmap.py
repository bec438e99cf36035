"""An offline map of the reserve network as SVG, drawn from the depots' coordinates.

No tile server: counties are drawn as the convex hull of their depots, depots as dots coloured
by readiness status. Used by the dashboard and the PDF report.
"""

import math
from dataclasses import dataclass
from html import escape

STATUS_COLOURS = {
    "stock_out": "#7f0000",
    "red": "#c62828",
    "amber": "#e0a100",
    "yellow": "#c0ca33",
    "green": "#2e7d32",
    "no_norm": "#9aa5b1",
    "none": "#9aa5b1",
    "not_used": "#9aa5b1",
    None: "#9aa5b1",
}


@dataclass(frozen=True)
class MapPoint:
    """A depot on the map."""

    lon: float
    lat: float
    label: str
    status: str | None
    tier: str
    group: str  # the county it belongs to, for the hull
    href: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class Line:
    """A transfer drawn between two depots."""

    from_lon: float
    from_lat: float
    to_lon: float
    to_lat: float
    weight: float
    label: str = ""


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    # Andrew's monotone chain
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def render_map(
    points: list[MapPoint],
    *,
    group_labels: dict[str, str] | None = None,
    lines: list[Line] = (),
    width: int = 720,
    height: int = 560,
    title: str = "",
) -> str:
    """The SVG markup of the map (safe to embed: every text is escaped)."""
    located = [p for p in points if p.lon is not None and p.lat is not None]
    if not located:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="60"></svg>'
    mid_lat = math.radians(sum(p.lat for p in located) / len(located))
    xs = [p.lon * math.cos(mid_lat) for p in located]
    ys = [p.lat for p in located]
    pad = 30
    dx, dy = max(xs) - min(xs), max(ys) - min(ys)
    # one scale for both axes keeps distances true; a single depot sits in the middle
    scale = min((width - 2 * pad) / dx if dx else 1e9, (height - 2 * pad) / dy if dy else 1e9)
    if scale == 1e9:
        scale, pad = 1.0, min(width, height) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        x = pad + (lon * math.cos(mid_lat) - min(xs)) * scale
        y = height - pad - (lat - min(ys)) * scale
        return round(x, 1), round(y, 1)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'class="network-map" font-family="Noto Sans CJK SC, sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#f4f7fa"/>',
    ]
    groups: dict[str, list[tuple[float, float]]] = {}
    for p in located:
        groups.setdefault(p.group, []).append(project(p.lon, p.lat))
    for _group, pts in sorted(groups.items()):
        hull = _hull(pts)
        if len(hull) >= 3:
            path = " ".join(f"{x},{y}" for x, y in hull)
            out.append(
                f'<polygon points="{path}" fill="#dde6ee" fill-opacity="0.55" stroke="#9fb3c8" '
                'stroke-width="1.2" stroke-linejoin="round"/>'
            )
    for line in lines:
        x1, y1 = project(line.from_lon, line.from_lat)
        x2, y2 = project(line.to_lon, line.to_lat)
        w = round(1 + 4 * max(0.0, min(1.0, line.weight)), 1)
        out.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#0b5cad" stroke-width="{w}" '
            'stroke-opacity="0.7" marker-end="url(#arrow)">'
            f"<title>{escape(line.label)}</title></line>"
        )
    if lines:
        out.insert(
            2,
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="5" markerHeight="5" orient="auto-start-reverse">'
            '<path d="M 0 0 L 10 5 L 0 10 z" fill="#0b5cad"/></marker></defs>',
        )
    order = {"township": 0, "county": 1, "city": 2, "province": 3}
    for p in sorted(located, key=lambda p: order.get(p.tier, 0)):
        x, y = project(p.lon, p.lat)
        colour = STATUS_COLOURS.get(p.status, STATUS_COLOURS[None])
        tip = escape(f"{p.label} {p.detail}".strip())
        if p.tier == "township":
            shape = (
                f'<circle cx="{x}" cy="{y}" r="5" fill="{colour}" stroke="#fff" stroke-width="1"/>'
            )
        elif p.tier == "county":
            shape = (
                f'<rect x="{x - 7}" y="{y - 7}" width="14" height="14" fill="{colour}" '
                'stroke="#1d2733" stroke-width="1.5"/>'
            )
        else:
            shape = (
                f'<polygon points="{x},{y - 11} {x + 10},{y + 7} {x - 10},{y + 7}" '
                f'fill="{colour}" stroke="#1d2733" stroke-width="1.5"/>'
            )
        status = escape(p.status or "")
        body = f'<g class="depot" data-status="{status}">{shape}<title>{tip}</title></g>'
        if p.href:
            body = f'<a href="{escape(p.href)}">{body}</a>'
        out.append(body)
    for group, label in (group_labels or {}).items():
        pts = groups.get(group)
        if not pts:
            continue
        cx = sum(x for x, _ in pts) / len(pts)
        top = min(y for _, y in pts)
        out.append(
            f'<text x="{round(cx, 1)}" y="{round(top - 10, 1)}" text-anchor="middle" '
            f'font-size="14" font-weight="600" fill="#1d2733" stroke="#f4f7fa" stroke-width="3" '
            f'paint-order="stroke">{escape(label)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)
