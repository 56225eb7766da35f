"""Tell which of the notice's forms a sheet holds, from its title and headers."""

from __future__ import annotations

from fanpin.forms.grid import SheetGrid, squash
from fanpin.io.header import find_header
from fanpin.io.spec import KindSpec, load_column_spec

FORM_KINDS = ("annex1", "annex2", "annex3", "annex4", "survey")
FORM_LABELS = {
    "annex1": "附件1 救助金发放分解表",
    "annex2": "附件2 救助登记表",
    "annex3": "附件3 救助金发放登记汇总表",
    "annex4": "附件4 帮扶人员需求汇总统计表",
    "survey": "帮扶需求摸底调查表",
}
SCAN_ROWS = 15
SURVEY_ONLY_MIN = 3  # survey-only columns a sheet needs to be taken for a survey
_SHARED_FIELDS = {"name", "id_number", "cert_number", "city", "county", "head_id"}

# Words in the title (checked first), then sets of header words that identify a form. The
# survey is told by its columns only: its instructions sheet also names it in the title.
_TITLES = [
    ("annex3", "发放登记汇总表"),
    ("annex2", "救助登记表"),
    ("annex4", "需求汇总统计表"),
    ("annex1", "发放分解表"),
]
_HEADER_SETS = [
    ("annex3", {"序号", "姓名", "残疾证号/身份证号", "领取人签字"}),
    ("annex2", {"姓名", "资助金额", "银行卡信息"}),
    ("annex4", {"①", "⑩"}),
]


def _sheet_text(sheet: SheetGrid) -> tuple[str, set[str]]:
    cells = [squash(t) for r in range(min(sheet.nrows, SCAN_ROWS)) for t in sheet.row_texts(r)]
    return "".join(cells), {c for c in cells if c}


def survey_spec() -> KindSpec:
    return load_column_spec().kind("survey")


def merges_of(sheet: SheetGrid) -> list[tuple[int, int, int, int]]:
    return [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in sheet.merged]


def looks_like_survey(sheet: SheetGrid) -> bool:
    """A header naming at least three of the survey's own columns (劳动能力, 培训意愿 …)."""
    spec = survey_spec()
    match = find_header(sheet.cells[: spec.header.search_rows + 1], spec, merges_of(sheet))
    return match is not None and len(set(match.columns) - _SHARED_FIELDS) >= SURVEY_ONLY_MIN


def recognise_sheet(sheet: SheetGrid) -> str | None:
    """'annex2' / 'annex3' / 'annex4' / 'annex1' / 'survey', or None when unknown."""
    joined, cells = _sheet_text(sheet)
    for kind, word in _TITLES:
        if word in joined:
            return kind
    for kind, words in _HEADER_SETS:
        if kind == "annex4":
            if all(w in joined for w in words):
                return kind
        elif all(any(c.startswith(w) for c in cells) for w in words):
            return kind
    return "survey" if looks_like_survey(sheet) else None
