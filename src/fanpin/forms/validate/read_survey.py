"""Read a needs-survey sheet (需求摸底表, `fanpin template survey`) for the person checks.

The header is found with the shared column table (schemas/columns.toml, kind "survey"), so
every alias the measures part accepts is accepted here. Only the person fields are
checked here; the survey's answers are checked by `fanpin measures` when it reads them.
"""

from __future__ import annotations

from fanpin.forms.grid import SheetGrid, cell_ref
from fanpin.forms.recognise import merges_of, survey_spec
from fanpin.forms.validate.model import FormSheet, entries_frame, row_record
from fanpin.forms.validate.problems import Problem
from fanpin.io.header import find_header

# survey field -> the entries field the person checks use
FIELD_MAP = {
    "name": "name",
    "id_number": "id_number",
    "cert_number": "cert_number",
    "household_size": "household_size",
    "labour_count": "labour_count",
    "income_per_capita": "income",
}
FIELDS = list(FIELD_MAP.values())


def read_survey(sheet: SheetGrid, file: str) -> FormSheet:
    form = FormSheet(kind="survey", file=file, sheet=sheet.name)
    spec = survey_spec()
    match = find_header(sheet.cells[: spec.header.search_rows + 1], spec, merges_of(sheet))
    if match is None or "name" not in match.columns:
        form.problems.append(
            Problem(
                "HEADER_MISSING", file, sheet.name, "", "", "找不到摸底表的表头（姓名、身份证号……）"
            )
        )
        return form
    cols = {FIELD_MAP[k]: c for k, c in match.columns.items() if k in FIELD_MAP}
    if "id_number" not in cols and "cert_number" not in cols:
        form.problems.append(
            Problem(
                "HEADER_MISSING",
                file,
                sheet.name,
                cell_ref(match.top, 0),
                "",
                "缺少栏目“公民身份号码”或“残疾人证号”",
            )
        )
        return form
    records = []
    for r in range(match.bottom + 1, sheet.nrows):
        values = {f: sheet.text(r, c) for f, c in cols.items()}
        if not any(values.values()):
            continue
        first = next((t for t in sheet.row_texts(r) if t), "")
        if first.replace(" ", "").startswith(("合计", "说明", "填表", "备注")):
            continue
        records.append(row_record(r, values, cols, FIELDS))
    form.entries = entries_frame(records, FIELDS)
    return form
