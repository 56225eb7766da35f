"""Two quarters of hand-made agency files (2024Q2, 2024Q3) with changes between them, a job
file per quarter, and the county feedback on the Q2 lists. Used by tests/test_batch_run.py.

People (all 太原市小店区 unless noted) and what the rules make of them:

  P1 张一  level 1 physical, risk household, never on 低保, no care subsidy:
           MISSING_DIBAO + MISSING_CARE_SUBSIDY in Q2 and again in Q3 (persisting; the county
           answered 已纳入低保 to the Q2 list, yet Q3's 低保 roster still lacks him).
  P2 李二  level 3, risk, on 低保, no living subsidy in Q2 (MISSING_LIVING_SUBSIDY), paid in
           July: fixed in Q3.
  P3 王三  level 2, certified 2024-05-10, not monitored: NOT_MONITORED_SEVERE in Q2 (home
           visits cover the quarter's newly certified); not new in Q3, so not listed again.
  P4 赵四  certificate status 死亡, care subsidy paid in May: DECEASED_PAID in Q2; payments
           stopped in Q3.
  P5 钱五  level 1, risk, on 低保, both subsidies paid in Q2 (no finding); dies before Q3
           (status 死亡) while 低保 stays 在保: DECEASED_PAID new in Q3, off the roster.
  P6 孙六  ID typed with a wrong check digit, no certificate number: INVALID_ID in Q2, and
           SUSPECTED_ID_TYPO (the same name with the right ID is on the 低保 roster; near-miss
           linking puts him on the roster under that ID, where he is fully covered). The
           county answers 信息有误 with the right ID; Q3 links him through the correction
           (risk, on 低保, both subsidies paid): nothing left to report.
  P7 周七  level 1 visual, certified 2024-08-15, risk, nothing else: NEW_RISK_DISABLED,
           MISSING_DIBAO, MISSING_CARE_SUBSIDY, all new in Q3.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tests.factories import make_id

P1 = make_id("140105", "19700101", 11)
P2 = make_id("140105", "19650505", 13)
P3 = make_id("140105", "19800808", 15)
P4 = make_id("140105", "19400404", 17)
P5 = make_id("140105", "19550505", 19)
P6 = make_id("140105", "19660606", 21)
P7 = make_id("140105", "19900909", 23)
P6_TYPO = P6[:17] + ("0" if P6[17] != "0" else "1")

NAMES = {P1: "张一", P2: "李二", P3: "王三", P4: "赵四", P5: "钱五", P6: "孙六", P7: "周七"}

# What the comparison must find, worked out from the rules above.
EXPECTED_Q2 = {
    (P1, "MISSING_DIBAO"),
    (P1, "MISSING_CARE_SUBSIDY"),
    (P2, "MISSING_LIVING_SUBSIDY"),
    (P3, "NOT_MONITORED_SEVERE"),
    (P4, "DECEASED_PAID"),
    (P6_TYPO, "INVALID_ID"),
    (P6_TYPO, "SUSPECTED_ID_TYPO"),
}
EXPECTED_Q3 = {
    (P1, "MISSING_DIBAO"),
    (P1, "MISSING_CARE_SUBSIDY"),
    (P5, "DECEASED_PAID"),
    (P7, "NEW_RISK_DISABLED"),
    (P7, "MISSING_DIBAO"),
    (P7, "MISSING_CARE_SUBSIDY"),
}

_PLACE = {"市": "太原市", "县(区)": "小店区"}


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _holder(
    pid: str, cat: int, level: int, status: str, issued: str, id_text: str = "", cert: bool = True
) -> dict[str, str]:
    return {
        "姓名": NAMES[pid],
        "公民身份号码": id_text or pid,
        "残疾人证号": f"{pid}{cat}{level}" if cert else "",
        "残疾类别": str(cat),
        "残疾等级": str(level),
        "证件状态": status,
        "发证日期": issued,
        **_PLACE,
    }


def _dpf(quarter: str) -> list[dict[str, str]]:
    rows = [
        _holder(P1, 4, 1, "正常", "2020-03-01"),
        _holder(P2, 4, 3, "正常", "2019-06-01"),
        _holder(P3, 4, 2, "正常", "2024-05-10"),
        _holder(P4, 4, 2, "死亡", "2015-01-01"),
        _holder(P5, 4, 1, "正常" if quarter == "2024Q2" else "死亡", "2018-02-01"),
        _holder(P6, 4, 2, "正常", "2017-07-01", id_text=P6_TYPO, cert=False),
    ]
    if quarter == "2024Q3":
        rows.append(_holder(P7, 1, 1, "正常", "2024-08-15"))
    return rows


def _monitor(quarter: str) -> list[dict[str, str]]:
    people = [P1, P2, P5, P6] + ([P7] if quarter == "2024Q3" else [])
    return [
        {"姓名": NAMES[p], "公民身份号码": p, "户类型": "监测户", "风险是否消除": "否", **_PLACE}
        for p in people
    ]


def _dibao() -> list[dict[str, str]]:
    rows = [(P2, "城市低保"), (P5, "城市低保"), (P6, "农村低保")]
    return [
        {"姓名": NAMES[p], "公民身份号码": p, "保障类别": t, "保障状态": "在保", **_PLACE}
        for p, t in rows
    ]


def _subsidy(quarter: str) -> list[dict[str, str]]:
    living, care = "困难残疾人生活补贴", "重度残疾人护理补贴"
    if quarter == "2024Q2":
        paid = [
            (P4, care, "2024-05"),
            (P5, living, "2024-04"),
            (P5, care, "2024-04"),
            (P6, living, "2024-04"),
            (P6, care, "2024-04"),
        ]
    else:
        paid = [(P2, living, "2024-07"), (P6, living, "2024-07"), (P6, care, "2024-07")]
    return [
        {
            "姓名": NAMES[p],
            "公民身份号码": p,
            "补贴类型": kind,
            "发放年月": month,
            "发放金额": "100",
            **_PLACE,
        }
        for p, kind, month in paid
    ]


def write_quarter(data: Path, quarter: str) -> None:
    """data/<quarter>/{dpf,dibao,subsidy,monitor}.csv"""
    folder = data / quarter
    _write(folder / "dpf.csv", _dpf(quarter))
    _write(folder / "dibao.csv", _dibao())
    _write(folder / "subsidy.csv", _subsidy(quarter))
    _write(folder / "monitor.csv", _monitor(quarter))


def write_job(root: Path, quarter: str = "2024Q2", extra: str = "") -> Path:
    """A job folder layout: root/job.toml, root/data/<quarter>/*.csv, root/out/."""
    for q in ("2024Q2", "2024Q3"):
        if not (root / "data" / q).exists():
            write_quarter(root / "data", q)
    path = root / "job.toml"
    path.write_text(
        f'quarter = "{quarter}"\noutput_root = "out"\nhistory = "state/history.sqlite3"\n'
        f"{extra}\n[inputs]\n"
        'dpf = "data/{quarter}/dpf.csv"\ndibao = "data/{quarter}/dibao.csv"\n'
        'subsidy = "data/{quarter}/subsidy.csv"\nmonitor = "data/{quarter}/monitor.csv"\n',
        encoding="utf-8",
    )
    return path
