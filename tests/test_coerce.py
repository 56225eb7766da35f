"""Coercion of read tables: canonical values, located problems, nothing personal echoed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fanpin.errors import ErrorCode
from fanpin.io.coerce import MAX_PROBLEMS_PER_COLUMN, coerce
from fanpin.io.read import read_table
from fanpin.io.spec import parse_column_spec
from tests.fixtures.workbooks import Sheet, write_xlsx

ID_1 = "140105199001010011"


def read_csv_text(tmp_path: Path, name: str, text: str, kind: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_table(path, kind)


def test_dpf_levels_categories_and_statuses_become_canonical(tmp_path: Path) -> None:
    rows = [
        "姓名,身份证号,残疾类别,残疾等级,性别,证件状态,发证日期,年龄",
        f"甲,{ID_1},视力残疾,一级,男,正常,2024/7/1,45",
        f"乙,{ID_1},4,2级,女性,已注销,20240815,45岁",
        f"丙,{ID_1},多重,Ⅲ级,女,死亡,45474,",
        f"丁,{ID_1},智力,4,男,迁出,2024年9月30日,8",
    ]
    table = read_csv_text(tmp_path, "dpf.csv", "\n".join(rows) + "\n", "dpf")
    frame, problems = coerce(table)
    assert problems == []
    assert frame["category"].tolist() == [1, 4, 7, 5]
    assert frame["level"].tolist() == [1, 2, 3, 4]
    assert str(frame["level"].dtype) == "Int8"
    assert frame["sex"].tolist() == ["男", "女", "女", "男"]
    assert frame["cert_status"].tolist() == ["正常", "注销", "死亡", "迁出"]
    # Excel serial 45474: 45292 is 2024-01-01, plus 182 days of January..June.
    assert frame["issue_date"].tolist() == [
        pd.Timestamp("2024-07-01"),
        pd.Timestamp("2024-08-15"),
        pd.Timestamp("2024-07-01"),
        pd.Timestamp("2024-09-30"),
    ]
    assert str(frame["issue_date"].dtype) == "datetime64[s]"
    assert frame["age"].tolist()[:2] == [45, 45] and pd.isna(frame["age"].iloc[2])
    # Text columns pass through untouched.
    assert frame["name"].tolist() == ["甲", "乙", "丙", "丁"]


def test_subsidy_pay_months_and_amounts(tmp_path: Path) -> None:
    months = ["202407", "2024-07", "2024/7", "2024年7月", "2024.07", "45474", "2024-08-01"]
    lines = ["姓名,身份证号,补贴类型,发放年月,发放金额"]
    lines += [f'甲,{ID_1},护理补贴,{m},"1,200.50"' for m in months]
    table = read_csv_text(tmp_path, "sub.csv", "\n".join(lines) + "\n", "subsidy")
    frame, problems = coerce(table)
    assert problems == []
    assert frame["pay_month"].tolist() == ["2024-07"] * 6 + ["2024-08"]
    assert frame["subsidy_type"].unique().tolist() == ["重度残疾人护理补贴"]
    assert frame["amount"].tolist() == [1200.5] * 7


def test_pay_month_from_an_excel_date_cell(tmp_path: Path) -> None:
    import datetime as dt

    rows = [
        ["姓名", "身份证号", "补贴类型", "发放年月"],
        ["甲", ID_1, "生活补贴", dt.date(2024, 9, 1)],
    ]
    table = read_table(write_xlsx(tmp_path / "s.xlsx", [Sheet("S", rows)]), "subsidy")
    frame, problems = coerce(table)
    assert problems == []
    assert frame["pay_month"].tolist() == ["2024-09"]
    assert frame["subsidy_type"].tolist() == ["困难残疾人生活补贴"]


def test_bad_values_are_located_by_file_sheet_row_and_header(tmp_path: Path) -> None:
    rows = [
        ["标题"],
        ["姓名", "身份证号", "等级", "证件状态"],
        ["甲", ID_1, "五级", "正常"],
        ["乙", ID_1, "二级", "换证中"],
    ]
    table = read_table(write_xlsx(tmp_path / "持证.xlsx", [Sheet("名单", rows)]), "dpf")
    frame, problems = coerce(table)
    located = [(p.code, p.file, p.sheet, p.row, p.column, p.value) for p in problems]
    assert located == [
        (ErrorCode.BAD_VALUE, "持证.xlsx", "名单", 3, "等级", "五级"),
        (ErrorCode.BAD_VALUE, "持证.xlsx", "名单", 4, "证件状态", "换证中"),
    ]
    assert "一级(1)、二级(2)、三级(3)、四级(4)" in problems[0].message
    assert "正常、注销、死亡、迁出" in problems[1].message
    # Unreadable cells become NA; the rest are kept.
    assert pd.isna(frame.loc[0, "level"]) and frame.loc[1, "level"] == 2
    assert frame["cert_status"].tolist()[0] == "正常" and pd.isna(frame.loc[1, "cert_status"])


def test_blank_cells_in_not_null_columns_are_problems(tmp_path: Path) -> None:
    text = (
        f"姓名,身份证号,户类型,风险是否消除\n甲,{ID_1},监测户,否\n乙,{ID_1},,\n丙,{ID_1},脱贫户,\n"
    )
    table = read_csv_text(tmp_path, "mon.csv", text, "monitor")
    frame, problems = coerce(table)
    # 户类型 must be filled; 风险是否消除 may be blank (脱贫户 rows).
    assert [(p.row, p.column, p.message) for p in problems] == [
        (3, "户类型", "此列必须填写，不能为空")
    ]
    assert frame["risk_cleared"].tolist()[0] == "否"
    assert frame["risk_cleared"].isna().tolist() == [False, True, True]


def test_dibao_synonyms_map_to_canonical_words(tmp_path: Path) -> None:
    text = (
        "姓名,身份证号,保障类别,保障状态\n"
        f"甲,{ID_1},农村最低生活保障,正常\n"
        f"乙,{ID_1},特困人员,退保\n"
        f"丙,{ID_1},城市低保,在保\n"
    )
    frame, problems = coerce(read_csv_text(tmp_path, "db.csv", text, "dibao"))
    assert problems == []
    assert frame["dibao_type"].tolist() == ["农村低保", "特困供养", "城市低保"]
    assert frame["dibao_status"].tolist() == ["在保", "停保", "在保"]


def test_many_bad_cells_are_listed_up_to_a_limit(tmp_path: Path) -> None:
    lines = ["姓名,身份证号,残疾等级"] + [f"甲,{ID_1},九级" for _ in range(60)]
    table = read_csv_text(tmp_path, "many.csv", "\n".join(lines) + "\n", "dpf")
    _, problems = coerce(table)
    assert len(problems) == MAX_PROBLEMS_PER_COLUMN + 1
    assert [p.row for p in problems[:3]] == [2, 3, 4]
    assert problems[-1].message == "另有 10 行有同样的问题，未逐一列出"


SURVEY_SPEC = """
[header]
min_fields = 2

[kinds.survey]
label = "需求调查表"
fields = ["name", "id_number", "wants_training", "visit_date"]
required = ["name", "id_number"]
not_null = ["wants_training"]

[kinds.survey.local_fields.name]
label = "姓名"
personal = true

[kinds.survey.local_fields.id_number]
label = "公民身份号码"
aliases = ["身份证号"]
personal = true

[kinds.survey.local_fields.wants_training]
label = "是否愿意参加培训"
type = "code"
codes = "yes_no"

[kinds.survey.local_fields.visit_date]
label = "走访日期"
type = "date"
personal = true
"""


def test_a_new_kind_is_only_data(tmp_path: Path) -> None:
    import tomllib

    spec = parse_column_spec(tomllib.loads(SURVEY_SPEC), tmp_path / "columns.toml")
    path = tmp_path / "survey.csv"
    path.write_text(
        f"姓名,身份证号,是否愿意参加培训,走访日期\n甲,{ID_1},是,2024-07-01\n乙,{ID_1},,20241301\n",
        encoding="utf-8",
    )
    table = read_table(path, "survey", columns=spec)
    frame, problems = coerce(table, columns=spec)
    assert frame["wants_training"].tolist()[0] == "是"
    assert [(p.row, p.column) for p in problems] == [(3, "是否愿意参加培训"), (3, "走访日期")]
    # A personal field's value is masked in the message.
    assert problems[1].value == "********" and "20241301" not in problems[1].render()


@pytest.mark.parametrize("kind", ["dpf", "dibao", "subsidy", "monitor", "roster"])
def test_every_shipped_kind_builds_a_schema(kind: str) -> None:
    from fanpin.io.schemas import build_schema
    from fanpin.io.spec import load_column_spec

    schema = build_schema(load_column_spec().kind(kind))
    assert schema.name == kind
    assert set(schema.columns) == set(load_column_spec().kind(kind).fields)
