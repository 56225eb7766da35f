"""Planted situations: each one changes the facts (or one written row) of people chosen
for it and records the finding it should produce — or, for a control, the finding it
must not produce. The truth file is made from these records, never by re-running the
comparison rules over the written files."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fanpin.samples import idgen
from fanpin.samples.agencies import SUBSIDY_TYPE
from fanpin.samples.names import with_rare_char
from fanpin.samples.people import (
    DIBAO_DESTITUTE,
    DIBAO_RURAL,
    DIBAO_URBAN,
    MONITOR_NONE,
    MONITORED_AT_RISK,
    MONITORED_CLEARED,
    REL_HEAD,
    STATUS_CANCELLED,
    STATUS_DEAD,
    STATUS_VALID,
    Population,
    Profile,
    refresh_dibao_rows,
)
from fanpin.samples.tables import Table


@dataclass
class Planted:
    """One expected finding (expected=True) or one control that must stay silent."""

    code: str
    kind: str  # table holding the row the finding points at
    pid: int
    note: str  # Chinese: what was planted and why it is (not) a finding
    rec: int = -1  # the row; -1 = the person's only row in `kind` (resolved later)
    related_kind: str = ""  # a second row worth looking at (e.g. the DPF row)
    expected: bool = True


class Planter:
    """Picks people for situations, never the same person twice."""

    def __init__(self, pop: Population, rng: np.random.Generator) -> None:
        self.pop = pop
        self.rng = rng
        self.out: list[Planted] = []

    # ---- person masks (recomputed on every call: plants change the facts)
    @property
    def p(self) -> dict[str, np.ndarray]:
        return self.pop.people

    def valid(self) -> np.ndarray:
        return self.p["disabled"] & (self.p["status"] == STATUS_VALID)

    def risk(self) -> np.ndarray:
        return self.valid() & (self.pop.person_hh("monitor") == MONITORED_AT_RISK)

    def single(self) -> np.ndarray:
        return self.pop.person_hh("n_disabled") == 1

    def new(self) -> np.ndarray:
        d = self.p["cert_date"]
        return (d >= self.pop.period.start) & (d <= self.pop.period.end)

    def on_dibao(self, kinds: tuple[int, ...] = (DIBAO_URBAN, DIBAO_RURAL)) -> np.ndarray:
        return np.isin(self.pop.person_hh("dibao"), kinds) & self.p["dibao_row_active"]

    def unmonitored(self) -> np.ndarray:
        return self.pop.person_hh("monitor") == MONITOR_NONE

    def clean_holder(self) -> np.ndarray:
        """Valid, not at risk, not new, untouched: a row fault changes nothing else."""
        return self.valid() & ~self.risk() & ~self.new() & ~self.p["used"]

    def dpf_only(self) -> np.ndarray:
        """Clean holders who appear in no other agency's file."""
        return (
            self.clean_holder()
            & self.unmonitored()
            & (self.pop.person_hh("dibao") == 0)
            & np.isin(self.p["level"], [3, 4])
        )

    # ---- picking
    def pick(self, mask: np.ndarray, k: int, strict: bool = True) -> np.ndarray:
        """k people from `mask` not used yet (fewer if not strict and too few exist)."""
        idx = np.flatnonzero(mask & ~self.p["used"])
        if len(idx) < k and strict:
            raise RuntimeError(f"only {len(idx)} candidates for a situation needing {k}")
        k = min(k, len(idx))
        chosen = np.sort(self.rng.choice(idx, size=k, replace=False))
        self.p["used"][chosen] = True
        return chosen

    def quarter_days(self, k: int, last_day: int = 92) -> np.ndarray:
        span = int((self.pop.period.end - self.pop.period.start).astype(int)) + 1
        offsets = self.rng.integers(0, min(span, last_day), k)
        return self.pop.period.start + offsets.astype("timedelta64[D]")

    def note(self, code: str, kind: str, people: np.ndarray, text: str, **extra: object) -> None:
        for pid in people:
            self.out.append(Planted(code, kind, int(pid), text, **extra))  # type: ignore[arg-type]


def plant_facts(pop: Population, profile: Profile, rng: np.random.Generator) -> Planter:
    """Situations made by changing people's facts (coverage findings and their controls)."""
    pl = Planter(pop, rng)
    p = pop.people
    k = profile.plants
    label = pop.period.label

    # NEW_RISK_DISABLED: certified in the quarter's first two months, household at risk.
    who = pl.pick(pl.risk() & pl.single() & (p["reissue"] == 0), k)
    p["cert_date"][who] = pl.quarter_days(k, last_day=59)
    pl.note("NEW_RISK_DISABLED", "dpf", who, f"{label}新办证，所在监测户风险未消除")

    # NOT_MONITORED_SEVERE: severe, certified in the quarter, household not in the list.
    who = pl.pick(pl.valid() & pl.unmonitored() & (p["reissue"] == 0), k)
    p["level"][who] = rng.choice([1, 2], size=k)
    p["cert_date"][who] = pl.quarter_days(k)
    pl.note("NOT_MONITORED_SEVERE", "dpf", who, f"{label}新办证的一、二级残疾人，不在监测名单中")

    # MISSING_DIBAO: the household left the roster, or is 停保.
    who = pl.pick(pl.risk() & pl.single() & pl.on_dibao(), k)
    gone, stopped = who[: (k + 1) // 2], who[(k + 1) // 2 :]
    pop.hh["dibao"][p["hh"][gone]] = 0
    pop.hh["dibao_active"][p["hh"][stopped]] = False
    pl.note("MISSING_DIBAO", "dpf", gone, "风险残疾人，所在家庭不在低保名单中")
    pl.note("MISSING_DIBAO", "dpf", stopped, "风险残疾人，所在家庭低保为停保")

    # MISSING_LIVING_SUBSIDY: on 低保 (城市/农村) 在保, living subsidy not paid.
    who = pl.pick(pl.risk() & pl.single() & pl.on_dibao(), k)
    p["withhold_living"][who] = True
    pl.note("MISSING_LIVING_SUBSIDY", "dpf", who, f"低保在保，{label}未发放困难残疾人生活补贴")

    # MISSING_CARE_SUBSIDY: severe, not 特困, care subsidy not paid.
    who = pl.pick(pl.risk() & pl.single() & pl.on_dibao(), k)
    mild = who[~np.isin(p["level"][who], [1, 2])]
    p["level"][mild] = rng.choice([1, 2], size=len(mild))
    p["withhold_care"][who] = True
    pl.note("MISSING_CARE_SUBSIDY", "dpf", who, f"一、二级残疾，{label}未发放重度残疾人护理补贴")

    # DECEASED_PAID: dead or cancelled, yet paid once in the quarter or still 在保.
    base = p["disabled"] & pl.unmonitored() & (p["status"] == STATUS_VALID)
    paid = pl.pick(base & (pop.person_hh("dibao") == 0), (k + 1) // 2)
    kept = pl.pick(base & pl.single() & pl.on_dibao(), k // 2)
    for group in (paid, kept):
        p["status"][group] = rng.choice([STATUS_DEAD, STATUS_CANCELLED], size=len(group))
    p["extra_pay"][paid] = rng.integers(0, 3, len(paid))
    refresh_dibao_rows(pop)
    p["dibao_row_active"][kept] = True
    for pid in paid:
        kind = SUBSIDY_TYPE[1 if p["level"][pid] in (1, 2) else 0]
        month = pop.period.pay_months[p["extra_pay"][pid]]
        pl.note(
            "DECEASED_PAID", "subsidy", np.array([pid]), f"证件已死亡/注销，{month}仍发放{kind}"
        )
    pl.note("DECEASED_PAID", "dibao", kept, "证件已死亡/注销，低保仍为在保")

    _plant_controls(pl, profile)
    return pl


def _plant_controls(pl: Planter, profile: Profile) -> None:
    """People the comparison must NOT flag (for the codes named), under default rules."""
    p = pl.p
    k = max(2, profile.plants // 2)
    label = pl.pop.period.label

    # 特困供养 risk people, made severe: exempt from both subsidies, counted as on 低保.
    who = pl.pick(pl.risk() & pl.on_dibao((DIBAO_DESTITUTE,)), k, strict=False)
    p["level"][who] = 1
    for code in ("MISSING_LIVING_SUBSIDY", "MISSING_CARE_SUBSIDY", "MISSING_DIBAO"):
        pl.note(code, "dpf", who, "特困供养在保：默认口径不计缺发、不计未纳入低保", expected=False)

    # 三级智力: no care subsidy under default rules (the province may switch it on).
    who = pl.pick(pl.risk() & pl.single() & pl.on_dibao(), k, strict=False)
    p["category"][who], p["level"][who] = 5, 3
    pl.note(
        "MISSING_CARE_SUBSIDY", "dpf", who, "三级智力残疾：默认口径不享受护理补贴", expected=False
    )

    # Paid only in the quarter's last month: still paid in the quarter.
    who = pl.pick(pl.risk() & pl.single() & pl.on_dibao(), k, strict=False)
    p["level"][who] = 2
    p["pay_from_override"][who] = 2
    for code in ("MISSING_LIVING_SUBSIDY", "MISSING_CARE_SUBSIDY"):
        pl.note(code, "dpf", who, f"两项补贴只在{label}最后一个月发放，仍算已发放", expected=False)

    # Newly certified severe people in a 监测户 whose risk was cleared: they are in the list.
    n_new = profile.new_controls
    cleared = pl.valid() & (pl.pop.person_hh("monitor") == MONITORED_CLEARED)
    who = pl.pick(cleared, max(1, n_new // 3), strict=False)
    p["level"][who] = pl.rng.choice([1, 2], size=len(who))
    p["cert_date"][who] = pl.quarter_days(len(who))
    for code in ("NOT_MONITORED_SEVERE", "NEW_RISK_DISABLED"):
        pl.note(
            code, "dpf", who, "新办证重度残疾人，在监测名单中（监测户，风险已消除）", expected=False
        )

    # Newly certified 三/四级 people outside the list: not severe, no home visit.
    mild = pl.valid() & pl.unmonitored() & np.isin(p["level"], [3, 4])
    who = pl.pick(mild, n_new, strict=False)
    p["cert_date"][who] = pl.quarter_days(len(who))
    pl.note("NOT_MONITORED_SEVERE", "dpf", who, "新办证三、四级残疾人，不属重度", expected=False)

    # Dead or cancelled holders whose 低保 row is 停保: not paid, nothing to report.
    dead = np.isin(p["status"], [STATUS_DEAD, STATUS_CANCELLED])
    gone = p["disabled"] & dead & (pl.pop.person_hh("dibao") > 0)
    who = pl.pick(gone & ~p["dibao_row_active"], k, strict=False)
    pl.note("DECEASED_PAID", "dibao", who, "证件死亡/注销，低保已停保", expected=False)


def plant_rare_names(pop: Population, rng: np.random.Generator, k: int) -> None:
    """A few people in 太原/大同 get a name character outside GBK: their DPF rows go to the
    xlsx/xls files, never to the GBK CSV."""
    p = pop.people
    prefix = pop.counties.code[pop.person_hh("county")] // 100
    idx = np.flatnonzero(p["disabled"] & np.isin(prefix, [1401, 1402]) & ~p["dotted"])
    chosen = rng.choice(idx, size=min(k, len(idx)), replace=False)
    mask = np.zeros(pop.size, dtype=bool)
    mask[chosen] = True
    with_rare_char(p["name"], mask, rng)
    p["rare_name"][chosen] = True


# ---------------------------------------------------------------- faults in written rows


def _spread(rng: np.random.Generator, rows: np.ndarray, files: np.ndarray, k: int) -> np.ndarray:
    """k rows, taken from every file in turn so that each file gets its share."""
    rows = rng.permutation(rows)
    groups = [rows[files[rows] == f] for f in np.unique(files[rows])]
    taken: list[int] = []
    for i in range(k):
        for g in groups:
            if len(taken) < k and i < len(g):
                taken.append(int(g[i]))
    if len(taken) < k:
        raise RuntimeError(f"only {len(taken)} rows available for a fault needing {k}")
    return np.array(taken[:k], dtype=np.int64)


class RowPlanter:
    """Faults written into single rows: duplicates, sex, certificates, damaged IDs."""

    def __init__(self, pl: Planter, tables: dict[str, Table], numeric_files: set[str]) -> None:
        self.pl = pl
        self.tables = tables
        self.numeric_files = numeric_files

    def rows(self, kind: str, person_mask: np.ndarray, files: set[str] | None = None) -> np.ndarray:
        """Rows of people in `person_mask`, not yet used, optionally only in some files."""
        t = self.tables[kind]
        pid = t.num("pid")
        ok = person_mask[pid] & ~t.num("planted") & ~self.pl.p["used"][pid]
        if files is not None:
            codes = [i for i, f in enumerate(t.labels["file"]) if str(f) in files]
            ok &= np.isin(t.num("file"), codes)
        return np.flatnonzero(ok)

    def take(self, kind: str, rows: np.ndarray, k: int, code: str, note: str) -> np.ndarray:
        t = self.tables[kind]
        chosen = _spread(self.pl.rng, rows, t.num("file"), k)
        t.num("planted")[chosen] = True
        self.pl.p["used"][t.num("pid")[chosen]] = True
        for r in chosen:
            self.pl.out.append(
                Planted(code, kind, int(t.num("pid")[r]), note, rec=int(t.num("rec")[r]))
            )
        return chosen

    def person_id(self, kind: str, row: int) -> str:
        pid = self.tables[kind].num("pid")[row]
        return str(idgen.as_text(self.pl.p["id"][pid : pid + 1])[0])

    def set_id(self, kind: str, row: int, text: str, number: float = float("nan")) -> None:
        t = self.tables[kind]
        t.set_texts("id_text", np.array([row]), [text])
        t.num("id_num")[row] = number

    def file_of(self, kind: str, row: int) -> str:
        t = self.tables[kind]
        return str(t.labels["file"][t.num("file")[row]])


def _with_check(first17: str) -> str:
    matrix = idgen.to_matrix(np.array([first17]), 17)
    return first17 + chr(int(idgen.check_chars(matrix)[0]))


def _wrong_check(first17: str, right: str) -> str:
    """A check character that is not the right one."""
    chars = "0123456789X"
    return first17 + chars[(chars.index(right) + 3) % 11]


def plant_rows(
    pl: Planter, tables: dict[str, Table], profile: Profile, numeric_files: set[str]
) -> None:
    """Row-level faults. `numeric_files` are files that store cells as numbers (xls/xlsx):
    there an ID damaged by a spreadsheet is written as a number, elsewhere as its text."""
    rp = RowPlanter(pl, tables, numeric_files)
    p = pl.p
    k = profile.plants
    members = ~p["disabled"] & (p["rel"] != REL_HEAD)
    _duplicates(rp, max(2, k // 2))

    # SEX_MISMATCH: the 性别 column says the other sex.
    rows = rp.take(
        "dpf", rp.rows("dpf", pl.clean_holder()), k, "SEX_MISMATCH", "性别与身份证号不符"
    )
    sex = tables["dpf"].num("sex")
    sex[rows] = 1 - sex[rows]

    # CERT_ID_MISMATCH: one digit of the ID part of the certificate number differs.
    rows = rp.take(
        "dpf",
        rp.rows("dpf", pl.clean_holder()),
        k,
        "CERT_ID_MISMATCH",
        "残疾人证号前18位有一位与身份证号不同",
    )
    dpf = tables["dpf"]
    changed = [t[:16] + str((int(t[16]) + 2) % 10) + t[17:] for t in dpf.texts("cert_text", rows)]
    dpf.set_texts("cert_text", rows, changed)

    # CERT_CLASS_MISMATCH: the category (even) or level (odd) digit disagrees with the columns.
    rows = rp.take(
        "dpf",
        rp.rows("dpf", pl.clean_holder()),
        k,
        "CERT_CLASS_MISMATCH",
        "残疾人证号中的类别或等级与表中登记不同",
    )
    changed = []
    for i, text in enumerate(dpf.texts("cert_text", rows)):
        pos, top = (18, 7) if i % 2 == 0 else (19, 4)
        changed.append(text[:pos] + str(int(text[pos]) % top + 1) + text[pos + 1 :])
    dpf.set_texts("cert_text", rows, changed)

    _invalid_ids(rp, k, members)
    _unrecoverable_ids(rp, k, members)


def _duplicates(rp: RowPlanter, k: int) -> None:
    """Same person twice in a DPF file or the 低保 roster; same payment twice in a month."""
    pl = rp.pl
    members = ~pl.p["disabled"] & (pl.pop.person_hh("dibao_active"))
    plans = [
        ("dpf", pl.clean_holder(), "同一人在同一份持证名单中登记两次"),
        ("dibao", members, "同一人在低保名单中登记两次"),
        ("subsidy", pl.clean_holder(), "同一人同月同类补贴发放两次"),
    ]
    for kind, mask, note in plans:
        t = rp.tables[kind]
        rows = _spread(pl.rng, rp.rows(kind, mask), t.num("file"), k)
        pl.p["used"][t.num("pid")[rows]] = True
        copies = t.append_copies(rows)
        # The copy sorts after its original inside the same file and group.
        step = 1 / 64 if kind in ("dibao", "monitor") else 1e-4
        t.num("order")[copies] = t.num("order")[rows] + step * pl.rng.random(len(rows))
        for r in copies:
            pid = int(t.num("pid")[r])
            pl.out.append(Planted("DUPLICATE_RECORD", kind, pid, note, rec=int(r)))


def _invalid_ids(rp: RowPlanter, k: int, members: np.ndarray) -> None:
    """Wrong check character, impossible birth date, wrong length."""
    pl = rp.pl
    forms = ["dpf_check", "dpf_date", "dibao_length", "monitor_length", "subsidy_check"]
    counts = {f: k // len(forms) + (i < k % len(forms)) for i, f in enumerate(forms)}
    dpf = rp.tables["dpf"]

    rows = rp.take(
        "dpf",
        rp.rows("dpf", pl.dpf_only()),
        counts["dpf_check"],
        "INVALID_ID",
        "身份证号校验位错误",
    )
    for r in rows:
        right = rp.person_id("dpf", r)
        _rewrite_dpf_id(dpf, r, _wrong_check(right[:17], right[17]))

    rows = rp.take(
        "dpf",
        rp.rows("dpf", pl.dpf_only()),
        counts["dpf_date"],
        "INVALID_ID",
        "身份证号中的出生日期不存在",
    )
    for i, r in enumerate(rows):
        right = rp.person_id("dpf", r)
        date = "0230" if i % 2 else "1315"  # 2月30日 / 13月
        _rewrite_dpf_id(dpf, r, _with_check(right[:10] + date + right[14:17]))

    rows = rp.take(
        "dibao", rp.rows("dibao", members), counts["dibao_length"], "INVALID_ID", "身份证号少一位"
    )
    for r in rows:
        right = rp.person_id("dibao", r)
        rp.set_id("dibao", r, right[:9] + right[10:])

    rows = rp.take(
        "monitor",
        rp.rows("monitor", members),
        counts["monitor_length"],
        "INVALID_ID",
        "身份证号多一位",
    )
    for r in rows:
        right = rp.person_id("monitor", r)
        rp.set_id("monitor", r, right[:12] + right[11:])

    rows = rp.take(
        "subsidy",
        rp.rows("subsidy", pl.clean_holder()),
        counts["subsidy_check"],
        "INVALID_ID",
        "身份证号校验位错误（残疾人证号正确）",
    )
    for r in rows:
        right = rp.person_id("subsidy", r)
        rp.set_id("subsidy", r, _wrong_check(right[:17], right[17]))


def _rewrite_dpf_id(dpf: Table, row: int, new_id: str) -> None:
    """A mistyped ID in the DPF file; the certificate number was made from the same typo."""
    rows = np.array([row])
    cert = dpf.texts("cert_text", rows)[0]
    dpf.set_texts("id_text", rows, [new_id])
    dpf.set_texts("cert_text", rows, [new_id + cert[18:]])


def _unrecoverable_ids(rp: RowPlanter, k: int, members: np.ndarray) -> None:
    """18-digit IDs that went through a floating-point number and lost their last digits."""
    pl = rp.pl
    # Only all-digit IDs can be typed as numbers (one ending in X stays text).
    digits = pl.p["id"][:, 17] != ord("X")
    members = members & digits
    forms = ["dpf_number", "dpf_exponent_text", "dibao_number", "subsidy_dot0"]
    counts = {f: k // len(forms) + (i < k % len(forms)) for i, f in enumerate(forms)}
    numeric = rp.numeric_files

    def damage(kind: str, rows: np.ndarray, form: str) -> None:
        for r in rows:
            value = float(rp.person_id(kind, r))
            file = rp.file_of(kind, r)
            if form == "number" and file in numeric:
                # xls keeps the double; Excel's xlsx keeps 15 significant digits.
                stored = value if file.endswith(".xls") else float(f"{value:.15g}")
                rp.set_id(kind, r, repr(stored), stored)
            elif form == "dot0":
                rp.set_id(kind, r, f"{value:.1f}")
            else:  # how Excel shows the number when the sheet is saved as CSV
                rp.set_id(kind, r, f"{value:.5E}")

    dpf_numeric = {f for f in numeric if f.startswith("dpf")} or None
    rows = rp.rows("dpf", pl.dpf_only() & digits, dpf_numeric)
    damage(
        "dpf",
        rp.take("dpf", rows, counts["dpf_number"], "ID_UNRECOVERABLE", "身份证号被存成数字"),
        "number",
    )
    text_files = {str(f) for f in rp.tables["dpf"].labels["file"] if str(f).endswith(".csv")}
    rows = rp.rows("dpf", pl.dpf_only() & digits, text_files or None)
    damage(
        "dpf",
        rp.take(
            "dpf", rows, counts["dpf_exponent_text"], "ID_UNRECOVERABLE", "身份证号显示为科学计数法"
        ),
        "exp",
    )
    rows = rp.rows("dibao", members)
    damage(
        "dibao",
        rp.take("dibao", rows, counts["dibao_number"], "ID_UNRECOVERABLE", "身份证号被存成数字"),
        "number",
    )
    rows = rp.rows("subsidy", pl.clean_holder() & digits)
    damage(
        "subsidy",
        rp.take(
            "subsidy",
            rows,
            counts["subsidy_dot0"],
            "ID_UNRECOVERABLE",
            "身份证号末尾带“.0”，后几位已变",
        ),
        "dot0",
    )
