"""The four agency tables built from the population's facts: DPF certificate holders,
the 低保 roster, the 两项补贴 payroll (three months) and the 防返贫监测 list."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from fanpin.samples import idgen
from fanpin.samples.people import (
    DIBAO_DESTITUTE,
    DIBAO_RURAL,
    DIBAO_URBAN,
    MONITOR_NONE,
    NO_PAY,
    STATUS_VALID,
    Population,
    set_pay_from,
)
from fanpin.samples.tables import Table, base_columns
from fanpin.samples.textcols import contiguous, from_ascii, from_codepoints, from_strings

CATEGORY = np.array(["", "视力", "听力", "言语", "肢体", "智力", "精神", "多重"])
LEVEL = np.array(["", "一级", "二级", "三级", "四级"])
STATUS = np.array(["正常", "死亡", "注销", "迁出"])
SEX = np.array(["女", "男"])
DIBAO_RELATION = np.array(["本人", "配偶", "子女", "孙子女", "父母"])
MONITOR_RELATION = np.array(["户主", "配偶", "子女", "孙子女", "父母"])
DIBAO_TYPE = np.array(["", "城市低保", "农村低保", "特困供养"])
DIBAO_STATUS = np.array(["停保", "在保"])
SUBSIDY_TYPE = np.array(["困难残疾人生活补贴", "重度残疾人护理补贴"])
LIVING, CARE = 0, 1
HOUSEHOLD_TYPE = np.array(["", "脱贫户", "监测户", "监测户"])
MONITOR_CLASS = np.array(["脱贫不稳定户", "边缘易致贫户", "突发严重困难户", ""])


# Monthly amounts (yuan), synthetic: living subsidy by 低保 kind, care subsidy by level.
LIVING_AMOUNT = {DIBAO_URBAN: 110.0, DIBAO_RURAL: 90.0}
CARE_AMOUNT = {1: 120.0, 2: 80.0}

# Sample files: DPF holders split by city as counties often send them.
DPF_FILES = np.array(["dpf_taiyuan.xlsx", "dpf_datong.xls", "dpf_others.csv"])
SAMPLE_FILES = {
    "dibao": "dibao.xlsx",
    "subsidy": "subsidy.csv",
    "monitor": "monitor.xlsx",
}


def _places(pop: Population, person: np.ndarray) -> tuple[dict, dict]:
    hh = pop.people["hh"][person]
    county = pop.hh["county"][hh]
    n_town = pop.places.townships.shape[1]
    n_village = pop.places.villages.shape[2]
    town = county * n_town + pop.hh["township"][hh]
    village = town * n_village + pop.hh["village"][hh]
    cols = {"city": county, "county": county, "township": town, "village": village}
    labels = {
        "city": pop.counties.city_name,
        "county": pop.counties.name,
        "township": pop.places.townships.ravel(),
        "village": pop.places.villages.ravel(),
    }
    return cols, labels


def _person_text(pop: Population, column: str) -> pa.StringArray:
    """Everyone's ID or name as one Arrow array, built once and then gathered per table."""
    key = f"_arrow_{column}"
    if key not in pop.cache:
        values = pop.people[column]
        pop.cache[key] = from_ascii(values) if column == "id" else from_codepoints(values)
    return pop.cache[key]


def _ids(pop: Population, person: np.ndarray) -> pa.StringArray:
    return contiguous(_person_text(pop, "id").take(pa.array(person)))


def _names(pop: Population, person: np.ndarray) -> pa.StringArray:
    return contiguous(_person_text(pop, "name").take(pa.array(person)))


def cert_numbers(pop: Population, person: np.ndarray) -> pa.StringArray:
    """ID + category digit + level digit, plus B and the reissue digit for reissued cards."""
    p = pop.people
    n = len(person)
    matrix = np.zeros((n, 22), dtype=np.uint8)
    matrix[:, :18] = p["id"][person]
    matrix[:, 18] = p["category"][person] + idgen.ZERO
    matrix[:, 19] = p["level"][person] + idgen.ZERO
    again = p["reissue"][person] > 0
    matrix[again, 20] = ord("B")
    matrix[again, 21] = p["reissue"][person][again] + idgen.ZERO
    return from_ascii(matrix)  # zero padding drops: 20 characters unless reissued


def _heads(pop: Population, person: np.ndarray) -> np.ndarray:
    """Index of each person's household head (the household's first member)."""
    p = pop.people
    first = np.cumsum(pop.hh["size"]) - pop.hh["size"]
    return first[p["hh"][person]]


def dpf_table(pop: Population, split: bool) -> Table:
    p = pop.people
    person = np.flatnonzero(p["disabled"])
    county = pop.hh["county"][p["hh"][person]]
    if split:
        prefix = pop.counties.code[county] // 100
        file = np.where(prefix == 1401, 0, np.where(prefix == 1402, 1, 2)).astype(np.int8)
        file_labels = DPF_FILES
    else:
        file, file_labels = np.zeros(len(person), np.int8), np.array(["dpf"])
    # People already come county by county in random household order, so their position
    # is a fine order inside a village, and it keeps big files nearly sorted already.
    cols = base_columns(person, file, np.arange(len(person)) / max(len(person), 1))
    places, labels = _places(pop, person)
    cols.update(places)
    cols.update(
        {
            "name": _names(pop, person),
            "sex": p["male"][person].astype(np.int8),
            "id_text": _ids(pop, person),
            "id_num": np.full(len(person), np.nan),
            "cert_text": cert_numbers(pop, person),
            "category": p["category"][person],
            "level": p["level"][person],
            "cert_date": p["cert_date"][person],
            "status": p["status"][person],
            "phone": from_strings(p["phone"][person]),
        }
    )
    labels.update({"file": file_labels, "sex": SEX, "status": STATUS})
    return Table("dpf", cols, labels)


def dibao_table(pop: Population) -> Table:
    p = pop.people
    person = np.flatnonzero(pop.person_hh("dibao") > 0)
    head = _heads(pop, person)
    cols = base_columns(person, np.zeros(len(person), np.int8), _household_order(pop, person))
    places, labels = _places(pop, person)
    cols.update(places)
    cols.update(
        {
            "name": _names(pop, person),
            "id_text": _ids(pop, person),
            "id_num": np.full(len(person), np.nan),
            "head_name": _names(pop, head),
            "head_id_text": _ids(pop, head),
            "relation": p["rel"][person],
            "dibao_type": pop.hh["dibao"][p["hh"][person]],
            "dibao_status": p["dibao_row_active"][person].astype(np.int8),
        }
    )
    labels.update(
        {
            "file": np.array([SAMPLE_FILES["dibao"]]),
            "relation": DIBAO_RELATION,
            "dibao_type": DIBAO_TYPE,
            "dibao_status": DIBAO_STATUS,
        }
    )
    return Table("dibao", cols, labels)


def _household_order(pop: Population, person: np.ndarray) -> np.ndarray:
    """Members of a household stay together, head first."""
    return pop.people["hh"][person] + pop.people["pos"][person] / 16.0


def payments(pop: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person, subsidy type, month index) of every payment in the quarter.

    Living subsidy: valid holders on 低保 在保 (城市/农村). Care subsidy: valid holders of
    level 1/2, unless on 特困供养 在保. Paid from the person's first paid month; planted
    withholdings and one-off payments (extra_pay) are applied here.
    """
    p = pop.people
    set_pay_from(pop)
    pay_from = np.where(p["pay_from_override"] >= 0, p["pay_from_override"], p["pay_from"])
    valid = p["disabled"] & (p["status"] == STATUS_VALID)
    dibao = pop.person_hh("dibao")
    active = p["dibao_row_active"]
    living = valid & active & np.isin(dibao, [DIBAO_URBAN, DIBAO_RURAL]) & ~p["withhold_living"]
    destitute = active & (dibao == DIBAO_DESTITUTE)
    care = valid & np.isin(p["level"], [1, 2]) & ~destitute & ~p["withhold_care"]
    who, kind, month = [], [], []
    for m in range(3):
        for mask, code in ((living, LIVING), (care, CARE)):
            paid = np.flatnonzero(mask & (pay_from <= m) & (pay_from < NO_PAY))
            who.append(paid)
            kind.append(np.full(len(paid), code, np.int8))
            month.append(np.full(len(paid), m, np.int8))
    # One-off payments planted on people who should get nothing (e.g. the dead).
    extra = np.flatnonzero(p["extra_pay"] >= 0)
    who.append(extra)
    kind.append(np.where(np.isin(p["level"][extra], [1, 2]), CARE, LIVING).astype(np.int8))
    month.append(p["extra_pay"][extra].astype(np.int8))
    return np.concatenate(who), np.concatenate(kind), np.concatenate(month)


def subsidy_table(pop: Population) -> Table:
    person, kind, month = payments(pop)
    dibao = pop.person_hh("dibao")[person]
    level = pop.people["level"][person]
    amount = np.where(
        kind == LIVING,
        np.where(dibao == DIBAO_URBAN, LIVING_AMOUNT[DIBAO_URBAN], LIVING_AMOUNT[DIBAO_RURAL]),
        np.where(level == 1, CARE_AMOUNT[1], CARE_AMOUNT[2]),
    )
    order = month + np.arange(len(person)) / max(len(person), 1)
    cols = base_columns(person, np.zeros(len(person), np.int8), order)
    places, labels = _places(pop, person)
    cols.update({"city": places["city"], "county": places["county"]})
    cols.update(
        {
            "name": _names(pop, person),
            "id_text": _ids(pop, person),
            "id_num": np.full(len(person), np.nan),
            "cert_text": cert_numbers(pop, person),
            "subsidy_type": kind,
            "month": month,
            "amount": amount,
        }
    )
    labels = {
        "city": labels["city"],
        "county": labels["county"],
        "file": np.array([SAMPLE_FILES["subsidy"]]),
        "subsidy_type": SUBSIDY_TYPE,
        "month": np.array(pop.period.pay_months),
    }
    return Table("subsidy", cols, labels)


def monitor_table(pop: Population) -> Table:
    p = pop.people
    person = np.flatnonzero(pop.person_hh("monitor") != MONITOR_NONE)
    head = _heads(pop, person)
    monitor = pop.hh["monitor"][p["hh"][person]]
    cls = np.where(monitor >= 2, pop.hh["monitor_class"][p["hh"][person]], 3)
    cols = base_columns(person, np.zeros(len(person), np.int8), _household_order(pop, person))
    places, labels = _places(pop, person)
    cols.update(places)
    cols.update(
        {
            "name": _names(pop, person),
            "id_text": _ids(pop, person),
            "id_num": np.full(len(person), np.nan),
            "head_id_text": _ids(pop, head),
            "relation": p["rel"][person],
            "household_type": monitor,
            "monitor_class": cls.astype(np.int8),
            "risk_cleared": monitor,
        }
    )
    labels.update(
        {
            "file": np.array([SAMPLE_FILES["monitor"]]),
            "relation": MONITOR_RELATION,
            "household_type": HOUSEHOLD_TYPE,
            "monitor_class": MONITOR_CLASS,
            "risk_cleared": np.array(["", "", "否", "是"]),
        }
    )
    return Table("monitor", cols, labels)


def build_tables(pop: Population, split_dpf: bool) -> dict[str, Table]:
    return {
        "dpf": dpf_table(pop, split_dpf),
        "dibao": dibao_table(pop),
        "subsidy": subsidy_table(pop),
        "monitor": monitor_table(pop),
    }
