"""Province-level administrative division codes (GB/T 2260, first two digits)."""

from __future__ import annotations

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
