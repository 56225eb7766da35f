"""The roster file (未解除返贫风险残疾人名单): Chinese headers, one row per person."""

from __future__ import annotations

import pandas as pd

from fanpin.normalize.ids import birth_dates, sexes
from fanpin.normalize.labels import category_label, level_label

STR = pd.StringDtype("pyarrow")

ROSTER_COLUMNS = {
    "name": "姓名",
    "id_number": "公民身份号码",
    "cert_number": "残疾人证号",
    "sex": "性别",
    "birth_date": "出生日期",
    "category": "残疾类别",
    "level": "残疾等级",
    "city": "市",
    "county": "县(区)",
    "township": "乡镇(街道)",
    "village": "村(社区)",
    "phone": "联系电话",
    "household_type": "户类型",
    "monitor_category": "监测对象类别",
    "is_new": "是否新增",
    "cert_status": "证件状态",
    "_source": "来源文件",
    "_sheet": "工作表",
    "_row": "行号",
}


def _col(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype=STR)


def roster_table(roster: pd.DataFrame) -> pd.DataFrame:
    """Shape the roster for output; sex and birth date come from the ID, not the sheet."""
    out = pd.DataFrame(index=roster.index)
    for field in ROSTER_COLUMNS:
        out[field] = _col(roster, field)
    out["id_number"] = roster["pid"]
    out["sex"] = sexes(roster["pid"].astype(STR))
    out["birth_date"] = birth_dates(roster["pid"].astype(STR)).dt.strftime("%Y-%m-%d")
    out["category"] = category_label(_col(roster, "category"))
    out["level"] = level_label(_col(roster, "level"))
    out["is_new"] = _col(roster, "is_new").map({True: "是", False: "否"})
    out = out.astype(STR).sort_values(["city", "county", "id_number"], na_position="last")
    return out.rename(columns=ROSTER_COLUMNS).reset_index(drop=True)
