"""The readiness dashboard, its drill-downs, the SVG map and the alert list, over HTTP."""

import math
import random
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from core.db import get_engine
from core.svgmap import MapPoint, _hull, county_areas, render_map
from core.timeutil import local_today
from inventory.models import Facility, Region
from inventory.services import alerts, catalog
from tests.factories import make_item, make_network, make_user, receive


@pytest.fixture
def dash(sqlite_app):
    with sqlite_app.app_context(), Session(get_engine(sqlite_app)) as session:
        f = make_network(session)
        n95 = make_item(session)
        catalog.set_catalog(session, "township", [n95.id])
        catalog.set_norm(session, f["A"], n95, 10, basis="t", source="t")
        catalog.set_norm(session, f["B"], n95, 10, basis="t", source="t")
        receive(session, f["A"], n95, 50, lot_no="A1", expiry=local_today() + timedelta(days=20))
        receive(session, f["B"], n95, 2000, lot_no="B1", expiry=date(2030, 1, 1))
        make_user(session, "viewer", "viewer")
        make_user(session, "disp", "dispatcher")
        alerts.scan(session)
        session.commit()
        ids = {k: v.id for k, v in f.items()}
    client = sqlite_app.test_client()
    client.post("/auth/login", data={"username": "disp", "password": "password-123"})
    return sqlite_app, client, ids


def test_city_dashboard_shows_headline_matrix_map_and_red_list(dash):
    _app, client, _ids = dash
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "越城区" in html  # the county row of the matrix
    assert "<svg" in html and 'data-status="red"' in html and 'data-status="green"' in html
    red_list = html.split('id="red"')[1].split("</table>")[0]
    assert "塔山储备点" in red_list and "府山储备点" not in red_list
    assert "50%" in html  # one of the two township items meets 10 days


def test_county_and_facility_drilldown(dash):
    _app, client, ids = dash
    county = client.get("/dashboard/county/330602").get_data(as_text=True)
    assert "越城区库" in county and "塔山储备点" in county and "府山储备点" in county
    assert client.get("/dashboard/county/999999").status_code == 404
    facility = client.get(f"/dashboard/facility/{ids['A']}").get_data(as_text=True)
    assert 'data-item="PPE-N95"' in facility and "5.0" in facility


def _name_in_english(app):
    """English names for the county depot, township depot A and the county; the city depot and
    township depot B (府山储备点) keep only their Chinese names."""
    names = {
        (Facility, "K"): "Yuecheng District Depot",
        (Facility, "A"): "Tashan Reserve Point",
        (Region, "330602"): "Yuecheng District",
    }
    with app.app_context(), Session(get_engine(app)) as session:
        for (model, code), name_en in names.items():
            row = session.exec(select(model).where(model.code == code)).one()
            row.name_en = name_en
            session.add(row)
        session.commit()


def _map(html: str) -> tuple[list[str], list[str]]:
    """The map's depot tooltips and county labels, as drawn in the page's SVG."""
    svg = html.split('id="map"')[1].split("</svg>")[0]
    tips = [part.split("</title>")[0] for part in svg.split('<g class="depot"')[1:]]
    tips = [t.split("<title>")[1] for t in tips]
    labels = [part.split("</text>")[0] for part in svg.split('fill="#1d2733">')[1:]]
    return tips, labels


def test_the_readiness_pages_name_depots_and_counties_in_the_readers_language(dash):
    app, client, ids = dash
    _name_in_english(app)
    pages = {
        "city": "/dashboard/",
        "county": "/dashboard/county/330602",
        "facility": f"/dashboard/facility/{ids['A']}",
        "alerts": "/dashboard/alerts",
    }
    chinese = {name: client.get(url).get_data(as_text=True) for name, url in pages.items()}
    assert client.post("/auth/lang/en", data={"next": "/"}).status_code == 302
    english = {name: client.get(url).get_data(as_text=True) for name, url in pages.items()}

    # the city map: every depot's tooltip and the county's label in the reader's language,
    # English falling back to Chinese where no English name is recorded
    tips, labels = _map(english["city"])
    assert len(tips) == 4 and labels == ["Yuecheng District"]
    assert {t.split(" ·")[0] for t in tips} == {
        "市级库",
        "Yuecheng District Depot",
        "Tashan Reserve Point",
        "府山储备点",
    }
    tips, labels = _map(chinese["city"])
    assert labels == ["越城区"]
    assert {t.split(" ·")[0] for t in tips} == {"市级库", "越城区库", "塔山储备点", "府山储备点"}
    assert 'aria-label="Readiness map"' in english["city"]
    # the matrix's county row and the red list
    matrix = english["city"].split('id="matrix"')[1].split("</table>")[0]
    assert "Yuecheng District" in matrix and "越城区" not in matrix
    red_list = english["city"].split('id="red"')[1].split("</table>")[0]
    assert "Tashan Reserve Point" in red_list and "塔山储备点" not in red_list
    assert "塔山储备点" in chinese["city"].split('id="red"')[1].split("</table>")[0]

    # the county page: its title, map and depot rows
    county = english["county"]
    assert "<h1>Yuecheng District</h1>" in county and "<h1>越城区</h1>" in chinese["county"]
    tips, labels = _map(county)
    assert labels == ["Yuecheng District"]
    assert {t.split(" ·")[0] for t in tips} == {
        "Yuecheng District Depot",
        "Tashan Reserve Point",
        "府山储备点",
    }
    matrix = county.split('id="matrix"')[1].split("</table>")[0]
    for name in ("Yuecheng District Depot", "Tashan Reserve Point", "府山储备点"):
        assert name in matrix
    assert "越城区库" not in matrix and "塔山储备点" not in matrix
    assert "越城区库" in chinese["county"].split('id="matrix"')[1]

    # the depot reached from the map, and the alerts naming it
    assert "<h1>Tashan Reserve Point" in english["facility"]
    assert "<h1>塔山储备点" in chinese["facility"]
    assert "Tashan Reserve Point" in english["alerts"] and "塔山储备点" not in english["alerts"]
    assert "塔山储备点" in chinese["alerts"]


def test_alerts_list_and_acknowledge(dash):
    _app, client, _ids = dash
    html = client.get("/dashboard/alerts").get_data(as_text=True)
    assert "塔山储备点" in html and ">确认</button>" in html
    alert_id = int(html.split("/dashboard/alerts/")[1].split("/")[0])
    response = client.post(f"/dashboard/alerts/{alert_id}/acknowledge")
    assert response.status_code == 302


def test_viewer_cannot_acknowledge(dash):
    app, _client, _ids = dash
    viewer = app.test_client()
    viewer.post("/auth/login", data={"username": "viewer", "password": "password-123"})
    assert viewer.get("/dashboard/").status_code == 200
    assert viewer.post("/dashboard/alerts/1/acknowledge").status_code == 403


def test_map_escapes_text_and_draws_county_hulls():
    points = [
        MapPoint(120.0 + dx, 30.0 + dy, "<b>x</b>", "red", "township", "K")
        for dx, dy in ((0, 0), (0.1, 0), (0, 0.1), (0.05, 0.05))
    ]
    svg = render_map(points, group_labels={"K": "<script>"})
    assert "<b>" not in svg and "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('<g class="county" data-group="K">') == 1  # the area of the four points
    assert svg.count('<path class="area"') == 1
    assert svg.count('data-status="red"') == 4


def _inside(point, polygon) -> bool:
    """Strictly inside a convex polygon (either winding)."""
    x, y = point
    signs = set()
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        if abs(cross) < 1e-9:
            return False
        signs.add(cross > 0)
    return len(signs) == 1


def _on_an_edge(point, polygons, tolerance=1e-6) -> bool:
    x, y = point
    for polygon in polygons:
        for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
            length = math.hypot(x2 - x1, y2 - y1)
            cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
            dot = (x - x1) * (x2 - x1) + (y - y1) * (y2 - y1)
            if length and abs(cross) / length < tolerance and 0 <= dot <= length**2:
                return True
    return False


def test_county_areas_on_the_map_never_overlap():
    """Two counties whose depots interleave: their hulls overlap, their areas do not, and the
    areas leave no hole in the hulls."""
    rng = random.Random(5)
    groups = {
        "A": [(rng.uniform(0, 60), rng.uniform(0, 100)) for _ in range(12)],
        "B": [(rng.uniform(40, 100), rng.uniform(0, 100)) for _ in range(12)],
        "C": [(10, 10), (20, 10)],  # a segment: no area, and it carves nothing out
    }
    areas = county_areas(groups)
    assert set(areas) == {"A", "B"} and areas["A"] and areas["B"]
    hulls = {g: _hull(groups[g]) for g in ("A", "B")}
    both_hulls = in_a = in_b = 0
    for i in range(101):
        for j in range(101):
            point = (i + 0.37, j + 0.61)
            a = any(_inside(point, cell) for cell in areas["A"])
            b = any(_inside(point, cell) for cell in areas["B"])
            assert not (a and b), point
            in_a += a
            in_b += b
            both_hulls += all(_inside(point, h) for h in hulls.values())
            in_hulls = any(_inside(point, h) for h in hulls.values())
            if a or b:  # areas lie within the hulls ...
                assert in_hulls, point
            elif in_hulls:  # ... and cover them: no hole where the hulls overlapped
                assert _on_an_edge(point, [*areas["A"], *areas["B"]]), point
    assert both_hulls > 500  # the hulls do overlap
    assert in_a > 1000 and in_b > 1000
    # every depot inside its county's hull stays inside its county's area
    for g in ("A", "B"):
        inner = [p for p in groups[g] if _inside(p, hulls[g])]
        assert inner and all(any(_inside(p, cell) for cell in areas[g]) for p in inner)
    svg = render_map(
        [
            MapPoint(120 + x / 100, 30 + y / 100, f"{g}{k}", "green", "township", g)
            for g, pts in groups.items()
            for k, (x, y) in enumerate(pts)
        ]
    )
    assert svg.count('<g class="county"') == 2
