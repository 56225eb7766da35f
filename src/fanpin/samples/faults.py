"""Faults written into single rows of the agency tables: duplicates, a wrong sex, a
certificate number that disagrees, mistyped IDs and IDs damaged by a spreadsheet. Each
is planted on a person with nothing else planted, so it yields exactly one finding."""

from __future__ import annotations

import numpy as np

from fanpin.samples import idgen
from fanpin.samples.people import REL_HEAD, Profile
from fanpin.samples.plants import Planted, Planter
from fanpin.samples.tables import Table


def _spread(rng: np.random.Generator, rows: np.ndarray, files: np.ndarray, k: int) -> np.ndarray:
    """k random rows, taken from every file in turn so that each file gets its share."""
    groups = []
    for f in np.unique(files[rows]):
        mine = rows[files[rows] == f]
        groups.append(rng.choice(mine, size=min(k, len(mine)), replace=False))
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
        """Choose k of `rows` for a fault and record the finding each should produce."""
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
