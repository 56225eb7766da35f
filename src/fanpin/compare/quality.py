"""Data-quality findings within one source: IDs, certificates, sex, duplicates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fanpin.findings import empty_findings, make_findings
from fanpin.normalize.ids import (
    STATUS_CHECK,
    STATUS_DATE,
    STATUS_EMPTY,
    STATUS_FORMAT,
    STATUS_UNRECOVERABLE,
    check_char,
    id_codes,
    sexes,
)
from fanpin.normalize.labels import category_label, level_label

STR = pd.StringDtype("pyarrow")


def id_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """INVALID_ID and ID_UNRECOVERABLE for every row whose ID cell is unusable."""
    parts = []
    status = frame["id_status"]
    damaged = frame[status.eq(STATUS_UNRECOVERABLE).fillna(False)]
    if len(damaged):
        parts.append(
            make_findings(
                "ID_UNRECOVERABLE",
                damaged,
                "身份证号被表格当作数字保存（科学计数法或末尾“.0”），后几位已丢失、无法恢复；"
                "请对照原始证件重新录入，并把该列设为文本格式",
                agency=str(damaged["agency"].iloc[0]),
            )
        )

    bad = frame[status.isin([STATUS_FORMAT, STATUS_DATE, STATUS_CHECK]).fillna(False)]
    # A row with no ID but a usable certificate number is linked through the certificate.
    no_key = frame[status.eq(STATUS_EMPTY).fillna(False) & frame["pid"].isna()]
    if len(bad):
        parts.append(
            make_findings(
                "INVALID_ID", bad, _invalid_detail(bad), agency=str(bad["agency"].iloc[0])
            )
        )
    if len(no_key):
        parts.append(
            make_findings(
                "INVALID_ID",
                no_key,
                "身份证号为空，且没有可用的残疾人证号，无法比对",
                agency=str(no_key["agency"].iloc[0]),
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else empty_findings()


def _invalid_detail(bad: pd.DataFrame) -> pd.Series:
    text = bad["id_clean"].astype(STR)
    detail = pd.Series("身份证号格式不对", index=bad.index, dtype=STR)
    length = text.str.len().astype("Int64").astype(STR)
    detail = detail.mask(
        bad["id_status"].eq(STATUS_FORMAT),
        "身份证号位数或字符不对（应为18位，或旧版15位；此处为" + length + "位）",
    )
    detail = detail.mask(bad["id_status"].eq(STATUS_DATE), "身份证号中的出生日期不存在")
    is_check = bad["id_status"].eq(STATUS_CHECK)
    if is_check.any():
        expected = check_char(text[is_check].str.slice(0, 17))
        detail[is_check] = (
            "身份证号校验位错误（末位为"
            + text[is_check].str.slice(17, 18)
            + "，按前17位应为"
            + expected
            + "），可能有数字录错"
        )
    return detail


def sex_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """SEX_MISMATCH where a 性别 column contradicts the ID's sequence digit."""
    if "sex" not in frame:
        return empty_findings()
    from_id = sexes(frame["id"].astype(STR))
    stated = frame["sex"].astype(STR)
    clash = stated.notna() & from_id.notna() & stated.isin(["男", "女"]) & stated.ne(from_id)
    rows = frame[clash.fillna(False)]
    if rows.empty:
        return empty_findings()
    detail = "登记性别为" + stated[rows.index] + "，身份证号显示为" + from_id[rows.index]
    return make_findings("SEX_MISMATCH", rows, detail, agency=str(rows["agency"].iloc[0]))


def cert_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """CERT_ID_MISMATCH and CERT_CLASS_MISMATCH for well-formed certificate numbers."""
    parts = []
    has_both = frame["cert_id"].notna() & frame["id"].notna()
    id_clash = frame[(has_both & frame["cert_id"].ne(frame["id"])).fillna(False)]
    if len(id_clash):
        parts.append(
            make_findings(
                "CERT_ID_MISMATCH",
                id_clash,
                "残疾人证号前18位与身份证号不一致",
                agency=str(id_clash["agency"].iloc[0]),
            )
        )

    clash = pd.Series(False, index=frame.index)
    if "category" in frame:
        clash |= (frame["cert_category"].notna() & frame["category"].notna()) & frame[
            "cert_category"
        ].astype("Int64").ne(frame["category"].astype("Int64"))
    if "level" in frame:
        clash |= (frame["cert_level"].notna() & frame["level"].notna()) & frame[
            "cert_level"
        ].astype("Int64").ne(frame["level"].astype("Int64"))
    rows = frame[clash.fillna(False)]
    if len(rows):
        blank = pd.Series("", index=rows.index, dtype=STR)
        stated_cat = category_label(rows["category"]).fillna("") if "category" in rows else blank
        stated_lvl = level_label(rows["level"]).fillna("") if "level" in rows else blank
        in_cert = category_label(rows["cert_category"]) + level_label(rows["cert_level"])
        stated = (stated_cat + stated_lvl).replace("", None)
        detail = "残疾人证号显示为" + in_cert + "，表中登记为" + stated.fillna("（空）")
        parts.append(
            make_findings("CERT_CLASS_MISMATCH", rows, detail, agency=str(rows["agency"].iloc[0]))
        )
    return pd.concat(parts, ignore_index=True) if parts else empty_findings()


def duplicate_findings(frame: pd.DataFrame, keys: list[str], what: str) -> pd.DataFrame:
    """DUPLICATE_RECORD for every repeat of `keys` after its first occurrence.

    `what` describes the duplicate in Chinese (e.g. 重复登记, 同月同类补贴重复发放).
    keys[0] is the person key pid (a normalised ID, compared as an int64 code).
    """
    pid = frame["pid"]
    pos = np.flatnonzero(pid.notna().to_numpy(dtype=bool))
    if len(pos) == 0:
        return empty_findings()
    parts = {"pid": id_codes(pid.iloc[pos])}
    for key in keys[1:]:
        parts[key] = pd.factorize(frame[key].iloc[pos])[0]
    coded = pd.DataFrame(parts)
    group = coded.groupby(list(parts), sort=False).ngroup().to_numpy()
    repeat = pd.Series(group).duplicated(keep="first").to_numpy()
    if not repeat.any():
        return empty_findings()
    # The first row of each group: groups are numbered in order of first appearance.
    first_of = pos[~repeat]  # first_of[g] = position of group g's first row
    rows = frame.iloc[pos[repeat]]
    firsts = frame.iloc[first_of[group[repeat]]]
    detail = (
        what
        + "，与“"
        + pd.Series(firsts["_source"].astype(STR).to_numpy(), index=rows.index, dtype=STR)
        + "”第"
        + pd.Series(
            firsts["_row"].astype("Int64").astype(STR).to_numpy(), index=rows.index, dtype=STR
        )
        + "行为同一人"
    )
    return make_findings("DUPLICATE_RECORD", rows, detail, agency=str(rows["agency"].iloc[0]))
