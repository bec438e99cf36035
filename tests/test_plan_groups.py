"""The plan page's overview of its lines: grouped by receiving depot, filtered, paged.

Plain objects, no database: the grouping only reads the lines and the depots they name."""

import random

from werkzeug.datastructures import MultiDict

from inventory.models import Facility, Item
from surge.models import PlanTransfer, PlanUnmet
from surge.views.plan_groups import Filters, group_transfers, group_unmet

COUNTIES = ("330602", "330603", "330624")


def _network():
    """A city depot, three county depots, and eight townships under each county."""
    facilities = {1: Facility(id=1, code="C", name="市库", tier="city", region_code="330600")}
    next_id = 2
    for county in COUNTIES:
        facilities[next_id] = Facility(
            id=next_id, code=f"K{county}", name=f"县库{county}", tier="county", region_code=county
        )
        next_id += 1
        for n in range(1, 9):
            facilities[next_id] = Facility(
                id=next_id,
                code=f"T{county}{n:03d}",
                name=f"镇{county}-{n}",
                tier="township",
                region_code=f"{county}{n:03d}",
            )
            next_id += 1
    items = {
        i: Item(id=i, code=f"I{i}", name_zh=f"物资{i}", name_en=f"Item {i}", category="drugs",
                unit_zh="盒", unit_en="boxes", unit_kg=0.5 * i, criticality=1 + i % 5)
        for i in range(1, 7)
    }  # fmt: skip
    return facilities, items


def _lines(facilities, items, n=300, seed=7):
    rng = random.Random(seed)
    ids = list(facilities)
    lines = []
    for k in range(1, n + 1):
        f, g = rng.sample(ids, 2)
        quantity = rng.randint(1, 5000)
        lines.append(
            PlanTransfer(
                id=k,
                plan_id=1,
                from_facility_id=f,
                to_facility_id=g,
                item_id=rng.choice(list(items)),
                proposed_quantity=quantity,
                quantity=quantity if k % 17 else quantity // 2,  # some lines changed by hand
                km=round(rng.uniform(1, 80), 3),
            )
        )
    return lines


def _pages(lines, facilities, items, filters=None, **kw):
    """Every page of the grouping, from the first to the last."""
    filters = filters or Filters()
    first = group_transfers(lines, facilities, items, filters, **kw)
    pages = [first]
    for page in range(2, first.pages + 1):
        filters.page = page
        pages.append(group_transfers(lines, facilities, items, filters, **kw))
    return pages


def test_every_line_is_in_exactly_one_group_on_exactly_one_page():
    facilities, items = _network()
    lines = _lines(facilities, items)
    pages = _pages(lines, facilities, items, per_page=7)
    assert len(pages) == pages[0].pages > 1
    shown = [t.id for p in pages for g in p.groups for t in g.lines]
    assert sorted(shown) == [t.id for t in lines]
    groups = [g for p in pages for g in p.groups]
    assert len(groups) == pages[0].total_groups == len({t.to_facility_id for t in lines})
    assert all(len(p.groups) <= 7 for p in pages)
    assert [p.first for p in pages] == [1 + 7 * k for k in range(len(pages))]


def test_a_group_summary_adds_up_its_lines():
    facilities, items = _network()
    lines = _lines(facilities, items)
    for page in _pages(lines, facilities, items):
        for g in page.groups:
            mine = [t for t in lines if t.to_facility_id == g.receiver.id]
            assert {t.id for t in g.lines} == {t.id for t in mine}
            assert g.units == sum(t.quantity for t in mine)
            assert g.items == len({t.item_id for t in mine if t.quantity})
            assert g.senders == len({t.from_facility_id for t in mine if t.quantity})
            expected_tkm = sum(t.quantity * items[t.item_id].unit_kg * t.km for t in mine) / 1000
            assert abs(g.tkm - expected_tkm) < 1e-6
            assert g.changed == sum(1 for t in mine if t.quantity != t.proposed_quantity)


def test_surge_depots_come_first_then_the_most_units():
    facilities, items = _network()
    lines = _lines(facilities, items)
    affected = {f.id for f in facilities.values() if f.region_code.startswith("330603")}
    groups = [g for p in _pages(lines, facilities, items, affected=affected) for g in p.groups]
    flags = [g.affected for g in groups]
    assert flags == sorted(flags, reverse=True) and flags[0] and not flags[-1]
    for surge in (True, False):
        units = [g.units for g in groups if g.affected == surge]
        assert units == sorted(units, reverse=True)


def test_the_county_overview_covers_the_whole_plan_whatever_the_filter():
    facilities, items = _network()
    lines = _lines(facilities, items)
    narrowed = group_transfers(
        lines, facilities, items, Filters(county="330624"), county_names={"330624": "新昌县"}
    )
    assert sum(c.lines for c in narrowed.counties) == len(lines)
    assert sum(c.units for c in narrowed.counties) == sum(t.quantity for t in lines)
    assert {c.code for c in narrowed.counties} == {"330600", *COUNTIES}
    assert next(c.name for c in narrowed.counties if c.code == "330624") == "新昌县"
    assert [c.units for c in narrowed.counties] == sorted(
        (c.units for c in narrowed.counties), reverse=True
    )


def test_filters_by_receiving_county_and_by_depot_at_either_end():
    facilities, items = _network()
    lines = _lines(facilities, items)
    county = _pages(lines, facilities, items, Filters(county="330602"))
    got = {t.id for p in county for g in p.groups for t in g.lines}
    assert got == {t.id for t in lines if facilities[t.to_facility_id].region_code[:6] == "330602"}
    assert county[0].lines == len(got)

    depot = 5
    by_depot = _pages(lines, facilities, items, Filters(depot=depot))
    got = {t.id for p in by_depot for g in p.groups for t in g.lines}
    assert got == {t.id for t in lines if depot in (t.from_facility_id, t.to_facility_id)}
    assert by_depot[0].units == sum(t.quantity for t in lines if t.id in got)


def test_a_focused_line_brings_its_page_and_opens_its_group():
    facilities, items = _network()
    lines = _lines(facilities, items)
    last_page = _pages(lines, facilities, items, per_page=5)[-1]
    target = last_page.groups[-1].lines[0]
    shown = group_transfers(
        lines, facilities, items, Filters(page=1), focus={target.id}, per_page=5
    )
    assert shown.page == last_page.page > 1
    opened = [g for g in shown.groups if g.open]
    assert [g.receiver.id for g in opened] == [target.to_facility_id]
    # without a focus, a long view starts with every group closed
    first = group_transfers(lines, facilities, items, Filters(), per_page=5)
    assert first.page == 1 and not any(g.open for g in first.groups)


def test_a_short_view_shows_every_group_open():
    facilities, items = _network()
    lines = _lines(facilities, items, n=12)
    shown = group_transfers(lines, facilities, items, Filters())
    assert shown.groups and all(g.open for g in shown.groups)


def test_query_values_naming_nothing_are_ignored_and_pages_are_clamped():
    facilities, items = _network()
    args = MultiDict({"county": "999999", "depot": "12345", "page": "-3"})
    assert Filters.from_args(args, facilities) == Filters()
    args = MultiDict({"county": "330603", "depot": "5", "page": "lots"})
    assert Filters.from_args(args, facilities) == Filters(county="330603", depot=5, page=1)
    lines = _lines(facilities, items)
    past_the_end = group_transfers(lines, facilities, items, Filters(page=99), per_page=10)
    assert past_the_end.page == past_the_end.pages and past_the_end.groups
    assert Filters(county="330603", page=3).args(page=None) == {"county": "330603"}
    assert Filters(depot=5, page=2).args() == {"depot": 5, "page": 2}


def _unmet(facilities, items, n=80, seed=3):
    rng = random.Random(seed)
    return [
        PlanUnmet(id=k, plan_id=1, facility_id=rng.choice(list(facilities)),
                  item_id=rng.choice(list(items)), quantity=rng.randint(1, 900))
        for k in range(1, n)
    ]  # fmt: skip


def _unmet_pages(unmet, facilities, items, filters=None, **kw):
    """Every page of the unmet need, from the first to the last."""
    filters = filters or Filters()
    first = group_unmet(unmet, facilities, items, filters, **kw)
    pages = [first]
    for page in range(2, first.pages + 1):
        filters.unmet_page = page
        pages.append(group_unmet(unmet, facilities, items, filters, **kw))
    return pages


def test_the_unmet_need_by_depot_surge_first():
    facilities, items = _network()
    unmet = _unmet(facilities, items)
    affected = {2, 3}
    groups = [
        g for p in _unmet_pages(unmet, facilities, items, affected=affected) for g in p.groups
    ]
    assert sorted(u.id for g in groups for u in g.rows) == [u.id for u in unmet]
    flags = [g.affected for g in groups]
    assert flags == sorted(flags, reverse=True)
    for g in groups:
        assert g.units == sum(u.quantity for u in unmet if u.facility_id == g.facility.id)
        ranks = [-items[u.item_id].criticality for u in g.rows]
        assert ranks == sorted(ranks)
    only = [
        g
        for p in _unmet_pages(unmet, facilities, items, Filters(county="330624"))
        for g in p.groups
    ]
    assert {g.facility.region_code[:6] for g in only} <= {"330624"}
    assert sum(len(g.rows) for g in only) == sum(
        1 for u in unmet if facilities[u.facility_id].region_code.startswith("330624")
    )


def test_the_unmet_need_is_paged_like_the_lines():
    facilities, items = _network()
    unmet = _unmet(facilities, items, n=200)
    pages = _unmet_pages(unmet, facilities, items, per_page=6)
    assert len(pages) == pages[0].pages > 2
    groups = [g for p in pages for g in p.groups]
    assert all(len(p.groups) <= 6 for p in pages)
    assert [p.first for p in pages] == [1 + 6 * k for k in range(len(pages))]
    # every depot once, every row once, on exactly one page
    assert len(groups) == pages[0].total_groups == len({u.facility_id for u in unmet})
    assert len({g.facility.id for g in groups}) == len(groups)
    assert sorted(u.id for g in groups for u in g.rows) == [u.id for u in unmet]
    # the totals are the whole view's on every page
    assert {(p.rows, p.units) for p in pages} == {(len(unmet), sum(u.quantity for u in unmet))}
    assert not any(p.open for p in pages)  # 199 rows: every group starts closed
    # the default page size: the demo plan's ~50 depots take three pages
    assert group_unmet(unmet, facilities, items, Filters()).groups == groups[:20]
    # past the end: the last page
    past = group_unmet(unmet, facilities, items, Filters(unmet_page=99), per_page=6)
    assert past.page == past.pages and past.groups == pages[-1].groups
    # under a filter: only its depots, paged on their own
    county = _unmet_pages(unmet, facilities, items, Filters(county="330603"), per_page=2)
    shown = [g.facility.id for p in county for g in p.groups]
    assert len(shown) == len(set(shown)) == county[0].total_groups > 2
    assert all(facilities[i].region_code.startswith("330603") for i in shown)


def test_a_short_unmet_need_shows_every_group_open():
    facilities, items = _network()
    assert group_unmet(_unmet(facilities, items, n=20), facilities, items, Filters()).open


def test_the_unmet_page_keeps_the_filters_and_the_lines_page():
    facilities, items = _network()
    args = MultiDict({"county": "330603", "page": "2", "unmet_page": "3"})
    filters = Filters.from_args(args, facilities)
    assert filters == Filters(county="330603", page=2, unmet_page=3)
    assert filters.args(unmet_page=4) == {"county": "330603", "page": 2, "unmet_page": 4}
    assert filters.args(page=3) == {"county": "330603", "page": 3, "unmet_page": 3}
    assert filters.args(unmet_page=1) == {"county": "330603", "page": 2}
    bad = MultiDict({"unmet_page": "-2"})
    assert Filters.from_args(bad, facilities).unmet_page == 1
    assert Filters.from_args(MultiDict({"unmet_page": "x"}), facilities).unmet_page == 1
