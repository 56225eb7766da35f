"""Budget of fixed-amount measures: people × standard per city, cash within Annex 1 quotas."""

from __future__ import annotations

import openpyxl

from fanpin.measures.budget import budget_table, load_quotas, write_budget
from tests.measures_factories import all_yes, decide, default_rules, person


def test_budget_is_people_times_standard_and_cash_stays_within_the_quota(tmp_path):
    taiyuan = [person(f"1980010{i}", i) for i in range(1, 4)]  # three eligible in 太原市
    shuozhou = person("19800105", 5, city="朔州市", county="朔城区")  # quota 0 in 2024
    rows = [*taiyuan, shuozhou]
    decisions = decide(rows, [all_yes(r["id_number"]) for r in rows])
    rules = default_rules()
    table = budget_table(decisions, rules, 2024, load_quotas()).set_index(["city", "measure"])

    # 太原市: 3 eligible, 2024 quota 100 -> 3 × 500; training 3 × 1500; rehab 3 × 10000.
    assert table.loc[("太原市", "cash"), ["eligible", "quota", "people", "amount"]].tolist() == [
        3, 100, 3, 1500,
    ]  # fmt: skip
    assert table.loc[("太原市", "training"), "amount"] == 4500
    assert table.loc[("太原市", "rehab"), "amount"] == 30000
    # 朔州市's 2024 quota is 0 (Annex 1): eligible, but nobody budgeted.
    assert table.loc[("朔州市", "cash"), ["eligible", "quota", "people", "amount"]].tolist() == [
        1, 0, 0, 0,
    ]  # fmt: skip
    # Only fixed-amount measures are budgeted.
    assert set(table.index.get_level_values("measure")) == {
        "cash", "study", "training", "industry", "care", "rehab",
    }  # fmt: skip

    path = tmp_path / "预算.xlsx"
    write_budget(path, table.reset_index(), rules, 2024)
    sheet = openpyxl.load_workbook(path, data_only=True)["预算"]
    assert sheet["A1"].value == "2024年度帮扶资金预算（固定标准项目）"
    total_row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 1).value == "合计")
    grand_total = sheet.cell(total_row, sheet.max_column).value
    assert grand_total == int(table["amount"].sum())


def test_quotas_ship_the_annex_1_totals():
    quotas = load_quotas()
    assert quotas.groupby("year")["quota"].sum().to_dict() == {2022: 1000, 2023: 2000, 2024: 1959}
