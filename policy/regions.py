"""Administrative division codes (GB/T 2260): the provinces by their first two digits, and the full table
of provinces, prefectures and counties in data/regions.csv (3,511 codes, taken from the MIT-licensed
adcodes.csv of the cpca package, 0.5.5, 2020 edition of the codes) for the acts that must name a real
place: an institution's registered region."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

REGIONS_FILE = Path(__file__).parent / "data" / "regions.csv"

PROVINCES: dict[str, str] = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
    "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
    "41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
    "50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
    "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
    "71": "台湾", "81": "香港", "82": "澳门",
}


def is_region_code(code: str) -> bool:
    """A six-digit division code whose province part exists."""
    return len(code) == 6 and code.isascii() and code.isdigit() and code[:2] in PROVINCES


def within_jurisdiction(case_region: str, officer_region: str) -> bool:
    """Does an officer of `officer_region` oversee a case registered in `case_region`?

    A provincial centre (440000) sees its whole province, a municipal centre
    (440300) its city (4403xx), a county centre (440305) only itself.
    """
    if not (is_region_code(case_region) and is_region_code(officer_region)):
        return False
    return case_region.startswith(region_prefix(officer_region))


def region_prefix(code: str) -> str:
    """The prefix of the codes a centre covers, in whole two-digit levels: 440000 → "44", 440300 → "4403",
    440305 → "440305"."""
    prefix = code.rstrip("0")
    return prefix + "0" if len(prefix) % 2 else prefix


@cache
def division_names() -> dict[str, str]:
    """Every code of the table, with its name."""
    with REGIONS_FILE.open(encoding="utf-8", newline="") as table:
        return {row["code"]: row["name"] for row in csv.DictReader(table)}


def registration_region_problem(code: str) -> str | None:
    """Why `code` cannot be where an institution is registered, or None: it must be a division in the
    table at county level — a district or county, or a prefecture-level city without districts (东莞市
    441900); a province or a city with districts is not an address."""
    names = division_names()
    if code not in names:
        return f"{code} 不在行政区划代码表（GB/T 2260）中 / {code} is not a division code of GB/T 2260"
    if code.endswith("0000"):
        return f"{code}（{names[code]}）是省级代码，注册地须为区县 / a province, not a district or county"
    if code.endswith("00") and any(other[:4] == code[:4] and other != code for other in names):
        return f"{code}（{names[code]}）下设区县，注册地须为区县 / a city with districts: give the district"
    return None
