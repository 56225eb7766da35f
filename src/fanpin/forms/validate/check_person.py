"""Checks on each person row of Annex 2 / Annex 3: identifiers, sex, age, class, amount,
registers, address, phone and bank card. Column-wise over the (small) entries frame."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from fanpin.forms.people import CATEGORY_WORDS, parse_class_text
from fanpin.forms.places import counties_in_city, parse_addresses
from fanpin.forms.validate.context import CheckContext
from fanpin.forms.validate.model import STR, FormSheet
from fanpin.forms.validate.problems import Problem
from fanpin.measures.ages import completed_years
from fanpin.normalize.certs import CERT_FORMAT, CERT_OK, CERT_UNRECOVERABLE, parse_certs
from fanpin.normalize.ids import (
    STATUS_CHECK,
    STATUS_DATE,
    STATUS_FORMAT,
    STATUS_OK,
    STATUS_UNRECOVERABLE,
    birth_dates,
    clean_id_text,
    normalize_ids,
    sexes,
)
from fanpin.normalize.labels import LEVEL_NAMES
from fanpin.normalize.names import normalize_names
from fanpin.privacy import mask_phone, mask_value

ID_MESSAGES = {
    STATUS_FORMAT: "身份证号应为 18 位（旧证 15 位）数字，最后一位可以是 X",
    STATUS_DATE: "身份证号中的出生日期不存在",
    STATUS_CHECK: "身份证号最后一位（校验位）不对，可能有数字录错",
}
_CERT_SHAPE = r"\d{17}[\dX][1-7][1-4](B[1-9])?"
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def shown(field: str, value: object) -> str:
    """The cell as found, masked when personal (IDs, certificates, phones, cards, income)."""
    text = "" if value is None or value is pd.NA else str(value)
    if not text:
        return ""
    if field in ("number", "id_number", "cert_number", "bank_card"):
        return mask_value(text)
    if field == "phone":
        return mask_phone(text)
    if field == "income":
        return "***"
    return text


class Emitter:
    """Collects problems for rows of one form's entries."""

    def __init__(self, form: FormSheet) -> None:
        self.form = form
        self.entries = form.entries
        self.problems: list[Problem] = []

    def add(
        self,
        code: str,
        mask: pd.Series,
        field: str,
        message: str | pd.Series,
        severity: str = "",
    ) -> None:
        hits = mask.fillna(False).astype(bool)
        for idx in self.entries.index[hits.to_numpy()]:
            text = message if isinstance(message, str) else str(message.at[idx])
            self.problems.append(
                Problem(
                    code,
                    self.form.file,
                    self.form.sheet,
                    str(self.entries.at[idx, f"{field}@"] or ""),
                    shown(field, self.entries.at[idx, field]),
                    text,
                    severity,
                )
            )


def _col(entries: pd.DataFrame, field: str) -> pd.Series:
    if field in entries:
        return entries[field].astype(STR).fillna("").str.strip()
    return pd.Series("", index=entries.index, dtype=STR)


def _numbers(text: pd.Series) -> pd.Series:
    """Numbers written in cells (500, 500.0, 1,000, 500元); NA where not a number."""
    clean = text.str.replace(r"[,，\s元]", "", regex=True)
    return pd.to_numeric(clean.where(clean.str.match(_NUMBER)), errors="coerce")


def identifiers(form: FormSheet) -> pd.DataFrame:
    """Raw ID and certificate texts with the field each sits in (Annex 3 has one column,
    残疾证号/身份证号, holding either)."""
    e = form.entries
    if "number" in e:
        number = _col(e, "number")
        clean = clean_id_text(number)
        certish = clean.str.len().ge(19).fillna(False) | clean.str.fullmatch(_CERT_SHAPE).fillna(
            False
        )
        certish &= ~clean.str.contains(r"[Ee.]", regex=True).fillna(False)
        return pd.DataFrame(
            {
                "id_raw": number.where(~certish, ""),
                "cert_raw": number.where(certish, ""),
                "id_field": "number",
                "cert_field": "number",
            },
            index=e.index,
        )
    return pd.DataFrame(
        {
            "id_raw": _col(e, "id_number"),
            "cert_raw": _col(e, "cert_number"),
            "id_field": "id_number",
            "cert_field": "cert_number",
        },
        index=e.index,
    )


def check_identifiers(out: Emitter, today: dt.date) -> pd.Series:
    """ID and certificate checks; returns the holder's valid ID per row (NA when none)."""
    form = out.form
    raw = identifiers(form)
    id_field, cert_field = str(raw["id_field"].iloc[0]), str(raw["cert_field"].iloc[0])
    ids = normalize_ids(raw["id_raw"].replace("", pd.NA), today)
    certs = parse_certs(raw["cert_raw"].replace("", pd.NA))
    cert_ids = normalize_ids(certs["cert_id"], today)

    # Damaged or malformed identifiers.
    status = ids["id_status"]
    out.add(
        "ID_UNRECOVERABLE",
        status == STATUS_UNRECOVERABLE,
        id_field,
        "身份证号被表格当成数字保存，后几位已丢失，无法恢复；请把单元格设为文本后重新录入",
    )
    for bad, message in ID_MESSAGES.items():
        out.add("ID_INVALID", status == bad, id_field, message)
    check = certs["cert_check"]
    out.add(
        "ID_UNRECOVERABLE",
        check == CERT_UNRECOVERABLE,
        cert_field,
        "残疾证号被表格当成数字保存，后几位已丢失，无法恢复；请把单元格设为文本后重新录入",
    )
    out.add(
        "CERT_INVALID",
        check == CERT_FORMAT,
        cert_field,
        "残疾证号应为 20 位：18 位身份证号 + 残疾类别 1 位 + 残疾等级 1 位"
        "（补发证后加 B 和 1 位数字）",
    )
    cert_ok = check == CERT_OK
    bad_cert_id = cert_ok & (cert_ids["id_status"] != STATUS_OK)
    out.add("CERT_INVALID", bad_cert_id, cert_field, "残疾证号的前 18 位不是有效的身份证号")

    # Whose form is it: the certificate holder, else the ID given.
    holder = cert_ids["id"].where(cert_ok).fillna(ids["id"]).astype(STR)
    both = ids["id"].notna() & cert_ids["id"].notna() & cert_ok
    differ = both & (ids["id"] != cert_ids["id"])
    if form.kind == "annex2":
        out.add(
            "ID_NOT_HOLDER",
            differ,
            id_field,
            "身份证号与残疾证号中的身份证号不同；若填写的是监护人身份证号可忽略",
        )
    else:
        out.add("CERT_ID_MISMATCH", differ, cert_field, "残疾证号前 18 位与身份证号不同")

    # Class and level against the certificate.
    cls_text = _col(form.entries, "class_text")
    if "class_text" in form.entries:
        parsed = parse_class_text(cls_text)
        unreadable = (cls_text != "") & (parsed["category"].isna() | parsed["level"].isna())
        out.add(
            "CLASS_INVALID",
            unreadable,
            "class_text",
            "应写明残疾类别和等级，如“肢体二级”",
        )
        cat, lvl = certs["cert_category"], certs["cert_level"]
        mismatch = (
            cert_ok
            & ~unreadable
            & (cls_text != "")
            & ((parsed["category"] != cat) | (parsed["level"] != lvl)).fillna(False)
        )
        expected = cat.astype("Int64").map(CATEGORY_WORDS) + lvl.astype("Int64").map(LEVEL_NAMES)
        out.add(
            "CLASS_MISMATCH",
            mismatch,
            "class_text",
            "残疾证号显示为“" + expected.fillna("") + "”",
        )
    return holder


def check_sex_age(out: Emitter, holder: pd.Series, ctx: CheckContext) -> None:
    e = out.entries
    if "sex" in e:
        sex = _col(e, "sex").str.replace("性", "", regex=False)
        bad = (sex != "") & ~sex.isin(["男", "女"])
        out.add("SEX_MISMATCH", bad, "sex", "性别应填“男”或“女”")
        expected = sexes(holder)
        wrong = ~bad & (sex != "") & expected.notna() & (sex != expected)
        out.add("SEX_MISMATCH", wrong, "sex", "按身份证号应为“" + expected.fillna("") + "”")
    if "age" in e:
        age_text = _col(e, "age").str.replace(r"(周岁|岁)$", "", regex=True)
        age = pd.to_numeric(age_text.where(age_text.str.fullmatch(r"\d{1,3}")), errors="coerce")
        out.add("AGE_MISMATCH", (age_text != "") & age.isna(), "age", "年龄应为整数周岁")
        start, end, when = age_window(out.form, ctx)
        births = birth_dates(holder)
        low = completed_years(births, start) - ctx.rules.age_tolerance
        high = completed_years(births, end) + ctx.rules.age_tolerance
        wrong = age.notna() & low.notna() & ((age < low) | (age > high)).fillna(False)
        true_low, true_high = low + ctx.rules.age_tolerance, high - ctx.rules.age_tolerance
        span = true_low.astype(str).where(
            true_low == true_high, true_low.astype(str) + "–" + true_high.astype(str)
        )
        out.add("AGE_MISMATCH", wrong, "age", f"按身份证号，{when}应为 " + span + " 周岁")


def age_window(form: FormSheet, ctx: CheckContext) -> tuple[dt.date, dt.date, str]:
    """The dates the form's ages refer to: its own date, --date, its year, or today."""
    date = form.date or ctx.date
    if date:
        return date, date, f"{date.year}年{date.month}月{date.day}日"
    year = form.year or ctx.year
    if year:
        return dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year}年内"
    return ctx.today, ctx.today, "今天"


def check_required(out: Emitter, fields: dict[str, str]) -> None:
    for field, label in fields.items():
        if field in out.entries:
            empty = _col(out.entries, field) == ""
            out.add("REQUIRED_EMPTY", empty, field, f"“{label}”未填写")


def check_amount(out: Emitter, ctx: CheckContext) -> None:
    if "amount" not in out.entries:
        return
    text = _col(out.entries, "amount")
    value = _numbers(text)
    standard = ctx.rules.standard_amount
    wrong = (text != "") & (value.isna() | (value != standard))
    out.add("AMOUNT_NOT_STANDARD", wrong, "amount", f"一次性救助金标准为每人 {standard} 元")


def check_registers(out: Emitter, holder: pd.Series, ctx: CheckContext, year: int | None) -> None:
    e = out.entries
    key_field = "number" if "number" in e else "cert_number"
    roster = ctx.registers.roster
    if roster is not None:
        found = holder.isin(roster["id"])
        out.add(
            "NOT_ON_ROSTER",
            holder.notna() & ~found,
            key_field,
            "不在未解除返贫风险残疾人名单中，不属于本次帮扶对象",
        )
        info = pd.DataFrame({"id": holder}).merge(roster, on="id", how="left")
        info.index = e.index
        names = normalize_names(_col(e, "name"))
        written = _col(e, "name") != ""
        differ = found & written & info["name_norm"].notna()
        differ &= (names != info["name_norm"]).fillna(False)
        out.add("ROSTER_NAME_MISMATCH", differ, "name", "名单中同一身份证号的姓名不同")
        dead = found & info["cert_status"].isin(list(ctx.rules.dead_cert_status))
        out.add(
            "DECEASED",
            dead,
            "name",
            "名单中证件状态为“" + info["cert_status"].fillna("") + "”，已死亡人员不纳入帮扶",
        )
    history = ctx.registers.history
    if history is not None and len(history):
        earlier = history if year is None else history[history["year"] != year]
        first = earlier.sort_values("year").drop_duplicates("id")
        info = pd.DataFrame({"id": holder}).merge(first, on="id", how="left")
        info.index = e.index
        paid = holder.notna() & info["year"].notna()
        message = (
            "已于 "
            + info["year"].astype(str)
            + " 年发放过一次性救助金（见“"
            + info["source"].fillna("")
            + "”），每人只发一次"
        )
        out.add("ALREADY_PAID", paid, key_field, message)


def check_address(out: Emitter, form_city: str | None) -> pd.DataFrame:
    """Address completeness, city and county; returns the parsed addresses."""
    address = _col(out.entries, "address")
    parsed = parse_addresses(address.replace("", pd.NA))
    written = address != ""
    out.add(
        "ADDRESS_INCOMPLETE",
        written & ~parsed["complete"],
        "address",
        "请按“X市X县/区X乡/镇X村”写全家庭住址",
    )
    if form_city:
        outside = written & parsed["city"].notna() & (parsed["city"] != form_city).fillna(False)
        out.add("ADDRESS_OUTSIDE_CITY", outside, "address", f"本表为{form_city}，住址却在其他市")
    city = parsed["city"].fillna(form_city) if form_city else parsed["city"]
    inside = counties_in_city(parsed["county"], city)
    out.add(
        "COUNTY_NOT_IN_CITY",
        written & (inside == False),  # noqa: E712 (NA means unknown, not a problem)
        "address",
        parsed["county"].fillna("") + "不属于" + city.fillna(""),
    )
    return parsed


def _phone_ok(text: str, mobile: re.Pattern[str], landline: re.Pattern[str], sep: str) -> bool:
    parts = [p for p in re.split(sep, text) if p]
    if not parts:
        return False
    for part in parts:
        flat = re.sub(r"[()（）]", "-", part).replace("—", "-").replace("－", "-").strip("-")
        flat = flat.replace("--", "-")
        digits = flat.replace("-", "")
        if not (mobile.fullmatch(digits) or landline.fullmatch(flat) or landline.fullmatch(digits)):
            return False
    return True


def check_phone(out: Emitter, ctx: CheckContext) -> None:
    if "phone" not in out.entries:
        return
    phone = _col(out.entries, "phone").str.normalize("NFKC")
    mobile, landline = re.compile(ctx.rules.mobile), re.compile(ctx.rules.landline)
    sep = ctx.rules.phone_separators
    ok = {t: _phone_ok(t, mobile, landline, sep) for t in phone.unique() if t}
    bad = (phone != "") & ~phone.map(ok).fillna(True).astype(bool)
    out.add(
        "PHONE_IMPLAUSIBLE",
        bad,
        "phone",
        "应为 11 位手机号，或带区号的固定电话（如 0351-1234567）",
    )


def check_bank_and_household(out: Emitter, ctx: CheckContext) -> None:
    e = out.entries
    card = _col(e, "bank_card").str.replace(r"[\s-]", "", regex=True).str.normalize("NFKC")
    low, high = ctx.rules.card_min_digits, ctx.rules.card_max_digits
    bad_card = (card != "") & ~card.str.fullmatch(rf"\d{{{low},{high}}}").fillna(False)
    out.add("BANK_CARD_INVALID", bad_card, "bank_card", f"银行卡号应为 {low}–{high} 位数字")

    size_text, labour_text = _col(e, "household_size"), _col(e, "labour_count")
    size, labour = _numbers(size_text), _numbers(labour_text)
    bad_size = (size_text != "") & (size.isna() | (size < 1) | (size % 1 != 0)).fillna(True)
    bad_labour = (labour_text != "") & (labour.isna() | (labour < 0) | (labour % 1 != 0)).fillna(
        True
    )
    out.add("HOUSEHOLD_INVALID", bad_size, "household_size", "人口数应为不小于 1 的整数")
    out.add("HOUSEHOLD_INVALID", bad_labour, "labour_count", "劳动力数应为不小于 0 的整数")
    too_many = ~bad_size & ~bad_labour & (labour > size).fillna(False)
    out.add("HOUSEHOLD_INVALID", too_many, "labour_count", "劳动力数不能多于人口数")

    income_text = _col(e, "income")
    income = _numbers(income_text)
    bad_income = (income_text != "") & (income.isna() | (income < 0)).fillna(True)
    out.add("INCOME_INVALID", bad_income, "income", "年人均收入应为不小于 0 的数（元）")
