"""Chinese labels for disability category and level digits (for details and rosters)."""

from __future__ import annotations

import pandas as pd

CATEGORY_NAMES = {
    1: "视力残疾",
    2: "听力残疾",
    3: "言语残疾",
    4: "肢体残疾",
    5: "智力残疾",
    6: "精神残疾",
    7: "多重残疾",
}
LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def category_label(codes: pd.Series) -> pd.Series:
    return codes.astype("Int64").map(CATEGORY_NAMES).astype(pd.StringDtype("pyarrow"))


def level_label(codes: pd.Series) -> pd.Series:
    return codes.astype("Int64").map(LEVEL_NAMES).astype(pd.StringDtype("pyarrow"))
