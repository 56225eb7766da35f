"""Real Shanxi county codes (GB/T 2260) and synthetic township and village names."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fanpin.resources import schema_file

# Long-distance dialling prefixes of the eleven cities, for landline numbers.
AREA_CODES = {
    "1401": "0351",
    "1402": "0352",
    "1403": "0353",
    "1404": "0355",
    "1405": "0356",
    "1406": "0349",
    "1407": "0354",
    "1408": "0359",
    "1409": "0350",
    "1410": "0357",
    "1411": "0358",
}

_LOC_LINE = re.compile(r'\s+(\d{4}) county="(?:\[(\d*)-(\d*)\])?(.*)"')


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    start: int  # 0 when the code predates the records
    end: int  # 0 while current


@dataclass(frozen=True)
class Counties:
    """Current county-level units, one entry per index."""

    code: np.ndarray  # int64, 6 digits
    name: np.ndarray  # str
    city_code: np.ndarray  # str, e.g. "140100"
    city_name: np.ndarray  # str
    start: np.ndarray  # int64 year the code came into use (0 = long before)

    def __len__(self) -> int:
        return len(self.code)


def _read_divisions_csv(path: Path) -> list[Division]:
    with path.open(encoding="utf-8") as fh:
        return [
            Division(r["code"], r["name"], int(r["start"] or 0), int(r["end"] or 0))
            for r in csv.DictReader(fh)
        ]


def _read_stdnum_loc() -> list[Division]:
    """Fallback when schemas/divisions.csv is absent: python-stdnum's loc.dat, section 14."""
    import stdnum.cn  # dev dependency only

    text = Path(stdnum.cn.__file__).with_name("loc.dat").read_text(encoding="utf-8")
    out: list[Division] = []
    inside = False
    for line in text.splitlines():
        if line.startswith("14 "):
            inside = True
            continue
        if inside and not line.startswith(" "):
            break
        match = _LOC_LINE.match(line) if inside else None
        if match:
            code4, start, end, name = match.groups()
            out.append(Division("14" + code4, name, int(start or 0), int(end or 0)))
    return out


def load_divisions() -> list[Division]:
    path = schema_file("divisions.csv")
    return _read_divisions_csv(path) if path.is_file() else _read_stdnum_loc()


def _is_county(d: Division) -> bool:
    return not d.code.endswith("00") and d.name != "市辖区"


def load_counties() -> Counties:
    """Current county-level codes of Shanxi (117 today), with their cities."""
    divisions = load_divisions()
    cities = {d.code: d.name for d in divisions if d.code.endswith("00") and d.end == 0}
    current = [d for d in divisions if _is_county(d) and d.end == 0]
    return Counties(
        code=np.array([int(d.code) for d in current], dtype=np.int64),
        name=np.array([d.name for d in current]),
        city_code=np.array([d.code[:4] + "00" for d in current]),
        city_name=np.array([cities.get(d.code[:4] + "00", "") for d in current]),
        start=np.array([d.start for d in current], dtype=np.int64),
    )


def historic_codes() -> list[Division]:
    """County codes since abolished (e.g. 142101 under 雁北地区); old IDs still carry them."""
    return [d for d in load_divisions() if _is_county(d) and d.end and d.end >= 1950]


# Syllables for synthetic place names (invented; any resemblance is chance).
_HEADS = list("东西南北上下前后大小新高长古石柳杨槐桃杏枣梨红青白黄金龙凤安平宁泰和兴丰庆永福寿")
_TAILS = list("河山川沟坪峪庄堡口岭泉湾营寨屯头坡店关城园台桥塔林源")
_FAMILY = list("王李张刘陈杨赵郭梁韩冯白武贾牛")
_FAMILY_TAILS = ["家庄", "家沟", "家堡", "家坪", "家峪", "家湾"]


def _stems(rng: np.random.Generator, n: int) -> np.ndarray:
    """n candidate place-name stems: 王家庄-like or two syllables."""
    family = np.strings.add(
        np.array(_FAMILY)[rng.integers(0, len(_FAMILY), n)],
        np.array(_FAMILY_TAILS)[rng.integers(0, len(_FAMILY_TAILS), n)],
    )
    plain = np.strings.add(
        np.array(_HEADS)[rng.integers(0, len(_HEADS), n)],
        np.array(_TAILS)[rng.integers(0, len(_TAILS), n)],
    )
    return np.where(rng.random(n) < 0.3, family, plain)


@dataclass(frozen=True)
class Places:
    """Township names per (county, township) and village names per (county, township,
    village); small tables built once, then indexed by the vectorised generator."""

    townships: np.ndarray  # (n_counties, n_town) str
    villages: np.ndarray  # (n_counties, n_town, n_village) str


def make_places(
    counties: Counties, rng: np.random.Generator, n_town: int, n_village: int
) -> Places:
    """Invented townships (镇/乡, 街道 in districts) and villages (村, 社区 under 街道)."""
    towns = np.empty((len(counties), n_town), dtype=object)
    villages = np.empty((len(counties), n_town, n_village), dtype=object)
    kinds = np.array(["镇", "乡", "镇"])
    for c, county_name in enumerate(counties.name):  # one small draw per county
        urban = str(county_name).endswith("区")
        suffix = np.resize(np.array(["街道", "镇"]) if urban else kinds, n_town)
        towns[c] = _distinct_with(rng, suffix)
        for t in range(n_town):
            tail = "社区" if suffix[t] == "街道" else "村"
            villages[c, t] = _distinct_with(rng, np.full(n_village, tail))
    return Places(towns.astype(str), villages.astype(str))


def _distinct_with(rng: np.random.Generator, suffixes: np.ndarray) -> np.ndarray:
    """One distinct name per suffix given (stem + suffix)."""
    n = len(suffixes)
    while True:
        stems = _stems(rng, 3 * n + 10)
        _, first = np.unique(stems, return_index=True)
        keep = np.sort(first)[:n]
        if len(keep) == n:
            return np.strings.add(stems[keep], suffixes)
