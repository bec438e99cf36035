"""The demo's target profiles, from the source documents (000, 001)."""

from sqlmodel import Session

from inventory.services import targets

TARGET_PROFILES = [
    dict(
        code="standard",
        name_zh="常态目标（2022年起）",
        name_en="Standard (from 2022)",
        physical_days=10,
        all_forms_days=30,
        long_days=90,
        source="000: 实物储备不少于10天, 30天满负荷, 2022年底满足3个月需求",
    ),
    dict(
        code="autumn_winter",
        name_zh="秋冬季目标",
        name_en="Autumn and winter",
        physical_days=30,
        all_forms_days=30,
        long_days=90,
        season_start_month=10,
        season_end_month=3,
        source="001: 秋冬季医疗机构应当满足30天满负荷运转需要",
    ),
    dict(
        code="step_2021",
        name_zh="2021年阶段目标（2个月）",
        name_en="2021 step (two months)",
        physical_days=10,
        all_forms_days=30,
        long_days=60,
        source="000: 到2021年底满足2个月需求",
    ),
]


def load_targets(session: Session) -> int:
    """The target profiles; the standard one is active unless another was chosen."""
    for profile in TARGET_PROFILES:
        targets.upsert_profile(session, **profile)
    if targets.active_profile(session) is None:
        targets.activate_profile(session, "standard")
    return len(TARGET_PROFILES)
