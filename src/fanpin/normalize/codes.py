"""Value vocabularies and parsers for coded, date, month and number columns.

Pure and vectorised: each parser works on the distinct values of a column (a column of a
million rows holds a few dozen levels or a few thousand dates) and maps the answers back.
Every parser returns NA for blank and for unrecognised input; callers that need to tell the
two apart compare with `raw.isna()`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from fanpin.errors import ErrorCode, InputError
from fanpin.resources import schema_file

STRING = pd.StringDtype("pyarrow")

# Excel's day 0 is 1899-12-30 for every serial after 60 (it counts a 29 Feb 1900 that never
# was); serials that small are never real dates here.
EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
# Five-digit serials only: 10000 is 1927-05-18, 99999 is 2173-10-14. Shorter numbers are far
# more likely a typo or a year than a date.
_SERIAL = r"^(\d{5})(?:\.\d+)?$"
_SEP_DATE = (
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE = r"^(\d{4})(\d{2})(\d{2})$"
_SEP_MONTH = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月份?)?$"
_COMPACT_MONTH = r"^(\d{4})(\d{2})$"
_BLANKS = r"[\s\x{200B}-\x{200F}\x{2060}\x{FEFF}]"
_BLANKS_RE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]")

MIN_YEAR = 1900
MAX_YEAR = 2100
MIN_MONTH_YEAR = 1990


@dataclass(frozen=True)
class Vocabulary:
    """One coded column's accepted spellings (normalised) and canonical values."""

    name: str
    label: str
    integer: bool
    canonical: tuple[str, ...]  # in file order, as text ("1", "正常", ...)
    lookup: Mapping[str, str]  # normalised spelling -> canonical text
    examples: tuple[str, ...] = ()  # first listed spelling of each canonical value
    # (normalised word, canonical): a value no spelling matches, that contains the words of
    # exactly one canonical value, is that value ("残疾人两项补贴（护理）" holds 护理).
    contains: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        """Chinese list of accepted values for messages: 正常、注销… or 一级(1)、二级(2)…"""
        if self.integer and len(self.examples) == len(self.canonical):
            pairs = zip(self.examples, self.canonical, strict=True)
            return "、".join(f"{word}({code})" for word, code in pairs)
        return "、".join(self.canonical)


def code_key(values: pd.Series) -> pd.Series:
    """The form spellings are compared in: NFKC, no spaces or zero-width marks, upper case."""
    arr = pa.array(values.astype(STRING).array, type=pa.large_string(), from_pandas=True)
    arr = pc.utf8_upper(pc.replace_substring_regex(pc.utf8_normalize(arr, "NFKC"), _BLANKS, ""))
    return pd.Series(arr.cast(pa.string()), index=values.index, dtype=STRING)


def _key_one(text: str) -> str:
    """code_key of one spelling (same rules, plain Python: vocabularies are small)."""
    return _BLANKS_RE.sub("", unicodedata.normalize("NFKC", text)).upper()


def parse_vocabularies(data: Mapping[str, object], source: str) -> dict[str, Vocabulary]:
    """Build vocabularies from the parsed codes.toml; a spelling claimed twice is an error."""
    vocabularies: dict[str, Vocabulary] = {}
    for name, node in data.items():
        if not isinstance(node, dict) or not isinstance(node.get("values"), dict):
            raise InputError.single(
                ErrorCode.BAD_RULES, f"代码表中 [{name}] 缺少 values 节", file=source
            )
        lookup: dict[str, str] = {}
        for canonical, spellings in node["values"].items():
            if not isinstance(spellings, list):
                raise InputError.single(
                    ErrorCode.BAD_RULES,
                    f"代码表 [{name}.values] 中 {canonical} 应为列表",
                    file=source,
                )
            for spelling in [canonical, *spellings]:
                key = _key_one(str(spelling))
                if lookup.get(key, canonical) != canonical:
                    raise InputError.single(
                        ErrorCode.BAD_RULES,
                        f"代码表 [{name}] 中“{spelling}”同时对应 {lookup[key]} 和 {canonical}",
                        file=source,
                    )
                lookup[key] = canonical
        contains_node = node.get("contains", {})
        if not isinstance(contains_node, dict) or not all(
            isinstance(v, list) and str(k) in lookup.values() for k, v in contains_node.items()
        ):
            raise InputError.single(
                ErrorCode.BAD_RULES,
                f"代码表 [{name}.contains] 应为“标准值 = [词, …]”，且标准值须在 values 中",
                file=source,
            )
        vocabularies[name] = Vocabulary(
            name=name,
            label=str(node.get("label", name)),
            integer=bool(node.get("integer", False)),
            canonical=tuple(node["values"]),
            lookup=lookup,
            examples=tuple(
                str(spellings[0]) if spellings else str(canonical)
                for canonical, spellings in node["values"].items()
            ),
            contains=tuple(
                (_key_one(str(word)), str(canonical))
                for canonical, words in contains_node.items()
                for word in words
            ),
        )
    return vocabularies


def load_vocabularies(path: Path | None = None) -> dict[str, Vocabulary]:
    """Read codes.toml (the shipped one by default)."""
    if path is None:
        return dict(_default_vocabularies())
    return _load(path)


@lru_cache(maxsize=1)
def _default_vocabularies() -> dict[str, Vocabulary]:
    return _load(schema_file("codes.toml"))


def _load(path: Path) -> dict[str, Vocabulary]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError.single(
            ErrorCode.BAD_RULES, f"无法读取代码表：{exc}", file=path.name
        ) from exc
    return parse_vocabularies(data, path.name)


# ----------------------------------------------------------------------- distinct-value helper


def on_distinct(raw: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply `parse` to the distinct non-blank values of `raw` and spread the answers back."""
    codes, uniques = pd.factorize(raw.astype(STRING), use_na_sentinel=True)
    parsed = parse(pd.Series(uniques, dtype=STRING))
    # take() with -1 codes yields NA: blank cells stay blank.
    return pd.Series(parsed.array.take(codes, allow_fill=True), index=raw.index)


# ------------------------------------------------------------------------------- vocabularies


def map_codes(raw: pd.Series, vocabulary: Vocabulary) -> pd.Series:
    """Canonical value of each cell: Int8 for integer vocabularies, else string; NA if unknown."""

    lookup = dict(vocabulary.lookup)

    def parse(uniques: pd.Series) -> pd.Series:
        keys = code_key(uniques)
        canonical = keys.map(lookup).astype(STRING)
        if canonical.isna().any():
            canonical = canonical.fillna(_by_fallback(keys.where(canonical.isna()), vocabulary))
        if vocabulary.integer:
            return pd.to_numeric(canonical, errors="coerce").astype("Int8")
        return canonical

    return on_distinct(raw, parse)


# A trailing bracketed note of a normalised key (NFKC turned full-width brackets to ASCII).
_KEY_NOTE = r"(\([^()]*\)|【[^【】]*】|\[[^\[\]]*\])+$"
_KEY_BRACKETS = r"[()\[\]【】〔〕]"


def _by_fallback(keys: pd.Series, vocabulary: Vocabulary) -> pd.Series:
    """Canonical values of keys no spelling matched: without a trailing note
    ("多重残疾（肢体、智力）" is 多重残疾), else by the vocabulary's `contains` words when they
    point to exactly one value; NA when ambiguous or unknown."""
    arr = pa.array(keys.array, type=pa.large_string(), from_pandas=True)
    bare = pd.Series(pc.replace_substring_regex(arr, _KEY_NOTE, ""), dtype=STRING)
    out = bare.map(dict(vocabulary.lookup)).astype(STRING)
    if not vocabulary.contains or not out.isna().any():
        return pd.Series(out.array, index=keys.index)
    plain = pc.replace_substring_regex(arr, _KEY_BRACKETS, "")
    found: dict[str, np.ndarray] = {}
    for word, canonical in vocabulary.contains:
        hit = pc.fill_null(pc.match_substring(plain, word), False).to_numpy(zero_copy_only=False)
        found[canonical] = found.get(canonical, np.zeros(len(keys), dtype=bool)) | hit
    if found:
        hits = np.column_stack(list(found.values()))
        single = hits.sum(axis=1) == 1
        chosen = np.array(list(found), dtype=object)[hits.argmax(axis=1)]
        by_word = pd.Series(np.where(single, chosen, None), dtype=STRING)
        out = out.fillna(by_word)
    return pd.Series(out.array, index=keys.index)


# -------------------------------------------------------------------------------------- dates


def _padded(part: pd.Series, width: int) -> pd.Series:
    return part.astype("Int64").astype(STRING).str.pad(width, fillchar="0")


def _ymd(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    """datetime64[s] from text parts; impossible dates (2024-02-30) and odd years give NaT."""
    y, m, d = (pd.to_numeric(part, errors="coerce") for part in (year, month, day))
    ok = y.between(MIN_YEAR, MAX_YEAR) & m.between(1, 12) & d.between(1, 31)
    iso = _padded(y, 4) + "-" + _padded(m, 2) + "-" + _padded(d, 2)
    stamps = pd.to_datetime(iso.where(ok), format="%Y-%m-%d", errors="coerce")
    return stamps.astype("datetime64[s]")


def _serial_dates(text: pd.Series) -> pd.Series:
    days = pd.to_numeric(text.str.extract(_SERIAL, expand=False), errors="coerce")
    values = EXCEL_EPOCH + days.fillna(0).to_numpy(dtype=np.int64).astype("timedelta64[D]")
    out = pd.Series(values.astype("datetime64[s]"), index=text.index)
    return out.where(days.notna())


def _parse_dates_distinct(uniques: pd.Series) -> pd.Series:
    text = pd.Series(
        pc.utf8_trim_whitespace(pc.utf8_normalize(pa.array(uniques.array), "NFKC")),
        index=uniques.index,
        dtype=STRING,
    )
    sep = text.str.extract(_SEP_DATE)
    compact = text.str.extract(_COMPACT_DATE)
    parts = sep.fillna(compact)
    out = _ymd(parts[0], parts[1], parts[2])
    return out.fillna(_serial_dates(text)).astype("datetime64[s]")


def parse_dates(raw: pd.Series) -> pd.Series:
    """Dates written 2024-07-01, 2024/7/1, 2024.7.1, 20240701, 2024年7月1日, or an Excel
    serial number (45474 -> 2024-07-01); a time of day after the date is ignored.
    Returns datetime64[s] with NaT for blank or unreadable cells."""
    out = on_distinct(raw, _parse_dates_distinct)
    return out.astype("datetime64[s]")


def _parse_months_distinct(uniques: pd.Series) -> pd.Series:
    text = pd.Series(
        pc.utf8_trim_whitespace(pc.utf8_normalize(pa.array(uniques.array), "NFKC")),
        index=uniques.index,
        dtype=STRING,
    )
    parts = text.str.extract(_SEP_MONTH).fillna(text.str.extract(_COMPACT_MONTH))
    year = pd.to_numeric(parts[0], errors="coerce")
    month = pd.to_numeric(parts[1], errors="coerce")
    # A full date (text or Excel serial) names its month too.
    dates = _parse_dates_distinct(uniques)
    year = year.fillna(pd.Series(dates.dt.year, index=text.index))
    month = month.fillna(pd.Series(dates.dt.month, index=text.index))
    ok = (year.between(MIN_MONTH_YEAR, MAX_YEAR) & month.between(1, 12)).fillna(False)
    if not ok.all():
        q_year, q_month = _quarter_end(text.where(~ok))
        year, month = year.where(ok, q_year), month.where(ok, q_month)
        ok = (year.between(MIN_MONTH_YEAR, MAX_YEAR) & month.between(1, 12)).fillna(False)
    return (_padded(year, 4) + "-" + _padded(month, 2)).where(ok).astype(STRING)


_QUARTER = (
    r"^(\d{4})\s*(?:年度?|[-/.])?\s*"
    r"(?:第\s*([1-4一二三四])\s*季度?|Q\s*([1-4])|([1-4一二三四])\s*季度)$"
)
_MONTH_RANGE = (
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*[-~至到—–]+\s*(?:(\d{4})\s*[-/.年]\s*)?"
    r"(\d{1,2})\s*月?份?$"
)
_QUARTER_WORDS = {"一": "1", "二": "2", "三": "3", "四": "4"}


def _quarter_end(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(year, last month) of pay periods naming a quarter: "2024年第三季度", "2024Q3",
    "2024年7-9月", "2024.07-2024.09" (a range of months within one quarter). NA otherwise."""
    upper = text.str.upper()
    quarter = upper.str.extract(_QUARTER)
    number = quarter[1].fillna(quarter[2]).fillna(quarter[3]).replace(_QUARTER_WORDS)
    year = pd.to_numeric(quarter[0], errors="coerce")
    month = pd.to_numeric(number, errors="coerce") * 3
    span = upper.str.extract(_MONTH_RANGE)
    y1, m1, y2, m2 = (pd.to_numeric(span[k], errors="coerce") for k in range(4))
    within = (
        (y2.isna() | (y2 == y1))
        & (m1 >= 1)
        & (m1 <= m2)
        & (m2 <= 12)
        & ((m1 - 1) // 3 == (m2 - 1) // 3)
    )
    year = year.fillna(y1.where(within))
    month = month.fillna(m2.where(within))
    return year, month


def parse_months(raw: pd.Series) -> pd.Series:
    """Pay months written 202407, 2024-07, 2024/7, 2024.07, 2024年7月, a full date or an
    Excel serial; returns "YYYY-MM" strings, NA when blank or unreadable.

    Counties that pay quarterly write the quarter ("2024年第三季度", "2024Q3", "2024年7-9月",
    "2024.07-2024.09"): such a row stands for the quarter's last month ("2024-09"). One cell
    cannot become three rows here, and the comparison only asks whether a payment falls in
    the quarter; a range crossing quarters ("2024年6-8月") stays unreadable.

    Known shortcoming: "2024.1" reads as January, although a number cell typed 2024.10
    arrives the same way; text cells are the usual case, so January wins.
    """
    return on_distinct(raw, _parse_months_distinct)


# ------------------------------------------------------------------------------------ numbers

_AMOUNT_NOISE = r"[\s,，元¥￥]"
_INT_NOISE = r"[\s岁周]"


def _numbers(raw: pd.Series, noise: str) -> pd.Series:
    def parse(uniques: pd.Series) -> pd.Series:
        arr = pc.utf8_normalize(pa.array(uniques.array), "NFKC")
        arr = pc.replace_substring_regex(arr, noise, "")
        text = pd.Series(arr, index=uniques.index, dtype=STRING)
        return pd.to_numeric(text, errors="coerce").astype("Float64")

    return on_distinct(raw, parse)


def parse_amounts(raw: pd.Series) -> pd.Series:
    """Money amounts (yuan) as Float64: "1,200.50", "120元", "￥80" all read; NA if not a number."""
    return _numbers(raw, _AMOUNT_NOISE).astype("Float64")


def parse_ints(raw: pd.Series) -> pd.Series:
    """Whole numbers as Int64 ("45", "45岁", "45.0"); NA when blank, not a number or fractional."""
    values = _numbers(raw, _INT_NOISE)
    whole = values.notna() & (values == values.round())
    return values.where(whole).astype("Int64")


# ----------------------------------------------------------------- category and level in one

_LEVEL_WORD = r"(?:[一二三四壹贰叁肆1-4]|IV|III|II|I)级"


def split_category_level(
    raw: pd.Series, category: Vocabulary, level: Vocabulary
) -> tuple[pd.Series, pd.Series]:
    """(category, level) as Int8 from one column holding both: "肢体二级", "二级肢体",
    "肢体残疾二级", "多重（肢体、智力）一级". The level is the "N级" word wherever it stands,
    the category what is left; either is NA when it cannot be read."""

    def parse(uniques: pd.Series) -> pd.Series:
        keys = code_key(uniques)
        word = keys.str.extract(f"({_LEVEL_WORD})", expand=False)
        rest = keys.str.replace(_LEVEL_WORD, "", n=1, regex=True)
        cat = map_codes(rest, category).astype("Int16") * 10
        lvl = map_codes(word, level).astype("Int16")
        # One value per distinct cell for on_distinct: category * 10 + level, NA parts as 0.
        both = cat.fillna(0) + lvl.fillna(0)
        return both.where(both > 0).astype("Int16")

    both = on_distinct(raw, parse).astype("Int16")
    cat = (both // 10).where((both // 10) > 0).astype("Int8")
    lvl = (both % 10).where((both % 10) > 0).astype("Int8")
    return cat, lvl
