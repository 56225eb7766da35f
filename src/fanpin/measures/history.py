"""Help history (历年帮扶记录): who received which measure in which year.

Used by the once-only rules (one-off cash once over 2022–2024, 产业 once in three years,
yearly measures once a year). A row that cannot be read would silently allow a second
payment, so every bad row is an input error; all of them are reported together.
"""

from __future__ import annotations

import pandas as pd

from fanpin.errors import InputError, InputProblem
from fanpin.measures.rules import MeasuresRules
from fanpin.measures.survey import STR, clean_cells, located, parse_person_ids, parse_year
from fanpin.normalize.ids import STATUS_OK
from fanpin.privacy import mask_value

HISTORY_COLUMNS = ["pid", "measure", "year"]


def _col(frame: pd.DataFrame, key: str) -> pd.Series:
    if key in frame:
        return frame[key].astype(STR)
    return pd.Series(pd.NA, index=frame.index, dtype=STR)


def prepare_history(frame: pd.DataFrame, rules: MeasuresRules) -> pd.DataFrame:
    """Raw history rows (id_number, measure, year[, amount]) -> pid, measure (slug), year.

    Raises InputError naming every row with an invalid ID, an unknown measure or a bad year.
    """
    ids = parse_person_ids(_col(frame, "id_number"))
    aliases = {k.upper(): v for k, v in rules.measure_of_alias().items()}
    measure_text = clean_cells(_col(frame, "measure"))
    slug = measure_text.map(aliases).astype(STR)
    year, bad_year = parse_year(_col(frame, "year"))
    bad_year = bad_year.fillna("")

    problems: list[InputProblem] = []
    bad_id = (ids["id_status"] != STATUS_OK).to_numpy()
    for idx in frame.index[bad_id]:
        problems.append(
            located(
                "身份证号无效，无法核对以往帮扶",
                frame,
                idx,
                "公民身份号码",
                mask_value(_col(frame, "id_number").at[idx]),
            )
        )
    for idx in frame.index[slug.isna().to_numpy()]:
        problems.append(
            located(
                "不是已知的帮扶措施（写法可在规则文件 aliases 中补充）",
                frame,
                idx,
                "帮扶措施",
                str(_col(frame, "measure").at[idx]),
            )
        )
    for idx in frame.index[year.isna().to_numpy()]:
        problems.append(
            located(
                "年度缺失或无法识别，应为四位年份",
                frame,
                idx,
                "年度",
                str(bad_year.at[idx]),
            )
        )
    if problems:
        raise InputError(problems)
    return pd.DataFrame({"pid": ids["pid"], "measure": slug, "year": year}).reset_index(drop=True)
