"""Province-scale rebalance problems: 11 cities, ~90 counties, ~1,300 townships, 40 items.

Deterministic for a seed. A surge multiplies the daily need in a few counties, so their
townships run short while the rest of the province holds surplus.
"""

import random

BANDS = [
    {"below_days": 3, "cost_per_day": 100},
    {"below_days": 7, "cost_per_day": 10},
    {"below_days": 10, "cost_per_day": 1},
]


def province(
    seed: int = 1,
    items: int = 40,
    surge_counties: int = 10,
    surge: float = 5.0,
    max_distance_km: float | None = 60.0,
) -> dict:
    """A problem dict in the shape of rebalance-spec.md."""
    rng = random.Random(seed)
    facilities, counties = [], []
    province_lat, province_lon = 29.2, 120.2
    for c in range(11):
        city = f"C{c:02d}"
        lat, lon = province_lat + rng.uniform(-1.3, 1.3), province_lon + rng.uniform(-1.5, 1.5)
        facilities.append(
            {
                "id": city,
                "name": city,
                "tier": "city",
                "parent": None,
                "lat": round(lat, 4),
                "lon": round(lon, 4),
                "priority": 1,
            }
        )
        for k in range(rng.randint(7, 9)):
            county = f"{city}K{k}"
            k_lat, k_lon = lat + rng.uniform(-0.35, 0.35), lon + rng.uniform(-0.4, 0.4)
            facilities.append(
                {
                    "id": county,
                    "name": county,
                    "tier": "county",
                    "parent": city,
                    "lat": round(k_lat, 4),
                    "lon": round(k_lon, 4),
                    "priority": 1,
                }
            )
            counties.append(county)
            for t in range(rng.randint(12, 17)):
                town = f"{county}T{t:02d}"
                facilities.append(
                    {
                        "id": town,
                        "name": town,
                        "tier": "township",
                        "parent": county,
                        "lat": round(k_lat + rng.uniform(-0.15, 0.15), 4),
                        "lon": round(k_lon + rng.uniform(-0.15, 0.15), 4),
                        "priority": rng.choice([1, 1, 1, 2]),
                    }
                )
    surging = set(rng.sample(counties, surge_counties))
    item_rows = [
        {
            "id": f"IT{j:02d}",
            "name": f"item {j}",
            "priority": rng.randint(1, 5),
            "unit_kg": round(rng.uniform(0.01, 5.0), 3),
        }
        for j in range(items)
    ]
    stock = []
    base = {"city": 400, "county": 60, "township": 8}
    for f in facilities:
        county = (
            f["id"] if f["tier"] == "county" else (f["parent"] if f["tier"] == "township" else None)
        )
        hit = county in surging
        for item in item_rows:
            if f["tier"] == "township" and rng.random() < 0.35:
                continue  # not in the township catalog
            need = round(base[f["tier"]] * rng.uniform(0.5, 1.5))
            cover = rng.uniform(5, 30)
            on_hand = int(need * cover)
            if hit:
                need = round(need * surge)
            stock.append(
                {"facility": f["id"], "item": item["id"], "on_hand": on_hand, "daily_need": need}
            )
    policy = {
        "bands": BANDS,
        "donor_floor_days": 10,
        "links": "any",
        "max_distance_km": max_distance_km,
        "road_factor": 1.3,
    }
    return {
        "version": 1,
        "facilities": facilities,
        "items": item_rows,
        "stock": stock,
        "policy": policy,
    }
