"""County submissions for the forms tests: clean ones and ones with planted errors.

Each file is made the way a county makes it: fanpin's blank template, filled in (here with
openpyxl). Synthetic people only. Run as a script to write the files into a folder:

    python -m tests.forms_fixtures tests/fixtures/forms
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd

from fanpin.forms.templates import write_template
from tests.factories import make_id

FORM_DATE = dt.date(2023, 7, 15)
CLASS_WORDS = {1: "视力", 2: "听力", 3: "言语", 4: "肢体", 5: "智力", 6: "精神", 7: "多重"}
LEVEL_WORDS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


@dataclass(frozen=True)
class Person:
    name: str
    region: str
    birth: str  # YYYYMMDD
    seq: int
    category: int
    level: int
    address: str
    phone: str

    @property
    def id(self) -> str:
        return make_id(self.region, self.birth, self.seq)

    @property
    def cert(self) -> str:
        return f"{self.id}{self.category}{self.level}"

    @property
    def sex(self) -> str:
        return "男" if self.seq % 2 else "女"

    def age_on(self, day: dt.date) -> int:
        born = dt.date(int(self.birth[:4]), int(self.birth[4:6]), int(self.birth[6:]))
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def class_text(self) -> str:
        return CLASS_WORDS[self.category] + LEVEL_WORDS[self.level]

    @property
    def places(self) -> dict[str, str]:
        """city, county, township, village split out of the address."""
        match = re.fullmatch(r"(.+?市)(.+?[区县市])(.+?(?:乡|镇|街道))(.+)", self.address)
        assert match is not None, self.address
        return dict(zip(("city", "county", "township", "village"), match.groups(), strict=True))


def _p(
    name: str, region: str, birth: str, seq: int, cat: int, lvl: int, addr: str, phone: str
) -> Person:
    return Person(name, region, birth, seq, cat, lvl, addr, phone)


# Taiyuan people. Ages on 2023-07-15 worked by hand are in the comments.
P = {
    "zhang": _p(
        "张伟", "140105", "19850315", 11, 4, 1, "太原市小店区北格镇张家村", "13812345678"
    ),  # 男 38
    "li": _p(
        "李芳", "140106", "19921102", 22, 5, 2, "太原市迎泽区桥东街道双塔社区", "0351-4567890"
    ),  # 女 30
    "wang": _p(
        "王强", "140121", "19600730", 35, 1, 2, "太原市清徐县徐沟镇东罗村", "13900001111"
    ),  # 男 62
    "zhao": _p(
        "赵丽", "140181", "19700101", 44, 6, 3, "太原市古交市河口镇西曲村", "15012345678"
    ),  # 女 53
    "liu": _p(
        "刘洋", "140107", "19880808", 51, 2, 4, "太原市杏花岭区杨家峪街道新村社区", "13712345678"
    ),  # 男 34
    "chen": _p(
        "陈静", "140108", "19751212", 62, 3, 3, "太原市尖草坪区柴村街道柴村社区", "13612345678"
    ),  # 女 47
    "yang": _p(
        "杨军", "140109", "19550505", 73, 4, 2, "太原市万柏林区小井峪街道和平社区", "13512345678"
    ),  # 男 68
    "huang": _p(
        "黄敏", "140110", "19990909", 84, 7, 1, "太原市晋源区晋祠镇赤桥村", "18812345678"
    ),  # 女 23
    "zhou": _p(
        "周涛", "140122", "19820220", 95, 4, 3, "太原市阳曲县黄寨镇北社村", "18912345678"
    ),  # 男 41
    "wu": _p(
        "吴婷", "140123", "19900614", 16, 5, 1, "太原市娄烦县杜交曲镇下石家庄村", "17712345678"
    ),  # 女 33
    "zheng": _p(
        "郑磊", "140105", "19780303", 27, 1, 1, "太原市小店区刘家堡乡刘家堡村", "13312345678"
    ),  # 男 45
    "sun": _p(
        "孙悦", "140106", "19951010", 38, 6, 2, "太原市迎泽区郝庄镇郝庄村", "13212345678"
    ),  # 女 27
    "ma": _p(
        "马超", "140107", "19660606", 49, 4, 4, "太原市杏花岭区中涧河乡中涧河村", "13112345678"
    ),  # 男 57
    "hu": _p(
        "胡兰", "140108", "19830808", 50, 2, 2, "太原市尖草坪区向阳镇向阳村", "13012345678"
    ),  # 女 39
    "guo": _p(
        "郭亮", "140109", "19720202", 61, 3, 2, "太原市万柏林区王封乡王封村", "15812345678"
    ),  # 男 51
    "he": _p(
        "何静", "140110", "19890101", 72, 4, 1, "太原市晋源区金胜镇董茹村", "15912345678"
    ),  # 女 34
    "lin": _p(
        "林峰", "140121", "19930303", 83, 5, 3, "太原市清徐县清源镇西关村", "15112345678"
    ),  # 男 30
    "dead": _p(
        "高山", "140122", "19500101", 91, 4, 1, "太原市阳曲县侯村乡侯村", "15212345678"
    ),  # 男 73
    "paid": _p(
        "罗云", "140123", "19800505", 12, 1, 3, "太原市娄烦县静游镇静游村", "15312345678"
    ),  # 女 43
    "outsider": _p(
        "梁晨", "140181", "19870707", 23, 4, 2, "太原市古交市邢家社乡邢家社村", "15512345678"
    ),  # 男 35
}
# Shuozhou: its 2023 quota in Annex 1 is 0.
SHUOZHOU = _p("宋洁", "140602", "19860606", 14, 4, 2, "朔州市朔城区南榆林乡南榆林村", "15612345678")


def roster_frame() -> pd.DataFrame:
    """roster.csv content: everyone above except `outsider`; `dead` has 证件状态 死亡."""
    rows = []
    for key, person in P.items():
        if key == "outsider":
            continue
        rows.append(
            {
                "姓名": person.name,
                "公民身份号码": person.id,
                "残疾人证号": person.cert,
                "市": person.places["city"],
                "县(区)": person.places["county"],
                "乡镇(街道)": person.places["township"],
                "村(社区)": person.places["village"],
                "联系电话": person.phone,
                "证件状态": "死亡" if key == "dead" else "正常",
            }
        )
    return pd.DataFrame(rows)


def write_roster(path: Path) -> Path:
    roster_frame().to_csv(path, index=False, encoding="utf-8-sig")
    return path


def write_history(path: Path) -> Path:
    """历年帮扶记录: `paid` received the one-off cash in 2022."""
    table = pd.DataFrame(
        [
            {
                "姓名": P["paid"].name,
                "公民身份号码": P["paid"].id,
                "帮扶措施": "资金帮扶",
                "年度": "2022",
            }
        ]
    )
    table.to_csv(path, index=False, encoding="utf-8-sig")
    return path


# ------------------------------------------------------------------------------- Annex 3


@dataclass
class Row3:
    """One Annex 3 row as a county writes it; fields default to the person's true data."""

    person: Person
    name: str | None = None
    sex: str | None = None
    age: object = None
    class_text: str | None = None
    number: object = None  # text, or a float to mimic a number-formatted cell
    address: str | None = None
    phone: str | None = None
    amount: object = 500


def annex3_values(row: Row3, seq: int) -> list[object]:
    p = row.person
    return [
        seq,
        p.name if row.name is None else row.name,
        p.sex if row.sex is None else row.sex,
        p.age_on(FORM_DATE) if row.age is None else row.age,
        p.class_text if row.class_text is None else row.class_text,
        p.cert if row.number is None else row.number,
        p.address if row.address is None else row.address,
        p.phone if row.phone is None else row.phone,
        row.amount,
        "",
    ]


def write_annex3_file(
    path: Path,
    rows: list[Row3],
    *,
    closing: str | None,
    city: str | None = "太原市",
    year: int | None = 2023,
    date: dt.date | None = FORM_DATE,
) -> Path:
    """Fill fanpin's Annex 3 template: data from Excel row 5, the closing line after them.

    `closing` replaces the template's closing line (None keeps its blanks)."""
    write_template("annex3", path, city=city, year=year, rows=len(rows), date=date)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    for i, row in enumerate(rows):
        for col, value in enumerate(annex3_values(row, i + 1), start=1):
            sheet.cell(5 + i, col, value)
    if closing is not None:
        sheet.cell(5 + len(rows), 1, closing)
    book.save(path)
    return path


def clean_annex3_rows() -> list[Row3]:
    return [Row3(P[k]) for k in ("zhang", "li", "wang", "zhao")]


# Closing line for the four clean rows: 4 × 500 = 2000 = 贰仟元整.
CLEAN_CLOSING = "合计慰问：4人，金额总计：2000元，大写贰仟元整。"


def planted_annex3_rows() -> list[Row3]:
    """Excel rows 5–23; the planted error of each row is in the comment."""
    return [
        Row3(P["zhang"]),  # 5: clean
        Row3(P["li"], sex="男"),  # 6: SEX_MISMATCH C6 (seq 022 is even: 女)
        Row3(P["wang"], age=60),  # 7: AGE_MISMATCH D7 (born 1960-07-30: 62 on 2023-07-15)
        Row3(P["zhao"], name="赵莉"),  # 8: ROSTER_NAME_MISMATCH B8 (roster: 赵丽)
        Row3(P["liu"], class_text="肢体四级"),  # 9: CLASS_MISMATCH E9 (certificate 24: 听力四级)
        Row3(P["chen"], class_text="残疾"),  # 10: CLASS_INVALID E10
        Row3(
            P["yang"], number=P["yang"].id[:17] + _wrong_check(P["yang"].id)
        ),  # 11: ID_INVALID F11
        Row3(P["huang"], number=float(P["huang"].cert)),  # 12: ID_UNRECOVERABLE F12
        Row3(P["zhou"], number=P["zhou"].cert[:19]),  # 13: CERT_INVALID F13 (19 characters)
        Row3(P["outsider"]),  # 14: NOT_ON_ROSTER F14
        Row3(P["dead"]),  # 15: DECEASED B15
        Row3(P["paid"]),  # 16: ALREADY_PAID F16 (paid in 2022)
        Row3(P["zhang"]),  # 17: DUPLICATE_IN_FILE F17 (same as row 5)
        Row3(P["wu"], amount=600),  # 18: AMOUNT_NOT_STANDARD I18
        Row3(P["zheng"], address="太原市平遥县城关镇北关村"),  # 19: COUNTY_NOT_IN_CITY G19
        Row3(P["sun"], address="大同市平城区新建南路街道新建社区"),  # 20: ADDRESS_OUTSIDE_CITY G20
        Row3(P["ma"], address="小店区"),  # 21: ADDRESS_INCOMPLETE G21
        Row3(P["hu"], phone="12345"),  # 22: PHONE_IMPLAUSIBLE H22
        Row3(P["guo"], name=""),  # 23: REQUIRED_EMPTY B23
    ]


# 19 rows, amounts 18 × 500 + 600 = 9600. The line claims 18 people and 9000 yuan, and its
# capital 捌仟元整 (8000) disagrees with the 9000 written in digits.
PLANTED_CLOSING = "合计慰问：18人，金额总计：9000元，大写捌仟元整。"

PLANTED_ANNEX3 = {
    ("SEX_MISMATCH", "C6"),
    ("AGE_MISMATCH", "D7"),
    ("ROSTER_NAME_MISMATCH", "B8"),
    ("CLASS_MISMATCH", "E9"),
    ("CLASS_INVALID", "E10"),
    ("ID_INVALID", "F11"),
    ("ID_UNRECOVERABLE", "F12"),
    ("CERT_INVALID", "F13"),
    ("NOT_ON_ROSTER", "F14"),
    ("DECEASED", "B15"),
    ("ALREADY_PAID", "F16"),
    ("DUPLICATE_IN_FILE", "F17"),
    ("AMOUNT_NOT_STANDARD", "I18"),
    ("COUNTY_NOT_IN_CITY", "G19"),
    ("ADDRESS_OUTSIDE_CITY", "G20"),
    ("ADDRESS_INCOMPLETE", "G21"),
    ("PHONE_IMPLAUSIBLE", "H22"),
    ("REQUIRED_EMPTY", "B23"),
    ("TOTAL_COUNT_MISMATCH", "A24"),
    ("TOTAL_AMOUNT_MISMATCH", "A24"),
    ("CAPITAL_MISMATCH", "A24"),
}


def _wrong_check(valid_id: str) -> str:
    """A check character that is not the right one."""
    return "1" if valid_id[-1] != "1" else "2"


# ------------------------------------------------------------------------------- Annex 2


@dataclass
class Form2:
    person: Person
    id_number: str | None = None
    household_size: object = 4
    labour_count: object = 2
    income: object = 6000
    bank_card: object = "6222021234567890123"
    bank_name: str = "中国工商银行太原分行"
    amount: object = 500


# Cells of the value fields in the first form (fanpin's template); form n adds 10 × (n-1) rows.
ANNEX2_CELLS = {
    "name": "B2",
    "sex": "E2",
    "age": "G2",
    "cert_number": "B3",
    "class_text": "G3",
    "id_number": "B4",
    "phone": "F4",
    "address": "B5",
    "household_size": "C6",
    "labour_count": "E6",
    "income": "G6",
    "amount": "B7",
    "bank_card": "C8",
    "bank_name": "F8",
}


def shifted(cell: str, form_index: int) -> str:
    letters = cell.rstrip("0123456789")
    return f"{letters}{int(cell[len(letters) :]) + 10 * form_index}"


def write_annex2_file(path: Path, forms: list[Form2]) -> Path:
    write_template("annex2", path, forms=len(forms))
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert sheet is not None
    for i, form in enumerate(forms):
        p = form.person
        values = {
            "name": p.name,
            "sex": p.sex,
            "age": p.age_on(FORM_DATE),
            "cert_number": p.cert,
            "class_text": p.class_text,
            "id_number": p.id if form.id_number is None else form.id_number,
            "phone": p.phone,
            "address": p.address,
            "household_size": form.household_size,
            "labour_count": form.labour_count,
            "income": form.income,
            "amount": form.amount,
            "bank_card": form.bank_card,
            "bank_name": form.bank_name,
        }
        for field, value in values.items():
            sheet[shifted(ANNEX2_CELLS[field], i)] = value
    book.save(path)
    return path


GUARDIAN_ID = make_id("140105", "19600101", 31)

PLANTED_ANNEX2_FORMS = [
    Form2(P["zhang"]),  # form 1: clean
    Form2(P["li"], id_number=GUARDIAN_ID, household_size=3, labour_count=5),
    Form2(P["wang"], income="约3000", bank_card="6222 0000 1234"),
]
# Form 2 starts at row 12, form 3 at row 22.
PLANTED_ANNEX2 = {
    ("ID_NOT_HOLDER", "B14"),  # a guardian's ID in 本人身份证号: a warning
    ("HOUSEHOLD_INVALID", "E16"),  # 劳动力数 5 > 人口数 3
    ("INCOME_INVALID", "G26"),  # 约3000 is not a number
    ("BANK_CARD_INVALID", "C28"),  # 12 digits
}


# ------------------------------------------------------------------------------- Annex 4


def write_annex4_file(
    path: Path,
    counts: dict[str, list[int | float | str]],
    *,
    total: list[int | float | str] | None,
    city: str | None = "太原市",
    labels: dict[int, str] | None = None,
    unit_of_10: str | None = None,
) -> Path:
    """Fill fanpin's Annex 4 template for `city`: rows from Excel row 6 in the template's
    county order; `counts` maps county -> 13 values; `total` overwrites the 合计 row's
    formulas with literal numbers (None deletes the row's label and values)."""
    write_template("annex4", path, city=city)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    r = 6
    while sheet.cell(r, 1).value not in ("合计",):
        label = sheet.cell(r, 1).value
        if labels and r in labels:
            sheet.cell(r, 1, labels[r])
        for col, value in enumerate(counts.get(str(label), []), start=2):
            sheet.cell(r, col, value)
        r += 1
    for col in range(2, 15):
        sheet.cell(r, col).value = None if total is None else total[col - 2]
    if total is None:
        sheet.cell(r, 1).value = None
    if unit_of_10 is not None:
        sheet.cell(4, 14, unit_of_10)
    book.save(path)
    return path


ZEROS = [0] * 13


def clean_annex4_counts() -> tuple[dict[str, list[int | float | str]], list[int | float | str]]:
    """Two counties filled; the total row is their sum, column by column."""
    xiaodian: list[int | float | str] = [5, 1, 2, 1, 1, 0, 1, 0, 2, 1, 1, 3, 2]
    yingze: list[int | float | str] = [3, 0, 1, 2, 0, 1, 0, 1, 1, 0, 0, 1, 1]
    total: list[int | float | str] = [8, 1, 3, 3, 1, 1, 1, 1, 3, 1, 1, 4, 3]
    return {"小店区": xiaodian, "迎泽区": yingze}, total


def write_all(folder: Path) -> list[Path]:
    """Every fixture file, for a person to open (see module docstring)."""
    folder.mkdir(parents=True, exist_ok=True)
    counts, total = clean_annex4_counts()
    return [
        write_roster(folder / "名单.csv"),
        write_history(folder / "历年帮扶记录.csv"),
        write_annex3_file(folder / "附件3_干净.xlsx", clean_annex3_rows(), closing=CLEAN_CLOSING),
        write_annex3_file(
            folder / "附件3_预埋错误.xlsx", planted_annex3_rows(), closing=PLANTED_CLOSING
        ),
        write_annex2_file(folder / "附件2_预埋错误.xlsx", PLANTED_ANNEX2_FORMS),
        write_annex4_file(folder / "附件4_干净.xlsx", counts, total=total),
    ]


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "forms_fixtures")):
        print(written)
