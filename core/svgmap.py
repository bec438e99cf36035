"""An offline map of the reserve network as SVG, drawn from the depots' coordinates.

No tile server: each county is drawn as the area around its depots — within the convex hulls
of the counties' depots, what lies nearer to one of its depots than to another county's (the
union of its depots' Voronoi cells), so neighbouring counties never overlap — and depots as
dots coloured by readiness status. Used by the dashboard, the county pages, the plan page and
the weekly PDF report (its headline pages, `reports/pdf.py`).
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
# pale tints that tell neighbouring counties apart under the status colours of the depots
COUNTY_TINTS = ("#e3ecf7", "#e5f1e3", "#f6ebdd", "#ece4f3", "#f4e2e6", "#dff0ef", "#f2f0da")


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


def _clip(polygon: list[tuple[float, float]], a: float, b: float, c: float):
    """The part of a convex polygon where a·x + b·y ≤ c (Sutherland–Hodgman, one edge)."""
    out = []
    for i, p in enumerate(polygon):
        q = polygon[(i + 1) % len(polygon)]
        fp, fq = a * p[0] + b * p[1] - c, a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def _inside_edges(polygon: list[tuple[float, float]]):
    """A convex polygon as half-planes a·x + b·y ≤ c (either winding)."""
    area = sum(
        x1 * y2 - x2 * y1
        for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True)
    )
    sign = 1 if area > 0 else -1
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        a, b = sign * (y2 - y1), -sign * (x2 - x1)
        yield a, b, a * x1 + b * y1


def _reach(cell: list[tuple[float, float]], p: tuple[float, float]) -> float:
    """The squared distance from p to the farthest corner of a cell."""
    return max(((x - p[0]) ** 2 + (y - p[1]) ** 2 for x, y in cell), default=0.0)


def county_areas(
    groups: dict[str, list[tuple[float, float]]],
) -> dict[str, list[list[tuple[float, float]]]]:
    """Each county's area as convex pieces: the part of the counties' hulls that lies nearer to
    one of its depots than to any other county's depot. Areas of different counties never
    overlap (a point nearer to A's depot than to all of B's cannot be nearer to B's than to all
    of A's), and together they cover every hull, so no hole is left where hulls overlapped;
    a county's area may reach a little into a neighbour's hull, as a real border would.
    Counties of fewer than three distinct places have no area and carve nothing out."""
    hulls = {g: h for g, pts in groups.items() if len(h := _hull(pts)) >= 3}
    sites = [(p, g) for g in sorted(hulls) for p in sorted(set(groups[g]))]
    corners = [v for h in hulls.values() for v in h]
    x0, x1 = min(x for x, _ in corners) - 1, max(x for x, _ in corners) + 1
    y0, y1 = min(y for _, y in corners) - 1, max(y for _, y in corners) + 1
    box = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    edges = [list(_inside_edges(h)) for h in hulls.values()]
    areas: dict[str, list[list[tuple[float, float]]]] = {g: [] for g in hulls}
    for p, group in sites:
        cell = box
        # rivals nearest first: once a rival is more than twice as far from p as the cell's
        # farthest corner, its bisector (and every later one) leaves the whole cell on p's
        # side, so the rest change nothing (this keeps a province's 1,400 depots fast)
        rivals = sorted(
            ((q[0] - p[0]) ** 2 + (q[1] - p[1]) ** 2, q) for q, other in sites if other != group
        )
        reach = _reach(cell, p)
        for distance, q in rivals:
            if distance > 4 * reach:
                break
            # nearer to p than to q: 2 x·(q − p) ≤ |q|² − |p|²
            a, b = 2 * (q[0] - p[0]), 2 * (q[1] - p[1])
            clipped = _clip(cell, a, b, q[0] ** 2 + q[1] ** 2 - p[0] ** 2 - p[1] ** 2)
            if clipped != cell:
                cell = clipped
                reach = _reach(cell, p)
            if len(cell) < 3:
                break
        if len(cell) < 3:
            continue
        for hull_edges in edges:
            piece = cell
            for a, b, c in hull_edges:
                piece = _clip(piece, a, b, c)
                if len(piece) < 3:
                    break
            if len(piece) >= 3:
                areas[group].append(piece)
    return areas


def _projection(located: list[MapPoint], width: int, height: int):
    """lon/lat -> SVG x/y: one scale for both axes keeps distances true; a single depot sits
    in the middle."""
    mid_lat = math.radians(sum(p.lat for p in located) / len(located))
    xs = [p.lon * math.cos(mid_lat) for p in located]
    ys = [p.lat for p in located]
    pad = 30
    dx, dy = max(xs) - min(xs), max(ys) - min(ys)
    scale = min((width - 2 * pad) / dx if dx else 1e9, (height - 2 * pad) / dy if dy else 1e9)
    if scale == 1e9:
        scale, pad = 1.0, min(width, height) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        x = pad + (lon * math.cos(mid_lat) - min(xs)) * scale
        y = height - pad - (lat - min(ys)) * scale
        return round(x, 1), round(y, 1)

    return project


def _county_svg(groups: dict[str, list[tuple[float, float]]]) -> list[str]:
    """Each county's area in its pale tint."""
    out = []
    for n, (group, cells) in enumerate(sorted(county_areas(groups).items())):
        if not cells:
            continue
        tint = COUNTY_TINTS[n % len(COUNTY_TINTS)]
        # one path of convex cells, all wound the same way: the nonzero rule fills their union
        # once; drawn as a wide outline under an opaque fill, only the union's edge shows
        d = " ".join(
            "M" + " L".join(f"{round(x, 1)},{round(y, 1)}" for x, y in cell) + " Z"
            for cell in cells
        )
        out.append(
            f'<g class="county" data-group="{escape(group)}">'
            f'<path d="{d}" fill="none" stroke="#9fb3c8" stroke-width="2.4" '
            'stroke-linejoin="round"/>'
            f'<path class="area" d="{d}" fill="{tint}" fill-rule="nonzero"/></g>'
        )
    return out


def _line_svg(line: Line, project) -> str:
    """A transfer as an arrow, its width by its weight."""
    x1, y1 = project(line.from_lon, line.from_lat)
    x2, y2 = project(line.to_lon, line.to_lat)
    w = round(1 + 4 * max(0.0, min(1.0, line.weight)), 1)
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#0b5cad" stroke-width="{w}" '
        'stroke-opacity="0.7" marker-end="url(#arrow)">'
        f"<title>{escape(line.label)}</title></line>"
    )


ARROW_DEFS = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
    'markerWidth="5" markerHeight="5" orient="auto-start-reverse">'
    '<path d="M 0 0 L 10 5 L 0 10 z" fill="#0b5cad"/></marker></defs>'
)

TIER_ORDER = {"township": 0, "county": 1, "city": 2, "province": 3}


def _depot_svg(p: MapPoint, project) -> str:
    """A depot: a circle (township), a square (county) or a triangle (city, province)."""
    x, y = project(p.lon, p.lat)
    colour = STATUS_COLOURS.get(p.status, STATUS_COLOURS[None])
    tip = escape(f"{p.label} {p.detail}".strip())
    if p.tier == "township":
        shape = f'<circle cx="{x}" cy="{y}" r="5" fill="{colour}" stroke="#fff" stroke-width="1"/>'
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
    return body


def _label_svg(pts: list[tuple[float, float]], label: str) -> str:
    """A county's name above its depots."""
    cx = sum(x for x, _ in pts) / len(pts)
    top = min(y for _, y in pts)
    # a pale halo drawn first, then the name over it: the halo keeps the name readable
    # over lines and areas (two texts, not paint-order, which WeasyPrint ignores)
    where = (
        f'x="{round(cx, 1)}" y="{round(top - 10, 1)}" text-anchor="middle" '
        'font-size="14" font-weight="600"'
    )
    return (
        f'<g class="county-label"><text {where} fill="#f4f7fa" stroke="#f4f7fa" '
        f'stroke-width="3" stroke-linejoin="round">{escape(label)}</text>'
        f'<text {where} fill="#1d2733">{escape(label)}</text></g>'
    )


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
    project = _projection(located, width, height)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        'class="network-map" font-family="Noto Sans CJK SC, sans-serif">',
        f'<rect width="{width}" height="{height}" fill="#f4f7fa"/>',
    ]
    if lines:
        out.append(ARROW_DEFS)
    groups: dict[str, list[tuple[float, float]]] = {}
    for p in located:
        groups.setdefault(p.group, []).append(project(p.lon, p.lat))
    out += _county_svg(groups)
    out += [_line_svg(line, project) for line in lines]
    by_tier = sorted(located, key=lambda p: TIER_ORDER.get(p.tier, 0))
    out += [_depot_svg(p, project) for p in by_tier]
    for group, label in (group_labels or {}).items():
        pts = groups.get(group)
        if pts:
            out.append(_label_svg(pts, label))
    out.append("</svg>")
    return "\n".join(out)
