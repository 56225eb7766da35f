"""Validate county submissions: read, recognise, check each sheet, then check across files
(the same person twice, a city over its Annex 1 quota)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fanpin.errors import ErrorCode, InputError, InputProblem
from fanpin.forms.annex1 import quota_of
from fanpin.forms.grid import SheetGrid, WorkbookGrid, cell_ref, read_grid
from fanpin.forms.recognise import FORM_LABELS, recognise_sheet
from fanpin.forms.validate.check_annex4 import CheckedAnnex4, check_annex4
from fanpin.forms.validate.check_forms import CheckedSheet, check_form
from fanpin.forms.validate.check_person import shown
from fanpin.forms.validate.codes import ERROR, WARNING
from fanpin.forms.validate.context import CheckContext
from fanpin.forms.validate.model import FormSheet
from fanpin.forms.validate.problems import Problem, problems_frame
from fanpin.forms.validate.read_annex2 import read_annex2
from fanpin.forms.validate.read_annex3 import read_annex3
from fanpin.forms.validate.read_annex4 import read_annex4
from fanpin.forms.validate.read_survey import read_survey

log = logging.getLogger(__name__)
CHECKED_KINDS = ("annex2", "annex3", "annex4", "survey")
READERS = {"annex2": read_annex2, "annex3": read_annex3, "survey": read_survey}


@dataclass
class FileReport:
    path: Path
    grid: WorkbookGrid | None = None
    kinds: list[str] = field(default_factory=list)
    sheets: list[CheckedSheet] = field(default_factory=list)
    annex4: list[CheckedAnnex4] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(p.severity == ERROR for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == WARNING for p in self.problems)


@dataclass
class ValidationReport:
    files: list[FileReport]

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in self.files)

    def frame(self) -> pd.DataFrame:
        return problems_frame(self.problems)


def _sheet_kinds(book: WorkbookGrid, form: str) -> list[tuple[SheetGrid, str]]:
    chosen = []
    for sheet in book.sheets:
        if all(sheet.is_blank_row(r) for r in range(sheet.nrows)):
            continue
        kind = recognise_sheet(sheet) if form == "auto" else form
        if kind in CHECKED_KINDS:
            chosen.append((sheet, kind))
        elif kind is not None:
            log.info("sheet of kind %s in %s is not checked", kind, book.path.name)
    return chosen


def read_submissions(
    paths: Sequence[Path], form: str = "auto"
) -> list[tuple[WorkbookGrid, list[tuple[SheetGrid, str]]]]:
    """Read every file and pick the sheets to check; a file with none is an input error."""
    books = [read_grid(p) for p in paths]
    picked = [(b, _sheet_kinds(b, form)) for b in books]
    unknown = [b.path.name for b, sheets in picked if not sheets]
    if unknown:
        hint = "、".join(FORM_LABELS[k] for k in CHECKED_KINDS)
        raise InputError(
            [
                InputProblem(
                    ErrorCode.BAD_VALUE,
                    f"认不出是哪种表（可审核：{hint}）；请用 --form 指定",
                    file=name,
                )
                for name in unknown
            ]
        )
    return picked


def validate_paths(
    paths: Sequence[Path], ctx: CheckContext, form: str = "auto"
) -> ValidationReport:
    """Check every recognised sheet of every file, then the checks that span files."""
    reports = []
    for book, sheets in read_submissions(paths, form):
        report = FileReport(book.path, book)
        for sheet, kind in sheets:
            report.kinds.append(kind)
            if kind == "annex4":
                checked4 = check_annex4(read_annex4(sheet, book.path.name))
                report.annex4.append(checked4)
                report.problems += checked4.problems
                continue
            checked = check_form(READERS[kind](sheet, book.path.name), ctx)
            report.sheets.append(checked)
            report.problems += checked.problems
        reports.append(report)
    _duplicates(reports)
    _quotas(reports, ctx)
    _annex4_across(reports)
    for report in reports:
        log.info(
            "validated %s: %d errors, %d warnings", report.path.name, report.errors, report.warnings
        )
    return ValidationReport(reports)


def _duplicates(reports: list[FileReport]) -> None:
    """The same person twice in one file (any sheet) or in two files of the same form."""
    frames = []
    for i, report in enumerate(reports):
        for s in report.sheets:
            people = s.people.assign(
                file_index=i, file=s.form.file, sheet=s.form.sheet, kind=s.form.kind
            )
            frames.append(people[people["holder"].notna()])
    if not frames:
        return
    people = pd.concat(frames, ignore_index=True).sort_values(["file_index", "row"], kind="stable")
    for (_kind, _holder), group in people.groupby(["kind", "holder"], sort=False):
        if len(group) < 2:
            continue
        first = group.iloc[0]
        for _, dup in group.iloc[1:].iterrows():  # a handful of duplicates per run
            same_file = dup["file_index"] == first["file_index"]
            where = f"工作表“{first['sheet']}”{first['key_cell']}"
            if not same_file:
                where = f"文件“{first['file']}”" + where
            reports[int(dup["file_index"])].problems.append(
                Problem(
                    "DUPLICATE_IN_FILE" if same_file else "DUPLICATE_ACROSS_FILES",
                    str(dup["file"]),
                    str(dup["sheet"]),
                    str(dup["key_cell"]),
                    shown("number", str(dup["key_value"])),
                    f"与{where}是同一人",
                )
            )


def annex3_city(form: FormSheet, people: pd.DataFrame) -> str | None:
    """The form's city: its 市残联（公章） line, else the city most addresses name."""
    if form.city:
        return form.city
    cities = people["city"].dropna()
    return str(cities.mode().iloc[0]) if len(cities) else None


def _quotas(reports: list[FileReport], ctx: CheckContext) -> None:
    """Payees per city and year across all Annex 3 sheets, against Annex 1."""
    counts: dict[tuple[str, int], int] = {}
    sheets: dict[tuple[str, int], list[tuple[FileReport, CheckedSheet]]] = {}
    for report in reports:
        for s in report.sheets:
            if s.form.kind != "annex3":
                continue
            city, year = annex3_city(s.form, s.people), s.form.year or ctx.year
            if year is None:
                report.problems.append(
                    Problem(
                        "YEAR_MISSING",
                        s.form.file,
                        s.form.sheet,
                        "",
                        "",
                        "请在标题写明年度或用 --year 指定",
                    )
                )
            if city is None:
                report.problems.append(
                    Problem(
                        "CITY_MISSING",
                        s.form.file,
                        s.form.sheet,
                        s.form.city_cell,
                        "",
                        "未能确定所属市",
                    )
                )
            if city is None or year is None:
                continue
            counts[(city, year)] = counts.get((city, year), 0) + len(s.form.entries)
            sheets.setdefault((city, year), []).append((report, s))
    severity = ERROR if ctx.rules.over_quota_severity == "error" else WARNING
    for (city, year), count in counts.items():
        quota = quota_of(ctx.quotas, city, year)
        if quota is None or count <= quota:
            continue
        for report, s in sheets[(city, year)]:
            cell = s.form.closing.cell if s.form.closing else ""
            report.problems.append(
                Problem(
                    "QUOTA_EXCEEDED",
                    s.form.file,
                    s.form.sheet,
                    cell,
                    str(len(s.form.entries)),
                    f"{city}{year}年名额 {quota} 人，所审文件合计 {count} 人，"
                    f"超出 {count - quota} 人",
                    severity,
                )
            )


def _annex4_across(reports: list[FileReport]) -> None:
    """The same county filled in two Annex 4 files (blank rows of a city-wide template that
    a county left alone do not count)."""
    seen: dict[str, str] = {}
    for report in reports:
        for checked in report.annex4:
            if checked.level != "county":
                continue
            for entry, (name, _) in zip(checked.sheet.rows, checked.places, strict=True):
                if not name or not entry.filled:
                    continue
                if name in seen and seen[name] != report.path.name:
                    report.problems.append(
                        Problem(
                            "DUPLICATE_COUNTY",
                            report.path.name,
                            checked.sheet.form.sheet,
                            cell_ref(entry.row, checked.sheet.label_col),
                            entry.label,
                            f"“{name}”也出现在文件“{seen[name]}”中",
                        )
                    )
                seen.setdefault(name, report.path.name)
