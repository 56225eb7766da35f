"""Turn roster / survey rows into the person fields the annexes print.

Input frames use the English field names of schemas/columns.toml (name, id_number,
cert_number, category, level, city, county, township, village, phone, ...). Category and
level may be digits or Chinese labels (肢体残疾 / 二级); both are understood.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from fanpin.measures.ages import completed_years
from fanpin.normalize.certs import CERT_OK, parse_certs
from fanpin.normalize.ids import STATUS_OK, birth_dates, normalize_ids, sexes
from fanpin.normalize.labels import CATEGORY_NAMES, LEVEL_NAMES

STR = pd.StringDtype("pyarrow")

# Short category words as the forms write them (肢体二级), and how to find them in text.
CATEGORY_WORDS = {code: label.removesuffix("残疾") for code, label in CATEGORY_NAMES.items()}
_CATEGORY_PATTERN = "(" + "|".join(CATEGORY_WORDS.values()) + ")"
_LEVEL_PATTERN = r"([一二三四1234１２３４])\s*级"
_LEVEL_DIGITS = {
    **{ch: i for i, ch in enumerate("一二三四", start=1)},
    **{ch: i for i, ch in enumerate("1234", start=1)},
    **{ch: i for i, ch in enumerate("１２３４", start=1)},
}

# Every class text a form may carry, for drop-down lists: 视力一级 … 多重四级.
CLASS_CHOICES = [
    f"{word}{level}" for word in CATEGORY_WORDS.values() for level in LEVEL_NAMES.values()
]


def text_column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as Arrow strings, or an all-missing one when the frame lacks it."""
    if name in frame:
        return frame[name].astype(STR)
    return pd.Series(pd.NA, index=frame.index, dtype=STR)


def parse_class_text(text: pd.Series) -> pd.DataFrame:
    """Category and level codes from texts such as 肢体二级, 二级肢体, 智力残疾 3级."""
    clean = text.astype(STR).str.replace(r"\s+", "", regex=True)
    word = clean.str.extract(_CATEGORY_PATTERN)[0]
    level_char = clean.str.extract(_LEVEL_PATTERN)[0]
    by_word = {w: c for c, w in CATEGORY_WORDS.items()}
    level = level_char.map(_LEVEL_DIGITS)
    return pd.DataFrame(
        {
            "category": word.map(by_word).astype("Int8"),
            "level": level.astype("Int8"),
        },
        index=text.index,
    )


def category_codes(values: pd.Series) -> pd.Series:
    """1–7 from digits or labels (肢体, 肢体残疾); NA otherwise."""
    text = values.astype(STR).str.strip()
    digits = pd.to_numeric(text.where(text.str.fullmatch(r"[1-7]").fillna(False)), errors="coerce")
    words = parse_class_text(text)["category"]
    return digits.astype("Int8").fillna(words)


def level_codes(values: pd.Series) -> pd.Series:
    """1–4 from digits or labels (二级, 2级); NA otherwise."""
    text = values.astype(STR).str.strip()
    digits = pd.to_numeric(text.where(text.str.fullmatch(r"[1-4]").fillna(False)), errors="coerce")
    words = parse_class_text(text)["level"]
    return digits.astype("Int8").fillna(words)


def class_text(category: pd.Series, level: pd.Series) -> pd.Series:
    """肢体二级 from category 4 and level 2; NA where either is missing."""
    word = category.astype("Int64").map(CATEGORY_WORDS)
    grade = level.astype("Int64").map(LEVEL_NAMES)
    return (word + grade).astype(STR)


def address_text(frame: pd.DataFrame) -> pd.Series:
    """X市X县X乡X村 from city, county, township and village (missing parts left out)."""
    parts = [text_column(frame, f).fillna("") for f in ("city", "county", "township", "village")]
    joined = parts[0] + parts[1] + parts[2] + parts[3]
    return joined.mask(joined == "").astype(STR)


def person_fields(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Name, sex, age, class, certificate, ID, address and phone for each row.

    Sex and age come from the ID (the certificate's ID part when the ID column is empty);
    category and level from the certificate when the frame's own columns are empty.
    """
    ids = normalize_ids(text_column(frame, "id_number"))
    certs = parse_certs(text_column(frame, "cert_number"))
    cert_ok = certs["cert_check"] == CERT_OK
    cert_ids = normalize_ids(certs["cert_id"].where(cert_ok))["id"]
    person_id = ids["id"].where(ids["id_status"] == STATUS_OK)
    person_id = person_id.fillna(cert_ids).astype(STR)
    category = category_codes(text_column(frame, "category"))
    level = level_codes(text_column(frame, "level"))
    category = category.fillna(certs["cert_category"].where(cert_ok))
    level = level.fillna(certs["cert_level"].where(cert_ok))
    return pd.DataFrame(
        {
            "name": text_column(frame, "name").str.strip(),
            "sex": sexes(person_id),
            "age": completed_years(birth_dates(person_id), as_of),
            "class_text": class_text(category, level),
            "cert_number": certs["cert"].where(cert_ok).astype(STR),
            "id_number": person_id,
            "address": address_text(frame),
            "phone": text_column(frame, "phone").str.strip(),
            "city": text_column(frame, "city"),
            "county": text_column(frame, "county"),
        },
        index=frame.index,
    )
